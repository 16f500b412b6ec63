//! The single writer thread: group commit of ingest requests, checkpoints,
//! retention and the other writes, all on one connection.

use crate::checkpoint_run::CheckpointRun;
use crate::instances::{Admission, admit, record};
use crate::memory::Memory;
use crate::schema::db_error;
use crate::{AgentRecord, IngestOutcome, InstanceRecord, SqliteOptions, StoreError};
use hostpulse_core::{Clock, SeriesKey};
use hostpulse_proto::IngestBatch;
use rusqlite::{Connection, params};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::oneshot;

/// Most commands taken from the queue for one group commit.
const MAX_GROUP: usize = 4096;

pub type Reply<T> = oneshot::Sender<Result<T, StoreError>>;

/// One request to the writer.
pub enum Command {
    Ingest(Box<IngestRequest>),
    AddAgent {
        name: String,
        token_hash: String,
        reply: Reply<AgentRecord>,
    },
    RevokeAgent {
        name: String,
        reply: Reply<bool>,
    },
    AddApiToken {
        name: String,
        token_hash: String,
        role: String,
        reply: Reply<()>,
    },
    Checkpoint(Reply<()>),
    Retention(Reply<()>),
    Shutdown(Reply<()>),
    /// Runs other writes (e.g. alert state) on the writer connection, between ingest commits.
    Run(Box<dyn FnOnce(&mut Connection) + Send>),
    /// Stops without a checkpoint, as a crash would.
    #[cfg(test)]
    Halt,
    /// Starts a checkpoint if none runs, writes at most `slices` slices of it, then
    /// stops as a crash would.
    #[cfg(test)]
    HaltMidCheckpoint {
        slices: usize,
    },
}

/// A batch to store, with its ingest log body already encoded by the caller.
pub struct IngestRequest {
    pub agent: String,
    /// Shared with the caller, which frees it after the reply.
    pub batch: Arc<IngestBatch>,
    pub body: Vec<u8>,
    pub reply: Reply<IngestOutcome>,
}

/// Counters shared with [`crate::SqliteStore::stats`].
#[derive(Debug, Default)]
pub struct Counters {
    pub samples_ingested: AtomicU64,
    pub batches_ingested: AtomicU64,
    pub duplicate_batches: AtomicU64,
}

/// Locks memory, recovering the data if a panicking thread poisoned the lock.
pub fn lock(memory: &Mutex<Memory>) -> MutexGuard<'_, Memory> {
    memory
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

enum Decision {
    Store,
    Duplicate,
    Refused(String),
    /// Refused by the instance rules (409 or 422).
    Rejected(StoreError),
}

/// State owned by the writer thread.
pub struct Writer {
    pub connection: Connection,
    pub memory: Arc<Mutex<Memory>>,
    pub options: SqliteOptions,
    pub clock: Arc<dyn Clock>,
    pub counters: Arc<Counters>,
    pub last_checkpoint_ms: i64,
    pub next_retention_ms: i64,
    pub retention_pending: bool,
    /// Bytes of the bodies in the ingest log.
    pub log_bytes: u64,
    pub checkpoint_run: Option<CheckpointRun>,
}

