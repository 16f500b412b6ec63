//! A small pool of read-only connections used by queries under `spawn_blocking`.

use crate::StoreError;
use crate::schema::{connect, db_error};
use rusqlite::Connection;
use std::path::PathBuf;
use std::sync::Mutex;

/// Idle connections kept for reuse.
const MAX_IDLE: usize = 4;

#[derive(Debug)]
pub struct ReaderPool {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl ReaderPool {
    pub fn new(path: PathBuf) -> Self {
        Self {
            path,
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Runs `work` on a pooled connection (blocking).
    pub fn with<T>(
        &self,
        work: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let reused = self.idle().pop();
        let connection = match reused {
            Some(connection) => connection,
            None => {
                let connection = connect(&self.path, false)?;
                connection
                    .pragma_update(None, "query_only", true)
                    .map_err(db_error)?;
                connection
            }
        };
        let result = work(&connection);
        let mut idle = self.idle();
        if idle.len() < MAX_IDLE {
            idle.push(connection);
        }
        result
    }

    fn idle(&self) -> std::sync::MutexGuard<'_, Vec<Connection>> {
        self.idle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
