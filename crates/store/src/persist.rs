//! Checkpoints (head chunks and host state to rows, ingest log cleared, in one
//! transaction) and loading everything back into memory on open.

use crate::StoreError;
use crate::codec::{self, ChunkData};
use crate::head::{HeadState, SeriesHead, Tier};
use crate::memory::{HostMemory, Memory};
use crate::schema::db_error;
use rusqlite::{Connection, params};

/// Dirty data copied out of memory, so that encoding and writing run unlocked.
#[derive(Debug, Default)]
pub struct Checkpoint {
    series: Vec<SeriesFlush>,
    hosts: Vec<HostMemory>,
}

#[derive(Debug)]
struct SeriesFlush {
    head_id: i64,
    new_row: Option<(String, String, String)>,
    state: Vec<u8>,
    chunks: Vec<(Tier, ChunkData)>,
}

impl Checkpoint {
    /// Copies what changed since the last checkpoint. Chunks ending before
    /// `cutoffs[tier]` are past retention and left out.
    pub fn collect(memory: &Memory, cutoffs: [i64; 3]) -> Result<Self, StoreError> {
        let mut checkpoint = Checkpoint::default();
        for head in memory.series.values().filter(|h| h.dirty || !h.persisted) {
            checkpoint.series.push(series_flush(head, cutoffs)?);
        }
        checkpoint.hosts = memory.hosts.values().filter(|h| h.dirty).cloned().collect();
        Ok(checkpoint)
    }

    /// Writes everything in one transaction and empties the ingest log.
    pub fn write(&self, connection: &mut Connection) -> Result<(), StoreError> {
        let tx = connection.transaction().map_err(db_error)?;
        for host in &self.hosts {
            write_host(&tx, host)?;
        }
        for series in &self.series {
            write_series(&tx, series)?;
        }
        tx.execute("DELETE FROM ingest_log", []).map_err(db_error)?;
        tx.commit().map_err(db_error)
    }

    /// Marks what was written as clean (nothing else mutates memory meanwhile).
    pub fn mark_clean(&self, memory: &mut Memory) {
        for series in &self.series {
            if let Some(head) = memory.series.get_mut(&series.head_id) {
                head.mark_clean();
            }
        }
        for host in &self.hosts {
            if let Some(entry) = memory.hosts.get_mut(&host.state.name) {
                entry.dirty = false;
            }
        }
    }
}

fn series_flush(head: &SeriesHead, cutoffs: [i64; 3]) -> Result<SeriesFlush, StoreError> {
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
        let fresh = |c: &&ChunkData| c.timestamps.last().is_some_and(|&end| end >= cutoff);
        for chunk in tier_head.closed.iter().filter(fresh) {
            chunks.push((tier, chunk.clone()));
        }
        if tier_head.dirty && !tier_head.open.is_empty() {
            chunks.push((tier, tier_head.open.clone()));
        }
    }
    Ok(SeriesFlush {
        head_id: head.id,
        new_row,
        state: head.state.encode(),
        chunks,
    })
}

fn write_series(tx: &rusqlite::Transaction<'_>, series: &SeriesFlush) -> Result<(), StoreError> {
    if let Some((host, name, labels)) = &series.new_row {
        tx.prepare_cached("INSERT INTO series (id, host, name, labels) VALUES (?1, ?2, ?3, ?4)")
            .and_then(|mut s| s.execute(params![series.head_id, host, name, labels]))
            .map_err(db_error)?;
    }
    tx.prepare_cached("UPDATE series SET head_state = ?2 WHERE id = ?1")
        .and_then(|mut s| s.execute(params![series.head_id, series.state]))
        .map_err(db_error)?;
    let mut upsert = tx
        .prepare_cached(
            "INSERT INTO chunks (series_id, resolution, start_ms, end_ms, count, data)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (series_id, resolution, start_ms) DO UPDATE SET
             end_ms = excluded.end_ms, count = excluded.count, data = excluded.data",
        )
        .map_err(db_error)?;
    for (tier, chunk) in &series.chunks {
        let data = codec::encode(chunk).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let start = chunk.timestamps.first().copied().unwrap_or_default();
        let end = chunk.timestamps.last().copied().unwrap_or_default();
        upsert
            .execute(params![
                series.head_id,
                tier.code(),
                start,
                end,
                chunk.len() as i64,
                data
            ])
            .map_err(db_error)?;
    }
    Ok(())
}

