//! Delivery of the notification outbox: one worker per receiver takes its notifications oldest
//! first, waits for the channel's rate limits, records each attempt before making it and its
//! outcome after, retries temporary failures with backoff and dead-letters refusals.
//!
//! Order is kept per alert group: a temporary failure pauses that group until its backoff
//! ends, while the receiver's other groups go on; a notification that keeps failing is
//! dead-lettered after the receiver's `max_attempts` or `max_age`. A notification found
//! `sending` at start was interrupted by a stop of the hub; it is sent again, with the same
//! idempotency key.

mod attempt;
mod backoff;
mod bucket;
mod groups;
mod health;
mod limits;
mod progress;
mod receivers;
mod settle;
mod tasks;
mod test_send;
mod worker;

pub use backoff::{BACKOFF_BASE, BACKOFF_MAX, backoff};
pub use bucket::TokenBucket;
pub use groups::{StuckGroup, format_age};
pub use health::Health;
pub use receivers::ReceiverStatus;
pub use test_send::{TestOutcome, send_test_message};

use hostpulse_core::{Clock, Notification};
use hostpulse_notify::ReceiverConfig;
use hostpulse_store::{AlertStore, StoreError};
use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};
use worker::Worker;

/// What delivery runs on.
pub(crate) struct Shared {
    pub(crate) store: Arc<dyn AlertStore>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) external_url: Option<String>,
}

/// Errors of delivery operations asked for through the API.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    /// No receiver of this name is in the current configuration.
    #[error("no receiver {0:?} is configured")]
    UnknownReceiver(String),
    /// No notification with this outbox id is stored.
    #[error("no notification {0}")]
    UnknownNotification(i64),
    /// The request does not fit the notification's state, e.g. requeueing one that is not
    /// dead-lettered; the text says why.
    #[error("{0}")]
    Invalid(String),
    /// The alert store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The delivery workers of every configured receiver.
pub struct Delivery {
    shared: Arc<Shared>,
    workers: RwLock<BTreeMap<String, Arc<Worker>>>,
    limits: limits::SharedLimits,
    /// Whether workers run as background tasks (else [`Delivery::deliver_now`] drives them).
    background: bool,
    tasks: std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>,
}

impl Delivery {
    /// Sets up a worker per receiver; with `background`, each runs as a task (call from
    /// within a Tokio runtime). Queued notifications of receivers no longer configured are
    /// dead-lettered.
    pub async fn start(
        store: Arc<dyn AlertStore>,
        clock: Arc<dyn Clock>,
        external_url: Option<String>,
        receivers: &[ReceiverConfig],
        background: bool,
    ) -> Arc<Self> {
        let delivery = Arc::new(Self {
            shared: Arc::new(Shared {
                store,
                clock,
                external_url,
            }),
            workers: RwLock::default(),
            limits: limits::SharedLimits::default(),
            background,
            tasks: std::sync::Mutex::default(),
        });
        delivery.reconfigure(receivers).await;
        delivery
    }

    /// Wakes every worker: new notifications are in the outbox.
    pub fn wake(&self) {
        for worker in self.worker_list() {
            worker.wake.notify_one();
        }
    }

    /// Runs one pass of every receiver now (without background tasks: tests, benchmarks);
    /// returns the earliest time (engine clock, ms) a receiver has more to do.
    pub async fn deliver_now(&self) -> Option<i64> {
        let mut next: Option<i64> = None;
        for worker in self.worker_list() {
            if let Some(at) = worker.pass().await {
                next = Some(next.map_or(at, |n| n.min(at)));
            }
        }
        next
    }

    /// Puts a dead-lettered notification back in the outbox.
    pub async fn requeue(&self, id: i64) -> Result<Notification, DeliveryError> {
        let requeued = self
            .shared
            .store
            .requeue_notification(id)
            .await
            .map_err(|e| match e {
                StoreError::InvalidQuery(reason) => DeliveryError::Invalid(reason),
                other => DeliveryError::Store(other),
            })?
            .ok_or(DeliveryError::UnknownNotification(id))?;
        self.wake();
        Ok(requeued)
    }

    /// Stops the workers after their current attempt.
    pub async fn shutdown(&self) {
        for worker in self.worker_list() {
            worker.request_stop();
        }
        let handles: Vec<_> = self
            .tasks
            .lock()
            .map(|mut t| t.drain(..).collect())
            .unwrap_or_default();
        for handle in handles {
            let _ = handle.await;
        }
    }

    fn worker_list(&self) -> Vec<Arc<Worker>> {
        self.workers
            .read()
            .map(|w| w.values().cloned().collect())
            .unwrap_or_default()
    }

    fn worker(&self, name: &str) -> Option<Arc<Worker>> {
        self.workers.read().ok().and_then(|w| w.get(name).cloned())
    }
}
