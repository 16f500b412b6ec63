//! The hub's application services: the one place that runs ingest and every state-changing
//! operation (acknowledgements, silences, reloads, notification requeues, test messages,
//! agent registration), checks the actor's role for it and writes its audit record.
//! The HTTP API, the Telegram bot, the local agent of `hostpulse up` and SIGHUP call it.

mod action;
mod actor;
mod admin;
mod agents;
mod alerts;
mod audit;
pub mod commands;
mod error;
mod heal;
pub mod host_names;
mod ingest;
mod known_names;
mod silences;
pub mod tokens;
pub mod view;

pub use action::{Action, Operation};
pub use actor::{Actor, role_named};
pub use agents::{CreatedAgent, validate_agent_name};
pub use error::{IngestError, ServiceError};
pub use known_names::KnownNames;
pub use silences::{CreateSilence, MAX_SILENCE_MS, new_silence_id};
pub use view::{HostSummary, HostView};

use commands::{CommandQueue, QueueLimits};
use hostpulse_config::ActionsConfig;
use hostpulse_core::Clock;
use hostpulse_engine::Engine;
use hostpulse_proto::Limits;
use hostpulse_store::{AlertStore, Store};
use std::sync::Arc;

/// Longest comment of an acknowledgement or a silence, characters.
pub const MAX_COMMENT: usize = 1024;

/// The hub's services over its stores, clock and (when alerting runs) alert engine.
/// Cheap to share behind an `Arc`; it holds no state of its own.
#[derive(Clone)]
pub struct Service {
    store: Arc<dyn Store>,
    alert_store: Option<Arc<dyn AlertStore>>,
    engine: Option<Arc<Engine>>,
    clock: Arc<dyn Clock>,
    batch_limits: Limits,
    commands: Arc<CommandQueue>,
    actions: Arc<ActionsConfig>,
}

impl Service {
    /// Services over the metrics store only: ingest and agents work, alerting answers
    /// `Unavailable`.
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Self {
        Self {
            store,
            alert_store: None,
            engine: None,
            commands: Arc::new(CommandQueue::new(clock.clone(), QueueLimits::default())),
            clock,
            batch_limits: Limits::default(),
            actions: Arc::default(),
        }
    }

    /// Adds the alert engine and the alerting store behind it.
    pub fn with_alerting(mut self, engine: Arc<Engine>, alert_store: Arc<dyn AlertStore>) -> Self {
        self.engine = Some(engine);
        self.alert_store = Some(alert_store);
        self
    }

    /// Adds only the alerting store: silences and audit records work without the engine.
    pub fn with_alert_store(mut self, alert_store: Arc<dyn AlertStore>) -> Self {
        self.alert_store = Some(alert_store);
        self
    }

    /// The per-batch limits ingest checks batches against (default [`Limits::default`]).
    pub fn with_batch_limits(mut self, limits: Limits) -> Self {
        self.batch_limits = limits;
        self
    }

    /// What operators may ask agents for (the hub's `actions:` section).
    pub fn with_actions(mut self, actions: ActionsConfig) -> Self {
        self.actions = Arc::new(actions);
        self
    }

    /// A command queue with other bounds (tests, benchmarks); commands queued before are lost.
    pub fn with_queue_limits(mut self, limits: QueueLimits) -> Self {
        self.commands = Arc::new(CommandQueue::new(self.clock.clone(), limits));
        self
    }

    /// The hub → agent command queue (agents' polls and updates go here).
    pub fn commands(&self) -> &Arc<CommandQueue> {
        &self.commands
    }

    /// The metrics store, for reads.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The alerting store, for reads; `None` when alerting is off.
    pub fn alert_store(&self) -> Option<&Arc<dyn AlertStore>> {
        self.alert_store.as_ref()
    }

    /// The alert engine, for reads; `None` when alerting is off.
    pub fn engine(&self) -> Option<&Arc<Engine>> {
        self.engine.as_ref()
    }

    /// The hub clock.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// The engine, or `Unavailable`.
    fn running_engine(&self) -> Result<&Arc<Engine>, ServiceError> {
        self.engine.as_ref().ok_or_else(ServiceError::alerting_off)
    }
}

#[cfg(test)]
mod tests;
