//! The single-threaded collect → push/spool → replay loop.

use crate::backoff::Backoff;
use crate::batch::BatchBuilder;
use crate::encode::BatchEncoder;
use crate::instance::InstanceState;
use crate::push::{PushOutcome, Pusher};
use crate::schedule::{next_tick, now_ms, wait_for_tick};
use crate::spool::Spool;
use hostpulse_core::HostFacts;
use hostpulse_proto::{AgentIdentity, Frame, VersionRange};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// How often host facts are re-read by default.
pub const FACTS_REFRESH: Duration = Duration::from_secs(60);

/// Where frames and host facts come from.
pub trait FrameSource {
    /// Collects one frame stamped `now_ms`; failures are reported inside the frame.
    fn collect(&mut self, now_ms: i64) -> Frame;
    /// The current host facts.
    fn facts(&self) -> HostFacts;
    /// Re-reads host facts.
    fn refresh_facts(&mut self);
}

/// Timing and identity of the loop.
#[derive(Debug, Clone)]
pub struct RunSettings {
    /// Time between two collection cycles.
    pub interval: Duration,
    /// The agent identity stamped on every batch.
    pub identity: AgentIdentity,
    /// How often the host facts are re-read.
    pub facts_refresh: Duration,
}

/// Counters over the life of a [`Runner`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunStats {
    /// Collection cycles run.
    pub cycles: u64,
    /// Batches the hub acknowledged (directly or from the spool).
    pub acknowledged: u64,
    /// Batches the hub refused for good (400/413/422) and that were dropped.
    pub refused: u64,
    /// Batches written to the spool.
    pub spooled: u64,
    /// Spooled batches dropped to respect the spool cap.
    pub evicted: u64,
    /// Batches lost because the spool could not be written.
    pub lost: u64,
    /// Push attempts that will be retried (errors, 401/403, 409, 429, 5xx).
    pub failed_attempts: u64,
    /// Batches refused with 409 because another agent was live on the token (kept).
    pub conflicts: u64,
    /// Acknowledgements saying the hub already had the batch.
    pub duplicates: u64,
    /// Push attempts refused because the hub cannot read this protocol version (kept).
    pub version_refusals: u64,
}

/// What to do with a batch after one push attempt.
enum Delivery {
    Acknowledged,
    Dropped,
    Keep,
}

/// Owns everything the loop needs; one per agent process.
pub struct Runner<S: FrameSource> {
    source: S,
    settings: RunSettings,
    pusher: Pusher,
    spool: Spool,
    instance: InstanceState,
    builder: BatchBuilder,
    encoder: BatchEncoder,
    backoff: Backoff,
    next_attempt_ms: i64,
    facts_refreshed_ms: i64,
    stats: RunStats,
    /// Set while the hub refuses this protocol version, so that is warned about once.
    version_refused: bool,
}

impl<S: FrameSource> Runner<S> {
    /// Assembles a runner; nothing happens until [`Runner::run`] or [`Runner::cycle`].
    /// Batches carry the instance and run ids of `instance`.
    pub fn new(
        source: S,
        mut settings: RunSettings,
        pusher: Pusher,
        spool: Spool,
        instance: InstanceState,
    ) -> Self {
        let identity = &mut settings.identity;
        identity.instance_id = instance.instance_id().to_owned();
        identity.run_id = instance.run_id().to_owned();
        identity.previous_run_id = instance.previous_run_id().map(str::to_owned);
        let builder = BatchBuilder::new(settings.identity.clone());
        Self {
            source,
            settings,
            pusher,
            spool,
            instance,
            builder,
            encoder: BatchEncoder::new(),
            backoff: Backoff::new(),
            next_attempt_ms: i64::MIN,
            facts_refreshed_ms: now_ms(),
            stats: RunStats::default(),
            version_refused: false,
        }
    }

    /// Counters so far.
    pub fn stats(&self) -> RunStats {
        self.stats
    }

    /// Batches waiting in the spool.
    pub fn spooled_batches(&self) -> usize {
        self.spool.len()
    }

