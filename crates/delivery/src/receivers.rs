//! The set of receivers: (re)configuration keeping unchanged workers, and their status.

use crate::health::Health;
use crate::worker::Worker;
use crate::{Delivery, tasks};
use hostpulse_notify::Notifier;
use hostpulse_notify::ReceiverConfig;
use hostpulse_store::ReceiverOutboxStats;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// One receiver as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiverStatus {
    /// The receiver's configured name.
    pub name: String,
    /// Channel type: `log`, `telegram`, `slack`, `teams`, `email` or `webhook`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `N/DURATION`, or `None` when unlimited.
    pub rate_limit: Option<String>,
    /// Why the receiver could not be set up (its notifications wait until it can).
    pub setup_error: Option<String>,
    /// Live delivery state of its worker since the hub started.
    pub health: Health,
    /// Alert groups whose oldest notification keeps failing, oldest first.
    pub stuck: Vec<crate::StuckGroup>,
    /// Counts of its notifications in the outbox by status.
    pub outbox: ReceiverOutboxStats,
}

impl Delivery {
    /// Applies a new receiver list: unchanged receivers keep their worker (and its backoff and
    /// rate-limit state), changed and new ones get a new worker, removed ones are stopped and
    /// their queued notifications dead-lettered.
    pub async fn reconfigure(&self, receivers: &[ReceiverConfig]) {
        let now = self.shared.clock.now_ms();
        let old: BTreeMap<String, Arc<Worker>> = self
            .workers
            .write()
            .map(|mut w| std::mem::take(&mut *w))
            .unwrap_or_default();
        let mut next = BTreeMap::new();
        let mut started = Vec::new();
        for receiver in receivers {
            match old.get(&receiver.name) {
                Some(worker) if worker.config == *receiver => {
                    next.insert(receiver.name.clone(), Arc::clone(worker));
                }
                _ => {
                    let worker = Arc::new(self.new_worker(receiver, now));
                    started.push(Arc::clone(&worker));
                    next.insert(receiver.name.clone(), worker);
                }
            }
        }
        for (name, worker) in &old {
            if next.get(name).is_none_or(|w| !Arc::ptr_eq(w, worker)) {
                worker.request_stop();
            }
        }
        if let Ok(mut workers) = self.workers.write() {
            *workers = next;
        }
        self.dead_letter_unknown(receivers).await;
        if self.background {
            for worker in started {
                let handle = tokio::spawn(tasks::run(worker));
                if let Ok(mut tasks) = self.tasks.lock() {
                    tasks.retain(|t| !t.is_finished());
                    tasks.push(handle);
                }
            }
        }
    }

    fn new_worker(&self, receiver: &ReceiverConfig, now_ms: i64) -> Worker {
        let notifier: Result<Arc<dyn Notifier>, String> = hostpulse_notify::build(receiver)
            .map(Arc::from)
            .map_err(|e| e.to_string());
        if let Err(reason) = &notifier {
            tracing::error!(receiver = %receiver.name, reason = %reason, "receiver cannot be set up; its notifications wait");
        }
        let limits = self.limits.for_receiver(receiver, now_ms);
        Worker::new(receiver.clone(), notifier, limits, Arc::clone(&self.shared))
    }

    async fn dead_letter_unknown(&self, receivers: &[ReceiverConfig]) {
        let names: Vec<String> = receivers.iter().map(|r| r.name.clone()).collect();
        let reason =
            "receiver is not configured (any more); requeue after adding it back".to_owned();
        match self
            .shared
            .store
            .dead_letter_unknown_receivers(names, reason)
            .await
        {
            Ok(0) => {}
            Ok(count) => tracing::warn!(
                count,
                "dead-lettered notifications of receivers no longer configured"
            ),
            Err(e) => {
                tracing::warn!(error = %e, "cannot dead-letter notifications of removed receivers")
            }
        }
    }

    /// Every configured receiver with its live state and outbox counts.
    pub async fn status(&self) -> Result<Vec<ReceiverStatus>, crate::DeliveryError> {
        let stats = self.shared.store.outbox_stats().await?;
        let now = self.shared.clock.now_ms();
        let by_name: BTreeMap<String, ReceiverOutboxStats> =
            stats.into_iter().map(|s| (s.receiver.clone(), s)).collect();
        Ok(self
            .worker_list()
            .into_iter()
            .map(|w| ReceiverStatus {
                name: w.config.name.clone(),
                kind: w.config.kind.type_name().to_owned(),
                rate_limit: w.config.rate_limit.map(|l| l.to_string()),
                setup_error: w.notifier.as_ref().err().cloned(),
                health: w.health(),
                stuck: w.groups.lock().map(|g| g.report(now)).unwrap_or_default(),
                outbox: by_name.get(&w.config.name).cloned().unwrap_or_else(|| {
                    ReceiverOutboxStats {
                        receiver: w.config.name.clone(),
                        ..Default::default()
                    }
                }),
            })
            .collect())
    }
}
