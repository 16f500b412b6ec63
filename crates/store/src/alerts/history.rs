//! Reading the alert history: transitions and notifications interleaved, newest first, paged.

use crate::StoreError;
use crate::alerts::codec::{Cursor, from_json};
use crate::alerts::outbox::{DeliveryColumns, notification_from_row};
use crate::alerts::types::{HistoryEntry, HistoryPage, HistoryQuery, page_size};
use crate::schema::db_error;
use rusqlite::types::Value;
use rusqlite::{Connection, Row, params_from_iter};

const SELECT: &str = "SELECT h.id, h.at_ms, h.kind, h.json, h.notification_id,
        n.json, n.status, n.attempts, n.last_error, n.provider_ids
    FROM alert_history h LEFT JOIN notifications n ON n.id = h.notification_id";

/// WHERE clause and parameters of a history query.
fn filters(query: &HistoryQuery, cursor: Option<Cursor>) -> (String, Vec<Value>) {
    let mut clauses = Vec::new();
    let mut values = Vec::new();
    if let Some(clause) = host_filter(&query.hosts, &mut values) {
        clauses.push(clause);
    }
    if let Some(rule) = &query.rule {
        values.push(Value::Text(rule.clone()));
        clauses.push(format!("h.rule = ?{}", values.len()));
    }
    if let Some(since_ms) = query.since_ms {
        values.push(Value::Integer(since_ms));
        clauses.push(format!("h.at_ms >= ?{}", values.len()));
    }
    if let Some(cursor) = cursor {
        values.push(Value::Integer(cursor.at_ms));
        values.push(Value::Integer(cursor.id));
        let (at, id) = (values.len() - 1, values.len());
        clauses.push(format!(
            "(h.at_ms < ?{at} OR (h.at_ms = ?{at} AND h.id < ?{id}))"
        ));
    }
    let sql = if clauses.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", clauses.join(" AND "))
    };
    (sql, values)
}

/// The host condition, its values appended to `values`; `None` when every host is wanted.
///
/// One host reads its `(host, at_ms)` index in order. Several hosts read the time index newest
/// first and test the host there (`+` keeps SQLite from reading each host's rows and sorting
/// them all), so a page stops after the rows it shows.
fn host_filter(hosts: &[String], values: &mut Vec<Value>) -> Option<String> {
    if let [host] = hosts {
        values.push(Value::Text(host.clone()));
        return Some(format!("h.host = ?{}", values.len()));
    }
    if hosts.is_empty() {
        return None;
    }
    let mut placeholders = Vec::with_capacity(hosts.len());
    for host in hosts {
        values.push(Value::Text(host.clone()));
        placeholders.push(format!("?{}", values.len()));
    }
    Some(format!("+h.host IN ({})", placeholders.join(", ")))
}

/// Identity of the entry a history row belongs to (a notification may have several rows).
#[derive(PartialEq, Eq, Clone, Copy)]
enum EntryKey {
    Row(i64),
    Notification(i64),
}

/// The query of one page (every row older than `cursor`, newest first) and its parameters.
pub(crate) fn page_sql(query: &HistoryQuery, cursor: Option<Cursor>) -> (String, Vec<Value>) {
    let (clause, values) = filters(query, cursor);
    let sql = format!("{SELECT}{clause} ORDER BY h.at_ms DESC, h.id DESC");
    (sql, values)
}

/// Reads one page of the history.
pub fn page(connection: &Connection, query: &HistoryQuery) -> Result<HistoryPage, StoreError> {
    let limit = page_size(query.limit);
    let cursor = Cursor::decode(query.cursor.as_deref())?;
    let (sql, values) = page_sql(query, cursor);
    let mut statement = connection.prepare(&sql).map_err(db_error)?;
    let mut rows = statement
        .query(params_from_iter(values))
        .map_err(db_error)?;
    let mut page = HistoryPage::default();
    let mut last: Option<(EntryKey, Cursor)> = None;
    while let Some(row) = rows.next().map_err(db_error)? {
        let (id, at_ms): (i64, i64) = (column(row, 0)?, column(row, 1)?);
        let key = match column::<Option<i64>>(row, 4)? {
            Some(notification_id) => EntryKey::Notification(notification_id),
            None => EntryKey::Row(id),
        };
        let position = Cursor { at_ms, id };
        if let Some((last_key, _)) = last
            && last_key == key
        {
            last = Some((key, position));
            continue;
        }
        if page.entries.len() == limit {
            page.next_cursor = last.map(|(_, c)| c.encode());
            break;
        }
        if let Some(entry) = entry_from_row(row, id)? {
            page.entries.push(entry);
            last = Some((key, position));
        }
    }
    Ok(page)
}

fn column<T: rusqlite::types::FromSql>(row: &Row, index: usize) -> Result<T, StoreError> {
    row.get(index).map_err(db_error)
}

/// Decodes one row; `None` for a notification row whose outbox record was pruned.
fn entry_from_row(row: &Row, id: i64) -> Result<Option<HistoryEntry>, StoreError> {
    let kind: String = column(row, 2)?;
    if kind == "transition" {
        let json: String = column(row, 3)?;
        let transition = from_json(&json, &format!("history row {id}"))?;
        return Ok(Some(HistoryEntry::Transition { id, transition }));
    }
    let notification_id: Option<i64> = column(row, 4)?;
    let json: Option<String> = column(row, 5)?;
    let (Some(notification_id), Some(json)) = (notification_id, json) else {
        return Ok(None);
    };
    let notification =
        notification_from_row(notification_id, &json, DeliveryColumns::read(row, 6)?)?;
    Ok(Some(HistoryEntry::Notification { id, notification }))
}