    /// Runs one cycle at every wall-clock multiple of the interval until `stop` is set.
    /// Frames are stamped with their tick.
    /// A cycle in progress when `stop` is set is completed: its batch is sent or spooled.
    pub fn run(&mut self, stop: &AtomicBool) -> RunStats {
        let interval_ms = duration_ms(self.settings.interval).max(1);
        let mut next = next_tick(now_ms(), interval_ms);
        while let Some(tick) = wait_for_tick(next, interval_ms, stop) {
            self.cycle(tick, tick + interval_ms, stop);
            if stop.load(Ordering::SeqCst) {
                break;
            }
            next = following_tick(tick, now_ms(), interval_ms);
        }
        tracing::info!(
            acknowledged = self.stats.acknowledged,
            spooled_now = self.spool.len(),
            refused = self.stats.refused,
            evicted = self.stats.evicted,
            "agent stopped"
        );
        self.stats
    }

    /// One cycle: collect at `tick_ms`, send or spool the batch, then replay the spool
    /// until `deadline_ms` (the next tick).
    pub fn cycle(&mut self, tick_ms: i64, deadline_ms: i64, stop: &AtomicBool) {
        self.stats.cycles += 1;
        let refresh_ms = duration_ms(self.settings.facts_refresh);
        if tick_ms.saturating_sub(self.facts_refreshed_ms) >= refresh_ms {
            self.source.refresh_facts();
            self.facts_refreshed_ms = tick_ms;
        }
        let frame = self.source.collect(tick_ms);
        let facts = self.source.facts();
        let batch = self.builder.build(self.instance.next_seq(), frame, &facts);
        let body = self.encoder.encode(&batch);
        if self.spool.is_empty() && self.may_attempt() {
            match self.attempt(batch.seq, &body, false) {
                Delivery::Acknowledged => {
                    if let Some(facts) = batch.facts {
                        self.builder.facts_acknowledged(facts);
                    }
                    return;
                }
                Delivery::Dropped => return,
                Delivery::Keep => {}
            }
        }
        self.spool_batch(batch.seq, &body);
        self.drain(deadline_ms, stop);
    }

    fn may_attempt(&self) -> bool {
        now_ms() >= self.next_attempt_ms
    }

    /// Pushes one batch; `replayed` says it comes from the spool (so an earlier attempt may
    /// have reached the hub, and a duplicate answer is expected).
    fn attempt(&mut self, seq: u64, body: &[u8], replayed: bool) -> Delivery {
        match self.pusher.push(body) {
            PushOutcome::Acknowledged(reply) => {
                if self.backoff.failures() > 0 {
                    tracing::info!(seq, "hub reachable again");
                }
                self.backoff.reset();
                if std::mem::take(&mut self.version_refused) {
                    tracing::info!(seq, "hub reads this agent's protocol version again");
                }
                self.stats.acknowledged += 1;
                if reply.is_some_and(|r| r.duplicate) {
                    self.stats.duplicates += 1;
                    if replayed {
                        tracing::info!(
                            seq,
                            "hub already had this spooled batch (an earlier attempt reached it)"
                        );
                    } else {
                        tracing::warn!(
                            seq,
                            "hub answered that it already had this new batch: another process may be sending as this agent instance"
                        );
                    }
                }
                Delivery::Acknowledged
            }
            PushOutcome::Conflict { reason } => {
                self.stats.conflicts += 1;
                let wait = self.retry_later(None);
                tracing::warn!(seq, status = 409, reason = %reason, retry_in_ms = duration_ms(wait), "hub refused the batch: another agent is live on this token; keeping it in the spool");
                Delivery::Keep
            }
            PushOutcome::UnsupportedVersion { reason, hub } => {
                self.version_refused(seq, &reason, hub);
                Delivery::Keep
            }
            PushOutcome::Unreachable { reason } => {
                self.stats.failed_attempts += 1;
                let wait = self.backoff.next_unreachable_delay();
                self.next_attempt_ms = now_ms().saturating_add(duration_ms(wait));
                tracing::warn!(seq, reason = %reason, retry_in_ms = duration_ms(wait), "hub unreachable; will retry");
                Delivery::Keep
            }
            PushOutcome::Refused { status, reason } => {
                self.backoff.reset();
                self.stats.refused += 1;
                tracing::error!(seq, status, reason = %reason, "hub refused the batch; dropping it");
                Delivery::Dropped
            }
            PushOutcome::Unauthorized { status } => {
                tracing::error!(
                    status,
                    "hub rejected the agent token; check the token, batches are kept in the spool"
                );
                self.retry_later(None);
                Delivery::Keep
            }
            PushOutcome::RetryLater {
                reason,
                retry_after,
            } => {
                let wait = self.retry_later(retry_after);
                tracing::warn!(seq, reason = %reason, retry_in_ms = duration_ms(wait), "push failed; will retry");
                Delivery::Keep
            }
        }
    }

