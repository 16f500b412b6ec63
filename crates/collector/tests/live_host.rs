//! Tests against this machine's real /proc, netlink and filesystems, and a collector rooted
//! at a fixture directory to check that a failing family does not stop the others.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed setup step should stop the test loudly"
)]

use hostpulse_collector::tcp::{DiagSocket, DumpRequest, StateCounts, TCP_STATES};
use hostpulse_collector::{Collector, CollectorConfig};
use hostpulse_core::Sample;
use std::path::PathBuf;

fn values<'a>(samples: &'a [Sample], name: &'a str) -> impl Iterator<Item = &'a Sample> + 'a {
    samples.iter().filter(move |s| s.name == name)
}

fn single(samples: &[Sample], name: &str) -> f64 {
    let found: Vec<_> = values(samples, name)
        .filter(|s| s.labels.is_empty())
        .collect();
    assert_eq!(found.len(), 1, "{name}");
    found[0].value
}

#[test]
fn two_cycles_on_the_real_host_cover_every_family() {
    let config = CollectorConfig {
        process_interval_ms: 0,
        ..CollectorConfig::default()
    };
    let mut collector = Collector::new(config);
    let first = collector.collect(1_000);
    assert_eq!(
        first.errors,
        Some(vec![]),
        "first frame carries the (empty) failing set"
    );
    assert!(
        first.processes.is_none(),
        "the first process scan only primes CPU counters"
    );
    std::thread::sleep(std::time::Duration::from_millis(50));
    let frame = collector.collect(2_000);
    assert_eq!(frame.errors, None, "unchanged failing set is not resent");
    let s = &frame.samples;

    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap();
    let kib: f64 = meminfo
        .lines()
        .next()
        .unwrap()
        .split_whitespace()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(single(s, "mem.total_bytes"), kib * 1024.0);

    let usage = single(s, "cpu.usage_percent");
    assert!((0.0..=100.0).contains(&usage));
    let cores = single(s, "cpu.cores_logical");
    assert_eq!(
        values(s, "cpu.usage_percent")
            .filter(|x| x.labels.contains_key("cpu"))
            .count() as f64,
        cores
    );
    assert!(single(s, "load.1") >= 0.0);
    assert!(values(s, "disk.total_bytes").any(|x| x.labels["mount"] == "/"));
    assert!(
        values(s, "disk.busy_percent").count() > 0,
        "a block device is watched"
    );
    assert!(values(s, "net.rx_bytes_per_sec").all(|x| x.labels["iface"] != "lo"));
    let states: Vec<&str> = values(s, "tcp.connections")
        .map(|x| x.labels["state"].as_str())
        .collect();
    assert_eq!(states, TCP_STATES, "netlink gives every state");
    assert!(single(s, "proc.count") >= 1.0);
    assert!(single(s, "proc.running") >= 1.0, "this test is running");
    assert!(single(s, "users.logged_in") >= 0.0);
    assert!(single(s, "system.uptime_seconds") > 0.0);
    assert_eq!(
        single(s, "system.boot_time_seconds") * 1000.0,
        collector.facts().boot_time_ms as f64
    );

    let snapshot = frame.processes.expect("second scan gives a snapshot");
    assert!(!snapshot.top_memory.is_empty() && snapshot.top_memory.len() <= 5);
    assert!(
        snapshot
            .top_memory
            .windows(2)
            .all(|w| w[0].rss_bytes >= w[1].rss_bytes)
    );
    assert!(
        snapshot
            .top_cpu
            .iter()
            .all(|p| p.cpu_percent >= 0.0 && !p.user.is_empty())
    );
    for sample in s {
        hostpulse_core::validate_metric_name(&sample.name).unwrap();
        assert!(sample.value.is_finite(), "{}", sample.name);
    }
}

#[test]
fn facts_describe_this_host() {
    let mut collector = Collector::new(CollectorConfig {
        display_name: Some("web-1".into()),
        ..CollectorConfig::default()
    });
    collector.refresh_facts();
    let facts = collector.facts();
    let hostname = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    assert_eq!(facts.hostname, hostname.trim());
    assert_eq!(facts.display_name.as_deref(), Some("web-1"));
    assert_eq!(
        facts.kernel,
        std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .unwrap()
            .trim()
    );
    assert!(!facts.os_name.is_empty() && !facts.arch.is_empty());
    assert_eq!(facts.agent_version, env!("CARGO_PKG_VERSION"));
    assert!(facts.ips.iter().all(|ip| ip != "127.0.0.1" && ip != "::1"));
    assert!(facts.boot_time_ms > 1_000_000_000_000);
}

fn dump(request: &[DumpRequest]) -> StateCounts {
    let socket = DiagSocket::open().unwrap();
    let mut buf = vec![0u8; 64 * 1024];
    let mut counts = StateCounts::default();
    for (seq, r) in request.iter().enumerate() {
        socket
            .dump(*r, seq as u32 + 7, &mut buf, &mut counts)
            .unwrap();
    }
    counts
}

#[test]
fn netlink_counts_a_listener_and_a_connection() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let _client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let _server = listener.accept().unwrap();
    let per_family = [
        DumpRequest::Family(libc::AF_INET as u8),
        DumpRequest::Family(libc::AF_INET6 as u8),
    ];
    for counts in [dump(&[DumpRequest::Legacy]), dump(&per_family)] {
        assert!(counts[9] >= 1, "listen: {counts:?}");
        assert!(counts[0] >= 2, "established, both ends: {counts:?}");
    }
}

#[test]
fn a_failing_family_is_reported_and_the_others_go_on() {
    let fixture: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests/fixtures/server-many"]
        .iter()
        .collect();
    let empty_root = tempfile::tempdir().unwrap();
    let mut collector = Collector::new(CollectorConfig {
        proc_path: fixture.join("proc"),
        sys_path: fixture.join("no-sys"),
        rootfs_path: empty_root.path().to_path_buf(),
        utmp_path: fixture.join("var/run/utmp"),
        etc_passwd_path: fixture.join("etc_passwd"),
        ..CollectorConfig::default()
    });
    let frame = collector.collect(5_000);
    let errors = frame.errors.expect("first frame has the set");
    let families: Vec<&str> = errors.iter().map(|e| e.family.as_str()).collect();
    assert_eq!(
        families,
        ["disk"],
        "only mounts missing under the empty root fail: {errors:?}"
    );
    assert!(errors[0].message.contains("boot"), "{}", errors[0].message);
    let s = &frame.samples;
    assert_eq!(single(s, "cpu.cores_logical"), 96.0);
    assert_eq!(single(s, "cpu.cores_physical"), 48.0);
    assert_eq!(single(s, "cpu.frequency_mhz"), 3050.0);
    assert_eq!(single(s, "mem.total_bytes"), 394_899_560.0 * 1024.0);
    assert_eq!(single(s, "proc.count"), 2.0, "pids 1 and 31337");
    assert_eq!(single(s, "load.15"), 17.02);
    assert_eq!(single(s, "users.logged_in"), 2.0);
    assert_eq!(frame.users.map(|u| u.len()), Some(2));
    assert!(
        values(s, "disk.total_bytes").any(|x| x.labels["mount"] == "/"),
        "the root still reported"
    );
    assert_eq!(
        collector.collect(6_000).errors,
        None,
        "same failure is not resent"
    );
}
