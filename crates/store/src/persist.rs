//! Loading the store back into memory on open: hosts, series with their head state,
//! where each open chunk's row ends, then a replay of the ingest log.

use crate::StoreError;
use crate::head::{HeadState, PendingChunk, SeriesHead, StoredChunk, Tier};
use crate::memory::Memory;
use crate::schema::db_error;
use rusqlite::{Connection, OptionalExtension, params};

/// Loads hosts, series heads and their open chunk rows, then replays the ingest log;
/// returns the bytes of the log's bodies.
pub fn load(connection: &Connection, memory: &mut Memory) -> Result<u64, StoreError> {
    load_hosts(connection, memory)?;
    load_instances(connection, memory)?;
    load_series(connection, memory)?;
    load_open_rows(connection, memory)?;
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

fn load_instances(connection: &Connection, memory: &mut Memory) -> Result<(), StoreError> {
    let mut statement = connection
        .prepare(
            "SELECT agent, instance_id, hostname, run_id, first_seen_ms, last_seen_ms, last_seq,
             interval_ms, runs FROM agent_instances ORDER BY first_seen_ms, instance_id",
        )
        .map_err(db_error)?;
    let mut rows = statement.query([]).map_err(db_error)?;
    while let Some(row) = rows.next().map_err(db_error)? {
        let agent: String = row.get(0).map_err(db_error)?;
        let instance = crate::InstanceRecord {
            instance_id: row.get(1).map_err(db_error)?,
            hostname: row.get(2).map_err(db_error)?,
            run_id: row.get(3).map_err(db_error)?,
            first_seen_ms: row.get(4).map_err(db_error)?,
            last_seen_ms: row.get(5).map_err(db_error)?,
            last_seq: row.get::<_, i64>(6).map_err(db_error)? as u64,
            interval_ms: row.get::<_, i64>(7).map_err(db_error)? as u64,
            runs: serde_json::from_str(&row.get::<_, String>(8).map_err(db_error)?)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        };
        if let Some(host) = memory.hosts.get_mut(&agent) {
            host.instances.push(instance);
        }
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

/// Where the newest chunk row of each series and resolution ends, so that new
/// points continue it (its points stay on disk).
fn load_open_rows(connection: &Connection, memory: &mut Memory) -> Result<(), StoreError> {
    let mut statement = connection
        .prepare(
            "SELECT start_ms, end_ms, count FROM chunks WHERE series_id = ?1 AND resolution = ?2
             ORDER BY start_ms DESC LIMIT 1",
        )
        .map_err(db_error)?;
    for head in memory.series.values_mut() {
        for tier in Tier::ALL {
            let stored = statement
                .query_row(params![head.id, tier.code()], |row| {
                    Ok(StoredChunk {
                        start_ms: row.get(0)?,
                        end_ms: row.get(1)?,
                        count: usize::try_from(row.get::<_, i64>(2)?).unwrap_or(0),
                    })
                })
                .optional()
                .map_err(db_error)?;
            head.tiers[tier as usize].open = PendingChunk::new(stored, tier.columns());
        }
    }
    Ok(())
}

/// Applies every logged batch in order. Samples not newer than a series' newest
/// stored sample are dropped by [`crate::head::SeriesHead::append`], so batches
/// already written by a checkpoint slice before a crash are not counted twice.
fn replay_log(connection: &Connection, memory: &mut Memory) -> Result<u64, StoreError> {
    let mut statement = connection
        .prepare("SELECT agent, received_ms, body FROM ingest_log ORDER BY id")
        .map_err(db_error)?;
    let mut rows = statement.query([]).map_err(db_error)?;
    let (mut replayed, mut bytes) = (0u64, 0u64);
    while let Some(row) = rows.next().map_err(db_error)? {
        let agent: String = row.get(0).map_err(db_error)?;
        let received_ms: i64 = row.get(1).map_err(db_error)?;
        let body: Vec<u8> = row.get(2).map_err(db_error)?;
        let batch = crate::rows::decode_log_body(&body)?;
        bytes += body.len() as u64;
        memory.apply(&agent, &batch, received_ms);
        replayed += 1;
    }
    if replayed > 0 {
        tracing::info!(batches = replayed, "replayed ingest log");
    }
    Ok(bytes)
}