    /// The hub cannot read this agent's protocol version: the batch stays in the spool for
    /// a hub that can, retried with back-off; warned about once until a batch gets through.
    fn version_refused(&mut self, seq: u64, reason: &str, hub: Option<VersionRange>) {
        self.stats.version_refusals += 1;
        let wait = self.retry_later(None);
        let hub = hub.map_or_else(|| "unknown".to_owned(), |range| range.to_string());
        let retry_in_ms = duration_ms(wait);
        if std::mem::replace(&mut self.version_refused, true) {
            tracing::debug!(seq, reason, hub_versions = %hub, retry_in_ms, "hub still cannot read this protocol version; keeping the batch in the spool");
        } else {
            tracing::warn!(seq, reason, hub_versions = %hub, agent_versions = %VersionRange::supported(), retry_in_ms, "hub cannot read this agent's protocol version (upgrade the hub or use an agent it reads); keeping batches in the spool");
        }
    }

    fn retry_later(&mut self, retry_after: Option<Duration>) -> Duration {
        self.stats.failed_attempts += 1;
        let wait = self.backoff.next_delay(retry_after);
        self.next_attempt_ms = now_ms().saturating_add(duration_ms(wait));
        wait
    }

    fn spool_batch(&mut self, seq: u64, body: &[u8]) {
        match self.spool.push(seq, body) {
            Ok(eviction) => {
                self.stats.evicted += eviction.count;
                if eviction.last_seq != seq || eviction.count == 0 {
                    self.stats.spooled += 1;
                }
            }
            Err(e) => {
                self.stats.lost += 1;
                tracing::error!(seq, error = %e, "could not spool the batch; it is lost");
            }
        }
    }

    /// Replays spooled batches oldest first while the hub takes them and time remains.
    fn drain(&mut self, deadline_ms: i64, stop: &AtomicBool) {
        while !stop.load(Ordering::SeqCst) && now_ms() < deadline_ms && self.may_attempt() {
            let (seq, body) = match self.spool.read_oldest() {
                None => return,
                Some(Ok(item)) => item,
                Some(Err(e)) => {
                    tracing::error!(error = %e, "unreadable spooled batch; dropping it");
                    self.stats.lost += 1;
                    (0, Vec::new())
                }
            };
            if !body.is_empty() && matches!(self.attempt(seq, &body, true), Delivery::Keep) {
                return;
            }
            if let Err(e) = self.spool.remove_oldest() {
                tracing::error!(error = %e, "could not delete a replayed batch");
                return;
            }
        }
    }
}

/// The tick after `tick`: a cycle that ran late by less than one interval is caught up at
/// once (keeping the series gap-free); ticks more than an interval in the past are skipped.
fn following_tick(tick: i64, now: i64, interval_ms: i64) -> i64 {
    let next = tick + interval_ms;
    if now < next + interval_ms {
        return next;
    }
    let realigned = next_tick(now, interval_ms);
    tracing::warn!(
        skipped = (realigned - next) / interval_ms,
        "cycle overran; skipping collection ticks"
    );
    realigned
}

fn duration_ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::following_tick;

    #[test]
    fn late_cycles_catch_up_once_and_long_stalls_skip() {
        assert_eq!(following_tick(10_000, 10_200, 1_000), 11_000);
        assert_eq!(following_tick(10_000, 11_900, 1_000), 11_000);
        assert_eq!(following_tick(10_000, 12_000, 1_000), 13_000);
        assert_eq!(following_tick(10_000, 25_500, 1_000), 26_000);
    }
}
