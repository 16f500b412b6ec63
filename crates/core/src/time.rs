//! Civil times of Unix timestamps, through jiff: one place for every caller that prints a
//! time in UTC. Named time zones (and their database) live in the hub crates, not here.

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;

/// The instant of Unix milliseconds `ms`, clamped to the range jiff represents
/// (years -9999 to 9999).
pub fn timestamp(ms: i64) -> Timestamp {
    Timestamp::from_millisecond(ms).unwrap_or(if ms < 0 {
        Timestamp::MIN
    } else {
        Timestamp::MAX
    })
}

/// The UTC calendar date and time of Unix milliseconds `ms` (negative values are before
/// 1970); format it with `strftime`, e.g. `utc_datetime(ms).strftime("%Y-%m-%d %H:%M")`.
pub fn utc_datetime(ms: i64) -> DateTime {
    TimeZone::UTC.to_datetime(timestamp(ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_leap_days_and_negative_times() {
        let at = |ms: i64| utc_datetime(ms).strftime("%Y-%m-%d %H:%M:%S").to_string();
        assert_eq!(at(0), "1970-01-01 00:00:00");
        assert_eq!(at(-86_400_000), "1969-12-31 00:00:00");
        // 2024-02-29 is day 19,782.
        assert_eq!(at(19_782 * 86_400_000), "2024-02-29 00:00:00");
        assert_eq!(at(19_783 * 86_400_000), "2024-03-01 00:00:00");
        assert_eq!(at(1_795_437_296_000), "2026-11-23 12:34:56");
        assert_eq!(at(-1), "1969-12-31 23:59:59");
    }

    #[test]
    fn out_of_range_instants_are_clamped() {
        assert_eq!(utc_datetime(i64::MAX).year(), 9999);
        assert_eq!(utc_datetime(i64::MIN).year(), -9999);
    }
}
