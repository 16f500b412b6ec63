//! Checks of [`crate::SampleStore`], [`crate::HostStore`] and [`crate::StoreLifecycle`].

use super::fixtures::{batch, case, cpu, range};
use super::{Case, Ctx, Fail, Outcome, T0, ensure, same};
use crate::{IngestOutcome, StoreError};

pub fn cases() -> Vec<Case> {
    vec![
        case!(ingest_is_visible_to_reads),
        case!(repeated_seq_is_a_duplicate),
        case!(range_start_is_inclusive_and_end_exclusive),
        case!(invalid_ranges_are_refused),
        case!(range_size_counts_matching_series_and_steps),
        case!(unknown_hosts_read_empty),
        case!(instances_are_recorded),
        case!(closed_backend_refuses_writes),
    ]
}

async fn ingest_is_visible_to_reads(ctx: Ctx) -> Outcome {
    let b = &ctx.backend;
    let frames = (0..3).map(|i| (T0 + i * 5_000, vec![cpu("0", i as f64)]));
    ctx.clock.set(T0 + 30_000);
    let outcome = b.ingest("web-1", batch(1, frames.collect())).await?;
    same(
        outcome,
        IngestOutcome::Stored { samples: 3 },
        "ingest outcome",
    )?;
    let hosts = b.hosts().await?;
    same(hosts.len(), 1, "hosts")?;
    same(hosts[0].last_seq, 1, "last_seq")?;
    same(
        hosts[0].last_seen_ms,
        T0 + 30_000,
        "last_seen_ms is the receipt time",
    )?;
    let latest = b.latest("web-1").await?.ok_or(Fail("no latest".into()))?;
    same(latest.samples.len(), 1, "latest samples")?;
    same(latest.samples[0].value, 2.0, "latest value")?;
    let result = b.query_range(range(T0, T0 + 60_000, 5_000)).await?;
    same(result.series.len(), 1, "series")?;
    let values: Vec<f64> = result.series[0].points.iter().map(|p| p.avg).collect();
    same(values, vec![0.0, 1.0, 2.0], "points in time order")
}

async fn repeated_seq_is_a_duplicate(ctx: Ctx) -> Outcome {
    let b = &ctx.backend;
    b.ingest("web-1", batch(1, vec![(T0, vec![cpu("0", 1.0)])]))
        .await?;
    let again = b
        .ingest("web-1", batch(1, vec![(T0 + 5_000, vec![cpu("0", 2.0)])]))
        .await?;
    same(again, IngestOutcome::Duplicate, "same seq again")?;
    let result = b.query_range(range(T0, T0 + 60_000, 5_000)).await?;
    same(result.series[0].points.len(), 1, "points after a duplicate")?;
    let stats = b.stats().await?;
    same(stats.duplicate_batches, 1, "duplicate_batches")
}

async fn range_start_is_inclusive_and_end_exclusive(ctx: Ctx) -> Outcome {
    let b = &ctx.backend;
    let frames = (0..4).map(|i| (T0 + i * 5_000, vec![cpu("0", i as f64)]));
    b.ingest("web-1", batch(1, frames.collect())).await?;
    let result = b.query_range(range(T0 + 5_000, T0 + 15_000, 5_000)).await?;
    let times: Vec<i64> = result.series[0].points.iter().map(|p| p.ts_ms).collect();
    same(
        times,
        vec![T0 + 5_000, T0 + 10_000],
        "[start, end) of a raw read",
    )?;
    let wide = b.query_range(range(T0, T0 + 20_000, 10_000)).await?;
    let counts: Vec<u64> = wide.series[0].points.iter().map(|p| p.count).collect();
    same(counts, vec![2, 2], "samples per step bucket")
}

async fn invalid_ranges_are_refused(ctx: Ctx) -> Outcome {
    let b = &ctx.backend;
    for (query, what) in [
        (range(T0, T0, 5_000), "empty range"),
        (range(T0 + 1, T0, 5_000), "end before start"),
        (range(T0, T0 + 60_000, 0), "zero step"),
        (range(T0, T0 + 86_400_000, 1), "too many points"),
    ] {
        let answer = b.query_range(query.clone()).await;
        ensure(matches!(answer, Err(StoreError::InvalidQuery(_))), || {
            format!("{what}: got {answer:?}")
        })?;
        let size = b.range_size(&query).await;
        ensure(matches!(size, Err(StoreError::InvalidQuery(_))), || {
            format!("{what} (range_size): got {size:?}")
        })?;
    }
    Ok(())
}

async fn range_size_counts_matching_series_and_steps(ctx: Ctx) -> Outcome {
    let b = &ctx.backend;
    let samples = vec![cpu("0", 1.0), cpu("1", 2.0)];
    b.ingest("web-1", batch(1, vec![(T0, samples)])).await?;
    let mut query = range(T0, T0 + 3_600_000, 60_000);
    let size = b.range_size(&query).await?;
    same((size.series, size.steps), (2, 60), "series and steps")?;
    query.labels.insert("cpu".into(), "1".into());
    same(b.range_size(&query).await?.series, 1, "label filter")?;
    let result = b.query_range(query).await?;
    same(result.series.len(), 1, "series matching the labels")
}

async fn unknown_hosts_read_empty(ctx: Ctx) -> Outcome {
    let b = &ctx.backend;
    same(b.host("nope").await?, None, "host")?;
    ensure(b.latest("nope").await?.is_none(), || "latest".into())?;
    same(b.hosts().await?.len(), 0, "hosts")?;
    let result = b.query_range(range(T0, T0 + 60_000, 5_000)).await?;
    same(result.series.len(), 0, "series")
}

async fn instances_are_recorded(ctx: Ctx) -> Outcome {
    let b = &ctx.backend;
    b.ingest("web-1", batch(7, vec![(T0, vec![cpu("0", 1.0)])]))
        .await?;
    let instances = b.instances("web-1").await?;
    same(instances.len(), 1, "instances")?;
    same(
        instances[0].instance_id.as_str(),
        "conformance-instance",
        "id",
    )?;
    same(instances[0].last_seq, 7, "last_seq")?;
    same(
        b.instances("other").await?.len(),
        0,
        "instances of another agent",
    )
}

async fn closed_backend_refuses_writes(ctx: Ctx) -> Outcome {
    let b = &ctx.backend;
    b.shutdown().await?;
    let answer = b.ingest("web-1", batch(1, vec![])).await;
    ensure(matches!(answer, Err(StoreError::Closed)), || {
        format!("ingest after shutdown: {answer:?}")
    })
}
