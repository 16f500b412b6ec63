//! Behaviour of the SQLite store on real database files: ingest, dedup, queries,
//! collector errors, limits, agents and tokens, concurrent writers.

mod common;

use common::{T0, batch, cpu, frame, open, open_with, options, range};
use hostpulse_core::{CollectorError, ManualClock, Sample};
use hostpulse_store::prelude::*;
use hostpulse_store::{IngestOutcome, Resolution, StoreError};

#[tokio::test]
async fn ingested_samples_come_back_from_range_queries() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let store = open(dir.path(), &clock).await;
    for i in 0..3 {
        let ts = T0 + i * 5_000;
        let samples = vec![cpu("0", 10.0 + i as f64), cpu("1", 20.5)];
        let outcome = store
            .ingest("web-1", batch(i as u64 + 1, vec![frame(ts, samples)]))
            .await
            .unwrap();
        assert_eq!(outcome, IngestOutcome::Stored { samples: 2 });
    }
    let mut query = range("cpu.usage_percent", T0, T0 + 60_000, 5_000);
    let all = store.query_range(query.clone()).await.unwrap();
    assert_eq!(all.resolution, Resolution::Raw);
    assert_eq!(all.series.len(), 2);
    query.labels.insert("cpu".into(), "0".into());
    let one = store.query_range(query).await.unwrap();
    assert_eq!(one.series.len(), 1);
    let values: Vec<(i64, f64)> = one.series[0]
        .points
        .iter()
        .map(|p| (p.ts_ms, p.avg))
        .collect();
    assert_eq!(
        values,
        vec![(T0, 10.0), (T0 + 5_000, 11.0), (T0 + 10_000, 12.0)]
    );
    let latest = store.latest("web-1").await.unwrap().unwrap();
    assert_eq!(latest.samples.len(), 2);
    assert_eq!(latest.samples[0].value, 12.0);
    assert_eq!(latest.host.interval_ms, 5_000);
    assert!(store.latest("nobody").await.unwrap().is_none());
    store.shutdown().await.unwrap();
}

#[tokio::test]
async fn repeated_sequence_numbers_are_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let store = open(dir.path(), &clock).await;
    let first = batch(5, vec![frame(T0, vec![cpu("0", 1.0)])]);
    assert!(matches!(
        store.ingest("web-1", first.clone()).await.unwrap(),
        IngestOutcome::Stored { .. }
    ));
    assert_eq!(
        store.ingest("web-1", first).await.unwrap(),
        IngestOutcome::Duplicate
    );
    let older = batch(3, vec![frame(T0 + 5_000, vec![cpu("0", 2.0)])]);
    assert_eq!(
        store.ingest("web-1", older).await.unwrap(),
        IngestOutcome::Duplicate
    );
    let other_agent = batch(3, vec![frame(T0, vec![cpu("0", 2.0)])]);
    assert!(matches!(
        store.ingest("db-1", other_agent).await.unwrap(),
        IngestOutcome::Stored { .. }
    ));
    let stats = store.stats().await.unwrap();
    assert_eq!(
        (
            stats.batches_ingested,
            stats.duplicate_batches,
            stats.samples_ingested
        ),
        (2, 2, 2)
    );
    let points = store
        .query_range(range("cpu.usage_percent", T0, T0 + 10_000, 1_000))
        .await
        .unwrap();
    assert_eq!(
        points.series[0].points.len(),
        1,
        "the duplicate wrote nothing"
    );
    assert_eq!(store.host("web-1").await.unwrap().unwrap().last_seq, 5);
    store.shutdown().await.unwrap();
}

#[tokio::test]
async fn errors_are_replaced_only_when_a_frame_carries_them() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let store = open(dir.path(), &clock).await;
    let mut failing = batch(1, vec![frame(T0, vec![])]);
    failing.frames[0].errors = Some(vec![CollectorError {
        family: "net".into(),
        message: "x".into(),
    }]);
    store.ingest("web-1", failing).await.unwrap();
    store
        .ingest("web-1", batch(2, vec![frame(T0 + 1, vec![])]))
        .await
        .unwrap();
    assert_eq!(
        store
            .host("web-1")
            .await
            .unwrap()
            .unwrap()
            .collector_errors
            .len(),
        1
    );
    let mut recovered = batch(3, vec![frame(T0 + 2, vec![])]);
    recovered.frames[0].errors = Some(vec![]);
    store.ingest("web-1", recovered).await.unwrap();
    assert!(
        store
            .host("web-1")
            .await
            .unwrap()
            .unwrap()
            .collector_errors
            .is_empty()
    );
    store.shutdown().await.unwrap();
}

