//! Retry delays, as pure computation: exponential growth from a base to a cap, with optional
//! jitter drawn from a random value the caller supplies (see [`JitterSource`]), so that every
//! retry loop of the product (agent push, notification delivery, bot polling) shares one rule.

use std::time::Duration;

/// Largest doubling exponent (2^16 times the base is past every cap in use).
const MAX_EXPONENT: u32 = 16;

/// How a delay is spread around its exponential value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Jitter {
    /// The exponential value itself.
    None,
    /// Uniform in `0..=delay` ("full jitter").
    Full,
    /// Uniform in `delay/2..=delay` ("equal jitter").
    Equal,
    /// Uniform in `delay·(1-s)..=delay·(1+s)` for a spread `s` in 0..=1 (may exceed the cap
    /// by the spread).
    Spread(f64),
}

/// Exponential backoff: attempt `n` (1 = after the first failure) waits `base · 2^(n-1)`,
/// at most `cap`, then jittered.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    /// Delay after the first failure.
    pub base: Duration,
    /// Longest delay before jitter.
    pub cap: Duration,
    /// How the delay is spread.
    pub jitter: Jitter,
}

impl Backoff {
    /// A backoff from `base` to `cap` with `jitter`.
    pub const fn new(base: Duration, cap: Duration, jitter: Jitter) -> Self {
        Self { base, cap, jitter }
    }

    /// The delay before jitter after `attempt` consecutive failures (0 counts as 1).
    pub fn exponential(&self, attempt: u32) -> Duration {
        let exponent = attempt.saturating_sub(1).min(MAX_EXPONENT);
        self.base.saturating_mul(1u32 << exponent).min(self.cap)
    }

    /// The delay after `attempt` consecutive failures, jittered with `random` in 0..=1
    /// (clamped; ignored for [`Jitter::None`]).
    pub fn delay(&self, attempt: u32, random: f64) -> Duration {
        let delay = self.exponential(attempt);
        let random = if random.is_nan() {
            0.0
        } else {
            random.clamp(0.0, 1.0)
        };
        match self.jitter {
            Jitter::None => delay,
            Jitter::Full => delay.mul_f64(random),
            Jitter::Equal => delay / 2 + (delay / 2).mul_f64(random),
            Jitter::Spread(spread) => {
                let spread = spread.clamp(0.0, 1.0);
                delay.mul_f64(1.0 - spread + 2.0 * spread * random)
            }
        }
    }
}

/// A small seeded pseudo-random source of jitter values (xorshift64): plenty for spreading
/// retries, reproducible in tests.
#[derive(Debug, Clone)]
pub struct JitterSource {
    state: u64,
}

impl JitterSource {
    /// A source started from `seed` (any value; 0 is replaced).
    pub fn new(seed: u64) -> Self {
        Self { state: seed.max(1) }
    }

    /// The next value in 0..=1.
    pub fn next_unit(&mut self) -> f64 {
        let mut x = self.state;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.state = x;
        (x >> 11) as f64 / ((1u64 << 53) - 1) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: fn(u64) -> Duration = Duration::from_secs;

    #[test]
    fn doubles_from_the_base_to_the_cap() {
        let backoff = Backoff::new(S(1), S(60), Jitter::None);
        let waits: Vec<u64> = (1..=8).map(|n| backoff.delay(n, 0.3).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 60, 60]);
        assert_eq!(backoff.delay(0, 0.0), S(1));
        assert_eq!(backoff.delay(u32::MAX, 0.0), S(60));
    }

    #[test]
    fn jitter_kinds_stay_in_their_bands() {
        let full = Backoff::new(S(2), S(300), Jitter::Full);
        assert_eq!(full.delay(3, 0.0), Duration::ZERO);
        assert_eq!(full.delay(3, 1.0), S(8));
        let equal = Backoff::new(S(2), S(300), Jitter::Equal);
        assert_eq!(equal.delay(3, 0.0), S(4));
        assert_eq!(equal.delay(3, 1.0), S(8));
        let spread = Backoff::new(S(2), S(300), Jitter::Spread(0.2));
        assert_eq!(spread.delay(4, 0.0), Duration::from_millis(12_800));
        assert_eq!(spread.delay(4, 0.5), S(16));
        assert_eq!(spread.delay(4, 1.0), Duration::from_millis(19_200));
        assert_eq!(spread.delay(4, 7.0), Duration::from_millis(19_200));
    }

    #[test]
    fn the_source_is_seeded_and_in_range() {
        let mut a = JitterSource::new(42);
        let mut b = JitterSource::new(42);
        for _ in 0..1000 {
            let value = a.next_unit();
            assert!((0.0..=1.0).contains(&value), "{value}");
            assert_eq!(value.to_bits(), b.next_unit().to_bits());
        }
        assert!((0.0..=1.0).contains(&JitterSource::new(0).next_unit()));
    }
}
