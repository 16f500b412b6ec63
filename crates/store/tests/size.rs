//! On-disk size of realistic agent data: must stay far below a row per sample.

mod common;

use common::{SyntheticHost, T0, batch, frame, open_with, options};
use hostpulse_core::ManualClock;
use hostpulse_store::prelude::*;

#[tokio::test]
async fn realistic_host_needs_few_bytes_per_sample() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let mut options = options(dir.path());
    options.checkpoint_interval_ms = 60_000;
    let store = open_with(options, &clock).await;
    let mut host = SyntheticHost::new(11);
    let frames = 6 * 720; // 6 hours of 5 s samples
    for seq in 1..=frames {
        let ts = T0 + seq as i64 * 5_000;
        clock.set(ts);
        store
            .ingest("web-1", batch(seq, vec![frame(ts, host.samples())]))
            .await
            .unwrap();
    }
    store.checkpoint().await.unwrap();
    let stats = store.stats().await.unwrap();
    store.shutdown().await.unwrap();
    let db = dir.path().join("hostpulse.db");
    let bytes: u64 = ["", "-wal", "-shm"]
        .iter()
        .filter_map(|suffix| std::fs::metadata(format!("{}{suffix}", db.display())).ok())
        .map(|m| m.len())
        .sum();
    let per_sample = bytes as f64 / stats.samples_ingested as f64;
    println!(
        "{} series, {} samples, {bytes} bytes on disk: {per_sample:.2} bytes/sample",
        stats.series, stats.samples_ingested
    );
    let connection = rusqlite::Connection::open(&db).unwrap();
    for resolution in 0..3 {
        let data: i64 = connection
            .query_row(
                "SELECT COALESCE(SUM(length(data)), 0) FROM chunks WHERE resolution = ?1",
                [resolution],
                |r| r.get(0),
            )
            .unwrap();
        println!("resolution {resolution}: {data} bytes of chunk data");
    }
    let free: i64 = connection
        .query_row("PRAGMA freelist_count", [], |r| r.get(0))
        .unwrap();
    println!("{free} free pages");
    assert_eq!(stats.samples_on_disk, stats.samples_ingested);
    assert!(per_sample < 6.0, "{per_sample:.2} bytes per sample");
}
