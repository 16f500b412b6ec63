//! Value types exchanged with a [`crate::Store`].

use hostpulse_core::{CollectorError, HostFacts, Labels, ProcessSnapshot, UserSession};
use serde::{Deserialize, Serialize};

/// Storage failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(String),
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    #[error("{0} already exists")]
    Conflict(String),
    #[error("invalid query: {0}")]
    InvalidQuery(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("the store is shut down")]
    Closed,
    /// A configured limit would be exceeded (e.g. series per host).
    #[error("limit exceeded: {0}")]
    Limit(String),
    /// Another live agent instance or process sends on the same token.
    #[error("{0}")]
    InstanceConflict(String),
    /// A batch's seq jumps too far over its instance's last seq.
    #[error("{0}")]
    SeqStep(String),
}

/// Result of storing a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum IngestOutcome {
    /// Newly stored; `samples` samples written.
    Stored { samples: u64 },
    /// (agent, seq) was stored before; nothing was written.
    Duplicate,
}

/// What the hub knows of one host (keyed by the agent name).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HostState {
    /// Agent name the host pushes as; the host's key in the API.
    pub name: String,
    pub facts: Option<HostFacts>,
    pub first_seen_ms: i64,
    /// When the newest batch was received (the store's clock), Unix ms.
    pub last_seen_ms: i64,
    /// Collection interval the agent reported, milliseconds.
    pub interval_ms: u64,
    pub last_seq: u64,
    /// Latest error of each failing collector family (cleared when it recovers).
    pub collector_errors: Vec<CollectorError>,
}

/// One series' newest value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LatestSample {
    pub name: String,
    #[serde(default)]
    pub labels: Labels,
    pub value: f64,
    pub ts_ms: i64,
}

/// Newest values and snapshots of one host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HostLatest {
    pub host: HostState,
    pub samples: Vec<LatestSample>,
    pub processes: Option<ProcessSnapshot>,
    pub processes_ts_ms: Option<i64>,
    pub users: Option<Vec<UserSession>>,
    pub users_ts_ms: Option<i64>,
}

/// Which stored resolution answered a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    Raw,
    Minute,
    Hour,
}

/// A range read of one metric of one host.
#[derive(Debug, Clone, PartialEq)]
pub struct RangeQuery {
    pub host: String,
    pub metric: String,
    /// Only series whose labels include all of these.
    pub labels: Labels,
    pub start_ms: i64,
    pub end_ms: i64,
    /// Bucket width of the answer; also picks raw, minute or hour data.
    pub step_ms: i64,
}

/// Upper bounds of an answer to a [`RangeQuery`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RangeSize {
    /// Series the query matches.
    pub series: usize,
    /// Buckets of `step_ms` in the range, i.e. most points of one series.
    pub steps: usize,
}

impl RangeSize {
    /// Most points of the whole answer.
    pub fn points(&self) -> usize {
        self.series.saturating_mul(self.steps)
    }
}

/// One aggregated point: average, minimum and maximum over its bucket.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RangePoint {
    /// Start of the bucket, Unix epoch milliseconds.
    pub ts_ms: i64,
    pub avg: f64,
    pub min: f64,
    pub max: f64,
    /// Raw samples folded into this point.
    pub count: u64,
}

/// One series' points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeriesPoints {
    pub labels: Labels,
    pub points: Vec<RangePoint>,
}

/// Answer to a [`RangeQuery`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RangeResult {
    pub resolution: Resolution,
    pub series: Vec<SeriesPoints>,
}

/// One instance (installation) of an agent, as the hub last saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceRecord {
    pub instance_id: String,
    /// Host name the instance reported.
    pub hostname: String,
    /// The agent process that sent its newest batch.
    pub run_id: String,
    pub first_seen_ms: i64,
    pub last_seen_ms: i64,
    /// Highest seq stored for this instance.
    pub last_seq: u64,
    pub interval_ms: u64,
    /// The agent processes it was seen from, most recent few.
    #[serde(default)]
    pub runs: Vec<RunRecord>,
}

/// One agent process of an instance: seqs are deduplicated per run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunRecord {
    pub run_id: String,
    /// The run it said it replaced.
    pub previous_run_id: Option<String>,
    pub first_seen_ms: i64,
    pub last_seen_ms: i64,
    pub last_seq: u64,
}

/// A registered agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentRecord {
    pub name: String,
    pub created_ms: i64,
    pub revoked_ms: Option<i64>,
}

/// Store-wide counters.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StoreStats {
    pub series: u64,
    pub samples_ingested: u64,
    pub batches_ingested: u64,
    pub duplicate_batches: u64,
    /// Samples held in chunks on disk.
    pub samples_on_disk: u64,
    /// Bytes of all database files (main file plus WAL).
    pub disk_bytes: u64,
    /// Points (all resolutions) held in memory until the next checkpoint writes them.
    #[serde(default)]
    pub head_points: u64,
}
