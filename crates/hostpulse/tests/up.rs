//! `hostpulse up` end to end: this host's vitals checked against /proc, the CLI status
//! views, and a graceful shutdown that keeps everything.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed setup step should stop the test loudly"
)]

mod common;

use common::{Hub, Mode, START_TIMEOUT, latest_value, now_ms, range_points, text, wait_for};
use serde_json::Value;
use std::time::Duration;

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .unwrap()
        .trim()
        .to_string()
}

fn mem_total_bytes() -> f64 {
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap();
    let line = meminfo
        .lines()
        .find(|l| l.starts_with("MemTotal:"))
        .unwrap();
    let kib: f64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib * 1024.0
}

fn logical_cpus_and_btime() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/stat").unwrap();
    let cpus = stat
        .lines()
        .filter(|l| l.starts_with("cpu") && l.as_bytes().get(3).is_some_and(u8::is_ascii_digit))
        .count();
    let btime = stat
        .lines()
        .find_map(|l| l.strip_prefix("btime "))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    (cpus as f64, btime)
}

fn root_total_bytes() -> f64 {
    let path = std::ffi::CString::new("/").unwrap();
    // SAFETY: statvfs(3) writes into a zeroed struct we own; the path is a valid C string.
    let mut stat: libc::statvfs = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::statvfs(path.as_ptr(), &mut stat) };
    assert_eq!(rc, 0);
    (stat.f_blocks as f64) * (stat.f_frsize as f64)
}

fn has_process(latest: &Value, name: &str) -> bool {
    ["top_cpu", "top_memory"].iter().any(|list| {
        latest["processes"][list]
            .as_array()
            .is_some_and(|ps| ps.iter().any(|p| p["name"] == name))
    })
}

/// Latest view of `host` once it has memory, disk, TCP and process data.
fn wait_for_full_latest(hub: &Hub, host: &str) -> Value {
    wait_for("a complete latest view", START_TIMEOUT, || {
        let reply = hub.get(&format!("/api/v1/hosts/{host}/latest"));
        let latest = reply.json;
        let complete = reply.status == 200
            && latest_value(&latest, "mem.total_bytes", &[]).is_some()
            && latest_value(&latest, "disk.total_bytes", &[("mount", "/")]).is_some()
            && latest_value(&latest, "tcp.connections", &[("state", "listen")]).is_some()
            && has_process(&latest, "hostpulse");
        complete.then_some(latest)
    })
}

#[test]
fn up_reports_this_host() {
    let started_ms = now_ms();
    let hub = Hub::start(Mode::Up);
    let host = hostname();
    assert!(
        hub.stdout(1).contains(&hub.admin_token),
        "the first start prints the admin token"
    );

    let hosts = wait_for("this host listed as up", START_TIMEOUT, || {
        let hosts = hub.get("/api/v1/hosts").json;
        let up =
            hosts[0]["status"] == "up" && hosts[0]["os"].as_str().is_some_and(|o| !o.is_empty());
        up.then_some(hosts)
    });
    let hosts = hosts.as_array().unwrap();
    assert_eq!(hosts.len(), 1, "exactly this host: {hosts:?}");
    assert_eq!(hosts[0]["name"], host.as_str());
    assert_eq!(hosts[0]["hostname"], host.as_str());
    assert!(
        !hosts[0]["ips"].as_array().unwrap().is_empty(),
        "{:?}",
        hosts[0]
    );

    let latest = wait_for_full_latest(&hub, &host);
    let (cpus, btime) = logical_cpus_and_btime();
    assert_eq!(
        latest_value(&latest, "mem.total_bytes", &[]),
        Some(mem_total_bytes())
    );
    assert_eq!(latest_value(&latest, "cpu.cores_logical", &[]), Some(cpus));
    assert_eq!(
        latest_value(&latest, "system.boot_time_seconds", &[]),
        Some(btime)
    );
    assert_eq!(
        latest_value(&latest, "disk.total_bytes", &[("mount", "/")]),
        Some(root_total_bytes())
    );
    let listening = latest_value(&latest, "tcp.connections", &[("state", "listen")]).unwrap();
    assert!(listening >= 1.0, "the hub itself listens: {listening}");

    let table = hub.cli(&["status"]);
    assert!(table.status.success(), "{}", text(&table.stderr));
    assert!(
        text(&table.stdout).contains(&host),
        "{}",
        text(&table.stdout)
    );
    let detail = hub.cli(&["status", &host]);
    assert!(detail.status.success(), "{}", text(&detail.stderr));
    assert!(
        text(&detail.stdout).contains("mem.total_bytes"),
        "{}",
        text(&detail.stdout)
    );

    let points = wait_for("cpu.usage_percent points", START_TIMEOUT, || {
        let points = range_points(&hub, &host, "cpu.usage_percent", started_ms - 60_000);
        (points.len() >= 2).then_some(points)
    });
    assert!(
        points.iter().all(|p| (0.0..=100.0).contains(&p.avg)),
        "{points:?}"
    );
}

/// Batches still only in the write-ahead ingest log of a stopped hub's database.
fn unflushed_batches(hub: &Hub) -> i64 {
    let db = rusqlite::Connection::open(hub.data_dir().join("hostpulse.db")).unwrap();
    db.query_row("SELECT COUNT(*) FROM ingest_log", [], |row| row.get(0))
        .unwrap()
}

#[test]
fn graceful_shutdown_keeps_everything() {
    let started_ms = now_ms();
    let mut hub = Hub::start(Mode::Up);
    let host = hostname();
    let before = wait_for("a few uptime points", START_TIMEOUT, || {
        let points = range_points(&hub, &host, "system.uptime_seconds", started_ms);
        (points.len() >= 3).then_some(points)
    });

    let status = hub.terminate(Duration::from_secs(30));
    assert!(
        status.success(),
        "exit after SIGTERM: {status}\n{}",
        hub.logs()
    );
    assert_eq!(
        unflushed_batches(&hub),
        0,
        "every ingested batch was folded into the database at shutdown"
    );
    hub.restart();
    assert!(
        !hub.stdout(2).contains(&hub.admin_token),
        "the admin token is printed only once"
    );

    let after = range_points(&hub, &host, "system.uptime_seconds", started_ms);
    let last_before = before.last().unwrap().ts_ms;
    let kept: Vec<_> = after
        .iter()
        .filter(|p| p.ts_ms <= last_before)
        .cloned()
        .collect();
    assert_eq!(
        kept,
        before,
        "points stored before the shutdown\n{}",
        hub.logs()
    );
    let listed = hub.get("/api/v1/hosts").json;
    assert_eq!(listed[0]["name"], host.as_str());
}
