//! Value types exchanged with a [`crate::Store`].

use hostpulse_core::{CollectorError, HostFacts, Labels, ProcessSnapshot, UserSession};
use serde::{Deserialize, Serialize};

/// Storage failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database refused or failed an operation (also a failed blocking task); the
    /// text is the database's message.
    #[error("database error: {0}")]
    Database(String),
    /// Reading or writing a file of the store failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// A record with the same unique name or token already exists; the text names it.
    #[error("{0} already exists")]
    Conflict(String),
    /// A request that cannot be answered: a range that is empty or reversed, a step that is
    /// not positive or gives too many points per series, a bad alert change; the text says
    /// which.
    #[error("invalid query: {0}")]
    InvalidQuery(String),
    /// Stored bytes or JSON could not be decoded; the text says which.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// The store was shut down; no further operation is possible.
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
    Stored {
        /// Samples written (over all frames of the batch).
        samples: u64,
    },
    /// (agent, seq) was stored before; nothing was written.
    Duplicate,
}

/// What the hub knows of one host (keyed by the agent name).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HostState {
    /// Agent name the host pushes as; the host's key in the API.
    pub name: String,
    /// Latest host facts (OS, kernel, CPU, memory, ...) the agent sent; `None` until a batch
    /// carried them.
    pub facts: Option<HostFacts>,
    /// When the first batch from this agent was received (the store's clock), Unix ms.
    pub first_seen_ms: i64,
    /// When the newest batch was received (the store's clock), Unix ms.
    pub last_seen_ms: i64,
    /// Collection interval the agent reported, milliseconds.
    pub interval_ms: u64,
    /// Seq of the newest batch stored for the host (of whichever instance sent it).
    pub last_seq: u64,
    /// Latest error of each failing collector family (cleared when it recovers).
    pub collector_errors: Vec<CollectorError>,
}

/// One series' newest value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LatestSample {
    /// Metric name, e.g. `cpu.usage_percent`.
    pub name: String,
    /// The series' labels (empty for a series without labels).
    #[serde(default)]
    pub labels: Labels,
    /// The newest sample's value, in the metric's unit.
    pub value: f64,
    /// When the newest sample was collected (the agent's frame time), Unix ms.
    pub ts_ms: i64,
}

/// Newest values and snapshots of one host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HostLatest {
    /// The host's state.
    pub host: HostState,
    /// The newest value of every series of the host.
    pub samples: Vec<LatestSample>,
    /// The newest process snapshot; `None` until a frame carried one.
    pub processes: Option<ProcessSnapshot>,
    /// Frame time of [`Self::processes`], Unix ms; `None` when there is none.
    pub processes_ts_ms: Option<i64>,
    /// The newest list of logged-in user sessions; `None` until a frame carried one.
    pub users: Option<Vec<UserSession>>,
    /// Frame time of [`Self::users`], Unix ms; `None` when there is none.
    pub users_ts_ms: Option<i64>,
}

/// Which stored resolution answered a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    /// Samples as received.
    Raw,
    /// One-minute rollups (min, max, sum, count per minute).
    Minute,
    /// One-hour rollups (min, max, sum, count per hour).
    Hour,
}

/// A range read of one metric of one host.
#[derive(Debug, Clone, PartialEq)]
pub struct RangeQuery {
    /// Agent name of the host.
    pub host: String,
    /// Metric name, e.g. `cpu.usage_percent`.
    pub metric: String,
    /// Only series whose labels include all of these.
    pub labels: Labels,
    /// Start of the range (inclusive), Unix ms.
    pub start_ms: i64,
    /// End of the range (exclusive), Unix ms.
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
    /// Mean of the samples in the bucket.
    pub avg: f64,
    /// Smallest sample in the bucket.
    pub min: f64,
    /// Largest sample in the bucket.
    pub max: f64,
    /// Raw samples folded into this point.
    pub count: u64,
}

/// One series' points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeriesPoints {
    /// The series' labels.
    pub labels: Labels,
    /// Non-empty buckets in time order.
    pub points: Vec<RangePoint>,
}

/// Answer to a [`RangeQuery`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RangeResult {
    /// The stored resolution the points were folded from.
    pub resolution: Resolution,
    /// Every matching series that has points in the range.
    pub series: Vec<SeriesPoints>,
}

/// One instance (installation) of an agent, as the hub last saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceRecord {
    /// Random id of the agent installation, made once and kept beside its spool.
    pub instance_id: String,
    /// Host name the instance reported.
    pub hostname: String,
    /// The agent process that sent its newest batch.
    pub run_id: String,
    /// When its first batch was received (the store's clock), Unix ms.
    pub first_seen_ms: i64,
    /// When its newest batch was received (the store's clock), Unix ms.
    pub last_seen_ms: i64,
    /// Highest seq stored for this instance.
    pub last_seq: u64,
    /// Collection interval it reported last, milliseconds.
    pub interval_ms: u64,
    /// The agent processes it was seen from, most recent few.
    #[serde(default)]
    pub runs: Vec<RunRecord>,
}

/// One agent process of an instance: seqs are deduplicated per run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunRecord {
    /// Random id of the agent process.
    pub run_id: String,
    /// The run it said it replaced; `None` for the first run on a spool directory.
    pub previous_run_id: Option<String>,
    /// When its first batch was received (the store's clock), Unix ms.
    pub first_seen_ms: i64,
    /// When its newest batch was received (the store's clock), Unix ms.
    pub last_seen_ms: i64,
    /// Highest seq stored from this run.
    pub last_seq: u64,
}

/// A registered agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentRecord {
    /// The agent's name, which is also its host's name.
    pub name: String,
    /// When it was registered (the store's clock), Unix ms.
    pub created_ms: i64,
    /// When its token was revoked, Unix ms; `None` while it is valid.
    pub revoked_ms: Option<i64>,
}

/// Store-wide counters.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StoreStats {
    /// Series known to the store (all hosts).
    pub series: u64,
    /// Samples stored since the store was opened.
    pub samples_ingested: u64,
    /// Batches stored since the store was opened (duplicates not counted).
    pub batches_ingested: u64,
    /// Batches answered as duplicates since the store was opened.
    pub duplicate_batches: u64,
    /// Samples held in chunks on disk.
    pub samples_on_disk: u64,
    /// Bytes of all database files (main file plus WAL).
    pub disk_bytes: u64,
    /// Points (all resolutions) held in memory until the next checkpoint writes them.
    #[serde(default)]
    pub head_points: u64,
}