#[tokio::test]
async fn series_limit_refuses_the_whole_batch() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let mut options = options(dir.path());
    options.max_series_per_host = 3;
    let store = open_with(options, &clock).await;
    let four: Vec<Sample> = (0..4).map(|i| cpu(&i.to_string(), 1.0)).collect();
    let refused = store
        .ingest("web-1", batch(1, vec![frame(T0, four.clone())]))
        .await;
    assert!(matches!(refused, Err(StoreError::Limit(_))), "{refused:?}");
    store
        .ingest("web-1", batch(2, vec![frame(T0, four[..3].to_vec())]))
        .await
        .unwrap();
    store
        .ingest(
            "web-1",
            batch(3, vec![frame(T0 + 5_000, four[..3].to_vec())]),
        )
        .await
        .unwrap();
    let refused = store
        .ingest(
            "web-1",
            batch(4, vec![frame(T0 + 10_000, four[3..].to_vec())]),
        )
        .await;
    assert!(matches!(refused, Err(StoreError::Limit(_))));
    assert_eq!(store.stats().await.unwrap().series, 3);
    store.shutdown().await.unwrap();
}

#[tokio::test]
async fn query_ranges_are_validated() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path(), &ManualClock::new(T0)).await;
    for query in [
        range("a.b", T0, T0, 1_000),
        range("a.b", T0, T0 + 1, 0),
        range("a.b", T0, T0 + 11_001_000, 1_000),
    ] {
        assert!(matches!(
            store.query_range(query).await,
            Err(StoreError::InvalidQuery(_))
        ));
    }
    assert!(
        store
            .query_range(range("a.b", T0, T0 + 11_000_000, 1_000))
            .await
            .is_ok()
    );
    store.shutdown().await.unwrap();
}

#[tokio::test]
async fn agents_and_api_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let store = open(dir.path(), &clock).await;
    let agent = store.add_agent("web-1", "hash-a").await.unwrap();
    assert_eq!((agent.created_ms, agent.revoked_ms), (T0, None));
    assert!(matches!(
        store.add_agent("web-1", "hash-b").await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        store.add_agent("web-2", "hash-a").await,
        Err(StoreError::Conflict(_))
    ));
    store.add_agent("db-1", "hash-c").await.unwrap();
    let names: Vec<String> = store
        .list_agents()
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.name)
        .collect();
    assert_eq!(names, vec!["db-1", "web-1"]);
    assert_eq!(
        store
            .agent_by_token_hash("hash-a")
            .await
            .unwrap()
            .unwrap()
            .name,
        "web-1"
    );
    clock.advance(10);
    assert!(store.revoke_agent("web-1").await.unwrap());
    assert!(
        !store.revoke_agent("web-1").await.unwrap(),
        "already revoked"
    );
    assert!(!store.revoke_agent("nobody").await.unwrap());
    assert!(store.agent_by_token_hash("hash-a").await.unwrap().is_none());
    let listed = store.list_agents().await.unwrap();
    assert_eq!(listed[1].revoked_ms, Some(T0 + 10));
    store
        .add_api_token("admin", "hash-x", "admin")
        .await
        .unwrap();
    assert!(matches!(
        store.add_api_token("admin", "hash-y", "read").await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(
        store.api_token_role("hash-x").await.unwrap().as_deref(),
        Some("admin")
    );
    assert_eq!(store.api_token_role("hash-z").await.unwrap(), None);
    store.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_ingest_from_many_agents_stores_every_batch() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let store = open(dir.path(), &clock).await;
    let mut tasks = Vec::new();
    for agent in 0..16 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            for seq in 1..=25i64 {
                let frames = vec![frame(T0 + seq * 5_000, vec![cpu("0", seq as f64)])];
                store
                    .ingest(&format!("host-{agent}"), batch(seq as u64, frames))
                    .await
                    .unwrap();
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let stats = store.stats().await.unwrap();
    assert_eq!((stats.batches_ingested, stats.series), (400, 16));
    assert_eq!(store.hosts().await.unwrap().len(), 16);
    let mut query = range("cpu.usage_percent", T0, T0 + 600_000, 5_000);
    query.host = "host-7".into();
    assert_eq!(
        store.query_range(query).await.unwrap().series[0]
            .points
            .len(),
        25
    );
    store.shutdown().await.unwrap();
}
