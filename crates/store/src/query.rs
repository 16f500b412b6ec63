//! Range queries: pick a resolution, gather points from disk and from the in-memory
//! tails, and fold them into `step_ms` buckets.

use crate::codec::{self, ChunkData};
use crate::head::{Bucket, HOUR_MS, MINUTE_MS, PendingChunk, Tier};
use crate::memory::Memory;
use crate::schema::db_error;
use crate::{
    RangePoint, RangeQuery, RangeResult, RangeSize, Resolution, SeriesPoints, SqliteOptions,
    StoreError,
};
use hostpulse_core::Labels;
use rusqlite::{Connection, params};
use std::collections::BTreeMap;

/// Most points one series may have in an answer.
pub const MAX_POINTS_PER_SERIES: i64 = 11_000;

/// One matched series as copied out of memory.
pub struct SeriesSnapshot {
    id: i64,
    labels: Labels,
    /// Chunks with points in memory or continued by memory, as of the snapshot.
    chunks: Vec<PendingChunk>,
    pending: Option<Bucket>,
}

/// Checks the query's range and step.
pub fn validate(query: &RangeQuery) -> Result<(), StoreError> {
    if query.start_ms >= query.end_ms {
        return Err(StoreError::InvalidQuery("start must be before end".into()));
    }
    if query.step_ms <= 0 {
        return Err(StoreError::InvalidQuery("step must be positive".into()));
    }
    if steps(query) > MAX_POINTS_PER_SERIES {
        return Err(StoreError::InvalidQuery(format!(
            "more than {MAX_POINTS_PER_SERIES} points per series; use a larger step"
        )));
    }
    Ok(())
}

/// Buckets of `step_ms` the range of a validated query covers.
pub fn steps(query: &RangeQuery) -> i64 {
    let first = query.start_ms.div_euclid(query.step_ms);
    let last = (query.end_ms - 1).div_euclid(query.step_ms);
    last - first + 1
}

/// Series matched and buckets per series, for a validated query.
pub fn size(memory: &Memory, query: &RangeQuery) -> RangeSize {
    let series = memory
        .matching_series(&query.host, &query.metric, &query.labels)
        .len();
    RangeSize {
        series,
        steps: usize::try_from(steps(query)).unwrap_or(usize::MAX),
    }
}

/// The coarsest resolution the step allows, coarser still where finer data expired.
pub fn choose_tier(query: &RangeQuery, now_ms: i64, options: &SqliteOptions) -> Tier {
    if query.step_ms >= HOUR_MS
        || query.start_ms < now_ms.saturating_sub(options.retention_minute_ms)
    {
        Tier::Hour
    } else if query.step_ms >= MINUTE_MS
        || query.start_ms < now_ms.saturating_sub(options.retention_raw_ms)
    {
        Tier::Minute
    } else {
        Tier::Raw
    }
}

/// Copies the in-memory tails of matching series. Taken before disk is read, so a
/// checkpoint running meanwhile cannot hide data; [`read_chunks`] drops what such a
/// checkpoint wrote from memory, so nothing is counted twice.
pub fn snapshot(memory: &Memory, query: &RangeQuery, tier: Tier) -> Vec<SeriesSnapshot> {
    memory
        .matching_series(&query.host, &query.metric, &query.labels)
        .into_iter()
        .filter_map(|id| memory.series.get(&id))
        .map(|head| SeriesSnapshot {
            id: head.id,
            labels: head.key.labels.clone(),
            chunks: head
                .tier(tier)
                .pending()
                .filter(|c| c.stored.is_some() || c.is_dirty())
                .cloned()
                .collect(),
            pending: head.pending_bucket(tier),
        })
        .collect()
}

