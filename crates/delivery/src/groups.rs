//! Retry state per alert group of one receiver: a temporary failure pauses only the group of
//! the failing notification (order holds within a group), while other groups go on. Also the
//! bound on one notification's attempts and age, after which it is dead-lettered.

use hostpulse_core::Notification;
use hostpulse_core::duration::format_duration;
use hostpulse_notify::RetryLimits;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::time::Duration;

/// A group whose oldest queued notification keeps failing, as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StuckGroup {
    /// The stuck alert group, e.g. `route0{host="web-1",rule="high_cpu"}`.
    pub group_key: String,
    /// The notification that failed (the group's oldest queued one).
    pub notification_id: i64,
    /// Attempts made so far, including those before a restart.
    pub attempts: u32,
    /// Time since the notification was created, ms.
    pub age_ms: i64,
    /// Why the last attempt failed, redacted.
    pub last_error: String,
    /// Engine-clock time (ms) of the next attempt.
    pub next_attempt_ms: i64,
}

#[derive(Debug, Clone)]
struct Stuck {
    notification_id: i64,
    created_ms: i64,
    attempts: u32,
    /// Temporary failures of this group in a row since the hub started (for the backoff).
    failures: u32,
    last_error: String,
    until_ms: i64,
}

/// The paused groups of one receiver.
#[derive(Debug, Default)]
pub(crate) struct Groups {
    stuck: HashMap<String, Stuck>,
}

impl Groups {
    /// Groups that may not be attempted at `now_ms`, with the time each may be again.
    pub(crate) fn paused_at(&self, now_ms: i64) -> HashMap<String, i64> {
        self.stuck
            .iter()
            .filter(|(_, s)| s.until_ms > now_ms)
            .map(|(group, s)| (group.clone(), s.until_ms))
            .collect()
    }

    /// Temporary failures of `group` in a row, counting the one being settled.
    pub(crate) fn next_failure_count(&self, group: &str) -> u32 {
        self.stuck
            .get(group)
            .map_or(1, |s| s.failures.saturating_add(1))
    }

    /// Pauses the group of `n` until `until_ms` after a temporary failure.
    pub(crate) fn failed(&mut self, n: &Notification, attempts: u32, reason: &str, until_ms: i64) {
        let failures = self.next_failure_count(&n.group_key);
        self.stuck.insert(
            n.group_key.clone(),
            Stuck {
                notification_id: n.id,
                created_ms: n.created_ms,
                attempts,
                failures,
                last_error: reason.to_owned(),
                until_ms,
            },
        );
    }

    /// The group went on: its notification was delivered or dead-lettered.
    pub(crate) fn clear(&mut self, group: &str) {
        self.stuck.remove(group);
    }

    /// Every paused group, oldest notification first.
    pub(crate) fn report(&self, now_ms: i64) -> Vec<StuckGroup> {
        let mut list: Vec<StuckGroup> = self
            .stuck
            .iter()
            .map(|(group, s)| StuckGroup {
                group_key: group.clone(),
                notification_id: s.notification_id,
                attempts: s.attempts,
                age_ms: now_ms.saturating_sub(s.created_ms),
                last_error: s.last_error.clone(),
                next_attempt_ms: s.until_ms,
            })
            .collect();
        list.sort_by_key(|g| g.notification_id);
        list
    }
}

/// Why delivery gives up on `n` after a temporary failure at `now_ms` (its `attempts`-th),
/// or `None` while it is within `limits`.
pub(crate) fn give_up_reason(
    n: &Notification,
    attempts: u32,
    now_ms: i64,
    limits: &RetryLimits,
    failure: &str,
) -> Option<String> {
    let age_ms = now_ms.saturating_sub(n.created_ms).max(0);
    let max_age_ms = i64::try_from(limits.max_age.as_millis()).unwrap_or(i64::MAX);
    if attempts < limits.max_attempts && age_ms < max_age_ms {
        return None;
    }
    let noun = if attempts == 1 { "attempt" } else { "attempts" };
    Some(format!(
        "gave up after {attempts} {noun} over {}: {failure}",
        format_age(age_ms)
    ))
}

/// An age in whole minutes (from a minute on) or whole seconds, e.g. `12m`, `1h`, `45s`.
pub fn format_age(age_ms: i64) -> String {
    let secs = u64::try_from(age_ms.max(0) / 1000).unwrap_or(0);
    let secs = if secs >= 60 { secs - secs % 60 } else { secs };
    format_duration(Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notification(created_ms: i64) -> Notification {
        Notification {
            id: 1,
            receiver: "hook".into(),
            group_key: "g".into(),
            group_labels: Default::default(),
            kind: hostpulse_core::NotificationKind::Firing,
            severity: hostpulse_core::Severity::Warning,
            alerts: Vec::new(),
            created_ms,
            status: hostpulse_core::DeliveryStatus::Pending,
            attempts: 0,
            last_error: None,
            escalation_step: None,
            provider_ids: Vec::new(),
        }
    }

    #[test]
    fn gives_up_at_the_attempt_or_age_bound_with_the_reason() {
        let limits = RetryLimits {
            max_attempts: 10,
            max_age: Duration::from_secs(3600),
        };
        let n = notification(0);
        assert_eq!(give_up_reason(&n, 9, 600_000, &limits, "timed out"), None);
        assert_eq!(
            give_up_reason(&n, 10, 734_000, &limits, "timed out after 2s").as_deref(),
            Some("gave up after 10 attempts over 12m: timed out after 2s")
        );
        assert_eq!(
            give_up_reason(&n, 1, 3_600_000, &limits, "refused").as_deref(),
            Some("gave up after 1 attempt over 1h: refused")
        );
    }
}
