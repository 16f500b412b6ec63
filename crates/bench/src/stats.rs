//! Counting pushes inside the measured window: acknowledged samples, batches,
//! latencies (for percentiles) and errors by kind.

use crate::client::PushResult;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;

/// What one simulated agent saw inside the window.
#[derive(Debug, Default, Clone)]
pub struct Recorder {
    /// Latency of each acknowledged push, microseconds.
    pub latencies_us: Vec<u64>,
    /// Samples in acknowledged pushes.
    pub acked_samples: u64,
    /// Acknowledged pushes.
    pub acked_batches: u64,
    /// Failed pushes by kind of error.
    pub errors: BTreeMap<String, u64>,
}

impl Recorder {
    /// Counts one finished push that took `latency`.
    pub fn record(&mut self, result: &PushResult, latency: Duration) {
        self.latencies_us
            .push(u64::try_from(latency.as_micros()).unwrap_or(u64::MAX));
        match result {
            PushResult::Acked { samples } => {
                self.acked_samples += samples;
                self.acked_batches += 1;
            }
            PushResult::Duplicate => self.count_error("duplicate".into()),
            PushResult::Status(status) => self.count_error(format!("HTTP {status}")),
            PushResult::Transport(kind) => self.count_error(kind.clone()),
        }
    }

    fn count_error(&mut self, key: String) {
        *self.errors.entry(key).or_default() += 1;
    }

    /// Adds another recorder's counts to this one.
    pub fn merge(&mut self, other: Recorder) {
        self.latencies_us.extend(other.latencies_us);
        self.acked_samples += other.acked_samples;
        self.acked_batches += other.acked_batches;
        for (key, count) in other.errors {
            *self.errors.entry(key).or_default() += count;
        }
    }
}

/// Latency percentiles, milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Latency {
    /// Median.
    pub p50_ms: f64,
    /// 90th percentile.
    pub p90_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// Slowest push.
    pub max_ms: f64,
}

impl Latency {
    /// Nearest-rank percentiles of `latencies_us` (sorted in place).
    pub fn of(latencies_us: &mut [u64]) -> Self {
        latencies_us.sort_unstable();
        let at = |fraction: f64| -> f64 {
            if latencies_us.is_empty() {
                return 0.0;
            }
            let rank = (fraction * latencies_us.len() as f64).ceil() as usize;
            let index = rank.clamp(1, latencies_us.len()) - 1;
            latencies_us[index] as f64 / 1000.0
        };
        Self {
            p50_ms: at(0.50),
            p90_ms: at(0.90),
            p99_ms: at(0.99),
            max_ms: at(1.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_nearest_rank() {
        let mut values: Vec<u64> = (1..=1000).map(|v| v * 1000).collect();
        values.reverse();
        let latency = Latency::of(&mut values);
        assert_eq!(latency.p50_ms, 500.0);
        assert_eq!(latency.p90_ms, 900.0);
        assert_eq!(latency.p99_ms, 990.0);
        assert_eq!(latency.max_ms, 1000.0);
        assert_eq!(Latency::of(&mut []), Latency::default());
    }

    #[test]
    fn recorder_counts_only_acks_as_samples() {
        let mut a = Recorder::default();
        a.record(
            &PushResult::Acked { samples: 150 },
            Duration::from_millis(2),
        );
        a.record(&PushResult::Status(503), Duration::from_millis(1));
        let mut b = Recorder::default();
        b.record(&PushResult::Duplicate, Duration::from_millis(1));
        b.record(&PushResult::Status(503), Duration::from_millis(1));
        a.merge(b);
        assert_eq!((a.acked_samples, a.acked_batches), (150, 1));
        assert_eq!(a.errors.get("HTTP 503"), Some(&2));
        assert_eq!(a.errors.get("duplicate"), Some(&1));
        assert_eq!(a.latencies_us.len(), 4);
    }
}
