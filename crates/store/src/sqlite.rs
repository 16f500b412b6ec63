//! [`SqliteStore`]: the embedded SQLite implementation of [`Store`].

use crate::head::Tier;
use crate::memory::Memory;
use crate::readers::ReaderPool;
use crate::writer::{Command, Counters, IngestRequest, Reply, Writer, lock};
use crate::{
    AgentRecord, ApiToken, HostLatest, HostState, IngestOutcome, InstanceRecord, RangeQuery,
    RangeResult, RangeSize, SqliteOptions, Store, StoreError, StoreStats, accounts, persist, query,
    rows, schema,
};
use async_trait::async_trait;
use hostpulse_core::Clock;
use hostpulse_proto::IngestBatch;
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, mpsc};
use std::thread::JoinHandle;
use tokio::sync::oneshot;

/// Time-series and metadata store in one SQLite file (see the crate README for the layout).
pub struct SqliteStore {
    sender: Mutex<Option<mpsc::Sender<Command>>>,
    writer_thread: Mutex<Option<JoinHandle<()>>>,
    memory: Arc<Mutex<Memory>>,
    readers: Arc<ReaderPool>,
    counters: Arc<Counters>,
    options: SqliteOptions,
    pub(crate) clock: Arc<dyn Clock>,
}

fn join_error(error: tokio::task::JoinError) -> StoreError {
    StoreError::Database(format!("blocking task failed: {error}"))
}

impl SqliteStore {
    /// Opens (or creates) the database, loads heads and replays the ingest log.
    pub async fn open(
        options: SqliteOptions,
        clock: Arc<dyn Clock>,
    ) -> Result<Arc<SqliteStore>, StoreError> {
        tokio::task::spawn_blocking(move || Self::open_blocking(options, clock))
            .await
            .map_err(join_error)?
    }

    fn open_blocking(
        options: SqliteOptions,
        clock: Arc<dyn Clock>,
    ) -> Result<Arc<Self>, StoreError> {
        if let Some(parent) = options.path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)?;
        }
        let connection = schema::connect(&options.path, options.synchronous_full)?;
        schema::create(&connection)?;
        let mut memory = Memory::default();
        let log_bytes = persist::load(&connection, &mut memory)?;
        let memory = Arc::new(Mutex::new(memory));
        let counters = Arc::new(Counters::default());
        let now_ms = clock.now_ms();
        let writer = Writer {
            connection,
            memory: memory.clone(),
            options: options.clone(),
            clock: clock.clone(),
            counters: counters.clone(),
            last_checkpoint_ms: now_ms,
            next_retention_ms: now_ms,
            retention_pending: false,
            log_bytes,
            checkpoint_run: None,
        };
        let (sender, receiver) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("hostpulse-store-writer".into())
            .spawn(move || writer.run(receiver))?;
        Ok(Arc::new(Self {
            sender: Mutex::new(Some(sender)),
            writer_thread: Mutex::new(Some(thread)),
            memory,
            readers: Arc::new(ReaderPool::new(options.path.clone())),
            counters,
            options,
            clock,
        }))
    }

    /// Path of the database file.
    pub fn path(&self) -> &Path {
        &self.options.path
    }

    /// Flushes head chunks and host state to disk now (normally periodic).
    pub async fn checkpoint(&self) -> Result<(), StoreError> {
        self.request(Command::Checkpoint).await
    }

    /// Deletes every chunk past retention now (normally periodic, in small steps).
    pub async fn run_retention(&self) -> Result<(), StoreError> {
        self.request(Command::Retention).await
    }

    fn send(&self, command: Command) -> Result<(), StoreError> {
        let sender = self
            .sender
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let sender = sender.as_ref().ok_or(StoreError::Closed)?;
        sender.send(command).map_err(|_| StoreError::Closed)
    }

    pub(crate) async fn request<T>(
        &self,
        make: impl FnOnce(Reply<T>) -> Command,
    ) -> Result<T, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.send(make(reply))?;
        answer.await.map_err(|_| StoreError::Closed)?
    }

    pub(crate) async fn read<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let readers = self.readers.clone();
        tokio::task::spawn_blocking(move || readers.with(work))
            .await
            .map_err(join_error)?
    }

    fn join_writer(&self) {
        self.sender
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        let thread = self
            .writer_thread
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(thread) = thread {
            let _ = thread.join();
        }
    }

    /// Stops the writer without a checkpoint, as a crash would.
    #[cfg(test)]
    pub(crate) async fn halt(self: &Arc<Self>) {
        let _ = self.send(Command::Halt);
        let store = self.clone();
        let _ = tokio::task::spawn_blocking(move || store.join_writer()).await;
    }

    /// Starts a checkpoint, writes `slices` slices of it, then stops as a crash would.
    #[cfg(test)]
    pub(crate) async fn halt_mid_checkpoint(self: &Arc<Self>, slices: usize) {
        let _ = self.send(Command::HaltMidCheckpoint { slices });
        let store = self.clone();
        let _ = tokio::task::spawn_blocking(move || store.join_writer()).await;
    }
}

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
impl Store for SqliteStore {
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

    async fn instances(&self, agent: &str) -> Result<Vec<InstanceRecord>, StoreError> {
        Ok(lock(&self.memory).instances(agent).to_vec())
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
