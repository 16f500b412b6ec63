//! Checkpoint writes: append a series' in-memory tails to their chunk rows (read,
//! decode, append, re-encode, upsert) together with its row and head state, and
//! write host rows. [`crate::checkpoint_run`] groups them into slices.

use crate::StoreError;
use crate::codec::{self, ChunkData};
use crate::head::{PendingChunk, SeriesHead, StoredChunk, Tier};
use crate::memory::{HostMemory, Memory};
use crate::schema::db_error;
use rusqlite::{OptionalExtension, Transaction, params};

#[derive(Debug)]
pub struct SeriesFlush {
    head_id: i64,
    new_row: Option<(String, String, String)>,
    state: Vec<u8>,
    chunks: Vec<ChunkFlush>,
    /// Filled by [`write_series`]: where each open chunk's row now ends.
    written: [Option<StoredChunk>; 3],
}

#[derive(Debug)]
struct ChunkFlush {
    tier: Tier,
    /// Whether this is the open chunk (rather than one closed since the last checkpoint).
    open: bool,
    chunk: PendingChunk,
}

/// Drops the written points of `series` from memory and marks `hosts` clean (only
/// the writer thread mutates memory, so nothing changed since they were copied).
pub fn mark_clean(memory: &mut Memory, series: &[SeriesFlush], hosts: &[HostMemory]) {
    for series in series {
        if let Some(head) = memory.series.get_mut(&series.head_id) {
            head.mark_clean(series.written);
        }
    }
    for host in hosts {
        if let Some(entry) = memory.hosts.get_mut(&host.state.name) {
            entry.dirty = false;
        }
    }
}

/// Copies what changed in one series since it was last written. Closed chunks
/// ending before `cutoffs[tier]` are past retention and left out.
pub fn series_flush(head: &SeriesHead, cutoffs: [i64; 3]) -> Result<SeriesFlush, StoreError> {
    let new_row = if head.persisted {
        None
    } else {
        let labels = serde_json::to_string(&head.key.labels)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Some((head.host.clone(), head.key.name.clone(), labels))
    };
    let mut chunks = Vec::new();
    for tier in Tier::ALL {
        let tier_head = head.tier(tier);
        let cutoff = cutoffs[tier as usize];
        let fresh = |c: &&PendingChunk| c.tail.timestamps.last().is_some_and(|&end| end >= cutoff);
        for chunk in tier_head.closed.iter().filter(fresh) {
            let (open, chunk) = (false, chunk.clone());
            chunks.push(ChunkFlush { tier, open, chunk });
        }
        if tier_head.open.is_dirty() {
            let (open, chunk) = (true, tier_head.open.clone());
            chunks.push(ChunkFlush { tier, open, chunk });
        }
    }
    Ok(SeriesFlush {
        head_id: head.id,
        new_row,
        state: head.state.encode(),
        chunks,
        written: [None; 3],
    })
}

/// Writes one series' row, head state and chunk tails (in the caller's transaction).
pub fn write_series(tx: &Transaction<'_>, series: &mut SeriesFlush) -> Result<(), StoreError> {
    if let Some((host, name, labels)) = &series.new_row {
        tx.prepare_cached("INSERT INTO series (id, host, name, labels) VALUES (?1, ?2, ?3, ?4)")
            .and_then(|mut s| s.execute(params![series.head_id, host, name, labels]))
            .map_err(db_error)?;
    }
    tx.prepare_cached("UPDATE series SET head_state = ?2 WHERE id = ?1")
        .and_then(|mut s| s.execute(params![series.head_id, series.state]))
        .map_err(db_error)?;
    for flush in &mut series.chunks {
        let written = write_chunk(tx, series.head_id, flush)?;
        if flush.open {
            series.written[flush.tier as usize] = Some(written);
        }
    }
    Ok(())
}

