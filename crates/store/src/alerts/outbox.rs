//! The notification outbox: row decoding, paged listing, the oldest queued records, status updates.

use crate::StoreError;
use crate::alerts::codec::{Cursor, from_json, parse_provider_ids, parse_status, status_name};
use crate::alerts::types::{NotificationPage, NotificationQuery, page_size};
use crate::schema::db_error;
use hostpulse_core::{DeliveryStatus, Notification};
use rusqlite::types::Value;
use rusqlite::{Connection, Row, params, params_from_iter};

/// Columns of a notification row, in the order [`from_row`] reads them.
pub const SELECT: &str =
    "SELECT id, json, status, attempts, last_error, provider_ids FROM notifications";

/// The delivery columns of a notification row: they change after insert, its JSON does not.
pub struct DeliveryColumns {
    pub status: String,
    pub attempts: u32,
    pub last_error: Option<String>,
    /// JSON array of provider ids, NULL when there are none.
    pub provider_ids: Option<String>,
}

impl DeliveryColumns {
    /// Reads status, attempts, last_error and provider_ids from four columns starting at `first`.
    pub fn read(row: &Row, first: usize) -> Result<Self, StoreError> {
        Ok(Self {
            status: row.get(first).map_err(db_error)?,
            attempts: row.get(first + 1).map_err(db_error)?,
            last_error: row.get(first + 2).map_err(db_error)?,
            provider_ids: row.get(first + 3).map_err(db_error)?,
        })
    }
}

/// Builds a notification from its stored JSON and its current delivery columns.
pub fn notification_from_row(
    id: i64,
    json: &str,
    columns: DeliveryColumns,
) -> Result<Notification, StoreError> {
    let mut notification: Notification = from_json(json, &format!("notification {id}"))?;
    notification.id = id;
    notification.status = parse_status(&columns.status).ok_or_else(|| {
        StoreError::Corrupt(format!(
            "notification {id} has unknown status {:?}",
            columns.status
        ))
    })?;
    notification.attempts = columns.attempts;
    notification.last_error = columns.last_error;
    notification.provider_ids = parse_provider_ids(columns.provider_ids.as_deref(), id)?;
    Ok(notification)
}

/// Decodes a row selected with [`SELECT`].
pub fn from_row(row: &Row) -> Result<Notification, StoreError> {
    let id: i64 = row.get(0).map_err(db_error)?;
    let json: String = row.get(1).map_err(db_error)?;
    notification_from_row(id, &json, DeliveryColumns::read(row, 2)?)
}

/// Every notification a prepared [`SELECT`] statement returns for `params`.
pub fn collect(
    statement: &mut rusqlite::Statement,
    params: impl rusqlite::Params,
) -> Result<Vec<Notification>, StoreError> {
    let mut rows = statement.query(params).map_err(db_error)?;
    let mut notifications = Vec::new();
    while let Some(row) = rows.next().map_err(db_error)? {
        notifications.push(from_row(row)?);
    }
    Ok(notifications)
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

/// The oldest `limit` pending or sending notifications, oldest first.
pub fn pending(connection: &Connection, limit: usize) -> Result<Vec<Notification>, StoreError> {
    let mut statement = connection
        .prepare_cached(&format!(
            "{SELECT} WHERE status IN ('pending', 'sending') ORDER BY id ASC LIMIT ?1"
        ))
        .map_err(db_error)?;
    collect(&mut statement, [sql_limit(limit)])
}

/// A row limit as an SQL integer.
pub fn sql_limit(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
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
