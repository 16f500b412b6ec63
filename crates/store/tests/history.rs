//! History over time on real database files: reopen after checkpoints, minute and
//! hour rollups, and retention falling back to coarser data.

mod common;

use common::{T0, batch, cpu, frame, open, range};
use hostpulse_core::{CollectorError, HostFacts, ManualClock, ProcessSnapshot, UserSession};
use hostpulse_store::prelude::*;
use hostpulse_store::{IngestOutcome, Resolution, StoreError};

#[tokio::test]
async fn host_state_and_samples_survive_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let store = open(dir.path(), &clock).await;
    let mut first = batch(1, vec![frame(T0, vec![cpu("0", 1.5)])]);
    first.facts = Some(HostFacts {
        hostname: "web-1".into(),
        kernel: "6.1".into(),
        ..HostFacts::default()
    });
    first.frames[0].processes = Some(ProcessSnapshot::default());
    first.frames[0].users = Some(vec![UserSession {
        user: "root".into(),
        tty: "pts/0".into(),
        from: String::new(),
        login_time_ms: T0 - 1_000,
    }]);
    first.frames[0].errors = Some(vec![CollectorError {
        family: "disk".into(),
        message: "boom".into(),
    }]);
    store.ingest("web-1", first).await.unwrap();
    for seq in 2..=200u64 {
        let ts = T0 + seq as i64 * 5_000;
        store
            .ingest(
                "web-1",
                batch(seq, vec![frame(ts, vec![cpu("0", seq as f64 / 4.0)])]),
            )
            .await
            .unwrap();
        if seq == 100 {
            store.checkpoint().await.unwrap();
        }
    }
    let before = store
        .query_range(range("cpu.usage_percent", T0, T0 + 3_600_000, 5_000))
        .await
        .unwrap();
    let latest_before = store.latest("web-1").await.unwrap().unwrap();
    store.shutdown().await.unwrap();
    assert!(matches!(
        store.ingest("web-1", batch(999, vec![])).await,
        Err(StoreError::Closed)
    ));

    let reopened = open(dir.path(), &clock).await;
    let after = reopened
        .query_range(range("cpu.usage_percent", T0, T0 + 3_600_000, 5_000))
        .await
        .unwrap();
    assert_eq!(after, before);
    assert_eq!(after.series[0].points.len(), 200);
    let latest_after = reopened.latest("web-1").await.unwrap().unwrap();
    assert_eq!(latest_after, latest_before);
    assert_eq!(latest_after.host.facts.as_ref().unwrap().kernel, "6.1");
    assert_eq!(latest_after.users.as_ref().unwrap()[0].user, "root");
    assert_eq!(latest_after.host.collector_errors.len(), 1);
    assert_eq!(
        reopened.ingest("web-1", batch(200, vec![])).await.unwrap(),
        IngestOutcome::Duplicate
    );
    assert_eq!(reopened.stats().await.unwrap().samples_on_disk, 200);
    reopened.shutdown().await.unwrap();
}

#[tokio::test]
async fn minute_and_hour_rollups_aggregate_correctly() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let store = open(dir.path(), &clock).await;
    // 2 hours of 5 s samples; value = index within its minute (0..=11).
    for i in 0..1440i64 {
        let value = (i % 12) as f64 + if i % 12 == 11 { (i / 12) as f64 } else { 0.0 };
        store
            .ingest(
                "web-1",
                batch(
                    i as u64 + 1,
                    vec![frame(T0 + i * 5_000, vec![cpu("0", value)])],
                ),
            )
            .await
            .unwrap();
        if i == 700 {
            store.checkpoint().await.unwrap();
        }
    }
    let check = |result: hostpulse_store::RangeResult| {
        assert_eq!(result.resolution, Resolution::Minute);
        let points = &result.series[0].points;
        assert_eq!(points.len(), 120);
        for (minute, point) in points.iter().enumerate() {
            let top = 11.0 + minute as f64;
            assert_eq!(point.ts_ms, T0 + minute as i64 * 60_000);
            assert_eq!((point.min, point.max, point.count), (0.0, top, 12));
            assert!((point.avg - (55.0 + top) / 12.0).abs() < 1e-9);
        }
    };
    check(
        store
            .query_range(range("cpu.usage_percent", T0, T0 + 7_200_000, 60_000))
            .await
            .unwrap(),
    );
    let hours = store
        .query_range(range("cpu.usage_percent", T0, T0 + 7_200_000, 3_600_000))
        .await
        .unwrap();
    assert_eq!(hours.resolution, Resolution::Hour);
    let counts: Vec<u64> = hours.series[0].points.iter().map(|p| p.count).collect();
    assert_eq!(counts, vec![720, 720]);
    assert_eq!(hours.series[0].points[1].max, 11.0 + 119.0);
    store.shutdown().await.unwrap();
    let reopened = open(dir.path(), &clock).await;
    check(
        reopened
            .query_range(range("cpu.usage_percent", T0, T0 + 7_200_000, 60_000))
            .await
            .unwrap(),
    );
    reopened.shutdown().await.unwrap();
}

#[tokio::test]
async fn retention_deletes_expired_chunks_and_queries_fall_back_to_rollups() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let store = open(dir.path(), &clock).await;
    for i in 0..2000i64 {
        store
            .ingest(
                "web-1",
                batch(
                    i as u64 + 1,
                    vec![frame(T0 + i * 5_000, vec![cpu("0", 1.0)])],
                ),
            )
            .await
            .unwrap();
    }
    store.checkpoint().await.unwrap();
    assert_eq!(store.stats().await.unwrap().samples_on_disk, 2000);
    clock.advance(8 * 24 * 3_600_000);
    store.run_retention().await.unwrap();
    assert_eq!(store.stats().await.unwrap().samples_on_disk, 0);
    let old = store
        .query_range(range("cpu.usage_percent", T0, T0 + 3_600_000, 5_000))
        .await
        .unwrap();
    assert_eq!(
        old.resolution,
        Resolution::Minute,
        "raw data expired, minute data answers"
    );
    assert_eq!(
        old.series[0].points.iter().map(|p| p.count).sum::<u64>(),
        720
    );
    clock.advance(100 * 24 * 3_600_000);
    store.run_retention().await.unwrap();
    let older = store
        .query_range(range("cpu.usage_percent", T0, T0 + 3_600_000, 5_000))
        .await
        .unwrap();
    assert_eq!(older.resolution, Resolution::Hour);
    store.shutdown().await.unwrap();
}
