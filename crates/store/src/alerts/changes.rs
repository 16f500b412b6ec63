//! Writes of alert changes, all in one transaction on the writer connection.

use crate::StoreError;
use crate::alerts::codec::{
    check_alert, check_notification, check_transition, kind_name, provider_ids_column, status_name,
    to_json,
};
use crate::alerts::types::AlertChanges;
use crate::schema::db_error;
use hostpulse_core::{AlertTransition, Notification};
use rusqlite::{Connection, Transaction, params};
use std::collections::BTreeSet;

/// Stores `changes` atomically; returns the new notification ids in order.
pub fn save(
    connection: &mut Connection,
    changes: &AlertChanges,
    now_ms: i64,
) -> Result<Vec<i64>, StoreError> {
    let tx = connection.transaction().map_err(db_error)?;
    upsert_alerts(&tx, changes, now_ms)?;
    for transition in &changes.transitions {
        append_transition(&tx, transition)?;
    }
    let mut ids = Vec::with_capacity(changes.notifications.len());
    for notification in &changes.notifications {
        ids.push(append_notification(&tx, notification)?);
    }
    put_state(&tx, &changes.state)?;
    tx.commit().map_err(db_error)?;
    Ok(ids)
}

fn upsert_alerts(tx: &Transaction, changes: &AlertChanges, now_ms: i64) -> Result<(), StoreError> {
    let mut upsert = tx
        .prepare_cached("INSERT OR REPLACE INTO alerts (id, json, updated_ms) VALUES (?1, ?2, ?3)")
        .map_err(db_error)?;
    for alert in &changes.upsert {
        check_alert(alert)?;
        upsert
            .execute(params![alert.id, to_json(alert)?, now_ms])
            .map_err(db_error)?;
    }
    let mut delete = tx
        .prepare_cached("DELETE FROM alerts WHERE id = ?1")
        .map_err(db_error)?;
    for id in &changes.delete {
        delete.execute([id]).map_err(db_error)?;
    }
    Ok(())
}

fn append_transition(tx: &Transaction, transition: &AlertTransition) -> Result<(), StoreError> {
    check_transition(transition)?;
    let json = to_json(transition)?;
    tx.prepare_cached(
        "INSERT INTO alert_history (at_ms, kind, host, rule, json) VALUES (?1, 'transition', ?2, ?3, ?4)",
    )
    .and_then(|mut s| {
        s.execute(params![
            transition.at_ms,
            transition.host,
            transition.rule,
            json
        ])
    })
    .map_err(db_error)?;
    Ok(())
}

/// Inserts the outbox row, and one history row per (host, rule) the notification covers.
fn append_notification(tx: &Transaction, notification: &Notification) -> Result<i64, StoreError> {
    check_notification(notification)?;
    let id = insert_outbox_row(tx, notification)?;
    let targets: BTreeSet<(&str, &str)> = notification
        .alerts
        .iter()
        .map(|a| (a.host.as_str(), a.rule.as_str()))
        .collect();
    let mut history = tx
        .prepare_cached(
            "INSERT INTO alert_history (at_ms, kind, host, rule, json, notification_id)
             VALUES (?1, 'notification', ?2, ?3, '{}', ?4)",
        )
        .map_err(db_error)?;
    let fallback = [("", "")];
    let rows = targets
        .iter()
        .copied()
        .chain(fallback.iter().copied().filter(|_| targets.is_empty()));
    for (host, rule) in rows {
        history
            .execute(params![notification.created_ms, host, rule, id])
            .map_err(db_error)?;
    }
    Ok(id)
}

/// Inserts the outbox row; returns its id.
///
/// The JSON is written once; the delivery columns (status, attempts, last_error,
/// provider_ids) are updated in place later, so provider ids go to their column only.
fn insert_outbox_row(tx: &Transaction, notification: &Notification) -> Result<i64, StoreError> {
    let json = if notification.provider_ids.is_empty() {
        to_json(notification)?
    } else {
        to_json(&Notification {
            provider_ids: Vec::new(),
            ..notification.clone()
        })?
    };
    let provider_ids = provider_ids_column(&notification.provider_ids)?;
    tx.prepare_cached(
        "INSERT INTO notifications
             (created_ms, receiver, group_key, status, attempts, last_error, json, provider_ids, kind)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )
    .and_then(|mut s| {
        s.execute(params![
            notification.created_ms,
            notification.receiver,
            notification.group_key,
            status_name(notification.status),
            notification.attempts,
            notification.last_error,
            json,
            provider_ids,
            kind_name(notification.kind),
        ])
    })
    .map_err(db_error)?;
    Ok(tx.last_insert_rowid())
}

fn put_state(
    tx: &Transaction,
    state: &[(String, String, Option<String>)],
) -> Result<(), StoreError> {
    let mut put = tx
        .prepare_cached(
            "INSERT OR REPLACE INTO engine_state (namespace, key, json) VALUES (?1, ?2, ?3)",
        )
        .map_err(db_error)?;
    let mut delete = tx
        .prepare_cached("DELETE FROM engine_state WHERE namespace = ?1 AND key = ?2")
        .map_err(db_error)?;
    for (namespace, key, json) in state {
        if namespace.is_empty() {
            return Err(StoreError::InvalidQuery(format!(
                "engine state key {key:?} has an empty namespace"
            )));
        }
        match json {
            Some(json) => put.execute(params![namespace, key, json]),
            None => delete.execute(params![namespace, key]),
        }
        .map_err(db_error)?;
    }
    Ok(())
}
