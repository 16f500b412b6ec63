//! Conversions between rows and values: host rows, agent rows, ingest log bodies.

use crate::memory::HostMemory;
use crate::{AgentRecord, HostState, StoreError};
use hostpulse_proto::{IngestBatch, decode_batch, encode_batch};
use rusqlite::Row;
use serde::de::DeserializeOwned;

/// Largest inflated ingest log body accepted when replaying.
const MAX_LOG_BODY: usize = 512 << 20;

/// JSON text of a value; plain data always serialises.
pub fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_string())
}

fn from_json<T: DeserializeOwned>(text: Option<String>) -> Result<Option<T>, StoreError> {
    match text {
        None => Ok(None),
        Some(text) => serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(e.to_string())),
    }
}

fn get<T: rusqlite::types::FromSql>(row: &Row<'_>, index: usize) -> Result<T, StoreError> {
    row.get(index).map_err(crate::schema::db_error)
}

/// A `hosts` row (columns in schema order) as host memory.
pub fn host_from_row(row: &Row<'_>) -> Result<HostMemory, StoreError> {
    let state = HostState {
        name: get(row, 0)?,
        first_seen_ms: get(row, 1)?,
        last_seen_ms: get(row, 2)?,
        interval_ms: get::<i64>(row, 3)? as u64,
        last_seq: get::<i64>(row, 4)? as u64,
        facts: from_json(get(row, 5)?)?.flatten(),
        collector_errors: from_json(get(row, 6)?)?.unwrap_or_default(),
    };
    let processes = from_json(get(row, 7)?)?.flatten();
    let users = from_json(get(row, 9)?)?.flatten();
    let processes_ts: Option<i64> = get(row, 8)?;
    let users_ts: Option<i64> = get(row, 10)?;
    Ok(HostMemory {
        state,
        processes: processes_ts.zip(processes),
        users: users_ts.zip(users),
        instances: Vec::new(),
        dirty: false,
    })
}

/// An `agents` row `(name, created_ms, revoked_ms)`.
pub fn agent_from_row(row: &Row<'_>) -> Result<AgentRecord, StoreError> {
    Ok(AgentRecord {
        name: get(row, 0)?,
        created_ms: get(row, 1)?,
        revoked_ms: get(row, 2)?,
    })
}

/// Compact form of a batch in the ingest log (gzip-compressed JSON).
pub fn encode_log_body(batch: &IngestBatch) -> Vec<u8> {
    encode_batch(batch)
}

pub fn decode_log_body(body: &[u8]) -> Result<IngestBatch, StoreError> {
    decode_batch(body, true, MAX_LOG_BODY).map_err(|e| StoreError::Corrupt(e.to_string()))
}
