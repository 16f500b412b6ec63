//! Delay before the next attempt after a temporary failure: exponential with jitter, never
//! shorter than what the provider asked for (`retry_after`, `Retry-After`).

use std::time::Duration;

use hostpulse_core::backoff::{Backoff, Jitter};

/// First retry delay; doubles per consecutive failure.
pub const BACKOFF_BASE: Duration = Duration::from_secs(2);
/// Longest delay between two attempts.
pub const BACKOFF_MAX: Duration = Duration::from_secs(300);
/// The delivery retry rule: doubling from [`BACKOFF_BASE`] to [`BACKOFF_MAX`], ±20 %.
const RULE: Backoff = Backoff::new(BACKOFF_BASE, BACKOFF_MAX, Jitter::Spread(0.2));

/// Delay after `failures` consecutive temporary failures (1 = the first): `BACKOFF_BASE ·
/// 2^(failures-1)` capped at `BACKOFF_MAX`, scaled by a jitter factor in 0.8..=1.2 taken from
/// `jitter` (0..=1), and at least `retry_after`.
pub fn backoff(failures: u32, retry_after: Option<Duration>, jitter: f64) -> Duration {
    RULE.delay(failures, jitter)
        .max(retry_after.unwrap_or_default())
}

/// A jitter value in 0..=1 from the system clock's nanoseconds mixed with `salt`.
pub fn jitter(salt: u64) -> f64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::from(d.subsec_nanos()))
        .unwrap_or(0);
    let mixed = (nanos ^ salt.wrapping_mul(0x9e37_79b9_7f4a_7c15)) % 1001;
    mixed as f64 / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_exponentially_within_the_jitter_band() {
        assert_eq!(backoff(1, None, 0.5), Duration::from_secs(2));
        assert_eq!(backoff(2, None, 0.5), Duration::from_secs(4));
        assert_eq!(backoff(4, None, 0.0), Duration::from_millis(12_800));
        assert_eq!(backoff(4, None, 1.0), Duration::from_millis(19_200));
    }

    #[test]
    fn caps_at_the_maximum() {
        assert_eq!(backoff(30, None, 0.5), BACKOFF_MAX);
        assert!(backoff(u32::MAX, None, 1.0) <= BACKOFF_MAX.mul_f64(1.2));
    }

    #[test]
    fn honours_the_providers_retry_after() {
        let asked = Duration::from_secs(90);
        assert_eq!(backoff(1, Some(asked), 0.5), asked);
        assert_eq!(
            backoff(9, Some(Duration::from_secs(1)), 0.5),
            BACKOFF_MAX.min(Duration::from_secs(512))
        );
    }

    #[test]
    fn jitter_stays_in_range() {
        for salt in 0..100 {
            let j = jitter(salt);
            assert!((0.0..=1.0).contains(&j), "{j}");
        }
    }
}
