//! How an attempt's outcome settles: the row update, the receiver's health, and the alert
//! group's retry state (paused with backoff, or cleared; dead-lettered past its bounds).

use crate::attempt::Outcome;
use crate::backoff::{backoff, jitter};
use crate::groups::give_up_reason;
use crate::worker::{Step, Worker};
use hostpulse_core::{DeliveryStatus, Notification};
use hostpulse_store::DeliveryUpdate;
use std::time::Duration;

impl Worker {
    /// Turns an attempt's outcome into the row update and the receiver's health.
    pub(crate) fn settle(
        &self,
        n: &Notification,
        attempts: u32,
        outcome: Outcome,
        unrecorded: &mut Option<DeliveryUpdate>,
    ) -> Step {
        let now = self.now();
        let update = |status, last_error, provider_ids| DeliveryUpdate {
            id: n.id,
            status,
            attempts,
            last_error,
            provider_ids,
        };
        match outcome {
            Outcome::Sent { provider_ids } => {
                self.update_groups(|g| g.clear(&n.group_key));
                self.update_health(|h| h.success(now));
                *unrecorded = Some(update(DeliveryStatus::Sent, None, provider_ids));
                Step::Next
            }
            Outcome::Dead {
                reason,
                provider_ids,
            } => {
                tracing::error!(receiver = %self.name(), id = n.id, reason = %reason, "delivery refused; notification dead-lettered");
                self.update_groups(|g| g.clear(&n.group_key));
                self.update_health(|h| h.dead_letter(now, &reason));
                *unrecorded = Some(update(DeliveryStatus::Dead, Some(reason), provider_ids));
                Step::Next
            }
            Outcome::Retry {
                reason,
                retry_after,
                provider_ids,
            } => {
                let retry = Retry {
                    reason,
                    retry_after,
                    update: update(DeliveryStatus::Pending, None, provider_ids),
                };
                self.settle_retry(n, retry, unrecorded)
            }
        }
    }

    /// A temporary failure: dead-letter past the receiver's bounds, else pause the group.
    fn settle_retry(
        &self,
        n: &Notification,
        retry: Retry,
        unrecorded: &mut Option<DeliveryUpdate>,
    ) -> Step {
        let now = self.now();
        let Retry {
            reason,
            retry_after,
            mut update,
        } = retry;
        self.update_health(|h| h.temporary_failure(now, &reason));
        if let Some(gave_up) = give_up_reason(n, update.attempts, now, &self.config.retry, &reason)
        {
            tracing::error!(receiver = %self.name(), id = n.id, group = %n.group_key, reason = %gave_up, "notification dead-lettered");
            self.update_groups(|g| g.clear(&n.group_key));
            self.update_health(|h| h.dead_letter(now, &gave_up));
            update.status = DeliveryStatus::Dead;
            update.last_error = Some(gave_up);
            *unrecorded = Some(update);
            return Step::Next;
        }
        let failures = self
            .groups
            .lock()
            .map(|g| g.next_failure_count(&n.group_key))
            .unwrap_or(1);
        let delay = backoff(failures, retry_after, jitter(n.id as u64));
        let until = now.saturating_add(millis(delay));
        tracing::warn!(receiver = %self.name(), id = n.id, group = %n.group_key, attempts = update.attempts, ?delay, reason = %reason, "delivery failed; will retry this group");
        self.update_groups(|g| g.failed(n, update.attempts, &reason, until));
        update.last_error = Some(reason);
        *unrecorded = Some(update);
        match retry_after {
            // The provider asked the receiver as a whole to wait (429, Retry-After).
            Some(asked) => {
                let until = now.saturating_add(millis(asked));
                self.update_health(|h| h.paused_until_ms = Some(until));
                Step::WaitUntil(until)
            }
            None => Step::GroupPaused(until),
        }
    }
}

/// A temporary failure being settled.
struct Retry {
    reason: String,
    retry_after: Option<Duration>,
    /// The row update, status `pending` without an error yet.
    update: DeliveryUpdate,
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}
