//! Delivery of outbox notifications through each receiver's notifier: oldest first, one
//! group's notifications in order, temporary failures retried with exponential backoff and
//! jitter (honouring the provider's `retry_after`), permanent ones dead-lettered with the
//! provider's (redacted) reason.

use crate::Engine;
use hostpulse_config::ReceiverConfig;
use hostpulse_core::{DeliveryStatus, Notification};
use hostpulse_notify::{MessageContext, Notifier, SendError};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

/// Notifications taken from the outbox per pass.
const BATCH: usize = 200;
/// First retry delay; doubles per attempt.
const BACKOFF_BASE: Duration = Duration::from_secs(2);
/// Longest delay between two attempts.
const BACKOFF_MAX: Duration = Duration::from_secs(300);

/// Notifiers by receiver name, and when each failed notification may be tried again.
#[derive(Default)]
pub(crate) struct Dispatcher {
    notifiers: HashMap<String, Result<Arc<dyn Notifier>, String>>,
    /// Notification id → engine-clock time (ms) before which it is not tried again.
    retry_at: HashMap<i64, i64>,
}

impl Dispatcher {
    /// Builds one notifier per configured receiver.
    pub(crate) fn new(receivers: &[ReceiverConfig]) -> Self {
        let notifiers = receivers
            .iter()
            .map(|r| {
                let built = hostpulse_notify::build(r)
                    .map(Arc::from)
                    .map_err(|e| format!("receiver {:?} could not be set up: {e}", r.name));
                (r.name.clone(), built)
            })
            .collect();
        Self {
            notifiers,
            retry_at: HashMap::new(),
        }
    }
}

/// Delay before attempt `attempts + 1`: exponential with ±20 % jitter, at least `retry_after`.
fn backoff(attempts: u32, retry_after: Option<Duration>, id: i64) -> Duration {
    let exp = BACKOFF_BASE
        .saturating_mul(1u32 << attempts.min(16))
        .min(BACKOFF_MAX);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let spread = u64::from(nanos ^ (id as u32)) % 41;
    let jittered = exp.mul_f64(0.8 + spread as f64 / 100.0);
    jittered.max(retry_after.unwrap_or_default())
}

enum Outcome {
    Sent,
    Retry(String, Option<Duration>),
    Dead(String),
}

impl Engine {
    /// Delivers pending notifications of the outbox, oldest first.
    pub(crate) async fn deliver_pending(&self) {
        let pending = match self.deps.alert_store.pending_notifications(BATCH).await {
            Ok(list) => list,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the notification outbox");
                return;
            }
        };
        let context = self.message_context();
        let mut dispatcher = self.dispatcher.lock().await;
        let mut blocked: HashSet<(String, String)> = HashSet::new();
        let now_ms = self.deps.clock.now_ms();
        for n in pending {
            let group = (n.receiver.clone(), n.group_key.clone());
            let waiting = dispatcher
                .retry_at
                .get(&n.id)
                .is_some_and(|at| now_ms < *at);
            if blocked.contains(&group) || waiting {
                blocked.insert(group);
                continue;
            }
            let outcome = attempt(&dispatcher, &n, &context).await;
            let attempts = n.attempts + 1;
            let (status, error) = match outcome {
                Outcome::Sent => {
                    dispatcher.retry_at.remove(&n.id);
                    (DeliveryStatus::Sent, None)
                }
                Outcome::Retry(reason, after) => {
                    let delay = backoff(n.attempts, after, n.id);
                    let delay_ms = i64::try_from(delay.as_millis()).unwrap_or(i64::MAX);
                    dispatcher
                        .retry_at
                        .insert(n.id, now_ms.saturating_add(delay_ms));
                    blocked.insert(group);
                    tracing::warn!(receiver = %n.receiver, id = n.id, attempts, ?delay, reason = %reason, "delivery failed; will retry");
                    (DeliveryStatus::Pending, Some(reason))
                }
                Outcome::Dead(reason) => {
                    dispatcher.retry_at.remove(&n.id);
                    tracing::error!(receiver = %n.receiver, id = n.id, reason = %reason, "delivery refused; notification dead-lettered");
                    (DeliveryStatus::Dead, Some(reason))
                }
            };
            if let Err(e) = self
                .deps
                .alert_store
                .mark_notification(n.id, status, attempts, error)
                .await
            {
                tracing::warn!(error = %e, id = n.id, "cannot record a delivery");
            }
        }
    }

    fn message_context(&self) -> MessageContext {
        MessageContext {
            external_url: self.external_url.clone(),
            reply_to: None,
        }
    }
}

async fn attempt(dispatcher: &Dispatcher, n: &Notification, context: &MessageContext) -> Outcome {
    match dispatcher.notifiers.get(&n.receiver) {
        None => Outcome::Dead(format!("receiver {:?} is not configured", n.receiver)),
        Some(Err(reason)) => Outcome::Dead(reason.clone()),
        Some(Ok(notifier)) => match notifier.send(n, context).await {
            Ok(_) => Outcome::Sent,
            Err(SendError::Retry {
                reason,
                retry_after,
            }) => Outcome::Retry(reason, retry_after),
            Err(SendError::Permanent { reason }) => Outcome::Dead(reason),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_caps_and_honours_retry_after() {
        let first = backoff(0, None, 1);
        assert!(
            first >= Duration::from_millis(1600) && first <= Duration::from_millis(2400),
            "{first:?}"
        );
        let later = backoff(3, None, 1);
        assert!(
            later >= Duration::from_millis(12_800) && later <= Duration::from_millis(19_200),
            "{later:?}"
        );
        assert!(backoff(30, None, 1) <= BACKOFF_MAX.mul_f64(1.2));
        assert!(backoff(0, Some(Duration::from_secs(90)), 1) >= Duration::from_secs(90));
    }
}
