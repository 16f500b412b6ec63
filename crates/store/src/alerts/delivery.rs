//! The delivery workers' side of the outbox: per-receiver queues, attempt outcomes, reply
//! threads, requeueing and dead-lettering.

use crate::StoreError;
use crate::alerts::codec::{parse_provider_ids, provider_ids_column, status_name};
use crate::alerts::outbox::{SELECT, collect, sql_limit};
use crate::alerts::types::DeliveryUpdate;
use crate::schema::db_error;
use hostpulse_core::{DeliveryStatus, Notification};
use rusqlite::{Connection, OptionalExtension, params};

/// Newest sent `firing` notification of a (receiver, group) below an id that has provider ids;
/// its conditions are those of the `notifications_thread` partial index.
pub const THREAD_ANCHOR: &str = "SELECT id, provider_ids FROM notifications
    WHERE receiver = ?1 AND group_key = ?2 AND id < ?3
      AND status = 'sent' AND kind = 'firing' AND provider_ids IS NOT NULL
    ORDER BY id DESC LIMIT 1";

/// Receivers that have pending or sending notifications, in `notifications_outbox` order (the
/// planner would otherwise collect the queued rows through the status index and sort them).
pub const QUEUED_RECEIVERS: &str = "SELECT receiver FROM notifications
    INDEXED BY notifications_outbox
    WHERE status IN ('pending', 'sending') GROUP BY receiver";

/// Query of one receiver's queue; its status condition is that of the `notifications_outbox`
/// partial index, so the queue is read in index order without sorting.
pub fn outbox_sql() -> String {
    format!(
        "{SELECT} WHERE receiver = ?1 AND id > ?2 AND status IN ('pending', 'sending')
         ORDER BY id LIMIT ?3"
    )
}

/// Pending or sending notifications of `receiver` with `id > after_id`, oldest first.
pub fn for_receiver(
    connection: &Connection,
    receiver: &str,
    after_id: i64,
    limit: usize,
) -> Result<Vec<Notification>, StoreError> {
    let mut statement = connection.prepare_cached(&outbox_sql()).map_err(db_error)?;
    collect(
        &mut statement,
        params![receiver, after_id, sql_limit(limit)],
    )
}

/// Applies every update or none; `InvalidQuery` names the first unknown id.
pub fn record(connection: &mut Connection, updates: &[DeliveryUpdate]) -> Result<(), StoreError> {
    let tx = connection.transaction().map_err(db_error)?;
    {
        let mut update = tx
            .prepare_cached(
                "UPDATE notifications
                 SET status = ?2, attempts = ?3, last_error = ?4, provider_ids = ?5
                 WHERE id = ?1",
            )
            .map_err(db_error)?;
        for change in updates {
            let provider_ids = provider_ids_column(&change.provider_ids)?;
            let changed = update
                .execute(params![
                    change.id,
                    status_name(change.status),
                    change.attempts,
                    change.last_error,
                    provider_ids
                ])
                .map_err(db_error)?;
            if changed == 0 {
                return Err(StoreError::InvalidQuery(format!(
                    "no notification {}",
                    change.id
                )));
            }
        }
    }
    tx.commit().map_err(db_error)
}

/// First provider id of the message a later notification of the group replies to.
pub fn thread_anchor(
    connection: &Connection,
    receiver: &str,
    group_key: &str,
    before_id: i64,
) -> Result<Option<String>, StoreError> {
    let anchor: Option<(i64, String)> = connection
        .prepare_cached(THREAD_ANCHOR)
        .and_then(|mut s| {
            s.query_row(params![receiver, group_key, before_id], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })
            .optional()
        })
        .map_err(db_error)?;
    let Some((id, provider_ids)) = anchor else {
        return Ok(None);
    };
    Ok(parse_provider_ids(Some(&provider_ids), id)?
        .into_iter()
        .next())
}

/// Puts a dead notification back to `pending`; `None` if unknown, `InvalidQuery` if not dead.
pub fn requeue(connection: &mut Connection, id: i64) -> Result<Option<Notification>, StoreError> {
    let tx = connection.transaction().map_err(db_error)?;
    let found = {
        let mut select = tx
            .prepare_cached(&format!("{SELECT} WHERE id = ?1"))
            .map_err(db_error)?;
        collect(&mut select, [id])?.pop()
    };
    let Some(mut notification) = found else {
        return Ok(None);
    };
    if notification.status != DeliveryStatus::Dead {
        return Err(StoreError::InvalidQuery(format!(
            "notification {id} is {}, not dead",
            status_name(notification.status)
        )));
    }
    tx.execute(
        "UPDATE notifications SET status = 'pending' WHERE id = ?1",
        [id],
    )
    .map_err(db_error)?;
    tx.commit().map_err(db_error)?;
    notification.status = DeliveryStatus::Pending;
    Ok(Some(notification))
}

/// Dead-letters the queued notifications of every receiver not in `configured`; returns how many.
pub fn dead_letter_unknown(
    connection: &mut Connection,
    configured: &[String],
    reason: &str,
) -> Result<u64, StoreError> {
    let tx = connection.transaction().map_err(db_error)?;
    let mut dead = 0;
    {
        let queued: Vec<String> = tx
            .prepare_cached(QUEUED_RECEIVERS)
            .and_then(|mut s| s.query_map([], |row| row.get(0))?.collect())
            .map_err(db_error)?;
        let mut update = tx
            .prepare_cached(
                "UPDATE notifications SET status = 'dead', last_error = ?2
                 WHERE receiver = ?1 AND status IN ('pending', 'sending')",
            )
            .map_err(db_error)?;
        for receiver in queued.iter().filter(|r| !configured.contains(r)) {
            dead += update
                .execute(params![receiver, reason])
                .map_err(db_error)? as u64;
        }
    }
    tx.commit().map_err(db_error)?;
    Ok(dead)
}
