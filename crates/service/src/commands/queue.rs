//! [`CommandQueue`]: the lock around the queue's state, the clock that decides deadlines and
//! the bounds; the synchronous operations (queue, cancel, take an update, look up).

use super::state::State;
use super::{CommandResult, HostActions, QueueLimits, UpdateError};
use hostpulse_core::Clock;
use hostpulse_proto::command::{Command, CommandStatus, CommandUpdate};
use rand::RngCore;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use tokio::sync::Notify;

/// Characters of command ids.
const ID_ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
/// Random characters of a command id (126 bits).
const ID_CHARS: usize = 21;

/// The hub's queues of commands for its agents, shared by the API, the bot and rules.
pub struct CommandQueue {
    state: Mutex<State>,
    clock: Arc<dyn Clock>,
    limits: QueueLimits,
}

impl CommandQueue {
    /// An empty queue deciding deadlines by `clock`, within `limits`.
    pub fn new(clock: Arc<dyn Clock>, limits: QueueLimits) -> Self {
        Self {
            state: Mutex::default(),
            clock,
            limits,
        }
    }

    /// The queue's bounds.
    pub fn limits(&self) -> &QueueLimits {
        &self.limits
    }

    /// The queue's clock's time, Unix ms.
    pub(super) fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues `command` (its id from [`new_command_id`]) for `agent`, waking a waiting
    /// poll; `Err` with the reason when a bound is reached.
    pub fn submit(&self, agent: &str, command: Command) -> Result<Arc<Notify>, String> {
        let now_ms = self.now_ms();
        let mut state = self.lock();
        state.prune(now_ms, &self.limits);
        state.enqueue(agent, command, now_ms, &self.limits)
    }

    /// Cancels command `id`; `false` when it is unknown or has ended.
    pub fn cancel(&self, id: &str) -> bool {
        let now_ms = self.now_ms();
        self.lock()
            .cancel(id, CommandStatus::Cancelled, "cancelled by the hub", now_ms)
    }

    /// Ends command `id` as expired (its caller stopped waiting) and cancels it at the agent.
    pub(super) fn expire(&self, id: &str) {
        let now_ms = self.now_ms();
        self.lock()
            .cancel(id, CommandStatus::Expired, "the deadline passed", now_ms);
    }

    /// Takes an update of command `id` from `agent`.
    pub fn update(&self, agent: &str, id: &str, update: CommandUpdate) -> Result<(), UpdateError> {
        let now_ms = self.now_ms();
        let mut state = self.lock();
        state.prune(now_ms, &self.limits);
        state.update(agent, id, update, now_ms)
    }

    /// The result of command `id` once it has ended.
    pub fn result(&self, id: &str) -> Option<CommandResult> {
        self.lock()
            .commands
            .get(id)
            .and_then(|entry| entry.result())
    }

    /// What `agent` allows and whether it is connected.
    pub fn host_actions(&self, agent: &str) -> HostActions {
        let now_ms = self.now_ms();
        self.lock().host_actions(agent, now_ms, &self.limits)
    }
}

/// A new random command id: `c` and 21 of `[A-Za-z0-9_-]`.
pub fn new_command_id() -> String {
    let mut rng = rand::rng();
    let mut id = String::with_capacity(ID_CHARS + 1);
    id.push('c');
    for _ in 0..ID_CHARS {
        id.push(char::from(ID_ALPHABET[(rng.next_u32() & 63) as usize]));
    }
    id
}
