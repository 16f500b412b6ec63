//! The hub → agent command channel on the agent: a thread long-polls the hub for commands
//! (the agent opens no port), a second one runs them one at a time through the
//! [`Executor`] (which checks them again against this agent's own `actions:`) and posts
//! their output and outcome; every action is written to the log at INFO (who, what, result,
//! duration). A hub without the channel (404, an older hub) is asked again every 5 minutes.

pub mod link;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use hostpulse_actions::{Cancels, Executor};
use hostpulse_core::backoff::{Backoff as Rule, Jitter};
use hostpulse_proto::command::{Command, CommandPoll, CommandStatus, CommandUpdate};

use crate::backoff::Backoff;
use link::{HubLink, PollAnswer, PostAnswer};

/// How long the hub may hold a poll open.
pub const POLL_WAIT: Duration = Duration::from_secs(25);
/// How often a hub without the command channel is asked again.
pub const OLD_HUB_RETRY: Duration = Duration::from_secs(300);
/// An empty poll answer quicker than this is followed by this pause.
const MIN_EMPTY_POLL: Duration = Duration::from_secs(1);
/// Commands waiting to run; beyond it new ones are answered `failed` (busy).
const QUEUE: usize = 32;
/// Tries of one update post.
const POST_TRIES: u32 = 4;
/// Delays between update post tries.
const POST_BACKOFF: Rule = Rule::new(
    Duration::from_millis(500),
    Duration::from_secs(4),
    Jitter::None,
);
/// How long shutdown waits for the running command to report.
const SHUTDOWN_WAIT: Duration = Duration::from_secs(5);

/// The running channel; [`CommandChannel::stop`] ends it.
pub struct CommandChannel {
    stopping: Arc<AtomicBool>,
    cancels: Arc<Cancels>,
    worker: Option<JoinHandle<()>>,
    done: Receiver<()>,
}

impl CommandChannel {
    /// Starts polling `link` and running commands with `executor` (whose cancels are
    /// `cancels`).
    pub fn start(
        link: HubLink,
        executor: Executor,
        cancels: Arc<Cancels>,
    ) -> std::io::Result<Self> {
        let stopping = Arc::new(AtomicBool::new(false));
        let (queue, commands) = mpsc::sync_channel(QUEUE);
        let (done_tx, done) = mpsc::channel();
        let poll = CommandPoll {
            wait_ms: u64::try_from(POLL_WAIT.as_millis()).unwrap_or(u64::MAX),
            allowed: executor.config().allowed(),
            commands: executor.config().command_names(),
        };
        let worker_link = link.clone();
        let worker_stopping = stopping.clone();
        let worker = std::thread::Builder::new()
            .name("commands".into())
            .spawn(move || {
                run_commands(&worker_link, executor, &commands, &worker_stopping);
                let _ = done_tx.send(());
            })?;
        let poller = Poller {
            link,
            poll,
            queue,
            cancels: cancels.clone(),
            stopping: stopping.clone(),
        };
        std::thread::Builder::new()
            .name("command-poll".into())
            .spawn(move || poller.run())?;
        Ok(Self {
            stopping,
            cancels,
            worker: Some(worker),
            done,
        })
    }

    /// Stops polling, stops a running command (reported `cancelled`) and waits a few
    /// seconds for its report. A poll in flight is abandoned.
    pub fn stop(mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        self.cancels.shut_down();
        if self.done.recv_timeout(SHUTDOWN_WAIT).is_ok()
            && let Some(worker) = self.worker.take()
        {
            let _ = worker.join();
        }
    }
}

/// The polling thread's state.
struct Poller {
    link: HubLink,
    poll: CommandPoll,
    queue: SyncSender<Command>,
    cancels: Arc<Cancels>,
    stopping: Arc<AtomicBool>,
}

impl Poller {
    fn run(self) {
        let mut backoff = Backoff::new();
        let mut old_hub = false;
        tracing::info!(url = %self.link.poll_url(), allowed = %self.poll.allowed.join(","), commands = %self.poll.commands.join(","), "command channel started");
        while !self.stopping.load(Ordering::SeqCst) {
            let asked = Instant::now();
            let wait = match self.link.poll(&self.poll) {
                PollAnswer::Batch(batch) => {
                    if backoff.failures() > 0 || std::mem::take(&mut old_hub) {
                        tracing::info!("command channel open again");
                    }
                    backoff.reset();
                    let empty = batch.commands.is_empty() && batch.cancel.is_empty();
                    batch.cancel.iter().for_each(|id| self.cancels.cancel(id));
                    batch.commands.into_iter().for_each(|c| self.enqueue(c));
                    // An empty answer at once (the hub did not hold the poll): not in a loop.
                    let early = empty && asked.elapsed() < MIN_EMPTY_POLL;
                    if !early {
                        continue;
                    }
                    MIN_EMPTY_POLL
                }
                PollAnswer::NotFound => {
                    if !std::mem::replace(&mut old_hub, true) {
                        tracing::info!(
                            retry_in_s = OLD_HUB_RETRY.as_secs(),
                            "the hub has no command channel (an older hub); asking again every 5 minutes"
                        );
                    }
                    OLD_HUB_RETRY
                }
                PollAnswer::Unauthorized(status) => {
                    let wait = backoff.next_delay(None);
                    tracing::warn!(
                        status,
                        retry_in_ms = wait.as_millis() as u64,
                        "hub refused the agent token for the command channel"
                    );
                    wait
                }
                PollAnswer::Failed(reason, retry_after) => {
                    let wait = backoff.next_delay(retry_after);
                    log_failure(backoff.failures(), &reason, wait);
                    wait
                }
                PollAnswer::Unreachable(reason) => {
                    let wait = backoff.next_unreachable_delay();
                    log_failure(backoff.failures(), &reason, wait);
                    wait
                }
            };
            sleep_unless(&self.stopping, wait);
        }
    }

