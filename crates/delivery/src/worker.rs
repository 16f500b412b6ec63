//! One receiver's delivery worker: takes its outbox oldest first, waits for the rate limits,
//! marks each notification `sending` before the attempt and records the outcome after it.
//! A temporary failure pauses that notification's alert group (with backoff) so order is kept
//! within the group while other groups go on (a provider's `retry_after` / `Retry-After`
//! pauses the whole receiver for as long as asked); after `max_attempts` or `max_age` it is
//! dead-lettered with the reason. A permanent failure dead-letters at once.

use crate::Shared;
use crate::attempt::Attempt;
use crate::backoff::BACKOFF_MAX;
use crate::bucket::TokenBucket;
use crate::groups::Groups;
use crate::health::Health;
use hostpulse_core::{DeliveryStatus, Notification};
use hostpulse_notify::Notifier;
use hostpulse_notify::ReceiverConfig;
use hostpulse_store::DeliveryUpdate;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::Notify;

/// Notifications read from the outbox at a time.
const PAGE: usize = 64;
/// Wait after the outbox could not be read or written.
const STORE_RETRY_MS: i64 = 5_000;

/// The delivery worker of one receiver.
pub(crate) struct Worker {
    pub(crate) config: ReceiverConfig,
    pub(crate) notifier: Result<Arc<dyn Notifier>, String>,
    limits: Vec<Arc<Mutex<TokenBucket>>>,
    shared: Arc<Shared>,
    /// Held for the length of a pass (one pass at a time per receiver); holds an outcome
    /// not yet written to the store, which the next write carries.
    running: tokio::sync::Mutex<Option<DeliveryUpdate>>,
    pub(crate) health: Mutex<Health>,
    pub(crate) groups: Mutex<Groups>,
    pub(crate) wake: Notify,
    pub(crate) stop: Notify,
    stopping: AtomicBool,
}

/// What a pass leaves to do.
pub(crate) enum Step {
    /// Go on with the next notification.
    Next,
    /// The notification's group is paused until then; go on with other groups.
    GroupPaused(i64),
    /// The whole receiver waits until then (rate limit, store trouble, setup error).
    WaitUntil(i64),
}

impl Worker {
    pub(crate) fn new(
        config: ReceiverConfig,
        notifier: Result<Arc<dyn Notifier>, String>,
        limits: Vec<Arc<Mutex<TokenBucket>>>,
        shared: Arc<Shared>,
    ) -> Self {
        Self {
            config,
            notifier,
            limits,
            shared,
            running: tokio::sync::Mutex::new(None),
            health: Mutex::default(),
            groups: Mutex::default(),
            wake: Notify::new(),
            stop: Notify::new(),
            stopping: AtomicBool::new(false),
        }
    }

    pub(crate) fn name(&self) -> &str {
        &self.config.name
    }