fn write_host(tx: &rusqlite::Transaction<'_>, host: &HostMemory) -> Result<(), StoreError> {
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

/// Loads hosts, series heads with their newest chunks, then replays the ingest log.
pub fn load(connection: &Connection, memory: &mut Memory) -> Result<(), StoreError> {
    load_hosts(connection, memory)?;
    load_series(connection, memory)?;
    load_open_chunks(connection, memory)?;
    replay_log(connection, memory)
}

fn load_hosts(connection: &Connection, memory: &mut Memory) -> Result<(), StoreError> {
    let mut statement = connection
        .prepare(
            "SELECT name, first_seen_ms, last_seen_ms, interval_ms, last_seq, facts,
             collector_errors, processes, processes_ts_ms, users, users_ts_ms FROM hosts",
        )
        .map_err(db_error)?;
    let mut rows = statement.query([]).map_err(db_error)?;
    while let Some(row) = rows.next().map_err(db_error)? {
        let host = crate::rows::host_from_row(row)?;
        memory.hosts.insert(host.state.name.clone(), host);
    }
    Ok(())
}

fn load_series(connection: &Connection, memory: &mut Memory) -> Result<(), StoreError> {
    let mut statement = connection
        .prepare("SELECT id, host, name, labels, head_state FROM series")
        .map_err(db_error)?;
    let mut rows = statement.query([]).map_err(db_error)?;
    while let Some(row) = rows.next().map_err(db_error)? {
        let labels: String = row.get(3).map_err(db_error)?;
        let key = hostpulse_core::SeriesKey {
            name: row.get(2).map_err(db_error)?,
            labels: serde_json::from_str(&labels)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        };
        let mut head = SeriesHead::new(
            row.get(0).map_err(db_error)?,
            row.get(1).map_err(db_error)?,
            key,
        );
        let state: Option<Vec<u8>> = row.get(4).map_err(db_error)?;
        head.state = state
            .as_deref()
            .and_then(HeadState::decode)
            .unwrap_or_default();
        head.persisted = true;
        memory.insert_series(head);
    }
    Ok(())
}

fn load_open_chunks(connection: &Connection, memory: &mut Memory) -> Result<(), StoreError> {
    let mut statement = connection
        .prepare(
            "SELECT series_id, resolution, data FROM chunks c WHERE start_ms =
             (SELECT MAX(start_ms) FROM chunks d
              WHERE d.series_id = c.series_id AND d.resolution = c.resolution)",
        )
        .map_err(db_error)?;
    let mut rows = statement.query([]).map_err(db_error)?;
    while let Some(row) = rows.next().map_err(db_error)? {
        let (id, code): (i64, i64) = (row.get(0).map_err(db_error)?, row.get(1).map_err(db_error)?);
        let data: Vec<u8> = row.get(2).map_err(db_error)?;
        let (Some(head), Some(tier)) = (memory.series.get_mut(&id), Tier::ALL.get(code as usize))
        else {
            continue;
        };
        match codec::decode(&data) {
            Ok(chunk) if chunk.columns.len() == tier.columns() => {
                head.tiers[*tier as usize].open = chunk
            }
            _ => tracing::warn!(series = id, resolution = code, "skipping undecodable chunk"),
        }
    }
    Ok(())
}

fn replay_log(connection: &Connection, memory: &mut Memory) -> Result<(), StoreError> {
    let mut statement = connection
        .prepare("SELECT agent, received_ms, body FROM ingest_log ORDER BY id")
        .map_err(db_error)?;
    let mut rows = statement.query([]).map_err(db_error)?;
    let mut replayed = 0u64;
    while let Some(row) = rows.next().map_err(db_error)? {
        let agent: String = row.get(0).map_err(db_error)?;
        let received_ms: i64 = row.get(1).map_err(db_error)?;
        let body: Vec<u8> = row.get(2).map_err(db_error)?;
        let batch = crate::rows::decode_log_body(&body)?;
        memory.apply(&agent, &batch, received_ms);
        replayed += 1;
    }
    if replayed > 0 {
        tracing::info!(batches = replayed, "replayed ingest log");
    }
    Ok(())
}
