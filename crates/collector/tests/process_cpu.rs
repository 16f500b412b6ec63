//! Per-process CPU of the top-process snapshot, on a captured `/proc` tree that changes
//! between two cycles: the first scan only primes, and CPU is the difference between scans.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed setup step should stop the test loudly"
)]

use hostpulse_collector::{Collector, CollectorConfig};
use std::path::{Path, PathBuf};

/// `hostpulse` (pid 4242), running since tick 5000 with 2,691 s of CPU used.
const BUSY_BEFORE: &str = "4242 (hostpulse) S 1 4242 4242 0 -1 4194560 9000 0 0 0 201000 68100 \
    0 0 20 0 9 0 5000 812345344 30000 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 \
    0 0 0 0 0 0 0 0 0 0 0 0";
/// 15 s later: 12 s more CPU (80 % of one core).
const BUSY_AFTER: &str = "4242 (hostpulse) S 1 4242 4242 0 -1 4194560 9000 0 0 0 202000 68300 \
    0 0 20 0 9 0 5000 812345344 30000 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 \
    0 0 0 0 0 0 0 0 0 0 0 0";
/// Started at 3005 s (inside the window) and used 3 s of CPU.
const NEWCOMER: &str = "77 (make) R 1 77 77 0 -1 4194560 10 0 0 0 250 50 0 0 20 0 1 0 300500 \
    1000000 100 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0";
/// Running since tick 9000 but unreadable at the first scan: its CPU is unknown.
const MISSED: &str = "88 (java) S 1 88 88 0 -1 4194560 10 0 0 0 900000 1000 0 0 20 0 40 0 9000 \
    1000000 500000 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0";

fn write(root: &Path, path: &str, text: &str) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn fixture_stat() -> String {
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "tests/fixtures/vm-2cpu/proc/stat",
    ]
    .iter()
    .collect();
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn first_snapshot_cpu_comes_from_two_scans_and_never_from_process_start() {
    let dir = tempfile::tempdir().unwrap();
    let proc = dir.path().join("proc");
    write(&proc, "stat", &fixture_stat()); // 2 CPUs
    write(&proc, "uptime", "3000.00 5000.00\n");
    write(&proc, "4242/stat", BUSY_BEFORE);
    write(&proc, "88/stat", "");
    let mut collector = Collector::new(CollectorConfig {
        proc_path: proc.clone(),
        etc_passwd_path: dir.path().join("passwd"),
        ..CollectorConfig::default()
    });
    let first = collector.collect(5_000);
    assert_eq!(first.processes, None, "the first scan only primes");

    write(&proc, "uptime", "3015.00 5030.00\n");
    write(&proc, "4242/stat", BUSY_AFTER);
    write(&proc, "77/stat", NEWCOMER);
    write(&proc, "88/stat", MISSED);
    let second = collector.collect(6_000);
    let snapshot = second.processes.expect("the second scan gives a snapshot");
    let cpu: Vec<(&str, f64)> = snapshot
        .top_cpu
        .iter()
        .map(|p| (p.name.as_str(), p.cpu_percent))
        .collect();
    assert_eq!(cpu, [("hostpulse", 80.0), ("make", 20.0)]);
    assert!(
        snapshot.top_memory.iter().all(|p| p.pid != 88),
        "a process without two readings is left out: {snapshot:?}"
    );
}
