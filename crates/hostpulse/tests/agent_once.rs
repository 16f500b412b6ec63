//! `hostpulse-agent --once` on the real host: per-process CPU in its snapshot comes from two
//! readings over the interval, so no process shows more than 100 % per core — even one that
//! has used many CPU-seconds since it started.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed setup step should stop the test loudly"
)]

mod common;

use common::{agent_bin, clean_command, text};
use hostpulse_proto::Frame;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// CPU time this process has used since it started, seconds (utime + stime at 100 Hz).
fn own_cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    let after_name = &stat[stat.rfind(')').unwrap() + 1..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    ticks as f64 / 100.0
}

/// Keeps every core busy in this process until it has used `seconds` of CPU in all.
fn burn_cpu(seconds: f64) {
    let stop = Arc::new(AtomicBool::new(false));
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let workers: Vec<_> = (0..cores)
        .map(|_| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut x = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
                }
            })
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(120);
    while own_cpu_seconds() < seconds && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    stop.store(true, Ordering::Relaxed);
    for worker in workers {
        worker.join().unwrap();
    }
}

#[test]
fn once_never_shows_a_process_above_100_percent_per_core() {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
    // Counted from its start, this process alone would be at 150 % per core in a 1 s window.
    burn_cpu(1.5 * cores + 0.5);
    let output = clean_command(&agent_bin()).arg("--once").output().unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    let frame: Frame = serde_json::from_slice(&output.stdout).unwrap();
    let logical = frame
        .samples
        .iter()
        .find(|s| s.name == "cpu.cores_logical")
        .map(|s| s.value)
        .expect("cpu.cores_logical");
    let snapshot = frame.processes.expect("a process snapshot");
    assert!(!snapshot.top_cpu.is_empty(), "{snapshot:?}");
    let ceiling = 100.0 * logical;
    for process in snapshot.top_cpu.iter().chain(&snapshot.top_memory) {
        assert!(
            (0.0..=ceiling).contains(&process.cpu_percent),
            "{} (pid {}) at {}% on {logical} cores",
            process.name,
            process.pid,
            process.cpu_percent
        );
    }
}
