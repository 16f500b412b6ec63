//! Current alerts, engine state, silences, the audit log and history retention.

use crate::StoreError;
use crate::alerts::codec::{from_json, to_json};
use crate::alerts::types::{AuditEntry, PruneReport};
use crate::schema::db_error;
use hostpulse_core::{Alert, Silence};
use rusqlite::{Connection, OptionalExtension, params};

/// Every stored alert, oldest update first.
pub fn load_alerts(connection: &Connection) -> Result<Vec<Alert>, StoreError> {
    let mut statement = connection
        .prepare_cached("SELECT id, json FROM alerts ORDER BY updated_ms, id")
        .map_err(db_error)?;
    let mut rows = statement.query([]).map_err(db_error)?;
    let mut alerts = Vec::new();
    while let Some(row) = rows.next().map_err(db_error)? {
        let id: String = row.get(0).map_err(db_error)?;
        let json: String = row.get(1).map_err(db_error)?;
        alerts.push(from_json(&json, &format!("alert {id}"))?);
    }
    Ok(alerts)
}

/// Every (key, json) of one engine state namespace, by key.
pub fn load_state(
    connection: &Connection,
    namespace: &str,
) -> Result<Vec<(String, String)>, StoreError> {
    let mut statement = connection
        .prepare_cached("SELECT key, json FROM engine_state WHERE namespace = ?1 ORDER BY key")
        .map_err(db_error)?;
    let rows = statement
        .query_map([namespace], |row| Ok((row.get(0)?, row.get(1)?)))
        .map_err(db_error)?;
    rows.collect::<Result<_, _>>().map_err(db_error)
}

/// Silences by start time; without `include_expired`, only those ending after `now_ms`.
pub fn silences(
    connection: &Connection,
    include_expired: bool,
    now_ms: i64,
) -> Result<Vec<Silence>, StoreError> {
    let floor = if include_expired { i64::MIN } else { now_ms };
    let mut statement = connection
        .prepare_cached("SELECT id, json FROM silences WHERE ends_ms > ?1")
        .map_err(db_error)?;
    let mut rows = statement.query([floor]).map_err(db_error)?;
    let mut silences: Vec<Silence> = Vec::new();
    while let Some(row) = rows.next().map_err(db_error)? {
        let id: String = row.get(0).map_err(db_error)?;
        let json: String = row.get(1).map_err(db_error)?;
        silences.push(from_json(&json, &format!("silence {id}"))?);
    }
    silences.sort_by(|a, b| (a.starts_ms, &a.id).cmp(&(b.starts_ms, &b.id)));
    Ok(silences)
}

/// Inserts or replaces a silence.
pub fn put_silence(connection: &Connection, silence: &Silence) -> Result<(), StoreError> {
    if silence.id.is_empty() {
        return Err(StoreError::InvalidQuery("a silence needs an id".into()));
    }
    let json = to_json(silence)?;
    connection
        .prepare_cached("INSERT OR REPLACE INTO silences (id, ends_ms, json) VALUES (?1, ?2, ?3)")
        .and_then(|mut s| s.execute(params![silence.id, silence.ends_ms, json]))
        .map_err(db_error)?;
    Ok(())
}

/// Ends a silence at `now_ms` unless it already ended; `None` if unknown.
pub fn expire_silence(
    connection: &mut Connection,
    id: &str,
    now_ms: i64,
) -> Result<Option<Silence>, StoreError> {
    let tx = connection.transaction().map_err(db_error)?;
    let json: Option<String> = tx
        .query_row("SELECT json FROM silences WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .optional()
        .map_err(db_error)?;
    let Some(json) = json else {
        return Ok(None);
    };
    let mut silence: Silence = from_json(&json, &format!("silence {id}"))?;
    silence.ends_ms = silence.ends_ms.min(now_ms);
    put_silence(&tx, &silence)?;
    tx.commit().map_err(db_error)?;
    Ok(Some(silence))
}

/// Appends one audit record.
pub fn audit(connection: &Connection, entry: &AuditEntry) -> Result<(), StoreError> {
    connection
        .prepare_cached(
            "INSERT INTO audit_log (at_ms, actor, action, target, result) VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .and_then(|mut s| {
            s.execute(params![
                entry.at_ms,
                entry.actor,
                entry.action,
                entry.target,
                entry.result
            ])
        })
        .map_err(db_error)?;
    Ok(())
}

/// The newest `limit` audit records, newest first.
pub fn audit_entries(connection: &Connection, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
    let mut statement = connection
        .prepare_cached(
            "SELECT at_ms, actor, action, target, result FROM audit_log ORDER BY id DESC LIMIT ?1",
        )
        .map_err(db_error)?;
    let rows = statement
        .query_map([i64::try_from(limit).unwrap_or(i64::MAX)], |row| {
            Ok(AuditEntry {
                at_ms: row.get(0)?,
                actor: row.get(1)?,
                action: row.get(2)?,
                target: row.get(3)?,
                result: row.get(4)?,
            })
        })
        .map_err(db_error)?;
    rows.collect::<Result<_, _>>().map_err(db_error)
}

/// Deletes history, notifications that are neither pending nor sending, ended silences and
/// audit records older than `before_ms`.
pub fn prune(connection: &mut Connection, before_ms: i64) -> Result<PruneReport, StoreError> {
    let tx = connection.transaction().map_err(db_error)?;
    let delete = |sql: &str| -> Result<u64, StoreError> {
        let deleted = tx.execute(sql, [before_ms]).map_err(db_error)?;
        Ok(deleted as u64)
    };
    let report = PruneReport {
        history_rows: delete("DELETE FROM alert_history WHERE at_ms < ?1")?,
        notifications: delete(
            "DELETE FROM notifications WHERE created_ms < ?1
             AND status NOT IN ('pending', 'sending')",
        )?,
        silences: delete("DELETE FROM silences WHERE ends_ms < ?1")?,
        audit_entries: delete("DELETE FROM audit_log WHERE at_ms < ?1")?,
    };
    tx.commit().map_err(db_error)?;
    Ok(report)
}
