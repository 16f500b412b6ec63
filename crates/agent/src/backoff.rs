//! Exponential retry delays with jitter, capped, honouring a server's Retry-After.

use std::time::Duration;

/// First retry delay.
pub const BACKOFF_BASE: Duration = Duration::from_secs(1);
/// Longest computed retry delay.
pub const BACKOFF_CAP: Duration = Duration::from_secs(60);
/// Longest Retry-After the agent agrees to wait.
pub const RETRY_AFTER_CAP: Duration = Duration::from_secs(600);

/// Consecutive-failure counter turning into retry delays.
#[derive(Debug, Default)]
pub struct Backoff {
    failures: u32,
    jitter_state: u64,
}

impl Backoff {
    /// A backoff with no failures recorded.
    pub fn new() -> Self {
        Self {
            failures: 0,
            jitter_state: seed(),
        }
    }

    /// Forgets past failures after a success.
    pub fn reset(&mut self) {
        self.failures = 0;
    }

    /// Consecutive failures so far.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// Records a failure and returns how long to wait before the next attempt:
    /// `retry_after` when the server gave one, else `base * 2^n` capped, with the
    /// upper half jittered so that many agents do not retry in lockstep.
    pub fn next_delay(&mut self, retry_after: Option<Duration>) -> Duration {
        self.failures = self.failures.saturating_add(1);
        if let Some(wait) = retry_after {
            return wait.min(RETRY_AFTER_CAP);
        }
        let exp = self.failures.saturating_sub(1).min(16);
        let full = BACKOFF_BASE.saturating_mul(1u32 << exp).min(BACKOFF_CAP);
        let half = full / 2;
        let half_ms = u64::try_from(half.as_millis()).unwrap_or(u64::MAX).max(1);
        half + Duration::from_millis(self.next_random() % (half_ms + 1))
    }

    /// xorshift64: plenty for spreading retries.
    fn next_random(&mut self) -> u64 {
        let mut x = self.jitter_state.max(1);
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.jitter_state = x;
        x
    }
}

fn seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    (u64::from(nanos) << 16) ^ u64::from(std::process::id()) | 1
}

/// Parses a Retry-After header given in seconds (HTTP dates are not supported and ignored).
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_then_caps_and_stays_within_bounds() {
        let mut backoff = Backoff::new();
        let mut previous_upper = Duration::ZERO;
        for n in 0..12u32 {
            let delay = backoff.next_delay(None);
            let full = BACKOFF_BASE.saturating_mul(1 << n.min(16)).min(BACKOFF_CAP);
            assert!(
                delay >= full / 2 && delay <= full,
                "{n}: {delay:?} vs {full:?}"
            );
            assert!(full >= previous_upper);
            previous_upper = full;
        }
        assert_eq!(previous_upper, BACKOFF_CAP);
        assert_eq!(backoff.failures(), 12);
        backoff.reset();
        assert!(backoff.next_delay(None) <= BACKOFF_BASE);
    }

    #[test]
    fn retry_after_wins_but_is_capped() {
        let mut backoff = Backoff::new();
        assert_eq!(
            backoff.next_delay(Some(Duration::from_secs(7))),
            Duration::from_secs(7)
        );
        assert_eq!(
            backoff.next_delay(Some(Duration::from_secs(86_400))),
            RETRY_AFTER_CAP
        );
    }

    #[test]
    fn parses_seconds_only() {
        assert_eq!(parse_retry_after(" 3 "), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert_eq!(parse_retry_after("-1"), None);
    }
}
