//! The hub's own host acts too (`hostpulse up`): a thread takes the local agent's commands
//! from the service's command queue in process and runs them with the agent's executor,
//! under `local_agent.actions` (the same allow-list rules as any agent).

use anyhow::{Context, Result};
use hostpulse_actions::{Cancels, Executor, Journal};
use hostpulse_agent_config::ActionsConfig;
use hostpulse_collector::containers::{Client, Endpoint};
use hostpulse_proto::command::{CommandPoll, CommandUpdate};
use hostpulse_service::Service;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// How long one in-process poll waits for a command (short: it is also how soon a stop is
/// noticed; an in-process poll costs nothing).
const POLL_WAIT_MS: u64 = 2_000;
/// Longest one container engine request may take.
const ENGINE_TIMEOUT: Duration = Duration::from_secs(60);

/// The running command thread of the local agent.
pub struct LocalActions {
    stopping: Arc<AtomicBool>,
    cancels: Arc<Cancels>,
    thread: std::thread::JoinHandle<()>,
}

impl LocalActions {
    /// Starts running the commands queued for agent `name`; executed ids are journaled in
    /// `state_dir`, container actions go to `engine` when there is one.
    pub fn start(
        service: Arc<Service>,
        name: String,
        config: ActionsConfig,
        state_dir: &Path,
        engine: Option<Endpoint>,
    ) -> Result<Self> {
        let journal =
            Journal::open(state_dir).context("cannot open the local agent's command journal")?;
        let cancels = Arc::new(Cancels::new());
        let client = engine.map(|endpoint| Client::new(endpoint, ENGINE_TIMEOUT));
        let executor = Executor::new(config, journal, cancels.clone()).with_containers(client);
        let stopping = Arc::new(AtomicBool::new(false));
        let worker = Worker {
            service,
            name,
            executor,
            cancels: cancels.clone(),
            stopping: stopping.clone(),
            runtime: tokio::runtime::Handle::current(),
        };
        let thread = std::thread::Builder::new()
            .name("local-actions".into())
            .spawn(move || worker.run())
            .context("cannot start the local agent's command thread")?;
        Ok(Self {
            stopping,
            cancels,
            thread,
        })
    }

    /// Stops a running command and the thread, and waits for it.
    pub async fn stop(self) {
        self.stopping.store(true, Ordering::SeqCst);
        self.cancels.shut_down();
        let _ = tokio::task::spawn_blocking(move || self.thread.join()).await;
    }
}

struct Worker {
    service: Arc<Service>,
    name: String,
    executor: Executor,
    cancels: Arc<Cancels>,
    stopping: Arc<AtomicBool>,
    runtime: tokio::runtime::Handle,
}

impl Worker {
    fn run(mut self) {
        let queue = self.service.commands().clone();
        let poll = CommandPoll {
            wait_ms: POLL_WAIT_MS,
            allowed: self.executor.config().allowed(),
            commands: self.executor.config().command_names(),
        };
        while !self.stopping.load(Ordering::SeqCst) {
            let batch = self.runtime.block_on(queue.poll(&self.name, &poll));
            for id in &batch.cancel {
                self.cancels.cancel(id);
            }
            for command in batch.commands {
                tracing::info!(id = %command.id, requested_by = %command.requested_by, action = %command.action, "local agent: command received");
                let mut sink = |update: CommandUpdate| {
                    if let Err(error) = queue.update(&self.name, &command.id, update) {
                        tracing::warn!(id = %command.id, %error, "local agent: command update not taken");
                    }
                };
                let outcome = self.executor.execute(&command, &mut sink);
                tracing::info!(id = %command.id, action = %command.action, status = outcome.status.as_str(), "local agent: command finished");
            }
        }
    }
}
