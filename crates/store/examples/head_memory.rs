//! Memory and checkpoint cost of a hub with many hosts: every host pushes one batch
//! per simulated minute (12 frames of 5 s samples), a checkpoint follows every
//! `checkpoint_minutes`, and the process RSS is read from `/proc/self/status`.
//!
//! Usage: `cargo run --release -p hostpulse-store --example head_memory -- [hosts] [series] [minutes] [checkpoint_minutes]`

use hostpulse_core::{Clock, ManualClock, Sample};
use hostpulse_proto::{AgentIdentity, Frame, IngestBatch, PROTOCOL_VERSION};
use hostpulse_store::prelude::*;
use hostpulse_store::{SqliteOptions, SqliteStore};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// An hour-aligned start time.
const T0: i64 = 1_699_999_200_000;
const INTERVAL_MS: i64 = 5_000;
const FRAMES_PER_BATCH: i64 = 12;
/// `USER_HZ` of `/proc/*/stat` times (100 on Linux).
const CLOCK_TICKS_PER_SECOND: f64 = 100.0;

fn argument(index: usize, default: u64) -> u64 {
    std::env::args()
        .nth(index)
        .and_then(|a| a.parse().ok())
        .unwrap_or(default)
}

fn make_batch(seq: u64, first_ts_ms: i64, series: u64) -> IngestBatch {
    let frames = (0..FRAMES_PER_BATCH)
        .map(|f| {
            let tick = seq * FRAMES_PER_BATCH as u64 + f as u64;
            let samples = (0..series)
                .map(|i| {
                    let value = ((tick * 7 + i * 13) % 10_000) as f64 / 100.0;
                    Sample::new("cpu.usage_percent", value).with_label("cpu", i.to_string())
                })
                .collect();
            Frame {
                ts_ms: first_ts_ms + f * INTERVAL_MS,
                samples,
                ..Frame::default()
            }
        })
        .collect();
    IngestBatch {
        version: PROTOCOL_VERSION,
        agent: AgentIdentity {
            interval_ms: INTERVAL_MS as u64,
            ..AgentIdentity::default()
        },
        seq,
        facts: None,
        frames,
    }
}

/// `(VmRSS, VmHWM)` of this process in MiB.
fn rss_mib() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// CPU seconds (user + system) used so far by the store's writer thread.
fn writer_cpu_seconds() -> f64 {
    let tasks = std::fs::read_dir("/proc/self/task").into_iter().flatten();
    for task in tasks.flatten() {
        let comm = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
        if !comm.starts_with("hostpulse-store") {
            continue;
        }
        let stat = std::fs::read_to_string(task.path().join("stat")).unwrap_or_default();
        let after_name = stat.rsplit(')').next().unwrap_or_default();
        let fields: Vec<&str> = after_name.split_whitespace().collect();
        let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok());
        // Fields 14 and 15 of stat (utime, stime); the slice starts at field 3.
        let total = ticks(11).unwrap_or(0.0) + ticks(12).unwrap_or(0.0);
        return total / CLOCK_TICKS_PER_SECOND;
    }
    0.0
}

async fn ingest_minute(
    store: &Arc<SqliteStore>,
    hosts: u64,
    series: u64,
    minute: u64,
) -> Result<(), Box<dyn std::error::Error>> {
    let first_ts_ms = T0 + minute as i64 * FRAMES_PER_BATCH * INTERVAL_MS;
    let mut tasks = Vec::new();
    for host in 0..hosts {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let batch = make_batch(minute + 1, first_ts_ms, series);
            store.ingest(&format!("host-{host}"), batch).await
        }));
    }
    for task in tasks {
        task.await??;
    }
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (hosts, series) = (argument(1, 500), argument(2, 150));
    let (minutes, every) = (argument(3, 90), argument(4, 1).max(1));
    let dir = tempfile::tempdir()?;
    let clock = ManualClock::new(T0);
    let options = SqliteOptions {
        synchronous_full: false,
        checkpoint_interval_ms: u64::MAX,
        checkpoint_log_bytes: u64::MAX,
        ..SqliteOptions::new(dir.path().join("hostpulse.db"))
    };
    let shared: Arc<dyn Clock> = Arc::new(clock.clone());
    let store = SqliteStore::open(options, shared).await?;
    let started = Instant::now();
    let mut checkpoints: Vec<Duration> = Vec::new();
    let mut checkpoint_cpu = 0.0;
    for minute in 0..minutes {
        clock.set(T0 + (minute as i64 + 1) * FRAMES_PER_BATCH * INTERVAL_MS);
        ingest_minute(&store, hosts, series, minute).await?;
        if (minute + 1) % every == 0 {
            let (begun, cpu_before) = (Instant::now(), writer_cpu_seconds());
            store.checkpoint().await?;
            checkpoints.push(begun.elapsed());
            if minute > 0 {
                checkpoint_cpu += writer_cpu_seconds() - cpu_before;
            }
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let stats = store.stats().await?;
    let (rss, peak) = rss_mib();
    let steady = &checkpoints[checkpoints.len().min(1)..];
    let mean_ms =
        steady.iter().map(Duration::as_secs_f64).sum::<f64>() * 1000.0 / steady.len().max(1) as f64;
    let max_ms = steady
        .iter()
        .max()
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0);
    println!(
        "{hosts} hosts x {series} series, {minutes} min: {} samples in {elapsed:.1} s",
        stats.samples_ingested
    );
    let cpu_ms = checkpoint_cpu * 1000.0 / steady.len().max(1) as f64;
    println!(
        "checkpoints after the first: {} x mean {mean_ms:.0} ms (writer CPU {cpu_ms:.0} ms), max {max_ms:.0} ms",
        steady.len()
    );
    println!(
        "RSS {rss:.0} MiB, peak {peak:.0} MiB, {} points in the head",
        stats.head_points
    );
    store.shutdown().await?;
    Ok(())
}
