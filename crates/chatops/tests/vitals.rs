//! `/cpu`, `/ram`, `/disk`, `/net`, `/uptime`, `/top` and `/users` through the fake Bot API,
//! on two hosts that sent a full agent frame.
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    reason = "test code: a failed step stops the test loudly (clippy.toml allows this in #[test] functions, not in their helpers)"
)]

mod common;

use common::fake::message;
use common::{Rig, T0, VIEWER, rig};
use hostpulse_core::{HostFacts, ProcessInfo, ProcessSnapshot, Sample, UserSession};
use hostpulse_proto::{AgentIdentity, Frame, IngestBatch, PROTOCOL_VERSION};
use hostpulse_store::prelude::*;

const GIB: f64 = 1_073_741_824.0;

/// What differs between the two hosts.
struct Profile {
    host: &'static str,
    ip: &'static str,
    cpu: f64,
    var_used: f64,
    top_name: &'static str,
    sessions: Vec<UserSession>,
}

fn app1() -> Profile {
    Profile {
        host: "app-1",
        ip: "10.1.0.1",
        cpu: 37.5,
        var_used: 91.0,
        top_name: "postgres",
        sessions: vec![
            UserSession {
                user: "root".into(),
                tty: "tty1".into(),
                from: String::new(),
                login_time_ms: T0 - 7_200_000,
            },
            UserSession {
                user: "alice".into(),
                tty: "pts/0".into(),
                from: "192.168.1.20".into(),
                login_time_ms: T0 - 3_600_000,
            },
        ],
    }
}

fn app2() -> Profile {
    Profile {
        host: "app-2",
        ip: "10.1.0.2",
        cpu: 80.0,
        var_used: 12.0,
        top_name: "redis-server",
        sessions: vec![],
    }
}

fn samples(p: &Profile) -> Vec<Sample> {
    let mut samples = vec![
        Sample::new("cpu.usage_percent", p.cpu),
        Sample::new("cpu.usage_percent", 99.0).with_label("cpu", "0"),
        Sample::new("cpu.user_percent", 25.0),
        Sample::new("cpu.system_percent", 10.0),
        Sample::new("cpu.iowait_percent", 2.0),
        Sample::new("cpu.steal_percent", 0.5),
        Sample::new("cpu.cores_logical", 8.0),
        Sample::new("cpu.cores_physical", 4.0),
        Sample::new("load.1", 1.25),
        Sample::new("load.5", 0.75),
        Sample::new("load.15", 0.5),
        Sample::new("mem.total_bytes", 16.0 * GIB),
        Sample::new("mem.used_bytes", 6.0 * GIB),
        Sample::new("mem.available_bytes", 10.0 * GIB),
        Sample::new("mem.used_percent", 37.5),
        Sample::new("swap.total_bytes", 2.0 * GIB),
        Sample::new("swap.used_bytes", 0.5 * GIB),
        Sample::new("swap.used_percent", 25.0),
        Sample::new("system.uptime_seconds", 273_120.0),
        Sample::new("system.boot_time_seconds", (T0 / 1000 - 273_120) as f64),
        Sample::new("disk.read_bytes_per_sec", 1_500_000.0).with_label("device", "nvme0n1"),
        Sample::new("disk.write_bytes_per_sec", 250_000.0).with_label("device", "nvme0n1"),
        Sample::new("disk.busy_percent", 7.0).with_label("device", "nvme0n1"),
        Sample::new("net.rx_bytes_per_sec", 1_200_000.0).with_label("iface", "eth0"),
        Sample::new("net.tx_bytes_per_sec", 300_000.0).with_label("iface", "eth0"),
        Sample::new("net.rx_errors_per_sec", 0.0).with_label("iface", "eth0"),
        Sample::new("net.tx_errors_per_sec", 0.0).with_label("iface", "eth0"),
        Sample::new("net.rx_drops_per_sec", 2.5).with_label("iface", "eth0"),
        Sample::new("net.tx_drops_per_sec", 0.0).with_label("iface", "eth0"),
        Sample::new("net.rx_bytes_per_sec", 999.0).with_label("iface", "lo"),
    ];
    for (mount, used, free, total, inodes) in [
        ("/", 40.0, 30.0, 50.0, 12.5),
        ("/var", p.var_used, 4.5, 100.0, 3.0),
    ] {
        let disk = |name: &str, value: f64| {
            Sample::new(name, value)
                .with_label("mount", mount)
                .with_label("device", "/dev/nvme0n1p2")
                .with_label("fstype", "ext4")
        };
        samples.push(disk("disk.used_percent", used));
        samples.push(disk("disk.free_bytes", free * GIB));
        samples.push(disk("disk.total_bytes", total * GIB));
        samples.push(disk("disk.inodes_used_percent", inodes));
    }
    let states = [("established", 42.0), ("time_wait", 7.0), ("listen", 5.0)];
    for (state, count) in states.into_iter().chain([("close_wait", 0.0)]) {
        samples.push(Sample::new("tcp.connections", count).with_label("state", state));
    }
    samples
}

