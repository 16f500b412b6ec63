//! The metrics-side traits ([`crate::Store`]) for [`SqliteStore`]: ingest and account
//! writes go through the writer thread, host state comes from the in-memory head, range
//! reads and account lookups run on the reader pool.

use crate::head::Tier;
use crate::traits::{AgentStore, ApiTokenStore, HostStore, SampleStore, StoreLifecycle};
use crate::writer::{Command, IngestRequest, lock};
use crate::{
    AgentRecord, ApiToken, HostLatest, HostState, IngestOutcome, InstanceRecord, RangeQuery,
    RangeResult, RangeSize, SqliteStore, StoreError, StoreStats, accounts, query, rows, schema,
};
use async_trait::async_trait;
use hostpulse_proto::IngestBatch;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;

fn database_bytes(path: &Path) -> u64 {
    ["", "-wal", "-shm"]
        .iter()
        .map(|suffix| {
            let mut name = path.as_os_str().to_owned();
            name.push(suffix);
            std::fs::metadata(PathBuf::from(name)).map_or(0, |m| m.len())
        })
        .sum()
}

#[async_trait]
impl SampleStore for SqliteStore {
    async fn ingest(&self, agent: &str, batch: IngestBatch) -> Result<IngestOutcome, StoreError> {
        let body = rows::encode_log_body(&batch);
        self.ingest_encoded(agent, batch, body).await
    }

    /// Keeps `gzip_json` as the batch's ingest log body instead of encoding it again.
    async fn ingest_encoded(
        &self,
        agent: &str,
        batch: IngestBatch,
        gzip_json: Vec<u8>,
    ) -> Result<IngestOutcome, StoreError> {
        let body = gzip_json;
        let agent = agent.to_string();
        let batch = Arc::new(batch);
        let shared = batch.clone();
        let outcome = self
            .request(|reply| {
                Command::Ingest(Box::new(IngestRequest {
                    agent,
                    batch: shared,
                    body,
                    reply,
                }))
            })
            .await;
        drop(batch);
        outcome
    }

    async fn query_range(&self, range: RangeQuery) -> Result<RangeResult, StoreError> {
        query::validate(&range)?;
        let tier: Tier = query::choose_tier(&range, self.clock.now_ms(), &self.options);
        let snapshots = query::snapshot(&lock(&self.memory), &range, tier);
        self.read(move |connection| query::run(connection, &range, tier, snapshots))
            .await
    }

    async fn range_size(&self, range: &RangeQuery) -> Result<RangeSize, StoreError> {
        query::validate(range)?;
        Ok(query::size(&lock(&self.memory), range))
    }
}

#[async_trait]
impl HostStore for SqliteStore {
    async fn hosts(&self) -> Result<Vec<HostState>, StoreError> {
        let memory = lock(&self.memory);
        let mut hosts: Vec<HostState> = memory.hosts.values().map(|h| h.state.clone()).collect();
        hosts.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(hosts)
    }

    async fn host(&self, name: &str) -> Result<Option<HostState>, StoreError> {
        Ok(lock(&self.memory).hosts.get(name).map(|h| h.state.clone()))
    }

    async fn latest(&self, host: &str) -> Result<Option<HostLatest>, StoreError> {
        Ok(lock(&self.memory).latest(host))
    }

    async fn instances(&self, agent: &str) -> Result<Vec<InstanceRecord>, StoreError> {
        Ok(lock(&self.memory).instances(agent).to_vec())
    }
}

#[async_trait]
impl AgentStore for SqliteStore {
    async fn add_agent(&self, name: &str, token_hash: &str) -> Result<AgentRecord, StoreError> {
        let (name, token_hash) = (name.to_string(), token_hash.to_string());
        self.request(|reply| Command::AddAgent {
            name,
            token_hash,
            reply,
        })
        .await
    }

    async fn list_agents(&self) -> Result<Vec<AgentRecord>, StoreError> {
        self.read(accounts::list_agents).await
    }

    async fn revoke_agent(&self, name: &str) -> Result<bool, StoreError> {
        let name = name.to_string();
        self.request(|reply| Command::RevokeAgent { name, reply })
            .await
    }

    async fn agent_by_token_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<AgentRecord>, StoreError> {
        let token_hash = token_hash.to_string();
        self.read(move |c| accounts::agent_by_token_hash(c, &token_hash))
            .await
    }
}

#[async_trait]
impl ApiTokenStore for SqliteStore {
    async fn add_api_token(
        &self,
        name: &str,
        token_hash: &str,
        role: &str,
    ) -> Result<(), StoreError> {
        let (name, token_hash, role) = (name.to_string(), token_hash.to_string(), role.to_string());
        self.request(|reply| Command::AddApiToken {
            name,
            token_hash,
            role,
            reply,
        })
        .await
    }

    async fn api_token_role(&self, token_hash: &str) -> Result<Option<String>, StoreError> {
        let token_hash = token_hash.to_string();
        self.read(move |c| accounts::api_token_role(c, &token_hash))
            .await
    }

    async fn api_token(&self, token_hash: &str) -> Result<Option<ApiToken>, StoreError> {
        let token_hash = token_hash.to_string();
        self.read(move |c| accounts::api_token(c, &token_hash))
            .await
    }
}

#[async_trait]
impl StoreLifecycle for SqliteStore {
    async fn stats(&self) -> Result<StoreStats, StoreError> {
        let (series, head_points) = {
            let memory = lock(&self.memory);
            let points = memory.series.values().map(|h| h.points_in_memory() as u64);
            (memory.series.len() as u64, points.sum())
        };
        let samples_on_disk: i64 = self
            .read(|c| {
                c.query_row(
                    "SELECT COALESCE(SUM(count), 0) FROM chunks WHERE resolution = 0",
                    [],
                    |r| r.get(0),
                )
                .map_err(schema::db_error)
            })
            .await?;
        Ok(StoreStats {
            series,
            samples_ingested: self.counters.samples_ingested.load(Ordering::Relaxed),
            batches_ingested: self.counters.batches_ingested.load(Ordering::Relaxed),
            duplicate_batches: self.counters.duplicate_batches.load(Ordering::Relaxed),
            samples_on_disk: samples_on_disk as u64,
            disk_bytes: database_bytes(&self.options.path),
            head_points,
        })
    }

    async fn shutdown(&self) -> Result<(), StoreError> {
        let result = match self.request(Command::Shutdown).await {
            Err(StoreError::Closed) => Ok(()),
            other => other,
        };
        self.join_writer();
        result
    }
}
