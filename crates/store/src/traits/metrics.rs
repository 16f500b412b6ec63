//! Traits of the metrics side: samples, host state, agent and API-token accounts, and the
//! backend's lifecycle, bundled by [`Store`].

use crate::{
    AgentRecord, ApiToken, HostLatest, HostState, IngestOutcome, InstanceRecord, RangeQuery,
    RangeResult, RangeSize, StoreError, StoreStats,
};
use async_trait::async_trait;
use hostpulse_proto::IngestBatch;

/// Samples: durable ingest of validated batches and range reads.
///
/// `ingest` must make the batch durable before returning `Ok`, and treat a repeated
/// (instance, run, seq) as already stored ([`IngestOutcome::Duplicate`]).
#[async_trait]
pub trait SampleStore: Send + Sync + 'static {
    /// Stores a validated batch from `agent`. Returns once it is durable.
    async fn ingest(&self, agent: &str, batch: IngestBatch) -> Result<IngestOutcome, StoreError>;

    /// Like [`SampleStore::ingest`], with the gzip JSON body the batch was decoded from
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

    /// Samples of one metric of one host over a time range, at the resolution that fits
    /// `step_ms`.
    async fn query_range(&self, query: RangeQuery) -> Result<RangeResult, StoreError>;

    /// How large the answer to `query` can be, without reading any points: the series it
    /// matches and the buckets of each.
    async fn range_size(&self, query: &RangeQuery) -> Result<RangeSize, StoreError>;
}

/// What the hub knows of each host and of the agent instances that push for it.
#[async_trait]
pub trait HostStore: Send + Sync + 'static {
    /// Every known host with its facts and last-seen time, by name.
    async fn hosts(&self) -> Result<Vec<HostState>, StoreError>;

    /// One host's state, or `None` if unknown.
    async fn host(&self, name: &str) -> Result<Option<HostState>, StoreError>;

    /// Latest value of every series of a host, plus its snapshots.
    async fn latest(&self, host: &str) -> Result<Option<HostLatest>, StoreError>;

    /// Every instance seen of `agent`, oldest first.
    async fn instances(&self, agent: &str) -> Result<Vec<InstanceRecord>, StoreError>;
}

/// Registered agents and the hashes of their tokens.
#[async_trait]
pub trait AgentStore: Send + Sync + 'static {
    /// Registers an agent with the hash of its token. Fails with
    /// [`StoreError::Conflict`] if the name is taken.
    async fn add_agent(&self, name: &str, token_hash: &str) -> Result<AgentRecord, StoreError>;

    /// Every registered agent, revoked ones included, by name.
    async fn list_agents(&self) -> Result<Vec<AgentRecord>, StoreError>;

    /// Revokes an agent's token; returns false if there is no such agent.
    async fn revoke_agent(&self, name: &str) -> Result<bool, StoreError>;

    /// The active (not revoked) agent whose token hashes to `token_hash`.
    async fn agent_by_token_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<AgentRecord>, StoreError>;
}

/// Hashes of API tokens with their roles.
#[async_trait]
pub trait ApiTokenStore: Send + Sync + 'static {
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
}

/// Counters and shutdown of a backend.
#[async_trait]
pub trait StoreLifecycle: Send + Sync + 'static {
    /// Statistics for metrics and benchmarks.
    async fn stats(&self) -> Result<StoreStats, StoreError>;

    /// Flushes everything in memory to durable storage and stops background work; later
    /// writes fail with [`StoreError::Closed`].
    async fn shutdown(&self) -> Result<(), StoreError>;
}

/// Samples, host state, accounts and lifecycle of a backend. Implemented for every type
/// that implements the five traits.
pub trait Store: SampleStore + HostStore + AgentStore + ApiTokenStore + StoreLifecycle {}

impl<T> Store for T where
    T: SampleStore + HostStore + AgentStore + ApiTokenStore + StoreLifecycle + ?Sized
{
}
