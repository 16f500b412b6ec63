//! Token buckets for per-receiver and per-bot rate limits, on the engine's clock.

use hostpulse_config::RateLimit;

/// A token bucket: holds up to `count` tokens, refilled evenly over `per`.
#[derive(Debug, Clone)]
pub struct TokenBucket {
    capacity: f64,
    /// Tokens added per millisecond.
    refill_per_ms: f64,
    tokens: f64,
    updated_ms: i64,
}

impl TokenBucket {
    /// A full bucket for `limit`, as of `now_ms`.
    pub fn new(limit: RateLimit, now_ms: i64) -> Self {
        let capacity = f64::from(limit.count.max(1));
        let per_ms = (limit.per.as_millis() as f64).max(1.0);
        Self {
            capacity,
            refill_per_ms: capacity / per_ms,
            tokens: capacity,
            updated_ms: now_ms,
        }
    }

    fn refill(&mut self, now_ms: i64) {
        if now_ms > self.updated_ms {
            let elapsed = (now_ms - self.updated_ms) as f64;
            self.tokens = (self.tokens + elapsed * self.refill_per_ms).min(self.capacity);
            self.updated_ms = now_ms;
        }
    }

    /// Milliseconds until a token is available (0 = now).
    pub fn wait_ms(&mut self, now_ms: i64) -> i64 {
        self.refill(now_ms);
        if self.tokens >= 1.0 {
            return 0;
        }
        ((1.0 - self.tokens) / self.refill_per_ms).ceil() as i64
    }

    /// Takes one token; call only after [`TokenBucket::wait_ms`] returned 0.
    pub fn take(&mut self, now_ms: i64) {
        self.refill(now_ms);
        self.tokens = (self.tokens - 1.0).max(0.0);
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
}
