//! The notification outbox: paged listing, the oldest pending records, delivery status updates.

use crate::StoreError;
use crate::alerts::codec::{Cursor, from_json, parse_status, status_name};
use crate::alerts::types::{NotificationPage, NotificationQuery, page_size};
use crate::schema::db_error;
use hostpulse_core::{DeliveryStatus, Notification};
use rusqlite::types::Value;
use rusqlite::{Connection, Row, params, params_from_iter};

const SELECT: &str = "SELECT id, json, status, attempts, last_error FROM notifications";

/// Builds a notification from its stored JSON and its current delivery columns.
pub fn notification_from_row(
    id: i64,
    json: &str,
    status: &str,
    attempts: u32,
    last_error: Option<String>,
) -> Result<Notification, StoreError> {
    let mut notification: Notification = from_json(json, &format!("notification {id}"))?;
    notification.id = id;
    notification.status = parse_status(status).ok_or_else(|| {
        StoreError::Corrupt(format!("notification {id} has unknown status {status:?}"))
    })?;
    notification.attempts = attempts;
    notification.last_error = last_error;
    Ok(notification)
}

fn from_row(row: &Row) -> Result<Notification, StoreError> {
    let id: i64 = row.get(0).map_err(db_error)?;
    let json: String = row.get(1).map_err(db_error)?;
    let status: String = row.get(2).map_err(db_error)?;
    let attempts: u32 = row.get(3).map_err(db_error)?;
    let last_error: Option<String> = row.get(4).map_err(db_error)?;
    notification_from_row(id, &json, &status, attempts, last_error)
}

fn filters(query: &NotificationQuery, cursor: Option<Cursor>) -> (String, Vec<Value>) {
    let mut clauses = Vec::new();
    let mut values = Vec::new();
    if let Some(status) = query.status {
        values.push(Value::Text(status_name(status).into()));
        clauses.push(format!("status = ?{}", values.len()));
    }
    if let Some(receiver) = &query.receiver {
        values.push(Value::Text(receiver.clone()));
        clauses.push(format!("receiver = ?{}", values.len()));
    }
    if let Some(since_ms) = query.since_ms {
        values.push(Value::Integer(since_ms));
        clauses.push(format!("created_ms >= ?{}", values.len()));
    }
    if let Some(cursor) = cursor {
        values.push(Value::Integer(cursor.id));
        clauses.push(format!("id < ?{}", values.len()));
    }
    let sql = if clauses.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", clauses.join(" AND "))
    };
    (sql, values)
}

/// One page of notifications, newest first.
pub fn page(
    connection: &Connection,
    query: &NotificationQuery,
) -> Result<NotificationPage, StoreError> {
    let limit = page_size(query.limit);
    let cursor = Cursor::decode(query.cursor.as_deref())?;
    let (clause, mut values) = filters(query, cursor);
    values.push(Value::Integer(limit as i64 + 1));
    let sql = format!("{SELECT}{clause} ORDER BY id DESC LIMIT ?{}", values.len());
    let mut statement = connection.prepare(&sql).map_err(db_error)?;
    let mut rows = statement
        .query(params_from_iter(values))
        .map_err(db_error)?;
    let mut page = NotificationPage::default();
    while let Some(row) = rows.next().map_err(db_error)? {
        if page.notifications.len() == limit {
            page.next_cursor = page.notifications.last().map(|n| {
                Cursor {
                    at_ms: n.created_ms,
                    id: n.id,
                }
                .encode()
            });
            break;
        }
        page.notifications.push(from_row(row)?);
    }
    Ok(page)
}

/// The oldest `limit` pending notifications, oldest first.
pub fn pending(connection: &Connection, limit: usize) -> Result<Vec<Notification>, StoreError> {
    let mut statement = connection
        .prepare_cached(&format!(
            "{SELECT} WHERE status = 'pending' ORDER BY id ASC LIMIT ?1"
        ))
        .map_err(db_error)?;
    let mut rows = statement
        .query([i64::try_from(limit).unwrap_or(i64::MAX)])
        .map_err(db_error)?;
    let mut pending = Vec::new();
    while let Some(row) = rows.next().map_err(db_error)? {
        pending.push(from_row(row)?);
    }
    Ok(pending)
}

/// Records a delivery attempt's outcome; `InvalidQuery` if the id is unknown.
pub fn mark(
    connection: &Connection,
    id: i64,
    status: DeliveryStatus,
    attempts: u32,
    last_error: Option<&str>,
) -> Result<(), StoreError> {
    let changed = connection
        .prepare_cached(
            "UPDATE notifications SET status = ?2, attempts = ?3, last_error = ?4 WHERE id = ?1",
        )
        .and_then(|mut s| s.execute(params![id, status_name(status), attempts, last_error]))
        .map_err(db_error)?;
    if changed == 0 {
        return Err(StoreError::InvalidQuery(format!("no notification {id}")));
    }
    Ok(())
}
