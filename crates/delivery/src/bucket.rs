//! Token buckets for per-receiver and per-bot rate limits, on the engine's clock.

use hostpulse_notify::RateLimit;

/// A token bucket: holds up to `count` tokens, refilled evenly over `per`.
///
/// Counted in exact integers: one token is `per` (in ms) units and each millisecond adds
/// `count` units, so a bucket drained at `t` allows its next message at exactly
/// `t + per / count` (rounded up), however often it is looked at in between.
#[derive(Debug, Clone)]
pub struct TokenBucket {
    /// Units per token: the period in milliseconds (at least 1).
    unit: u128,
    /// Units added per millisecond: the token count (at least 1).
    refill_per_ms: u128,
    /// Units held, at most `capacity` tokens' worth.
    level: u128,
    capacity: u128,
    updated_ms: i64,
}

impl TokenBucket {
    /// A full bucket for `limit`, as of `now_ms`.
    pub fn new(limit: RateLimit, now_ms: i64) -> Self {
        let count = u128::from(limit.count.max(1));
        let unit = limit.per.as_millis().max(1);
        Self {
            unit,
            refill_per_ms: count,
            level: count * unit,
            capacity: count * unit,
            updated_ms: now_ms,
        }
    }

    fn refill(&mut self, now_ms: i64) {
        if now_ms > self.updated_ms {
            let elapsed = u128::from(now_ms.abs_diff(self.updated_ms));
            self.level = elapsed
                .saturating_mul(self.refill_per_ms)
                .saturating_add(self.level)
                .min(self.capacity);
            self.updated_ms = now_ms;
        }
    }

    /// Milliseconds until a token is available (0 = now).
    pub fn wait_ms(&mut self, now_ms: i64) -> i64 {
        self.refill(now_ms);
        if self.level >= self.unit {
            return 0;
        }
        let wait = (self.unit - self.level).div_ceil(self.refill_per_ms);
        i64::try_from(wait).unwrap_or(i64::MAX)
    }

    /// Takes one token; call only after [`TokenBucket::wait_ms`] returned 0.
    pub fn take(&mut self, now_ms: i64) {
        self.refill(now_ms);
        self.level = self.level.saturating_sub(self.unit);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn limit(count: u32, per_ms: u64) -> RateLimit {
        RateLimit {
            count,
            per: Duration::from_millis(per_ms),
        }
    }

    #[test]
    fn one_per_second_spaces_messages_a_second_apart() {
        let mut bucket = TokenBucket::new(limit(1, 1000), 0);
        assert_eq!(bucket.wait_ms(0), 0);
        bucket.take(0);
        assert_eq!(bucket.wait_ms(0), 1000);
        assert_eq!(bucket.wait_ms(400), 600);
        assert_eq!(bucket.wait_ms(1000), 0);
        bucket.take(1000);
        assert_eq!(bucket.wait_ms(1000), 1000);
    }

    #[test]
    fn a_burst_up_to_the_count_then_even_refill() {
        let mut bucket = TokenBucket::new(limit(20, 60_000), 0);
        for _ in 0..20 {
            assert_eq!(bucket.wait_ms(0), 0);
            bucket.take(0);
        }
        assert_eq!(bucket.wait_ms(0), 3000);
        assert_eq!(bucket.wait_ms(3000), 0);
    }

    #[test]
    fn an_idle_bucket_never_holds_more_than_its_count() {
        let mut bucket = TokenBucket::new(limit(2, 1000), 0);
        assert_eq!(bucket.wait_ms(3_600_000), 0);
        bucket.take(3_600_000);
        bucket.take(3_600_000);
        assert!(bucket.wait_ms(3_600_000) > 0);
    }

    #[test]
    fn looking_at_the_bucket_in_between_does_not_delay_the_next_token() {
        let mut bucket = TokenBucket::new(limit(1, 1000), 0);
        bucket.take(0);
        assert_eq!(bucket.wait_ms(999), 1);
        assert_eq!(bucket.wait_ms(1000), 0);

        let mut bucket = TokenBucket::new(limit(20, 60_000), 0);
        for _ in 0..20 {
            bucket.take(0);
        }
        for at in [1, 1_000, 2_999] {
            assert_eq!(bucket.wait_ms(at), 3000 - at);
        }
        assert_eq!(bucket.wait_ms(3000), 0);
    }

    #[test]
    fn a_limit_with_more_messages_than_milliseconds_is_exact() {
        let mut bucket = TokenBucket::new(limit(3, 2), 0);
        for _ in 0..3 {
            bucket.take(0);
        }
        assert_eq!(bucket.wait_ms(0), 1);
        assert_eq!(bucket.wait_ms(1), 0);
    }
}
