//! What a receiver's worker reports about itself: backoff, failures, last error, counters.

use serde::{Deserialize, Serialize};

/// The live delivery state of one receiver since the hub started.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    /// Engine-clock time (ms) before which the receiver makes no attempt at all: the provider
    /// asked to wait (`retry_after`, `Retry-After`) or the receiver cannot be set up. Other
    /// temporary failures pause only their alert group (see `stuck`).
    pub paused_until_ms: Option<i64>,
    /// Temporary failures in a row (0 after a success).
    pub consecutive_failures: u32,
    /// The newest failure's reason, redacted.
    pub last_error: Option<String>,
    /// Engine-clock time (ms) of the newest attempt, successful or not; `None` before the
    /// first attempt since the hub started.
    pub last_attempt_ms: Option<i64>,
    /// Engine-clock time (ms) of the newest delivery; `None` while nothing was delivered
    /// since the hub started.
    pub last_success_ms: Option<i64>,
    /// Notifications delivered since the hub started.
    pub delivered: u64,
    /// Attempts that failed temporarily and will be retried.
    pub retried: u64,
    /// Notifications dead-lettered (refused permanently).
    pub dead_lettered: u64,
    /// Notifications sent again because the hub stopped during their attempt.
    pub resent_after_restart: u64,
}

impl Health {
    pub(crate) fn success(&mut self, now_ms: i64) {
        self.consecutive_failures = 0;
        self.paused_until_ms = None;
        self.last_attempt_ms = Some(now_ms);
        self.last_success_ms = Some(now_ms);
        self.delivered += 1;
    }

    pub(crate) fn temporary_failure(&mut self, now_ms: i64, reason: &str) {
        self.consecutive_failures = self.consecutive_failures.saturating_add(1);
        self.last_attempt_ms = Some(now_ms);
        self.last_error = Some(reason.to_owned());
        self.retried += 1;
    }

    pub(crate) fn dead_letter(&mut self, now_ms: i64, reason: &str) {
        self.last_attempt_ms = Some(now_ms);
        self.last_error = Some(reason.to_owned());
        self.dead_lettered += 1;
    }

    /// The pause still in force at `now_ms`.
    pub(crate) fn paused_at(&self, now_ms: i64) -> Option<i64> {
        self.paused_until_ms.filter(|until| *until > now_ms)
    }
}