/// Reads disk chunks, merges them with the snapshots and buckets the points.
pub fn run(
    connection: &Connection,
    query: &RangeQuery,
    tier: Tier,
    snapshots: Vec<SeriesSnapshot>,
) -> Result<RangeResult, StoreError> {
    let mut series = Vec::with_capacity(snapshots.len());
    for snapshot in snapshots {
        let disk = read_chunks(connection, snapshot.id, tier, query, &snapshot.chunks)?;
        let tails = snapshot.chunks.iter().map(|c| &c.tail);
        let points = bucket_points(disk.iter().chain(tails), snapshot.pending, tier, query);
        if !points.is_empty() {
            series.push(SeriesPoints {
                labels: snapshot.labels,
                points,
            });
        }
    }
    Ok(RangeResult {
        resolution: match tier {
            Tier::Raw => Resolution::Raw,
            Tier::Minute => Resolution::Minute,
            Tier::Hour => Resolution::Hour,
        },
        series,
    })
}

/// Chunk rows overlapping the query, without the points that `in_memory` holds:
/// a row continued by a memory tail is cut after the end recorded with the tail,
/// and a row starting at a tail's first point is that tail, written by a
/// checkpoint after the snapshot.
fn read_chunks(
    connection: &Connection,
    series_id: i64,
    tier: Tier,
    query: &RangeQuery,
    in_memory: &[PendingChunk],
) -> Result<Vec<ChunkData>, StoreError> {
    let mut statement = connection
        .prepare_cached(
            "SELECT start_ms, data FROM chunks WHERE series_id = ?1 AND resolution = ?2
             AND end_ms >= ?3 AND start_ms < ?4",
        )
        .map_err(db_error)?;
    let from = query.start_ms.saturating_sub(tier.bucket_ms());
    let mut rows = statement
        .query(params![series_id, tier.code(), from, query.end_ms])
        .map_err(db_error)?;
    let mut chunks = Vec::new();
    while let Some(row) = rows.next().map_err(db_error)? {
        let start: i64 = row.get(0).map_err(db_error)?;
        if in_memory
            .iter()
            .any(|c| c.tail.timestamps.first() == Some(&start))
        {
            continue;
        }
        let data: Vec<u8> = row.get(1).map_err(db_error)?;
        let mut chunk = codec::decode(&data).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        if chunk.columns.len() != tier.columns() {
            return Err(StoreError::Corrupt(format!(
                "chunk of series {series_id} has wrong columns"
            )));
        }
        let stored = in_memory.iter().filter_map(|c| c.stored);
        if let Some(stored) = stored.into_iter().find(|s| s.start_ms == start) {
            keep_until(&mut chunk, stored.end_ms);
        }
        chunks.push(chunk);
    }
    Ok(chunks)
}

/// Drops the points after `end_ms`.
fn keep_until(chunk: &mut ChunkData, end_ms: i64) {
    let keep = chunk.timestamps.partition_point(|&ts| ts <= end_ms);
    chunk.timestamps.truncate(keep);
    for column in &mut chunk.columns {
        column.truncate(keep);
    }
}

fn bucket_points<'a>(
    chunks: impl Iterator<Item = &'a ChunkData>,
    pending: Option<Bucket>,
    tier: Tier,
    query: &RangeQuery,
) -> Vec<RangePoint> {
    let from = query.start_ms - query.start_ms.rem_euclid(tier.bucket_ms().max(1));
    let mut buckets: BTreeMap<i64, Bucket> = BTreeMap::new();
    let mut add = |ts: i64, point: Bucket| {
        if ts < from || ts >= query.end_ms {
            return;
        }
        let start = ts - ts.rem_euclid(query.step_ms);
        buckets
            .entry(start)
            .and_modify(|b| b.merge(&point))
            .or_insert(Bucket {
                start_ms: start,
                ..point
            });
    };
    for chunk in chunks {
        for (index, &ts) in chunk.timestamps.iter().enumerate() {
            let point = match tier {
                Tier::Raw => Bucket::of_sample(ts, chunk.columns[0][index]),
                _ => Bucket::of_values(ts, std::array::from_fn(|c| chunk.columns[c][index])),
            };
            add(ts, point);
        }
    }
    if let Some(pending) = pending {
        add(pending.start_ms, pending);
    }
    buckets
        .into_values()
        .map(|b| RangePoint {
            ts_ms: b.start_ms,
            avg: b.sum / b.count,
            min: b.min,
            max: b.max,
            count: b.count as u64,
        })
        .collect()
}
