//! [`SqliteStore`]: the embedded SQLite implementation of [`crate::Backend`] (opening,
//! the writer thread and the reader pool; the trait methods are in `sqlite_traits`).

use crate::memory::Memory;
use crate::readers::ReaderPool;
use crate::writer::{Command, Counters, Reply, Writer};
use crate::{SqliteOptions, StoreError, persist, schema};
use hostpulse_core::Clock;
use rusqlite::Connection;
use std::path::Path;
use std::sync::{Arc, Mutex, mpsc};
use std::thread::JoinHandle;
use tokio::sync::oneshot;

/// Time-series and metadata store in one SQLite file (see the crate README for the layout).
pub struct SqliteStore {
    sender: Mutex<Option<mpsc::Sender<Command>>>,
    writer_thread: Mutex<Option<JoinHandle<()>>>,
    pub(crate) memory: Arc<Mutex<Memory>>,
    pub(crate) readers: Arc<ReaderPool>,
    pub(crate) counters: Arc<Counters>,
    pub(crate) options: SqliteOptions,
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

    pub(crate) fn join_writer(&self) {
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
