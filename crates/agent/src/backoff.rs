//! Exponential retry delays with jitter, capped, honouring a server's Retry-After.
//!
//! Two caps: while the hub cannot be reached at all (a failed connect costs nothing), the
//! delay stays short so the agent is back within seconds of the hub; when the hub answers
//! that it is busy or failing, the delay grows to the long cap, or follows its Retry-After.

use std::time::Duration;

use hostpulse_core::backoff::{Backoff as Rule, Jitter, JitterSource};

/// First retry delay.
pub const BACKOFF_BASE: Duration = Duration::from_secs(1);
/// Longest computed retry delay after the hub answered with a failure (5xx, 429, 409).
pub const BACKOFF_CAP: Duration = Duration::from_secs(60);
/// Longest retry delay while the hub cannot be reached (connect refused, timeout).
pub const UNREACHABLE_CAP: Duration = Duration::from_secs(4);
/// Longest Retry-After the agent agrees to wait.
pub const RETRY_AFTER_CAP: Duration = Duration::from_secs(600);

/// Consecutive-failure counter turning into retry delays.
#[derive(Debug)]
pub struct Backoff {
    failures: u32,
    jitter: JitterSource,
}

impl Default for Backoff {
    fn default() -> Self {
        Self::new()
    }
}

impl Backoff {
    /// A backoff with no failures recorded.
    pub fn new() -> Self {
        Self {
            failures: 0,
            jitter: JitterSource::new(seed()),
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

    /// Records a failure the hub answered and returns how long to wait before the next
    /// attempt: at least `retry_after` when the hub gave one (up to [`RETRY_AFTER_CAP`]),
    /// else `base * 2^n` capped at [`BACKOFF_CAP`], with the upper half jittered so that
    /// many agents do not retry in lockstep.
    pub fn next_delay(&mut self, retry_after: Option<Duration>) -> Duration {
        self.failures = self.failures.saturating_add(1);
        if let Some(wait) = retry_after {
            return wait.min(RETRY_AFTER_CAP);
        }
        self.jittered(BACKOFF_CAP)
    }

    /// Records a failure to reach the hub at all and returns a short jittered delay
    /// (growing from `base` to [`UNREACHABLE_CAP`]).
    pub fn next_unreachable_delay(&mut self) -> Duration {
        self.failures = self.failures.saturating_add(1);
        self.jittered(UNREACHABLE_CAP)
    }

    /// `base * 2^n` capped at `cap`, the upper half jittered ("equal jitter").
    fn jittered(&mut self, cap: Duration) -> Duration {
        Rule::new(BACKOFF_BASE, cap, Jitter::Equal).delay(self.failures, self.jitter.next_unit())
    }
}

fn seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    (u64::from(nanos) << 16) ^ u64::from(std::process::id()) | 1
}

/// Parses a Retry-After header: delay seconds, or an HTTP date (`Wed, 21 Oct 2015
/// 07:28:00 GMT`) taken relative to `now` (a date in the past means no wait).
pub fn parse_retry_after(value: &str, now: jiff::Timestamp) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = jiff::fmt::rfc2822::DateTimeParser::new()
        .parse_timestamp(value)
        .ok()?;
    let wait = at.duration_since(now);
    Some(Duration::try_from(wait).unwrap_or(Duration::ZERO))
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
    fn parses_seconds_and_http_dates() {
        let now: jiff::Timestamp = "2015-10-21T07:27:30Z".parse().unwrap();
        assert_eq!(parse_retry_after(" 3 ", now), Some(Duration::from_secs(3)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("-1", now), None);
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn an_unreachable_hub_is_retried_within_the_short_cap() {
        let mut backoff = Backoff::new();
        for _ in 0..20 {
            assert!(backoff.next_unreachable_delay() <= UNREACHABLE_CAP);
        }
        assert!(backoff.next_delay(None) > UNREACHABLE_CAP);
    }
}