    fn enqueue(&self, command: Command) {
        match self.queue.try_send(command) {
            Ok(()) => {}
            Err(TrySendError::Full(command) | TrySendError::Disconnected(command)) => {
                tracing::warn!(id = %command.id, action = %command.action, "too many commands waiting; answering busy");
                let outcome = hostpulse_proto::command::CommandOutcome {
                    status: CommandStatus::Failed,
                    exit_code: None,
                    error: Some(format!("the agent is busy ({QUEUE} commands waiting)")),
                    started_ms: None,
                    finished_ms: crate::schedule::now_ms(),
                    truncated: false,
                };
                let update = CommandUpdate {
                    seq: 0,
                    output: String::new(),
                    outcome: Some(outcome),
                };
                if let Err(reason) =
                    post_with_retries(&self.link, &command.id, &update, &self.stopping)
                {
                    tracing::warn!(id = %command.id, reason = %reason, "could not tell the hub the agent is busy");
                }
            }
        }
    }
}

/// The first failure of a streak is a warning, later ones debug lines.
fn log_failure(failures: u32, reason: &str, wait: Duration) {
    let retry_in_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX);
    if failures <= 1 {
        tracing::warn!(reason, retry_in_ms, "command poll failed; will retry");
    } else {
        tracing::debug!(reason, retry_in_ms, failures, "command poll failed again");
    }
}

/// The worker thread: runs queued commands one at a time until the channel stops.
fn run_commands(
    link: &HubLink,
    mut executor: Executor,
    commands: &Receiver<Command>,
    stopping: &AtomicBool,
) {
    while !stopping.load(Ordering::SeqCst) {
        let command = match commands.recv_timeout(Duration::from_millis(200)) {
            Ok(command) => command,
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => return,
        };
        run_one(link, &mut executor, &command, stopping);
    }
}

/// Runs one command, posting its updates as they come, and writes the audit line.
fn run_one(link: &HubLink, executor: &mut Executor, command: &Command, stopping: &AtomicBool) {
    let args = command
        .args
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(" ");
    tracing::info!(id = %command.id, requested_by = %command.requested_by, action = %command.action, args = %args, "command received");
    let began = Instant::now();
    let failed_post: Mutex<Option<String>> = Mutex::new(None);
    let mut sink = |update: CommandUpdate| {
        if let Err(reason) = post_with_retries(link, &command.id, &update, stopping) {
            *failed_post.lock().unwrap_or_else(|e| e.into_inner()) = Some(reason);
        }
    };
    let outcome = executor.execute(command, &mut sink);
    let duration_ms = u64::try_from(began.elapsed().as_millis()).unwrap_or(u64::MAX);
    let error = outcome.error.as_deref().unwrap_or("");
    tracing::info!(
        id = %command.id,
        requested_by = %command.requested_by,
        action = %command.action,
        args = %args,
        status = outcome.status.as_str(),
        exit_code = outcome.exit_code,
        truncated = outcome.truncated,
        error,
        duration_ms,
        "command finished"
    );
    if let Some(reason) = failed_post.into_inner().unwrap_or_else(|e| e.into_inner()) {
        tracing::warn!(id = %command.id, reason = %reason, "could not report all of the command's output to the hub");
    }
}

/// Posts one update, trying a few times with growing delays; a 404 or 409 ends at once.
fn post_with_retries(
    link: &HubLink,
    id: &str,
    update: &CommandUpdate,
    stopping: &AtomicBool,
) -> Result<(), String> {
    let mut last = String::new();
    for attempt in 1..=POST_TRIES {
        match link.post(id, update) {
            PostAnswer::Accepted => return Ok(()),
            PostAnswer::Gone(reason) => return Err(reason),
            PostAnswer::Retry(reason) => last = reason,
        }
        if attempt < POST_TRIES {
            sleep_unless(stopping, POST_BACKOFF.delay(attempt, 0.0));
        }
    }
    Err(format!("gave up after {POST_TRIES} tries: {last}"))
}

/// Sleeps `duration`, waking early when `stop` is set.
fn sleep_unless(stop: &AtomicBool, duration: Duration) {
    let until = Instant::now() + duration;
    while !stop.load(Ordering::SeqCst) {
        let Some(left) = until.checked_duration_since(Instant::now()) else {
            return;
        };
        std::thread::sleep(left.min(Duration::from_millis(100)));
    }
}