fn process(pid: u32, name: &str, user: &str, cpu_percent: f64, rss_gib: f64) -> ProcessInfo {
    ProcessInfo {
        pid,
        name: name.into(),
        user: user.into(),
        cpu_percent,
        rss_bytes: (rss_gib * GIB) as u64,
    }
}

async fn ingest(rig: &Rig, p: Profile) {
    let main = process(4242, p.top_name, "service", 87.5, 1.0);
    let batch = IngestBatch {
        version: PROTOCOL_VERSION,
        agent: AgentIdentity {
            hostname: p.host.into(),
            display_name: None,
            agent_version: "0.1.0".into(),
            interval_ms: 5000,
            instance_id: "test-instance".into(),
            run_id: "test-run".into(),
            previous_run_id: None,
        },
        seq: 1,
        facts: Some(HostFacts {
            hostname: p.host.into(),
            ips: vec![p.ip.into()],
            agent_version: "0.1.0".into(),
            ..HostFacts::default()
        }),
        frames: vec![Frame {
            ts_ms: T0,
            samples: samples(&p),
            processes: Some(ProcessSnapshot {
                top_cpu: vec![main.clone(), process(17, "nginx", "www-data", 12.0, 0.1)],
                top_memory: vec![process(999, "java", "appuser", 3.0, 2.0), main],
            }),
            users: Some(p.sessions),
            containers: None,
            errors: None,
        }],
    };
    rig.store.ingest(p.host, batch).await.unwrap();
}

/// A rig with app-1 and app-2 next to the rig's hosts; returns the reply to `command`.
async fn ask(command: &str) -> String {
    let rig = rig().await;
    ingest(&rig, app1()).await;
    ingest(&rig, app2()).await;
    let bot = rig.bot().await;
    rig.fake.queue(message(1, VIEWER, command));
    let text = rig.fake.wait_sent(VIEWER, 1).await.remove(0);
    bot.shutdown().await;
    text
}

/// The part of `text` from the header of `host` to the next host header.
fn section<'a>(text: &'a str, host: &str, ip: &str) -> &'a str {
    let start = text
        .find(&format!("<b>{host}</b> · {ip}"))
        .unwrap_or_else(|| panic!("no section of {host} ({ip}): {text}"));
    let rest = &text[start + 1..];
    let end = rest.find("\n<b>").map_or(text.len(), |e| start + 1 + e);
    &text[start..end]
}

#[tokio::test]
async fn cpu_shows_usage_split_load_and_cores_per_host() {
    let text = ask("/cpu app-*").await;
    assert!(text.starts_with("<b>CPU</b>"), "{text}");
    let one = section(&text, "app-1", "10.1.0.1");
    for expected in [
        "usage        37.5%",
        "user         25%",
        "iowait       2%",
        "steal        0.5%",
        "load 1/5/15  1.25 0.75 0.5",
        "cores        8 (4 physical)",
    ] {
        assert!(one.contains(expected), "{expected:?} missing: {one}");
    }
    let two = section(&text, "app-2", "10.1.0.2");
    assert!(two.contains("usage        80%"), "{two}");
    assert!(!text.contains("web-1"), "{text}");
}

