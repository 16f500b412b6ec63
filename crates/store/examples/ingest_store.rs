//! Raw store ingest throughput: many concurrent tasks, each an agent pushing
//! batches of one frame, against a fresh database with fsync per group commit.
//!
//! Usage: `cargo run -p hostpulse-store --example ingest_store -- [agents] [batches] [samples]`

use hostpulse_core::{Clock, Sample, SystemClock};
use hostpulse_proto::{AgentIdentity, Frame, IngestBatch, PROTOCOL_VERSION};
use hostpulse_store::prelude::*;
use hostpulse_store::{SqliteOptions, SqliteStore};
use std::sync::Arc;
use std::time::Instant;

fn argument(index: usize, default: u64) -> u64 {
    std::env::args()
        .nth(index)
        .and_then(|a| a.parse().ok())
        .unwrap_or(default)
}

fn make_batch(seq: u64, ts_ms: i64, samples: u64) -> IngestBatch {
    let samples = (0..samples)
        .map(|i| {
            let value = ((seq * 7 + i * 13) % 10_000) as f64 / 100.0;
            Sample::new("cpu.usage_percent", value).with_label("cpu", i.to_string())
        })
        .collect();
    IngestBatch {
        version: PROTOCOL_VERSION,
        agent: AgentIdentity {
            interval_ms: 5_000,
            ..AgentIdentity::default()
        },
        seq,
        facts: None,
        frames: vec![Frame {
            ts_ms,
            samples,
            ..Frame::default()
        }],
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (agents, batches, samples) = (argument(1, 200), argument(2, 50), argument(3, 150));
    let dir = tempfile::tempdir()?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let start_ms = clock.now_ms() - 86_400_000;
    let store =
        SqliteStore::open(SqliteOptions::new(dir.path().join("hostpulse.db")), clock).await?;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for agent in 0..agents {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            for seq in 1..=batches {
                let batch = make_batch(seq, start_ms + seq as i64 * 5_000, samples);
                store.ingest(&format!("host-{agent}"), batch).await?;
            }
            Ok::<_, hostpulse_store::StoreError>(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let stats = store.stats().await?;
    store.shutdown().await?;
    println!(
        "{agents} agents x {batches} batches x {samples} samples: {} samples in {elapsed:.2} s = {:.0} samples/s, {:.0} batches/s",
        stats.samples_ingested,
        stats.samples_ingested as f64 / elapsed,
        stats.batches_ingested as f64 / elapsed,
    );
    Ok(())
}
