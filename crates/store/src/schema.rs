//! Connection setup and the database schema.

use crate::StoreError;
use rusqlite::Connection;
use std::path::Path;

/// Largest size the WAL file is left at after it is reset, bytes.
const WAL_SIZE_LIMIT: i64 = 16 << 20;

/// Maps any SQLite error to [`StoreError::Database`].
pub fn db_error(error: rusqlite::Error) -> StoreError {
    StoreError::Database(error.to_string())
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS series (
    id INTEGER PRIMARY KEY,
    host TEXT NOT NULL,
    name TEXT NOT NULL,
    labels TEXT NOT NULL,
    head_state BLOB,
    UNIQUE (host, name, labels)
);
CREATE TABLE IF NOT EXISTS chunks (
    series_id INTEGER NOT NULL,
    resolution INTEGER NOT NULL,
    start_ms INTEGER NOT NULL,
    end_ms INTEGER NOT NULL,
    count INTEGER NOT NULL,
    data BLOB NOT NULL,
    UNIQUE (series_id, resolution, start_ms)
);
CREATE INDEX IF NOT EXISTS chunks_by_end ON chunks (resolution, end_ms);
CREATE TABLE IF NOT EXISTS ingest_log (
    id INTEGER PRIMARY KEY,
    agent TEXT NOT NULL,
    seq INTEGER NOT NULL,
    received_ms INTEGER NOT NULL,
    body BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS hosts (
    name TEXT PRIMARY KEY,
    first_seen_ms INTEGER NOT NULL,
    last_seen_ms INTEGER NOT NULL,
    interval_ms INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    facts TEXT,
    collector_errors TEXT NOT NULL,
    processes TEXT,
    processes_ts_ms INTEGER,
    users TEXT,
    users_ts_ms INTEGER
);
CREATE TABLE IF NOT EXISTS agent_instances (
    agent TEXT NOT NULL,
    instance_id TEXT NOT NULL,
    hostname TEXT NOT NULL,
    run_id TEXT NOT NULL,
    first_seen_ms INTEGER NOT NULL,
    last_seen_ms INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    interval_ms INTEGER NOT NULL,
    runs TEXT NOT NULL,
    PRIMARY KEY (agent, instance_id)
);
CREATE TABLE IF NOT EXISTS agents (
    name TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    created_ms INTEGER NOT NULL,
    revoked_ms INTEGER
);
CREATE TABLE IF NOT EXISTS api_tokens (
    name TEXT NOT NULL UNIQUE,
    token_hash TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    created_ms INTEGER NOT NULL
);
";

/// Opens a connection with WAL mode and the wanted durability; the database files are
/// private to the hub's user (see [`make_private`]).
pub fn connect(path: &Path, synchronous_full: bool) -> Result<Connection, StoreError> {
    make_private(path)?;
    let connection = Connection::open(path).map_err(db_error)?;
    connection
        .busy_timeout(std::time::Duration::from_secs(10))
        .map_err(db_error)?;
    connection
        .pragma_update(None, "journal_mode", "WAL")
        .map_err(db_error)?;
    // The WAL is reset after each automatic checkpoint; this bounds what stays on disk.
    connection
        .pragma_update(None, "journal_size_limit", WAL_SIZE_LIMIT)
        .map_err(db_error)?;
    let synchronous = if synchronous_full { "FULL" } else { "NORMAL" };
    connection
        .pragma_update(None, "synchronous", synchronous)
        .map_err(db_error)?;
    Ok(connection)
}

/// Creates the database file with mode 0600 before SQLite opens it (SQLite gives the -wal
/// and -shm files it creates the database's mode), and narrows an existing database and its
/// -wal/-shm files to 0600.
fn make_private(path: &Path) -> Result<(), StoreError> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(path)?;
    for suffix in ["", "-wal", "-shm"] {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        let file = Path::new(&file);
        let Ok(metadata) = std::fs::metadata(file) else {
            continue;
        };
        if metadata.permissions().mode() & 0o077 != 0 {
            std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600))?;
        }
    }
    Ok(())
}

/// Creates every table that does not exist yet.
pub fn create(connection: &Connection) -> Result<(), StoreError> {
    connection.execute_batch(SCHEMA).map_err(db_error)?;
    crate::alerts::schema::create(connection)
}
