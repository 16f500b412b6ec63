//! Axis labels: local time ticks (`HH:MM`, or dates for long ranges) and values with units.

use hostpulse_core::{human_bytes as bytes, short_number as trim, utc_datetime};

const MINUTE_MS: i64 = 60_000;
const HOUR_MS: i64 = 60 * MINUTE_MS;
const DAY_MS: i64 = 24 * HOUR_MS;

/// Ranges longer than this get dates instead of times of day.
pub(crate) const DATE_LABELS_AFTER_MS: i64 = 2 * DAY_MS;

/// Tick steps to pick from, shortest first.
const STEPS_MS: [i64; 16] = [
    MINUTE_MS,
    2 * MINUTE_MS,
    5 * MINUTE_MS,
    10 * MINUTE_MS,
    15 * MINUTE_MS,
    30 * MINUTE_MS,
    HOUR_MS,
    2 * HOUR_MS,
    3 * HOUR_MS,
    6 * HOUR_MS,
    12 * HOUR_MS,
    DAY_MS,
    2 * DAY_MS,
    4 * DAY_MS,
    7 * DAY_MS,
    14 * DAY_MS,
];

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Tick positions between `start` and `end`, on round local times, at most `max_ticks`.
pub(crate) fn time_ticks(start: i64, end: i64, offset_minutes: i32, max_ticks: i64) -> Vec<i64> {
    let span = (end - start).max(1);
    let step = STEPS_MS
        .iter()
        .copied()
        .find(|step| span / step < max_ticks.max(1))
        .unwrap_or(STEPS_MS[STEPS_MS.len() - 1]);
    let offset = i64::from(offset_minutes) * MINUTE_MS;
    let first = (start + offset).div_euclid(step) * step + step - offset;
    let first = if first - step >= start {
        first - step
    } else {
        first
    };
    (0..)
        .map(|index| first + index * step)
        .take_while(|&tick| tick <= end)
        .collect()
}

/// `HH:MM` local time, or `23 Nov` when `dates` is set.
pub(crate) fn time_label(ms: i64, offset_minutes: i32, dates: bool) -> String {
    let local = ms + i64::from(offset_minutes) * MINUTE_MS;
    if dates {
        let date = utc_datetime(local);
        let month = usize::try_from(date.month()).unwrap_or(1);
        let name = MONTHS[month.saturating_sub(1).min(11)];
        return format!("{} {name}", date.day());
    }
    let minutes = local.rem_euclid(DAY_MS) / MINUTE_MS;
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// `UTC+02:00` style name of an offset.
pub(crate) fn offset_label(offset_minutes: i32) -> String {
    let sign = if offset_minutes < 0 { '-' } else { '+' };
    let minutes = offset_minutes.unsigned_abs();
    format!("UTC{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

/// A value with its unit, bytes in binary multiples: `50%`, `1.5 GiB`, `12 MiB/s`, `0.7`.
pub(crate) fn value_label(value: f64, unit: &str) -> String {
    match unit {
        "%" => format!("{}%", trim(value)),
        "bytes" => bytes(value),
        "bytes/s" => format!("{}/s", bytes(value)),
        "" => trim(value),
        other => format!("{} {other}", trim(value)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_in_local_time() {
        // 2026-11-23 19:05:00 UTC
        let ms = 1_795_460_700_000;
        assert_eq!(time_label(ms, 0, false), "19:05");
        assert_eq!(time_label(ms, 120, false), "21:05");
        assert_eq!(time_label(ms, -330, false), "13:35");
        assert_eq!(time_label(ms, 0, true), "23 Nov");
        assert_eq!(time_label(ms, 300, true), "24 Nov");
        assert_eq!(offset_label(-330), "UTC-05:30");
    }

    #[test]
    fn ticks_are_round_and_inside() {
        let start = 1_795_460_700_000;
        let end = start + 6 * HOUR_MS;
        let ticks = time_ticks(start, end, 0, 8);
        assert!(ticks.len() >= 3 && ticks.len() <= 8, "{ticks:?}");
        assert!(ticks.iter().all(|&t| t >= start && t <= end));
        assert!(ticks.iter().all(|&t| t % HOUR_MS == 0));
    }

    #[test]
    fn values_with_units() {
        assert_eq!(value_label(50.0, "%"), "50%");
        assert_eq!(
            value_label(1.5 * 1024.0 * 1024.0 * 1024.0, "bytes"),
            "1.5 GiB"
        );
        assert_eq!(value_label(2048.0, "bytes/s"), "2 KiB/s");
        assert_eq!(value_label(0.75, ""), "0.8");
    }
}
