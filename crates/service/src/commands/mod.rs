//! The hub → agent command channel, hub side: per agent a bounded queue of commands with
//! hub-given ids and deadlines, handed over at most once to the agent's long poll, their
//! output and outcome collected from the agent's updates, and callers awaiting the result.
//! [`crate::Service::run_action`] authorises a request by role and audits it.

mod queue;
mod run;
mod state;
mod wait;

pub use queue::{CommandQueue, new_command_id};
pub use run::{ActionRequest, MAX_TAIL, validate_container_name};

use hostpulse_proto::command::CommandStatus;
use serde::Serialize;

/// Bounds of the command queue; every map and list it holds is capped by one of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueLimits {
    /// Most commands queued for one agent and not yet handed over.
    pub max_pending_per_agent: usize,
    /// Most polls of one agent held open at once; more are answered at once.
    pub max_waiting_polls_per_agent: usize,
    /// Most commands known at once (queued, running and recently finished).
    pub max_commands: usize,
    /// How long a finished command's result is kept (for late waiters), milliseconds.
    pub keep_finished_ms: i64,
    /// Deadline of a command when the caller gives none, milliseconds from queueing.
    pub default_deadline_ms: i64,
    /// Deadline of the slow actions (`containers.logs`, `containers.prune`), milliseconds.
    pub long_deadline_ms: i64,
    /// An agent counts as connected while its last poll is at most this old, milliseconds.
    pub connected_within_ms: i64,
}

impl Default for QueueLimits {
    fn default() -> Self {
        Self {
            max_pending_per_agent: 64,
            max_waiting_polls_per_agent: 2,
            max_commands: 4096,
            keep_finished_ms: 300_000,
            default_deadline_ms: 60_000,
            long_deadline_ms: 300_000,
            connected_within_ms: 2 * hostpulse_proto::command::MAX_POLL_WAIT_MS as i64,
        }
    }
}

/// How a command ended, as the caller sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommandResult {
    /// The command's id.
    pub id: String,
    /// The result class.
    pub status: CommandStatus,
    /// The output the agent sent (at most `MAX_COMMAND_OUTPUT_BYTES`).
    pub output: String,
    /// Exit code of a named command.
    pub exit_code: Option<i32>,
    /// Why it failed or was refused.
    pub error: Option<String>,
    /// The output was cut.
    pub truncated: bool,
    /// From queueing to the outcome (the hub's clock), milliseconds.
    pub duration_ms: i64,
}

impl CommandResult {
    /// Whether the action succeeded.
    pub fn is_ok(&self) -> bool {
        self.status == CommandStatus::Ok
    }

    /// How it ended, in a few words: `ok in 1.2 s`, `failed exit 1`, `refused not in
    /// actions.allow of this host's agent`.
    pub fn summary(&self) -> String {
        if self.is_ok() {
            return format!("ok in {:.1} s", self.duration_ms as f64 / 1000.0);
        }
        let why = self
            .error
            .clone()
            .or_else(|| self.exit_code.map(|c| format!("exit {c}")))
            .unwrap_or_default();
        format!("{} {why}", self.status.as_str())
            .trim_end()
            .to_owned()
    }
}

/// What a host's agent allows, as its last poll reported it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct HostActions {
    /// The host (agent) name.
    pub host: String,
    /// Whether the agent polled recently (commands can reach it).
    pub connected: bool,
    /// When it last polled (the hub's clock), Unix ms; `None` if it never did.
    pub last_poll_ms: Option<i64>,
    /// The actions its allow-list permits; `None` until it polled.
    pub allowed: Option<Vec<String>>,
    /// Its named commands, allowed or not.
    pub commands: Vec<String>,
}

/// Why an update from an agent was not taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UpdateError {
    /// No such command for this agent (unknown, dropped, or another agent's).
    #[error("no command {0:?} for this agent")]
    Unknown(String),
    /// The command already has its outcome.
    #[error("command {0:?} has already ended")]
    Finished(String),
    /// The update breaks the channel's bounds.
    #[error("{0}")]
    Invalid(String),
}

#[cfg(test)]
mod tests;