impl Writer {
    /// Serves commands until shutdown or until every sender is gone.
    pub fn run(mut self, receiver: Receiver<Command>) {
        let idle_poll = Duration::from_millis(self.options.checkpoint_interval_ms.clamp(10, 1000));
        loop {
            // While a checkpoint runs, its slices go between commands without waiting.
            let poll = match self.checkpoint_run {
                Some(_) => Duration::ZERO,
                None => idle_poll,
            };
            match receiver.recv_timeout(poll) {
                Ok(first) => {
                    let mut commands = vec![first];
                    commands.extend(receiver.try_iter().take(MAX_GROUP));
                    if !self.handle(commands) {
                        return;
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => {
                    self.final_checkpoint();
                    return;
                }
            }
            self.maintenance();
        }
    }

    /// Handles a drained group; returns false when the writer must stop.
    fn handle(&mut self, commands: Vec<Command>) -> bool {
        let mut ingests = Vec::new();
        let mut others = Vec::new();
        for command in commands {
            match command {
                Command::Ingest(request) => ingests.push(*request),
                other => others.push(other),
            }
        }
        if !ingests.is_empty() {
            self.ingest_group(ingests);
        }
        for command in others {
            if !self.handle_other(command) {
                return false;
            }
        }
        true
    }

    fn handle_other(&mut self, command: Command) -> bool {
        match command {
            Command::Ingest(request) => self.ingest_group(vec![*request]),
            Command::AddAgent {
                name,
                token_hash,
                reply,
            } => {
                let _ = reply.send(self.add_agent(&name, &token_hash));
            }
            Command::RevokeAgent { name, reply } => {
                let _ = reply.send(self.revoke_agent(&name));
            }
            Command::AddApiToken {
                name,
                token_hash,
                role,
                reply,
            } => {
                let _ = reply.send(self.add_api_token(&name, &token_hash, &role));
            }
            Command::Checkpoint(reply) => {
                let _ = reply.send(self.checkpoint());
            }
            Command::Retention(reply) => {
                let _ = reply.send(self.retention_to_end());
            }
            Command::Run(work) => work(&mut self.connection),
            Command::Shutdown(reply) => {
                let result = self.checkpoint().and_then(|()| self.truncate_wal());
                let _ = reply.send(result);
                return false;
            }
            #[cfg(test)]
            Command::Halt => return false,
            #[cfg(test)]
            Command::HaltMidCheckpoint { slices } => {
                if let Err(error) = self.checkpoint_slices(slices) {
                    tracing::error!(%error, "checkpoint slices failed");
                }
                return false;
            }
        }
        true
    }

    fn ingest_group(&mut self, requests: Vec<IngestRequest>) {
        let now_ms = self.clock.now_ms();
        let decisions = self.decide(&requests, now_ms);
        let written = self.write_log(&requests, &decisions, now_ms);
        if let Ok(bytes) = written {
            self.log_bytes += bytes;
            let mut memory = lock(&self.memory);
            for (request, decision) in requests.iter().zip(&decisions) {
                if matches!(decision, Decision::Store) {
                    memory.apply(&request.agent, &request.batch, now_ms);
                }
            }
        }
        for (request, decision) in requests.into_iter().zip(decisions) {
            let IngestRequest { batch, reply, .. } = request;
            let samples = batch.sample_count() as u64;
            // The caller holds the other reference, so the batch is freed on its thread.
            drop(batch);
            let outcome = match (&written, decision) {
                (_, Decision::Duplicate) => {
                    self.counters
                        .duplicate_batches
                        .fetch_add(1, Ordering::Relaxed);
                    Ok(IngestOutcome::Duplicate)
                }
                (_, Decision::Refused(reason)) => Err(StoreError::Limit(reason)),
                (_, Decision::Rejected(error)) => Err(error),
                (Err(error), Decision::Store) => Err(StoreError::Database(error.to_string())),
                (Ok(_), Decision::Store) => {
                    self.counters
                        .samples_ingested
                        .fetch_add(samples, Ordering::Relaxed);
                    self.counters
                        .batches_ingested
                        .fetch_add(1, Ordering::Relaxed);
                    Ok(IngestOutcome::Stored { samples })
                }
            };
            let _ = reply.send(outcome);
        }
    }

    /// Instance, dedup and series-limit checks, in queue order, seeing earlier requests of
    /// the group.
    fn decide(&self, requests: &[IngestRequest], now_ms: i64) -> Vec<Decision> {
        let memory = lock(&self.memory);
        let mut instances: HashMap<&str, Vec<InstanceRecord>> = HashMap::new();
        let mut pending: HashMap<&str, HashSet<SeriesKey>> = HashMap::new();
        let limit = self.options.max_series_per_host;
        let mut decisions = Vec::with_capacity(requests.len());
        for request in requests {
            let agent = request.agent.as_str();
            let known = instances
                .entry(agent)
                .or_insert_with(|| memory.instances(agent).to_vec());
            let rejected = match admit(agent, known, &request.batch, now_ms) {
                Admission::Store => None,
                Admission::Duplicate => Some(Decision::Duplicate),
                Admission::Conflict(why) => {
                    Some(Decision::Rejected(StoreError::InstanceConflict(why)))
                }
                Admission::SeqStep(why) => Some(Decision::Rejected(StoreError::SeqStep(why))),
            };
            if let Some(decision) = rejected {
                decisions.push(decision);
                continue;
            }
            let new_keys = pending.entry(agent).or_default();
            let known = memory.series_count(agent) + new_keys.len();
            if known + request.batch.sample_count() > limit {
                let fresh = memory.new_series_keys(agent, &request.batch, new_keys);
                if known + fresh.len() > limit {
                    let reason = format!(
                        "host {agent:?} has {known} series and this batch adds {} new ones, \
                         beyond the limit of {limit} series per host (ingest.max_series_per_host); \
                         nothing of it was stored",
                        fresh.len()
                    );
                    decisions.push(Decision::Refused(reason));
                    continue;
                }
                new_keys.extend(fresh);
            }
            if let Some(known) = instances.get_mut(agent) {
                record(known, &request.batch, now_ms);
            }
            decisions.push(Decision::Store);
        }
        decisions
    }

    fn write_log(
        &mut self,
        requests: &[IngestRequest],
        decisions: &[Decision],
        now_ms: i64,
    ) -> Result<u64, StoreError> {
        if !decisions.iter().any(|d| matches!(d, Decision::Store)) {
            return Ok(0);
        }
        let mut bytes = 0;
        let tx = self.connection.transaction().map_err(db_error)?;
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO ingest_log (agent, seq, received_ms, body) VALUES (?1, ?2, ?3, ?4)",
                )
                .map_err(db_error)?;
            for (request, decision) in requests.iter().zip(decisions) {
                if matches!(decision, Decision::Store) {
                    let seq = request.batch.seq as i64;
                    insert
                        .execute(params![request.agent, seq, now_ms, request.body])
                        .map_err(db_error)?;
                    bytes += request.body.len() as u64;
                }
            }
        }
        tx.commit().map_err(db_error)?;
        Ok(bytes)
    }
}
