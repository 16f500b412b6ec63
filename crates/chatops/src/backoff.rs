//! Waits after failed Bot API calls: 1 s doubling to 60 s; a 429's `retry_after` is honoured.

use crate::error::BotApiError;
use hostpulse_core::backoff::{Backoff as Rule, Jitter};
use std::time::Duration;

/// First wait after a failure.
pub const FIRST_BACKOFF: Duration = Duration::from_secs(1);
/// Longest wait.
pub const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// The polling retry rule: doubling, no jitter (one poller per hub).
const RULE: Rule = Rule::new(FIRST_BACKOFF, MAX_BACKOFF, Jitter::None);

/// Exponential backoff state: consecutive failures so far.
#[derive(Debug, Clone, Default)]
pub struct Backoff {
    failures: u32,
}

impl Backoff {
    /// The wait after `error`: its `retry_after` for a 429, otherwise the doubling step.
    pub fn after(&mut self, error: Option<&BotApiError>) -> Duration {
        if let Some(wait) = error.and_then(BotApiError::rate_limit_wait) {
            return wait.clamp(FIRST_BACKOFF, MAX_BACKOFF * 10);
        }
        self.failures = self.failures.saturating_add(1);
        RULE.delay(self.failures, 0.0)
    }

    /// Back to the first step after a success.
    pub fn reset(&mut self) {
        self.failures = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_to_the_cap_and_honours_retry_after() {
        let mut backoff = Backoff::default();
        let waits: Vec<u64> = (0..8).map(|_| backoff.after(None).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 60, 60]);
        let limited = BotApiError::RateLimited {
            retry_after: Some(Duration::from_secs(7)),
            description: "Too Many Requests".into(),
        };
        assert_eq!(backoff.after(Some(&limited)), Duration::from_secs(7));
        backoff.reset();
        assert_eq!(backoff.after(None), FIRST_BACKOFF);
    }
}
