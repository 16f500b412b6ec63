//! Counter to per-second rate conversion with reset and 32-bit wrap handling, and rounding.

/// Rounds to 2 decimals (percentages and rates), which helps the store's compression.
pub fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

/// Increase of a counter from `previous` to `current`.
///
/// A counter that went down wrapped at 2^32 if the old value fitted in 32 bits (a 32-bit
/// kernel counter); otherwise it was reset and there is no increase to report.
pub fn counter_delta(previous: u64, current: u64) -> Option<u64> {
    if current >= previous {
        return Some(current - previous);
    }
    let wrap = 1u64 << 32;
    if previous < wrap {
        return Some(wrap - previous + current);
    }
    None
}

/// Per-second rate of a counter over `elapsed_secs`, rounded to 2 decimals.
pub fn counter_rate(previous: u64, current: u64, elapsed_secs: f64) -> Option<f64> {
    if elapsed_secs <= 0.0 {
        return None;
    }
    counter_delta(previous, current).map(|d| round2(d as f64 / elapsed_secs))
}

/// `part / whole` as a percentage rounded to 2 decimals; 0 when `whole` is 0.
pub fn percent(part: f64, whole: f64) -> f64 {
    if whole <= 0.0 {
        return 0.0;
    }
    round2((part / whole * 100.0).clamp(0.0, 100.0))
}

/// Counters of each device or interface from the previous reading, and when it was taken.
#[derive(Debug)]
pub struct PreviousReading<C> {
    counters: std::collections::HashMap<String, C>,
    at: Option<std::time::Instant>,
}

impl<C> Default for PreviousReading<C> {
    fn default() -> Self {
        Self {
            counters: std::collections::HashMap::new(),
            at: None,
        }
    }
}

impl<C> PreviousReading<C> {
    /// Calls `f(name, before, now, elapsed_secs)` for every entry that was also in the
    /// previous reading (so the first reading yields nothing), then keeps `current`.
    pub fn advance(&mut self, current: Vec<(String, C)>, mut f: impl FnMut(&str, &C, &C, f64)) {
        let now = std::time::Instant::now();
        if let Some(at) = self.at {
            let secs = now.duration_since(at).as_secs_f64();
            for (name, counters) in &current {
                if let Some(before) = self.counters.get(name) {
                    f(name, before, counters, secs);
                }
            }
        }
        self.counters.clear();
        self.counters.extend(current);
        self.at = Some(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_to_two_decimals() {
        assert_eq!(round2(12.3456), 12.35);
        assert_eq!(round2(0.004), 0.0);
    }

    #[test]
    fn delta_handles_growth_wrap_and_reset() {
        assert_eq!(counter_delta(10, 25), Some(15));
        assert_eq!(counter_delta(u32::MAX as u64 - 4, 5), Some(10));
        assert_eq!(counter_delta(1 << 40, 5), None);
    }

    #[test]
    fn rate_uses_elapsed_time() {
        assert_eq!(counter_rate(1_000, 4_000, 2.0), Some(1_500.0));
        assert_eq!(counter_rate(1_000, 1_000, 2.0), Some(0.0));
        assert_eq!(counter_rate(1_000, 4_000, 0.0), None);
        assert_eq!(counter_rate(1 << 40, 0, 1.0), None);
        assert_eq!(counter_rate(3, 4, 3.0), Some(0.33));
    }

    #[test]
    fn percent_is_clamped_and_safe() {
        assert_eq!(percent(1.0, 3.0), 33.33);
        assert_eq!(percent(5.0, 0.0), 0.0);
        assert_eq!(percent(7.0, 5.0), 100.0);
    }

    #[test]
    fn previous_reading_pairs_entries_seen_twice() {
        let mut previous = PreviousReading::default();
        let mut seen = Vec::new();
        previous.advance(vec![("eth0".to_string(), 10u64)], |n, _, _, _| {
            seen.push(n.to_string())
        });
        assert!(
            seen.is_empty(),
            "the first reading has nothing to compare with"
        );
        let current = vec![("eth0".to_string(), 15u64), ("eth1".to_string(), 1u64)];
        previous.advance(current, |n, before, now, secs| {
            assert!(secs >= 0.0);
            seen.push(format!("{n}:{before}->{now}"));
        });
        assert_eq!(seen, ["eth0:10->15"]);
    }
}
