//! Tables of the alerting state: current alerts, history, outbox, silences, engine state, audit log,
//! and the in-place upgrade of tables an earlier version created.

use crate::StoreError;
use crate::schema::db_error;
use rusqlite::Connection;
use std::collections::HashSet;

/// Every alerting table; times are Unix epoch milliseconds.
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS alerts (
    id TEXT PRIMARY KEY,
    json TEXT NOT NULL,
    updated_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS alert_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at_ms INTEGER NOT NULL,
    kind TEXT NOT NULL,
    host TEXT NOT NULL,
    rule TEXT NOT NULL,
    json TEXT NOT NULL,
    notification_id INTEGER
);
-- Newest-first scans test a set of hosts in the index, reading only the matching rows.
DROP INDEX IF EXISTS alert_history_by_time;
CREATE INDEX IF NOT EXISTS alert_history_by_time_host ON alert_history (at_ms, id, host);
CREATE INDEX IF NOT EXISTS alert_history_by_host ON alert_history (host, at_ms);
CREATE INDEX IF NOT EXISTS alert_history_by_rule ON alert_history (rule, at_ms);
CREATE TABLE IF NOT EXISTS notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_ms INTEGER NOT NULL,
    receiver TEXT NOT NULL,
    group_key TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    last_error TEXT,
    json TEXT NOT NULL,
    provider_ids TEXT,
    kind TEXT
);
CREATE INDEX IF NOT EXISTS notifications_by_status ON notifications (status, id);
CREATE INDEX IF NOT EXISTS notifications_by_time ON notifications (created_ms);
CREATE TABLE IF NOT EXISTS silences (
    id TEXT PRIMARY KEY,
    ends_ms INTEGER NOT NULL,
    json TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS engine_state (
    namespace TEXT NOT NULL,
    key TEXT NOT NULL,
    json TEXT NOT NULL,
    PRIMARY KEY (namespace, key)
);
CREATE TABLE IF NOT EXISTS audit_log (
    id INTEGER PRIMARY KEY,
    at_ms INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    result TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_log_by_time ON audit_log (at_ms);
";

/// Outbox indexes, created once the columns they use exist.
///
/// The partial indexes' WHERE clauses are repeated verbatim by the queries meant to use them
/// (SQLite only picks a partial index when the query implies its condition).
const OUTBOX_INDEXES: &str = "
CREATE INDEX IF NOT EXISTS notifications_outbox ON notifications (receiver, id)
    WHERE status IN ('pending', 'sending');
CREATE INDEX IF NOT EXISTS notifications_by_receiver ON notifications (receiver, status, id);
CREATE INDEX IF NOT EXISTS notifications_thread ON notifications (receiver, group_key, id)
    WHERE status = 'sent' AND kind = 'firing' AND provider_ids IS NOT NULL;
CREATE INDEX IF NOT EXISTS notifications_failures ON notifications (receiver, id)
    WHERE last_error IS NOT NULL AND status IN ('pending', 'sending', 'dead');
";

/// Creates every alerting table that does not exist yet and upgrades older ones in place.
pub fn create(connection: &Connection) -> Result<(), StoreError> {
    connection.execute_batch(SCHEMA).map_err(db_error)?;
    migrate(connection)
}

/// Adds the `provider_ids` and `kind` columns to a `notifications` table that lacks them
/// (filling `kind` from each row's JSON), then the outbox indexes; one transaction, and a
/// no-op on an up-to-date database.
fn migrate(connection: &Connection) -> Result<(), StoreError> {
    let tx = connection.unchecked_transaction().map_err(db_error)?;
    let columns = column_names(&tx, "notifications")?;
    if !columns.contains("provider_ids") {
        tx.execute_batch("ALTER TABLE notifications ADD COLUMN provider_ids TEXT")
            .map_err(db_error)?;
    }
    if !columns.contains("kind") {
        tx.execute_batch(
            "ALTER TABLE notifications ADD COLUMN kind TEXT;
             UPDATE notifications SET kind = json_extract(json, '$.kind');",
        )
        .map_err(db_error)?;
    }
    tx.execute_batch(OUTBOX_INDEXES).map_err(db_error)?;
    tx.commit().map_err(db_error)
}

/// Names of the columns of `table`.
fn column_names(connection: &Connection, table: &str) -> Result<HashSet<String>, StoreError> {
    let mut statement = connection
        .prepare("SELECT name FROM pragma_table_info(?1)")
        .map_err(db_error)?;
    let names = statement
        .query_map([table], |row| row.get(0))
        .map_err(db_error)?;
    names.collect::<Result<_, _>>().map_err(db_error)
}
