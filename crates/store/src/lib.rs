//! Storage for hostpulse: the [`Store`] trait every backend implements, and the
//! embedded SQLite backend used by default ([`SqliteStore`]).

mod accounts;
mod alerts;
mod checkpoint;
mod checkpoint_run;
pub mod codec;
mod head;
mod head_state;
mod instances;
mod maintenance;
mod memory;
mod options;
mod persist;
mod query;
mod readers;
mod rows;
mod schema;
mod series_index;
mod sqlite;
mod tier_head;
mod types;
mod writer;

pub use accounts::ApiToken;
pub use alerts::*;
pub use instances::{format_utc, is_live, live_window_ms};
pub use options::SqliteOptions;
pub use sqlite::SqliteStore;
pub use types::*;

use async_trait::async_trait;
use hostpulse_proto::IngestBatch;

/// A storage backend: samples, host state and agent credentials.
///
/// Implementations must make `ingest` durable before returning `Ok`, and treat a
/// repeated (agent, seq) as already stored.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Stores a validated batch from `agent`. Returns once it is durable.
    async fn ingest(&self, agent: &str, batch: IngestBatch) -> Result<IngestOutcome, StoreError>;

    /// Like [`Store::ingest`], with the gzip JSON body the batch was decoded from
    /// (`hostpulse_proto::decode_batch(body, true, ..)` gives exactly `batch`), which a
    /// backend may keep instead of encoding the batch again. By default it is ignored.
    async fn ingest_encoded(
        &self,
        agent: &str,
        batch: IngestBatch,
        gzip_json: Vec<u8>,
    ) -> Result<IngestOutcome, StoreError> {
        drop(gzip_json);
        self.ingest(agent, batch).await
    }

    /// Every known host with its facts and last-seen time (served from memory).
    async fn hosts(&self) -> Result<Vec<HostState>, StoreError>;

    /// One host's state, or `None` if unknown.
    async fn host(&self, name: &str) -> Result<Option<HostState>, StoreError>;

    /// Latest value of every series of a host, plus its snapshots (served from memory).
    async fn latest(&self, host: &str) -> Result<Option<HostLatest>, StoreError>;

    /// Samples of one metric of one host over a time range, at the resolution that fits `step_ms`.
    async fn query_range(&self, query: RangeQuery) -> Result<RangeResult, StoreError>;

    /// How large the answer to `query` can be, without reading any points: the series it
    /// matches and the buckets of each.
    async fn range_size(&self, query: &RangeQuery) -> Result<RangeSize, StoreError>;

    /// Registers an agent with the hash of its token. Fails if the name is taken.
    async fn add_agent(&self, name: &str, token_hash: &str) -> Result<AgentRecord, StoreError>;

    /// Every registered agent, revoked ones included.
    async fn list_agents(&self) -> Result<Vec<AgentRecord>, StoreError>;

    /// Every instance seen of `agent`, oldest first (served from memory).
    async fn instances(&self, agent: &str) -> Result<Vec<InstanceRecord>, StoreError>;

    /// Revokes an agent's token; returns false if there is no such agent.
    async fn revoke_agent(&self, name: &str) -> Result<bool, StoreError>;

    /// The active (not revoked) agent whose token hashes to `token_hash`.
    async fn agent_by_token_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<AgentRecord>, StoreError>;

    /// Stores the hash of an API token with its role (e.g. the admin token on first start).
    async fn add_api_token(
        &self,
        name: &str,
        token_hash: &str,
        role: &str,
    ) -> Result<(), StoreError>;

    /// The role of the API token hashing to `token_hash`, if any.
    async fn api_token_role(&self, token_hash: &str) -> Result<Option<String>, StoreError>;

    /// Name and role of the API token hashing to `token_hash`, if any.
    async fn api_token(&self, token_hash: &str) -> Result<Option<ApiToken>, StoreError>;

    /// Statistics for metrics and benchmarks.
    async fn stats(&self) -> Result<StoreStats, StoreError>;

    /// Flushes everything in memory to disk and stops background work.
    async fn shutdown(&self) -> Result<(), StoreError>;
}

#[cfg(test)]
mod slice_tests;
#[cfg(test)]
mod tests;
