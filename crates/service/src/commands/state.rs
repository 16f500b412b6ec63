//! The queue's state under its lock: agents (pending ids, cancels, last poll) and commands
//! (handed over or not, output, outcome), with the bounds applied on every change.

use super::{CommandResult, HostActions, QueueLimits, UpdateError};
use hostpulse_proto::command::{
    Command, CommandOutcome, CommandPoll, CommandStatus, CommandUpdate, MAX_ARG_LEN,
    MAX_COMMAND_OUTPUT_BYTES, MAX_COMMANDS_PER_POLL,
};
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use tokio::sync::Notify;

/// Most entries of an agent's reported `allowed` and `commands` lists kept.
const MAX_REPORTED: usize = 256;
/// A handed-over command without an outcome this long after its deadline is given up.
const RUNNING_GRACE_MS: i64 = 30_000;

/// One agent's side of the queue.
#[derive(Default)]
pub(super) struct AgentQueue {
    pub pending: VecDeque<String>,
    pub cancel: VecDeque<String>,
    pub notify: Arc<Notify>,
    pub waiting: usize,
    pub last_poll_ms: Option<i64>,
    pub allowed: Option<Vec<String>>,
    pub commands: Vec<String>,
}

/// One command.
pub(super) struct Entry {
    pub agent: String,
    pub command: Command,
    pub created_ms: i64,
    pub handed: bool,
    pub next_seq: u32,
    pub output: String,
    pub truncated: bool,
    pub outcome: Option<CommandOutcome>,
    pub finished_ms: Option<i64>,
    pub done: Arc<Notify>,
}

impl Entry {
    pub fn result(&self) -> Option<CommandResult> {
        let outcome = self.outcome.as_ref()?;
        Some(CommandResult {
            id: self.command.id.clone(),
            status: outcome.status,
            output: self.output.clone(),
            exit_code: outcome.exit_code,
            error: outcome.error.clone(),
            truncated: self.truncated || outcome.truncated,
            duration_ms: self.finished_ms.unwrap_or(self.created_ms) - self.created_ms,
        })
    }

    /// Ends the command hub-side with `status`; `false` if it had ended already.
    pub fn end(&mut self, status: CommandStatus, error: &str, now_ms: i64) -> bool {
        if self.outcome.is_some() {
            return false;
        }
        self.outcome = Some(CommandOutcome {
            status,
            exit_code: None,
            error: Some(error.to_string()),
            started_ms: None,
            finished_ms: now_ms,
            truncated: false,
        });
        self.finished_ms = Some(now_ms);
        self.done.notify_waiters();
        true
    }

    fn append(&mut self, text: &str) {
        let room = MAX_COMMAND_OUTPUT_BYTES.saturating_sub(self.output.len());
        if text.len() <= room {
            self.output.push_str(text);
            return;
        }
        let mut cut = room;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        self.output.push_str(&text[..cut]);
        self.truncated = true;
    }
}

/// Everything under the lock.
#[derive(Default)]
pub(super) struct State {
    pub agents: HashMap<String, AgentQueue>,
    pub commands: HashMap<String, Entry>,
}

impl State {
    /// Queues `command` for `agent`; `Err` with the reason when a bound is reached.
    pub fn enqueue(
        &mut self,
        agent: &str,
        command: Command,
        now_ms: i64,
        limits: &QueueLimits,
    ) -> Result<Arc<Notify>, String> {
        if self.commands.len() >= limits.max_commands {
            return Err(format!(
                "the hub holds {} commands already; retry later",
                limits.max_commands
            ));
        }
        let queue = self.agents.entry(agent.to_string()).or_default();
        if queue.pending.len() >= limits.max_pending_per_agent {
            return Err(format!(
                "{} commands are already waiting for {agent}; retry later",
                limits.max_pending_per_agent
            ));
        }
        queue.pending.push_back(command.id.clone());
        queue.notify.notify_waiters();
        let done = Arc::new(Notify::new());
        let entry = Entry {
            agent: agent.to_string(),
            command,
            created_ms: now_ms,
            handed: false,
            next_seq: 0,
            output: String::new(),
            truncated: false,
            outcome: None,
            finished_ms: None,
            done: done.clone(),
        };
        self.commands.insert(entry.command.id.clone(), entry);
        Ok(done)
    }

    /// Records `poll` as `agent`'s latest.
    pub fn polled(&mut self, agent: &str, poll: &CommandPoll, now_ms: i64) {
        let queue = self.agents.entry(agent.to_string()).or_default();
        queue.last_poll_ms = Some(now_ms);
        let keep = |list: &[String]| -> Vec<String> {
            list.iter()
                .filter(|name| name.len() <= MAX_ARG_LEN)
                .take(MAX_REPORTED)
                .cloned()
                .collect()
        };
        queue.allowed = Some(keep(&poll.allowed));
        queue.commands = keep(&poll.commands);
    }

