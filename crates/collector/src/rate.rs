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
}