#[tokio::test]
async fn ram_shows_memory_and_swap() {
    let text = ask("/ram app-1").await;
    let one = section(&text, "app-1", "10.1.0.1");
    for expected in [
        "total      16.0G",
        "used       6.0G (37.5%)",
        "available  10.0G (62.5%)",
        "swap used  512.0M (25%) of 2.0G",
    ] {
        assert!(one.contains(expected), "{expected:?} missing: {one}");
    }
}

#[tokio::test]
async fn disk_lists_fullest_mount_first_with_inodes_and_io() {
    let text = ask("/disk app-*").await;
    let one = section(&text, "app-1", "10.1.0.1");
    let var = one
        .find("/var   91%   4.5G   100.0G  3%")
        .unwrap_or(usize::MAX);
    let root = one
        .find("/      40%   30.0G  50.0G   12.5%")
        .unwrap_or(usize::MAX);
    assert!(var < root && root < usize::MAX, "{one}");
    assert!(one.contains("nvme0n1  1.5M    250.0k   7%"), "{one}");
    let two = section(&text, "app-2", "10.1.0.2");
    let root = two.find("/      40%").unwrap_or(usize::MAX);
    let var = two.find("/var   12%").unwrap_or(usize::MAX);
    assert!(root < var && var < usize::MAX, "{two}");
}

#[tokio::test]
async fn net_shows_interfaces_without_loopback_and_tcp_states() {
    let text = ask("/net app-1").await;
    let one = section(&text, "app-1", "10.1.0.1");
    assert!(one.contains("eth0   1.2M  300.0k  0      2.5"), "{one}");
    assert!(!one.contains("lo "), "{one}");
    assert!(one.contains("TCP          54"), "{one}");
    assert!(one.contains("established  42"), "{one}");
    assert!(one.contains("time_wait    7"), "{one}");
    assert!(!one.contains("close_wait"), "{one}");
}

#[tokio::test]
async fn uptime_shows_uptime_boot_time_and_last_seen() {
    let text = ask("/uptime app-1").await;
    let one = section(&text, "app-1", "10.1.0.1");
    assert!(one.contains("up         3d 3h 52m"), "{one}");
    assert!(one.contains("booted     2026-09-18 10:21 UTC"), "{one}");
    assert!(one.contains("last seen  0s ago"), "{one}");
}

#[tokio::test]
async fn top_lists_processes_by_cpu_and_by_memory() {
    let text = ask("/top").await;
    let one = section(&text, "app-1", "10.1.0.1");
    let by_memory = one.find("By memory").unwrap_or_else(|| panic!("{one}"));
    let (cpu, memory) = one.split_at(by_memory);
    assert!(cpu.contains("4242  service   87.5%  postgres"), "{cpu}");
    assert!(cpu.contains("17    www-data  12%    nginx"), "{cpu}");
    assert!(memory.contains("999   appuser  2.0G  java"), "{memory}");
    let two = section(&text, "app-2", "10.1.0.2");
    assert!(two.contains("redis-server"), "{two}");
    let web = section(&text, "web-1", "10.0.0.7");
    assert!(web.contains("no process snapshot yet"), "{web}");
}

#[tokio::test]
async fn users_lists_sessions_oldest_first() {
    let text = ask("/users app-*").await;
    let one = section(&text, "app-1", "10.1.0.1");
    let root = one.find("root   tty1   local         09-21 12:13");
    let alice = one.find("alice  pts/0  192.168.1.20  09-21 13:13");
    assert!(root.is_some() && alice.is_some() && root < alice, "{one}");
    let two = section(&text, "app-2", "10.1.0.2");
    assert!(two.contains("nobody is logged in"), "{two}");
}

#[tokio::test]
async fn unknown_host_and_extra_arguments_are_explained() {
    let text = ask("/cpu nope").await;
    assert_eq!(text, "No host matches nope. Try /hosts.");
    let text = ask("/disk app-1 app-2").await;
    assert_eq!(text, "Usage: /disk [host|glob|group]");
}
