//! Checkpoints written in slices: a crash between slices, then ingest log replay,
//! keeps every sample exactly once (raw, minute and hour answers unchanged); the
//! ingest log's size starts checkpoints; pre-encoded bodies replay.

use crate::prelude::*;
use crate::{RangeQuery, RangeResult, SqliteOptions, SqliteStore};
use hostpulse_core::{Clock, Labels, ManualClock, Sample};
use hostpulse_proto::{AgentIdentity, Frame, IngestBatch, PROTOCOL_VERSION, encode_batch};
use std::sync::Arc;

/// Hour-aligned.
const T0: i64 = 1_699_999_200_000;
const SERIES: usize = 10;
const INTERVAL_MS: i64 = 5_000;

fn batch(seq: u64) -> IngestBatch {
    let samples = (0..SERIES)
        .map(|i| {
            Sample::new("load.1", (seq * 7 + i as u64) as f64 / 4.0).with_label("i", i.to_string())
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
        frames: vec![Frame {
            ts_ms: T0 + seq as i64 * INTERVAL_MS,
            samples,
            ..Frame::default()
        }],
    }
}

fn options(dir: &std::path::Path) -> SqliteOptions {
    SqliteOptions {
        synchronous_full: false,
        checkpoint_interval_ms: 24 * 3_600_000,
        checkpoint_log_bytes: u64::MAX,
        checkpoint_slice_series: 3,
        ..SqliteOptions::new(dir.join("db.sqlite"))
    }
}

async fn open(options: SqliteOptions, clock: &ManualClock) -> Arc<SqliteStore> {
    let clock: Arc<dyn Clock> = Arc::new(clock.clone());
    SqliteStore::open(options, clock).await.unwrap()
}

/// Raw, minute and hour answers over everything ingested.
async fn answers(store: &SqliteStore) -> Vec<RangeResult> {
    let mut results = Vec::new();
    for step_ms in [1_000, 60_000, 3_600_000] {
        let query = RangeQuery {
            host: "web-1".into(),
            metric: "load.1".into(),
            labels: Labels::new(),
            start_ms: T0,
            end_ms: T0 + 3 * 3_600_000,
            step_ms,
        };
        results.push(store.query_range(query).await.unwrap());
    }
    results
}

async fn ingest(store: &SqliteStore, seqs: std::ops::RangeInclusive<u64>) {
    for seq in seqs {
        store.ingest("web-1", batch(seq)).await.unwrap();
    }
}

#[tokio::test]
async fn crash_between_checkpoint_slices_keeps_every_sample_once() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0 + 3_600_000);
    let store = open(options(dir.path()), &clock).await;
    ingest(&store, 1..=100).await;
    store.checkpoint().await.unwrap();
    // 750 more batches cross minute, hour and raw chunk boundaries (720 points).
    ingest(&store, 101..=850).await;
    let expected = answers(&store).await;
    assert_eq!(expected[0].series.len(), SERIES);
    assert!(expected[0].series[0].points.iter().all(|p| p.count == 1));
    // Two slices of three series are committed, the other four series are not.
    store.halt_mid_checkpoint(2).await;

    let reopened = open(options(dir.path()), &clock).await;
    assert_eq!(answers(&reopened).await, expected);
    ingest(&reopened, 851..=900).await;
    let expected = answers(&reopened).await;
    reopened.halt_mid_checkpoint(1).await;

    let again = open(options(dir.path()), &clock).await;
    assert_eq!(answers(&again).await, expected);
    again.checkpoint().await.unwrap();
    let stats = again.stats().await.unwrap();
    assert_eq!(stats.samples_on_disk, 900 * SERIES as u64);
    assert_eq!(stats.head_points, 0);
    again.shutdown().await.unwrap();
    let last = open(options(dir.path()), &clock).await;
    assert_eq!(answers(&last).await, expected);
    last.shutdown().await.unwrap();
}

#[tokio::test]
async fn ingest_log_size_starts_checkpoints() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let options = SqliteOptions {
        checkpoint_log_bytes: 1,
        checkpoint_slice_series: 4096,
        ..options(dir.path())
    };
    let store = open(options, &clock).await;
    for seq in 1..=20 {
        clock.set(T0 + seq as i64 * INTERVAL_MS);
        store.ingest("web-1", batch(seq)).await.unwrap();
    }
    // The writer checkpoints after each batch before it takes the next one, so every
    // batch but the last is on disk without an explicit checkpoint (the last one may be
    // too, if its checkpoint runs before the stats request is served).
    let stats = store.stats().await.unwrap();
    let on_disk = stats.samples_on_disk;
    assert!(
        (19 * SERIES as u64..=20 * SERIES as u64).contains(&on_disk),
        "{on_disk} samples on disk"
    );
    store.shutdown().await.unwrap();
}

#[tokio::test]
async fn pre_encoded_bodies_are_logged_and_replayed() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0 + 3_600_000);
    let store = open(options(dir.path()), &clock).await;
    for seq in 1..=30 {
        let batch = batch(seq);
        let body = encode_batch(&batch);
        store.ingest_encoded("web-1", batch, body).await.unwrap();
    }
    let expected = answers(&store).await;
    assert_eq!(expected[0].series[0].points.len(), 30);
    store.halt().await;
    let reopened = open(options(dir.path()), &clock).await;
    assert_eq!(answers(&reopened).await, expected);
    assert_eq!(reopened.host("web-1").await.unwrap().unwrap().last_seq, 30);
    reopened.shutdown().await.unwrap();
}
