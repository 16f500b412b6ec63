//! Configuration of the SQLite backend.

use std::path::PathBuf;

const DAY_MS: i64 = 24 * 3600 * 1000;

/// Options for [`crate::SqliteStore::open`].
#[derive(Debug, Clone, PartialEq)]
pub struct SqliteOptions {
    /// Database file, e.g. `DATA_DIR/hostpulse.db`.
    pub path: PathBuf,
    /// Fsync on every group commit (`synchronous=FULL`); `false` uses `NORMAL`.
    pub synchronous_full: bool,
    /// How often head chunks are flushed to chunk rows, milliseconds.
    pub checkpoint_interval_ms: u64,
    /// How long raw samples are kept, milliseconds.
    pub retention_raw_ms: i64,
    /// How long 1-minute rollups are kept, milliseconds.
    pub retention_minute_ms: i64,
    /// How long 1-hour rollups are kept, milliseconds.
    pub retention_hour_ms: i64,
    /// Most series one host may have; a batch that would create more is refused.
    pub max_series_per_host: usize,
    /// A checkpoint also starts once the ingest log holds this many bytes, so that the
    /// log (and the free pages it leaves) stays bounded under heavy ingest.
    pub checkpoint_log_bytes: u64,
    /// A checkpoint is written in slices committed between ingest groups; a slice
    /// stops taking series after this many milliseconds.
    pub checkpoint_slice_ms: u64,
    /// Most series written by one checkpoint slice.
    pub checkpoint_slice_series: usize,
}

impl SqliteOptions {
    /// Default options for a database at `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            ..Self::default()
        }
    }
}

impl Default for SqliteOptions {
    fn default() -> Self {
        Self {
            path: PathBuf::from("hostpulse.db"),
            synchronous_full: true,
            checkpoint_interval_ms: 60_000,
            retention_raw_ms: 7 * DAY_MS,
            retention_minute_ms: 90 * DAY_MS,
            retention_hour_ms: 730 * DAY_MS,
            max_series_per_host: 20_000,
            checkpoint_log_bytes: 8 << 20,
            checkpoint_slice_ms: 40,
            checkpoint_slice_series: 4096,
        }
    }
}
