//! Crash recovery without a checkpoint: the writer stops as if killed, and the
//! ingest log alone must bring every acknowledged batch back exactly once.

use crate::prelude::*;
use crate::{IngestOutcome, RangeQuery, SqliteOptions, SqliteStore};
use hostpulse_core::{Clock, Labels, ManualClock, Sample};
use hostpulse_proto::{AgentIdentity, Frame, IngestBatch, PROTOCOL_VERSION};
use std::sync::Arc;

const T0: i64 = 1_699_999_200_000;

fn batch(seq: u64) -> IngestBatch {
    let ts_ms = T0 + seq as i64 * 5_000;
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
            samples: vec![Sample::new("load.1", seq as f64 / 100.0)],
            ..Frame::default()
        }],
    }
}

async fn open(path: &std::path::Path, clock: &ManualClock) -> Arc<SqliteStore> {
    let clock: Arc<dyn Clock> = Arc::new(clock.clone());
    SqliteStore::open(SqliteOptions::new(path.join("db.sqlite")), clock)
        .await
        .unwrap()
}

async fn values(store: &SqliteStore) -> Vec<(i64, f64, u64)> {
    let query = RangeQuery {
        host: "web-1".into(),
        metric: "load.1".into(),
        labels: Labels::new(),
        start_ms: T0,
        end_ms: T0 + 10_000_000,
        step_ms: 1_000,
    };
    let result = store.query_range(query).await.unwrap();
    result
        .series
        .iter()
        .flat_map(|s| &s.points)
        .map(|p| (p.ts_ms, p.avg, p.count))
        .collect()
}

#[tokio::test]
async fn halted_writer_loses_no_acknowledged_batch() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let store = open(dir.path(), &clock).await;
    for seq in 1..=1000 {
        store.ingest("web-1", batch(seq)).await.unwrap();
        if seq == 400 || seq == 800 {
            store.checkpoint().await.unwrap();
        }
    }
    let expected = values(&store).await;
    assert_eq!(expected.len(), 1000);
    store.halt().await;

    let reopened = open(dir.path(), &clock).await;
    assert_eq!(values(&reopened).await, expected);
    // Only the 200 replayed samples (and their minute and hour points) are in memory.
    let head_points = reopened.stats().await.unwrap().head_points;
    assert!((200..=218).contains(&head_points), "{head_points}");
    assert_eq!(
        reopened.ingest("web-1", batch(1000)).await.unwrap(),
        IngestOutcome::Duplicate
    );
    assert_eq!(
        reopened.host("web-1").await.unwrap().unwrap().last_seq,
        1000
    );
    // The instance row (checkpointed at 800) plus the replayed log give its seq back.
    let instances = reopened.instances("web-1").await.unwrap();
    assert_eq!(instances.len(), 1, "{instances:?}");
    assert_eq!(instances[0].last_seq, 1000);
    let mut other = batch(1);
    other.agent.instance_id = "another".into();
    assert!(
        reopened.ingest("web-1", other).await.is_err(),
        "the instance is live"
    );
    // A second crash right after replay must not duplicate anything either.
    reopened.halt().await;
    let again = open(dir.path(), &clock).await;
    assert_eq!(values(&again).await, expected);
    again.checkpoint().await.unwrap();
    assert_eq!(again.stats().await.unwrap().samples_on_disk, 1000);
    again.shutdown().await.unwrap();
    let after_shutdown = open(dir.path(), &clock).await;
    let instances = after_shutdown.instances("web-1").await.unwrap();
    assert_eq!(
        instances[0].last_seq, 1000,
        "restored from the instance table"
    );
    assert_eq!(
        after_shutdown.ingest("web-1", batch(999)).await.unwrap(),
        IngestOutcome::Duplicate
    );
}