/// Appends a chunk's tail to its stored row (or writes it as a new row) and
/// returns where the row now ends.
fn write_chunk(
    tx: &Transaction<'_>,
    series_id: i64,
    flush: &mut ChunkFlush,
) -> Result<StoredChunk, StoreError> {
    let tail = std::mem::take(&mut flush.chunk.tail);
    let chunk = match flush.chunk.stored {
        Some(stored) => match read_row(tx, series_id, flush.tier, stored.start_ms)? {
            Some(row) => append_newer(row, &tail),
            None => tail,
        },
        None => tail,
    };
    let (Some(&start_ms), Some(&end_ms)) = (chunk.timestamps.first(), chunk.timestamps.last())
    else {
        return Err(StoreError::Corrupt("checkpoint of an empty chunk".into()));
    };
    let data = codec::encode(&chunk).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    tx.prepare_cached(
        "INSERT INTO chunks (series_id, resolution, start_ms, end_ms, count, data)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (series_id, resolution, start_ms) DO UPDATE SET
         end_ms = excluded.end_ms, count = excluded.count, data = excluded.data",
    )
    .and_then(|mut s| {
        let count = chunk.len() as i64;
        s.execute(params![
            series_id,
            flush.tier.code(),
            start_ms,
            end_ms,
            count,
            data
        ])
    })
    .map_err(db_error)?;
    Ok(StoredChunk {
        start_ms,
        end_ms,
        count: chunk.len(),
    })
}

/// The decoded points of a stored chunk row; `None` (and a warning) if the row is
/// gone (retention) or unreadable, in which case the tail starts a new row.
fn read_row(
    tx: &Transaction<'_>,
    series_id: i64,
    tier: Tier,
    start_ms: i64,
) -> Result<Option<ChunkData>, StoreError> {
    let data: Option<Vec<u8>> = tx
        .prepare_cached(
            "SELECT data FROM chunks WHERE series_id = ?1 AND resolution = ?2 AND start_ms = ?3",
        )
        .and_then(|mut s| {
            s.query_row(params![series_id, tier.code(), start_ms], |r| r.get(0))
                .optional()
        })
        .map_err(db_error)?;
    let decoded = data.as_deref().map(codec::decode);
    match decoded {
        Some(Ok(chunk)) if chunk.columns.len() == tier.columns() => Ok(Some(chunk)),
        _ => {
            let resolution = tier.code();
            tracing::warn!(
                series_id,
                resolution,
                start_ms,
                "open chunk row missing or unreadable; starting a new chunk"
            );
            Ok(None)
        }
    }
}

/// `row` followed by the points of `tail` newer than its last one (so a point is
/// never stored twice).
fn append_newer(mut row: ChunkData, tail: &ChunkData) -> ChunkData {
    let last = row.timestamps.last().copied().unwrap_or(i64::MIN);
    let first_new = tail.timestamps.partition_point(|&ts| ts <= last);
    for index in first_new..tail.len() {
        row.timestamps.push(tail.timestamps[index]);
        for (column, values) in row.columns.iter_mut().zip(&tail.columns) {
            column.push(values[index]);
        }
    }
    row
}

pub fn write_host(tx: &Transaction<'_>, host: &HostMemory) -> Result<(), StoreError> {
    let json = |value: &dyn ErasedJson| value.to_json();
    let state = &host.state;
    tx.prepare_cached(
        "INSERT OR REPLACE INTO hosts (name, first_seen_ms, last_seen_ms, interval_ms, last_seq,
         facts, collector_errors, processes, processes_ts_ms, users, users_ts_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )
    .and_then(|mut s| {
        s.execute(params![
            state.name,
            state.first_seen_ms,
            state.last_seen_ms,
            state.interval_ms as i64,
            state.last_seq as i64,
            json(&state.facts),
            json(&state.collector_errors),
            json(&host.processes.as_ref().map(|(_, p)| p)),
            host.processes.as_ref().map(|(ts, _)| *ts),
            json(&host.users.as_ref().map(|(_, u)| u)),
            host.users.as_ref().map(|(ts, _)| *ts),
        ])
    })
    .map_err(db_error)?;
    write_instances(tx, host)
}

fn write_instances(tx: &Transaction<'_>, host: &HostMemory) -> Result<(), StoreError> {
    let mut insert = tx
        .prepare_cached(
            "INSERT OR REPLACE INTO agent_instances (agent, instance_id, hostname, run_id,
             first_seen_ms, last_seen_ms, last_seq, interval_ms, runs)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )
        .map_err(db_error)?;
    for i in &host.instances {
        insert
            .execute(params![
                host.state.name,
                i.instance_id,
                i.hostname,
                i.run_id,
                i.first_seen_ms,
                i.last_seen_ms,
                i.last_seq as i64,
                i.interval_ms as i64,
                crate::rows::to_json(&i.runs),
            ])
            .map_err(db_error)?;
    }
    Ok(())
}

/// Object-safe JSON serialisation of row values.
trait ErasedJson {
    fn to_json(&self) -> String;
}

impl<T: serde::Serialize> ErasedJson for T {
    fn to_json(&self) -> String {
        crate::rows::to_json(self)
    }
}
