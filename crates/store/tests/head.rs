//! Memory of the head: after each checkpoint only points that arrived since stay in
//! memory, while queries keep returning exactly what was ingested across
//! checkpoints (also while one runs), reopen and chunk rollover.
#![allow(
    clippy::unwrap_used,
    reason = "test code: a failed step stops the test loudly (clippy.toml allows this in #[test] functions, not in their helpers)"
)]

mod common;

use common::{T0, batch, cpu, frame, open, range};
use hostpulse_core::{Labels, ManualClock, Sample};
use hostpulse_store::prelude::*;
use hostpulse_store::{RangeQuery, RangeResult, Resolution, SqliteStore};
use std::sync::Arc;

const SERIES: usize = 2_000;
/// 60 s samples for 4 h 20 min: three raw chunks (2 h span) per series.
const INTERVAL_MS: i64 = 60_000;
const TICKS: i64 = 260;
/// Not a divisor of a chunk's 120 points, so chunks close between checkpoints.
const CHECKPOINT_EVERY: i64 = 7;
const REOPEN_AT: i64 = 150;
/// Below a minute, so that raw data answers.
const RAW_STEP_MS: i64 = 30_000;
/// Series whose answers are checked point by point.
const CHECKED: [usize; 3] = [0, 977, SERIES - 1];

fn value(series: usize, tick: i64) -> f64 {
    ((series as i64 * 31 + tick * 17) % 10_000) as f64 / 100.0
}

fn samples(tick: i64) -> Vec<Sample> {
    (0..SERIES)
        .map(|s| cpu(&s.to_string(), value(s, tick)))
        .collect()
}

fn query(series: usize, step_ms: i64) -> RangeQuery {
    let mut labels = Labels::new();
    labels.insert("cpu".into(), series.to_string());
    RangeQuery {
        labels,
        ..range("cpu.usage_percent", T0, T0 + TICKS * INTERVAL_MS, step_ms)
    }
}

/// `(ts, value)` of each raw point of one series.
fn raw_points(result: &RangeResult) -> Vec<(i64, f64)> {
    assert_eq!(result.resolution, Resolution::Raw);
    let points = result.series.first().map_or(&[][..], |s| &s.points);
    assert!(points.iter().all(|p| p.count == 1 && p.min == p.max));
    points.iter().map(|p| (p.ts_ms, p.avg)).collect()
}

fn expected(series: usize, ticks: i64) -> Vec<(i64, f64)> {
    (0..ticks)
        .map(|t| (T0 + t * INTERVAL_MS, value(series, t)))
        .collect()
}

async fn assert_exact(store: &SqliteStore, ticks: i64) {
    for series in CHECKED {
        let result = store.query_range(query(series, RAW_STEP_MS)).await.unwrap();
        assert_eq!(
            raw_points(&result),
            expected(series, ticks),
            "series {series}"
        );
    }
}

/// Checkpoints while queries run, each of which must see every point exactly once.
async fn checkpoint_during_queries(store: &Arc<SqliteStore>, ticks: i64) {
    let reader = store.clone();
    let queries = tokio::spawn(async move {
        for round in 0..6 {
            let series = CHECKED[round % CHECKED.len()];
            let result = reader.query_range(query(series, RAW_STEP_MS)).await;
            assert_eq!(raw_points(&result.unwrap()), expected(series, ticks));
        }
    });
    store.checkpoint().await.unwrap();
    queries.await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn head_keeps_only_points_since_the_last_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let mut store = open(dir.path(), &clock).await;
    let mut since_checkpoint = 0u64;
    for tick in 0..TICKS {
        let ts = T0 + tick * INTERVAL_MS;
        clock.set(ts);
        let seq = tick as u64 + 1;
        store
            .ingest("web-1", batch(seq, vec![frame(ts, samples(tick))]))
            .await
            .unwrap();
        since_checkpoint += 1;
        if (tick + 1) % CHECKPOINT_EVERY != 0 {
            continue;
        }
        // Raw points since the checkpoint, plus at most one minute point per
        // sample and one hour point.
        let head_points = store.stats().await.unwrap().head_points;
        let raw = since_checkpoint * SERIES as u64;
        assert!(head_points >= raw, "{head_points} < {raw}");
        assert!(head_points <= 2 * raw + SERIES as u64, "{head_points}");
        checkpoint_during_queries(&store, tick + 1).await;
        assert_eq!(store.stats().await.unwrap().head_points, 0);
        since_checkpoint = 0;
        if tick + 1 >= REOPEN_AT && tick + 1 - CHECKPOINT_EVERY < REOPEN_AT {
            assert_exact(&store, tick + 1).await;
            store.shutdown().await.unwrap();
            store = open(dir.path(), &clock).await;
            assert_eq!(store.stats().await.unwrap().head_points, 0);
            assert_exact(&store, tick + 1).await;
        }
    }
    assert_exact(&store, TICKS).await;
    store.checkpoint().await.unwrap();
    let stats = store.stats().await.unwrap();
    assert_eq!(stats.samples_on_disk, (SERIES as i64 * TICKS) as u64);
    assert_rollups_exact(&store).await;
    store.shutdown().await.unwrap();
}

/// Minute and hour answers of a checked series equal the aggregates of its samples.
async fn assert_rollups_exact(store: &SqliteStore) {
    for (step_ms, resolution) in [(60_000, Resolution::Minute), (3_600_000, Resolution::Hour)] {
        let result = store.query_range(query(CHECKED[1], step_ms)).await.unwrap();
        assert_eq!(result.resolution, resolution);
        let points = &result.series[0].points;
        let per_bucket = step_ms / INTERVAL_MS;
        assert_eq!(points.len() as i64, (TICKS + per_bucket - 1) / per_bucket);
        for (index, point) in points.iter().enumerate() {
            let first = index as i64 * per_bucket;
            let ticks = first..(first + per_bucket).min(TICKS);
            let values: Vec<f64> = ticks.map(|t| value(CHECKED[1], t)).collect();
            assert_eq!(point.count, values.len() as u64);
            assert_eq!(point.min, values.iter().copied().fold(f64::MAX, f64::min));
            assert_eq!(point.max, values.iter().copied().fold(f64::MIN, f64::max));
            let mean = values.iter().sum::<f64>() / values.len() as f64;
            assert!((point.avg - mean).abs() < 1e-9);
        }
    }
}
