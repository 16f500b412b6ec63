//! A checkpoint written in slices: each slice writes some of the series that were
//! dirty when the checkpoint started, in its own transaction committed between
//! ingest groups; the last slice writes the host rows and deletes the ingest log
//! rows the checkpoint covers.
//!
//! A crash between slices is safe: a series' chunk rows and its head state (with
//! its newest sample) are written in one transaction, and replaying the ingest log
//! drops every sample not newer than that newest sample, so the points of a
//! written series are not appended twice while those of the others come back.

use crate::StoreError;
use crate::checkpoint::{SeriesFlush, mark_clean, series_flush, write_host, write_series};
use crate::memory::Memory;
use crate::schema::db_error;
use crate::writer::lock;
use rusqlite::Connection;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Series copied out of memory at a time within a slice.
const COLLECT_BATCH: usize = 64;

/// How much one slice may write before it commits.
#[derive(Debug, Clone, Copy)]
pub struct SliceLimits {
    pub max_series: usize,
    pub budget: Duration,
}

impl SliceLimits {
    /// No limit: the whole checkpoint in one transaction.
    pub const WHOLE: SliceLimits = SliceLimits {
        max_series: usize::MAX,
        budget: Duration::MAX,
    };
}

/// A checkpoint in progress.
#[derive(Debug)]
pub struct CheckpointRun {
    /// Series dirty at the start and not written yet (taken from the end).
    pending: Vec<i64>,
    /// Ingest log rows up to this id were applied to memory before the start.
    log_upto: i64,
    /// Bytes of those rows.
    log_bytes: u64,
    cutoffs: [i64; 3],
    series: usize,
    slices: usize,
    started: Instant,
}

impl CheckpointRun {
    /// Notes the dirty series and the last ingest log row; writes nothing.
    pub fn start(
        memory: &Memory,
        connection: &Connection,
        log_bytes: u64,
        cutoffs: [i64; 3],
    ) -> Result<Self, StoreError> {
        let mut pending: Vec<i64> = memory
            .series
            .values()
            .filter(|h| h.dirty || !h.persisted)
            .map(|h| h.id)
            .collect();
        pending.sort_unstable_by(|a, b| b.cmp(a));
        let log_upto = connection
            .query_row("SELECT COALESCE(MAX(id), 0) FROM ingest_log", [], |r| {
                r.get(0)
            })
            .map_err(db_error)?;
        Ok(Self {
            series: pending.len(),
            pending,
            log_upto,
            log_bytes,
            cutoffs,
            slices: 0,
            started: Instant::now(),
        })
    }

    /// Bytes of the ingest log rows this checkpoint deletes when it completes.
    pub fn log_bytes(&self) -> u64 {
        self.log_bytes
    }

    /// Series dirty at the start.
    pub fn series(&self) -> usize {
        self.series
    }

    /// Slices committed so far.
    pub fn slices(&self) -> usize {
        self.slices
    }

    /// Milliseconds since the start.
    pub fn elapsed_ms(&self) -> u128 {
        self.started.elapsed().as_millis()
    }

    /// Writes and commits one slice; returns true when the checkpoint is complete
    /// (host rows written and the covered ingest log rows deleted).
    pub fn write_slice(
        &mut self,
        connection: &mut Connection,
        memory: &Mutex<Memory>,
        limits: SliceLimits,
    ) -> Result<bool, StoreError> {
        let started = Instant::now();
        let max_series = limits.max_series.max(1);
        let tx = connection.transaction().map_err(db_error)?;
        let mut written: Vec<SeriesFlush> = Vec::new();
        while !self.pending.is_empty()
            && written.len() < max_series
            && (written.is_empty() || started.elapsed() < limits.budget)
        {
            let take = COLLECT_BATCH
                .min(max_series - written.len())
                .min(self.pending.len());
            let ids = self.pending.split_off(self.pending.len() - take);
            let mut flushes = self.collect(&lock(memory), &ids)?;
            for flush in &mut flushes {
                write_series(&tx, flush)?;
            }
            written.append(&mut flushes);
        }
        let complete = self.pending.is_empty();
        let mut hosts = Vec::new();
        if complete {
            hosts = lock(memory)
                .hosts
                .values()
                .filter(|h| h.dirty)
                .cloned()
                .collect();
            for host in &hosts {
                write_host(&tx, host)?;
            }
            tx.execute("DELETE FROM ingest_log WHERE id <= ?1", [self.log_upto])
                .map_err(db_error)?;
        }
        tx.commit().map_err(db_error)?;
        self.slices += 1;
        mark_clean(&mut lock(memory), &written, &hosts);
        Ok(complete)
    }

    fn collect(&self, memory: &Memory, ids: &[i64]) -> Result<Vec<SeriesFlush>, StoreError> {
        ids.iter()
            .filter_map(|id| memory.series.get(id))
            .filter(|h| h.dirty || !h.persisted)
            .map(|head| series_flush(head, self.cutoffs))
            .collect()
    }
}
