//! Writer upkeep between commits: periodic checkpoints and retention in small steps.

use crate::StoreError;
use crate::checkpoint::Checkpoint;
use crate::head::Tier;
use crate::schema::db_error;
use crate::writer::{Writer, lock};
use rusqlite::params;

/// How often a retention pass starts, in clock milliseconds.
const RETENTION_EVERY_MS: i64 = 5 * 60_000;
/// Chunks deleted per retention step, between ingest commits.
const RETENTION_BATCH: usize = 256;

impl Writer {
    pub(crate) fn maintenance(&mut self) {
        let now_ms = self.clock.now_ms();
        let interval = i64::try_from(self.options.checkpoint_interval_ms).unwrap_or(i64::MAX);
        if now_ms.saturating_sub(self.last_checkpoint_ms) >= interval
            && let Err(error) = self.checkpoint()
        {
            tracing::error!(%error, "checkpoint failed");
        }
        if now_ms >= self.next_retention_ms {
            self.retention_pending = true;
            self.next_retention_ms = now_ms + RETENTION_EVERY_MS;
        }
        if self.retention_pending {
            self.retention_pending = self.retention_step(now_ms).unwrap_or_else(|error| {
                tracing::error!(%error, "retention failed");
                false
            });
        }
    }

    fn cutoffs(&self, now_ms: i64) -> [i64; 3] {
        let o = &self.options;
        [
            o.retention_raw_ms,
            o.retention_minute_ms,
            o.retention_hour_ms,
        ]
        .map(|keep| now_ms.saturating_sub(keep))
    }

    /// Flushes dirty heads and host state, and empties the ingest log, atomically.
    pub fn checkpoint(&mut self) -> Result<(), StoreError> {
        let now_ms = self.clock.now_ms();
        self.last_checkpoint_ms = now_ms;
        let mut checkpoint = Checkpoint::collect(&lock(&self.memory), self.cutoffs(now_ms))?;
        checkpoint.write(&mut self.connection)?;
        checkpoint.mark_clean(&mut lock(&self.memory));
        Ok(())
    }

    pub(crate) fn final_checkpoint(&mut self) {
        if let Err(error) = self.checkpoint().and_then(|()| self.truncate_wal()) {
            tracing::error!(%error, "final checkpoint failed");
        }
    }

    pub(crate) fn truncate_wal(&self) -> Result<(), StoreError> {
        self.connection
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .map_err(db_error)
    }

    /// Deletes one small batch of expired chunks per tier; true if more remain.
    fn retention_step(&mut self, now_ms: i64) -> Result<bool, StoreError> {
        let mut more = false;
        for (tier, cutoff) in Tier::ALL.into_iter().zip(self.cutoffs(now_ms)) {
            let deleted = self
                .connection
                .prepare_cached(
                    "DELETE FROM chunks WHERE rowid IN (SELECT rowid FROM chunks
                     WHERE resolution = ?1 AND end_ms < ?2 LIMIT ?3)",
                )
                .and_then(|mut s| s.execute(params![tier.code(), cutoff, RETENTION_BATCH as i64]))
                .map_err(db_error)?;
            more |= deleted == RETENTION_BATCH;
        }
        Ok(more)
    }

    pub(crate) fn retention_to_end(&mut self) -> Result<(), StoreError> {
        let now_ms = self.clock.now_ms();
        while self.retention_step(now_ms)? {}
        Ok(())
    }
}
