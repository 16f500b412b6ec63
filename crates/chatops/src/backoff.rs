//! Waits after failed Bot API calls: 1 s doubling to 60 s; a 429's `retry_after` is honoured.

use crate::error::BotApiError;
use std::time::Duration;

/// First wait after a failure.
pub const FIRST_BACKOFF: Duration = Duration::from_secs(1);
/// Longest wait.
pub const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// Exponential backoff state.
#[derive(Debug, Clone)]
pub struct Backoff {
    next: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            next: FIRST_BACKOFF,
        }
    }
}

impl Backoff {
    /// The wait after `error`: its `retry_after` for a 429, otherwise the doubling step.
    pub fn after(&mut self, error: Option<&BotApiError>) -> Duration {
        if let Some(BotApiError::RateLimited { retry_after }) = error {
            return (*retry_after).clamp(FIRST_BACKOFF, MAX_BACKOFF * 10);
        }
        let wait = self.next;
        self.next = (self.next * 2).min(MAX_BACKOFF);
        wait
    }

    /// Back to the first step after a success.
    pub fn reset(&mut self) {
        self.next = FIRST_BACKOFF;
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
            retry_after: Duration::from_secs(7),
        };
        assert_eq!(backoff.after(Some(&limited)), Duration::from_secs(7));
        backoff.reset();
        assert_eq!(backoff.after(None), FIRST_BACKOFF);
    }
}
