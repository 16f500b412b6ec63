//! Writer upkeep between commits: checkpoints (started by time or by ingest log
//! size, written in slices) and retention in small steps.

use crate::StoreError;
use crate::checkpoint_run::{CheckpointRun, SliceLimits};
use crate::head::Tier;
use crate::schema::db_error;
use crate::writer::{Writer, lock};
use rusqlite::params;
use std::time::Duration;

/// How often a retention pass starts, in clock milliseconds.
const RETENTION_EVERY_MS: i64 = 5 * 60_000;
/// Chunks deleted per retention step, between ingest commits.
const RETENTION_BATCH: usize = 256;
/// Shortest time between two checkpoints started by the ingest log's size.
const MIN_SIZE_CHECKPOINT_GAP_MS: i64 = 1_000;

impl Writer {
    pub(crate) fn maintenance(&mut self) {
        let now_ms = self.clock.now_ms();
        if self.checkpoint_run.is_none()
            && self.checkpoint_due(now_ms)
            && let Err(error) = self.start_checkpoint()
        {
            tracing::error!(%error, "checkpoint failed to start");
        }
        if self.checkpoint_run.is_some() {
            let limits = self.slice_limits();
            if let Err(error) = self.checkpoint_slice(limits) {
                tracing::error!(%error, "checkpoint failed");
            }
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

    /// Whether the interval has passed or the ingest log has grown past its limit.
    fn checkpoint_due(&self, now_ms: i64) -> bool {
        let interval = i64::try_from(self.options.checkpoint_interval_ms).unwrap_or(i64::MAX);
        let since = now_ms.saturating_sub(self.last_checkpoint_ms);
        since >= interval
            || (self.log_bytes >= self.options.checkpoint_log_bytes
                && since >= MIN_SIZE_CHECKPOINT_GAP_MS.min(interval))
    }

    pub(crate) fn slice_limits(&self) -> SliceLimits {
        SliceLimits {
            max_series: self.options.checkpoint_slice_series,
            budget: Duration::from_millis(self.options.checkpoint_slice_ms),
        }
    }

    pub(crate) fn start_checkpoint(&mut self) -> Result<(), StoreError> {
        let now_ms = self.clock.now_ms();
        self.last_checkpoint_ms = now_ms;
        let cutoffs = self.cutoffs(now_ms);
        let run = CheckpointRun::start(
            &lock(&self.memory),
            &self.connection,
            self.log_bytes,
            cutoffs,
        )?;
        self.checkpoint_run = Some(run);
        Ok(())
    }

    /// Writes one slice of the running checkpoint; a failed checkpoint is dropped
    /// (what it did not write stays dirty, and the ingest log keeps every row).
    pub(crate) fn checkpoint_slice(&mut self, limits: SliceLimits) -> Result<(), StoreError> {
        let Some(run) = self.checkpoint_run.as_mut() else {
            return Ok(());
        };
        match run.write_slice(&mut self.connection, &self.memory, limits) {
            Ok(false) => Ok(()),
            Ok(true) => {
                tracing::debug!(
                    series = run.series(),
                    slices = run.slices(),
                    log_bytes = run.log_bytes(),
                    elapsed_ms = run.elapsed_ms(),
                    "checkpoint complete"
                );
                self.log_bytes = self.log_bytes.saturating_sub(run.log_bytes());
                self.checkpoint_run = None;
                Ok(())
            }
            Err(error) => {
                self.checkpoint_run = None;
                Err(error)
            }
        }
    }

    /// Flushes every dirty head and the host state, and empties the ingest log:
    /// finishes a running checkpoint, then writes a whole one.
    pub fn checkpoint(&mut self) -> Result<(), StoreError> {
        while self.checkpoint_run.is_some() {
            self.checkpoint_slice(SliceLimits::WHOLE)?;
        }
        self.start_checkpoint()?;
        self.checkpoint_slice(SliceLimits::WHOLE)
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

    /// Starts a checkpoint if none runs, then writes at most `slices` of its slices.
    #[cfg(test)]
    pub(crate) fn checkpoint_slices(&mut self, slices: usize) -> Result<(), StoreError> {
        if self.checkpoint_run.is_none() {
            self.start_checkpoint()?;
        }
        for _ in 0..slices {
            if self.checkpoint_run.is_none() {
                break;
            }
            self.checkpoint_slice(self.slice_limits())?;
        }
        Ok(())
    }
}