    pub(crate) fn request_stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        self.stop.notify_one();
    }

    pub(crate) fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    pub(crate) fn health(&self) -> Health {
        self.health.lock().map(|h| h.clone()).unwrap_or_default()
    }

    pub(crate) fn now_ms(&self) -> i64 {
        self.shared.clock.now_ms()
    }

    pub(crate) fn now(&self) -> i64 {
        self.now_ms()
    }

    /// Delivers what is due now; returns when to try again (`None`: the queue is empty).
    pub(crate) async fn pass(&self) -> Option<i64> {
        let mut unrecorded = self.running.lock().await;
        if self.flush(&mut unrecorded).await.is_err() {
            return Some(self.now() + STORE_RETRY_MS);
        }
        let next = self.drain(&mut unrecorded).await;
        match self.flush(&mut unrecorded).await {
            Ok(()) => next,
            Err(()) => Some(self.now() + STORE_RETRY_MS),
        }
    }

    async fn drain(&self, unrecorded: &mut Option<DeliveryUpdate>) -> Option<i64> {
        let mut after = 0;
        let mut paused = self.groups_paused();
        let earliest =
            |paused: &std::collections::HashMap<String, i64>| paused.values().min().copied();
        loop {
            if self.is_stopping() {
                return None;
            }
            if let Some(until) = self.health().paused_at(self.now()) {
                return Some(until);
            }
            let page = match self
                .shared
                .store
                .outbox_for_receiver(self.name(), after, PAGE)
                .await
            {
                Ok(page) if page.is_empty() => return earliest(&paused),
                Ok(page) => page,
                Err(e) => {
                    tracing::warn!(receiver = %self.name(), error = %e, "cannot read the outbox");
                    return Some(self.now() + STORE_RETRY_MS);
                }
            };
            for n in page {
                after = n.id;
                if paused.contains_key(&n.group_key) {
                    continue;
                }
                let group = n.group_key.clone();
                match self.deliver_one(n, unrecorded).await {
                    Step::Next => {}
                    Step::GroupPaused(until) => {
                        paused.insert(group, until);
                    }
                    Step::WaitUntil(at) => {
                        return Some(earliest(&paused).map_or(at, |p| p.min(at)));
                    }
                }
                if self.is_stopping() {
                    return None;
                }
            }
        }
    }

    /// Waits for the rate limits, then attempts `n` and notes its outcome.
    async fn deliver_one(&self, n: Notification, unrecorded: &mut Option<DeliveryUpdate>) -> Step {
        let now = self.now();
        if let Some(wait) = self.rate_wait(now) {
            return Step::WaitUntil(now + wait);
        }
        let notifier = match &self.notifier {
            Ok(notifier) => notifier,
            Err(reason) => return self.setup_failed(reason, now),
        };
        let attempts = n.attempts.saturating_add(1);
        if n.status == DeliveryStatus::Sending {
            tracing::warn!(receiver = %self.name(), id = n.id, "the hub stopped during an earlier attempt whose outcome is unknown; sending again");
            self.update_health(|h| h.resent_after_restart += 1);
        }
        let begin = DeliveryUpdate {
            id: n.id,
            status: DeliveryStatus::Sending,
            attempts,
            last_error: n.last_error.clone(),
            provider_ids: n.provider_ids.clone(),
        };
        let mut batch: Vec<DeliveryUpdate> = unrecorded.take().into_iter().collect();
        batch.push(begin);
        if let Err(e) = self.shared.store.record_deliveries(batch.clone()).await {
            tracing::warn!(receiver = %self.name(), error = %e, "cannot record a delivery attempt");
            *unrecorded = batch.into_iter().find(|u| u.id != n.id);
            return Step::WaitUntil(now + STORE_RETRY_MS);
        }
        self.take_tokens(now);
        let outcome = Attempt::new(&self.shared, notifier.as_ref(), &n, attempts)
            .run()
            .await;
        self.settle(&n, attempts, outcome, unrecorded)
    }

    /// A receiver that cannot be set up waits as a whole; its notifications are not attempted.
    fn setup_failed(&self, reason: &str, now: i64) -> Step {
        let until = now.saturating_add(i64::try_from(BACKOFF_MAX.as_millis()).unwrap_or(0));
        self.update_health(|h| {
            h.paused_until_ms = Some(until);
            h.last_error = Some(reason.to_owned());
        });
        Step::WaitUntil(until)
    }

    fn groups_paused(&self) -> std::collections::HashMap<String, i64> {
        let now = self.now();
        self.groups
            .lock()
            .map(|g| g.paused_at(now))
            .unwrap_or_default()
    }

    pub(crate) fn update_groups(&self, change: impl FnOnce(&mut Groups)) {
        if let Ok(mut groups) = self.groups.lock() {
            change(&mut groups);
        }
    }

    /// Writes the outcome not yet recorded; on failure it is kept for the next write.
    async fn flush(&self, unrecorded: &mut Option<DeliveryUpdate>) -> Result<(), ()> {
        let Some(update) = unrecorded.clone() else {
            return Ok(());
        };
        match self.shared.store.record_deliveries(vec![update]).await {
            Ok(()) => {
                *unrecorded = None;
                Ok(())
            }
            Err(e) => {
                tracing::warn!(receiver = %self.name(), error = %e, "cannot record a delivery outcome");
                Err(())
            }
        }
    }

    /// Milliseconds until every rate limit allows a message (`None`: now).
    fn rate_wait(&self, now_ms: i64) -> Option<i64> {
        let wait = self
            .limits
            .iter()
            .map(|b| b.lock().map(|mut b| b.wait_ms(now_ms)).unwrap_or(0))
            .max()
            .unwrap_or(0);
        (wait > 0).then_some(wait)
    }

    fn take_tokens(&self, now_ms: i64) {
        for bucket in &self.limits {
            if let Ok(mut bucket) = bucket.lock() {
                bucket.take(now_ms);
            }
        }
    }

    pub(crate) fn update_health(&self, change: impl FnOnce(&mut Health)) {
        if let Ok(mut health) = self.health.lock() {
            change(&mut health);
        }
    }
}