    /// Takes what is due for `agent`: pending commands (each handed over once) and cancels.
    pub fn take(&mut self, agent: &str, now_ms: i64) -> (Vec<Command>, Vec<String>) {
        let Some(queue) = self.agents.get_mut(agent) else {
            return (Vec::new(), Vec::new());
        };
        queue.last_poll_ms = Some(now_ms);
        let cancel: Vec<String> = queue.cancel.drain(..).collect();
        let mut commands = Vec::new();
        while commands.len() < MAX_COMMANDS_PER_POLL {
            let Some(id) = queue.pending.pop_front() else {
                break;
            };
            let Some(entry) = self.commands.get_mut(&id) else {
                continue;
            };
            if entry.outcome.is_some() || entry.handed {
                continue;
            }
            if entry.command.deadline_ms <= now_ms {
                entry.end(
                    CommandStatus::Expired,
                    "the deadline passed before the agent polled",
                    now_ms,
                );
                continue;
            }
            entry.handed = true;
            commands.push(entry.command.clone());
        }
        (commands, cancel)
    }

    /// Cancels command `id`: a queued one never goes out; a handed-over one is cancelled
    /// with the agent's next poll. `false` if it had ended already.
    pub fn cancel(&mut self, id: &str, status: CommandStatus, why: &str, now_ms: i64) -> bool {
        let Some(entry) = self.commands.get_mut(id) else {
            return false;
        };
        if !entry.end(status, why, now_ms) {
            return false;
        }
        let handed = entry.handed;
        let agent = entry.agent.clone();
        if let Some(queue) = self.agents.get_mut(&agent) {
            queue.pending.retain(|p| p != id);
            if handed {
                if queue.cancel.len() >= MAX_COMMANDS_PER_POLL * 4 {
                    queue.cancel.pop_front();
                }
                queue.cancel.push_back(id.to_string());
                queue.notify.notify_waiters();
            }
        }
        true
    }

    /// Takes `update` of command `id` from `agent`.
    pub fn update(
        &mut self,
        agent: &str,
        id: &str,
        update: CommandUpdate,
        now_ms: i64,
    ) -> Result<(), UpdateError> {
        update
            .validate()
            .map_err(|e| UpdateError::Invalid(e.to_string()))?;
        let entry = match self.commands.get_mut(id) {
            Some(entry) if entry.agent == agent && entry.handed => entry,
            _ => return Err(UpdateError::Unknown(id.to_string())),
        };
        if entry.outcome.is_some() {
            return Err(UpdateError::Finished(id.to_string()));
        }
        if update.seq < entry.next_seq {
            return Ok(());
        }
        entry.next_seq = update.seq.saturating_add(1);
        entry.append(&update.output);
        if let Some(outcome) = update.outcome {
            entry.outcome = Some(outcome);
            entry.finished_ms = Some(now_ms);
            entry.done.notify_waiters();
        }
        Ok(())
    }

    /// Ends commands whose deadline passed, drops finished results older than the keep time.
    pub fn prune(&mut self, now_ms: i64, limits: &QueueLimits) {
        let overdue: Vec<String> = self
            .commands
            .values()
            .filter(|e| e.outcome.is_none())
            .filter(|e| {
                let grace = if e.handed { RUNNING_GRACE_MS } else { 0 };
                e.command.deadline_ms.saturating_add(grace) <= now_ms
            })
            .map(|e| e.command.id.clone())
            .collect();
        for id in overdue {
            self.cancel(&id, CommandStatus::Expired, "the deadline passed", now_ms);
        }
        self.commands.retain(|_, e| {
            e.finished_ms
                .is_none_or(|at| now_ms - at < limits.keep_finished_ms)
        });
    }

    /// What `agent` allows, as its last poll said.
    pub fn host_actions(&self, agent: &str, now_ms: i64, limits: &QueueLimits) -> HostActions {
        let Some(queue) = self.agents.get(agent) else {
            return HostActions {
                host: agent.to_string(),
                ..HostActions::default()
            };
        };
        HostActions {
            host: agent.to_string(),
            connected: queue.waiting > 0
                || queue
                    .last_poll_ms
                    .is_some_and(|at| now_ms - at <= limits.connected_within_ms),
            last_poll_ms: queue.last_poll_ms,
            allowed: queue.allowed.clone(),
            commands: queue.commands.clone(),
        }
    }
}
