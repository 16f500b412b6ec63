//! Tables of the alerting state: current alerts, history, outbox, silences, engine state, audit log.

use crate::StoreError;
use crate::schema::db_error;
use rusqlite::Connection;

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
CREATE INDEX IF NOT EXISTS alert_history_by_time ON alert_history (at_ms);
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
    json TEXT NOT NULL
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

/// Creates every alerting table that does not exist yet.
pub fn create(connection: &Connection) -> Result<(), StoreError> {
    connection.execute_batch(SCHEMA).map_err(db_error)
}
