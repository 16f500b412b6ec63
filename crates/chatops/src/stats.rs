//! Counters of the bot's polling, readable through [`crate::BotHandle::stats`].

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// A snapshot of the bot's counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BotStats {
    /// Updates taken and handled.
    pub updates: u64,
    /// `getUpdates` answers of HTTP 409 (another poller on the same token).
    pub conflicts: u64,
    /// Answers of HTTP 429.
    pub rate_limited: u64,
    /// Every other failed Bot API or store call of the polling loop.
    pub errors: u64,
    /// The most recent wait after a failure.
    pub last_backoff: Duration,
}

/// Live counters shared by the polling loop and the handle.
#[derive(Debug, Default)]
pub(crate) struct StatsCell {
    updates: AtomicU64,
    conflicts: AtomicU64,
    rate_limited: AtomicU64,
    errors: AtomicU64,
    last_backoff_ms: AtomicU64,
}

/// Which counter a failure goes to.
pub(crate) enum Failure {
    Conflict,
    RateLimited,
    Other,
}

impl StatsCell {
    pub fn handled(&self) {
        self.updates.fetch_add(1, Ordering::Relaxed);
    }

    pub fn failed(&self, failure: Failure, backoff: Duration) {
        let counter = match failure {
            Failure::Conflict => &self.conflicts,
            Failure::RateLimited => &self.rate_limited,
            Failure::Other => &self.errors,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        let ms = u64::try_from(backoff.as_millis()).unwrap_or(u64::MAX);
        self.last_backoff_ms.store(ms, Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> BotStats {
        BotStats {
            updates: self.updates.load(Ordering::Relaxed),
            conflicts: self.conflicts.load(Ordering::Relaxed),
            rate_limited: self.rate_limited.load(Ordering::Relaxed),
            errors: self.errors.load(Ordering::Relaxed),
            last_backoff: Duration::from_millis(self.last_backoff_ms.load(Ordering::Relaxed)),
        }
    }
}
