//! Waiting: an agent's long poll held until a command is queued for it (or its wait ends),
//! and a caller awaiting a command's outcome until its deadline.

use super::CommandResult;
use super::queue::CommandQueue;
use hostpulse_proto::command::{CommandBatch, CommandPoll, MAX_POLL_WAIT_MS};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use tokio::time::{Instant, timeout};

/// Longest real-time sleep between two looks at the clock while awaiting an outcome, so a
/// deadline on the injected clock is noticed promptly.
const CLOCK_TICK: Duration = Duration::from_millis(200);

/// Counts a poll held open for its agent until dropped (also when the request is cancelled).
struct Waiting<'a> {
    queue: &'a CommandQueue,
    agent: &'a str,
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        let now_ms = self.queue.now_ms();
        let mut state = self.queue.lock();
        if let Some(agent) = state.agents.get_mut(self.agent) {
            agent.waiting = agent.waiting.saturating_sub(1);
            agent.last_poll_ms = Some(now_ms);
        }
    }
}

impl CommandQueue {
    /// Answers `agent`'s poll: what is due now, else waits up to
    /// `min(poll.wait_ms, MAX_POLL_WAIT_MS)` for a command or a cancel.
    pub async fn poll(&self, agent: &str, poll: &CommandPoll) -> CommandBatch {
        let wait = Duration::from_millis(poll.wait_ms.min(MAX_POLL_WAIT_MS));
        let end = Instant::now() + wait;
        let (notify, _waiting) = match self.start_poll(agent, poll) {
            Some(notify) => (notify, Waiting { queue: self, agent }),
            None => return self.take(agent),
        };
        loop {
            let notified = notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let batch = self.take(agent);
            if !batch.commands.is_empty() || !batch.cancel.is_empty() || Instant::now() >= end {
                return batch;
            }
            let _ = tokio::time::timeout_at(end, notified).await;
        }
    }

    /// Records the poll; its agent's notifier when the poll may wait (a free waiting slot).
    fn start_poll(&self, agent: &str, poll: &CommandPoll) -> Option<Arc<Notify>> {
        let now_ms = self.now_ms();
        let mut state = self.lock();
        state.prune(now_ms, self.limits());
        state.polled(agent, poll, now_ms);
        let max = self.limits().max_waiting_polls_per_agent;
        let queue = state.agents.get_mut(agent)?;
        if queue.waiting >= max {
            return None;
        }
        queue.waiting += 1;
        Some(queue.notify.clone())
    }

    fn take(&self, agent: &str) -> CommandBatch {
        let now_ms = self.now_ms();
        let (commands, cancel) = self.lock().take(agent, now_ms);
        CommandBatch { commands, cancel }
    }

    /// Waits for command `id`'s outcome (`done` is its notifier from `submit`) until its
    /// deadline on the queue's clock; then it is expired and cancelled at the agent.
    pub async fn wait_result(&self, id: &str, deadline_ms: i64, done: &Notify) -> CommandResult {
        loop {
            let notified = done.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if let Some(result) = self.result(id) {
                return result;
            }
            let left_ms = deadline_ms - self.now_ms();
            if left_ms <= 0 {
                self.expire(id);
                if let Some(result) = self.result(id) {
                    return result;
                }
                return expired_unknown(id);
            }
            let slice = Duration::from_millis(left_ms.unsigned_abs()).min(CLOCK_TICK);
            let _ = timeout(slice, notified).await;
        }
    }
}

/// The result of a command dropped from the queue while awaited (only under pressure).
fn expired_unknown(id: &str) -> CommandResult {
    CommandResult {
        id: id.to_string(),
        status: hostpulse_proto::command::CommandStatus::Expired,
        output: String::new(),
        exit_code: None,
        error: Some("the deadline passed".into()),
        truncated: false,
        duration_ms: 0,
    }
}
