//! Maintenance schedules: one-off windows (RFC 3339 times) and weekly recurring windows
//! (weekdays, time of day, duration, fixed UTC offset), all evaluated on epoch milliseconds.

const MINUTE_MS: i64 = 60_000;
const DAY_MS: i64 = 86_400_000;

/// Weekday names as written, Monday first.
pub(crate) const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// When a maintenance window is open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MaintenanceSchedule {
    /// Open in `[start_ms, end_ms)`.
    Once { start_ms: i64, end_ms: i64 },
    /// Open every selected weekday from a time of day, for a duration.
    Weekly(WeeklySchedule),
}

impl MaintenanceSchedule {
    /// Whether the window is open at `now_ms`.
    pub fn is_active(&self, now_ms: i64) -> bool {
        match self {
            MaintenanceSchedule::Once { start_ms, end_ms } => {
                *start_ms <= now_ms && now_ms < *end_ms
            }
            MaintenanceSchedule::Weekly(weekly) => weekly.is_active(now_ms),
        }
    }
}

/// A weekly recurring window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeeklySchedule {
    /// Selected weekdays, Monday first.
    pub days: [bool; 7],
    /// Start, in minutes after local midnight.
    pub start_minute: u32,
    /// How long the window stays open; may cross midnight (at most 7 days).
    pub duration_ms: i64,
    /// Offset of local time from UTC, in minutes (0 for UTC).
    pub utc_offset_minutes: i32,
}

impl WeeklySchedule {
    /// Whether a window that started on a selected day covers `now_ms`.
    pub fn is_active(&self, now_ms: i64) -> bool {
        let local_ms = now_ms + i64::from(self.utc_offset_minutes) * MINUTE_MS;
        let today = local_ms.div_euclid(DAY_MS);
        let days_back = self.duration_ms.div_euclid(DAY_MS) + 1;
        (0..=days_back).any(|back| {
            let day = today - back;
            let start = day * DAY_MS + i64::from(self.start_minute) * MINUTE_MS;
            self.days[weekday_index(day)]
                && start <= local_ms
                && local_ms < start + self.duration_ms
        })
    }
}

/// Monday = 0 for a day number counted from 1970-01-01 (a Thursday).
pub(crate) fn weekday_index(day: i64) -> usize {
    // rem_euclid(7) is in 0..7, so the cast cannot truncate.
    (day + 3).rem_euclid(7) as usize
}

/// Parses an RFC 3339 time (`2026-12-01T02:00:00Z`, `2026-12-01T04:00:00+02:00`,
/// fractional seconds allowed) into epoch milliseconds.
pub fn parse_rfc3339_ms(text: &str) -> Result<i64, String> {
    let bad = || format!("{text:?} is not an RFC 3339 time (use e.g. 2026-12-01T02:00:00Z)");
    let text = text.trim();
    let bytes = text.as_bytes();
    if bytes.len() < 20
        || bytes[4] != b'-'
        || bytes[7] != b'-'
        || !matches!(bytes[10], b'T' | b't' | b' ')
    {
        return Err(bad());
    }
    let number = |range: std::ops::Range<usize>| -> Result<i64, String> {
        let part = text.get(range).ok_or_else(bad)?;
        if !part.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        part.parse().map_err(|_| bad())
    };
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    if bytes[13] != b':' || bytes[16] != b':' {
        return Err(bad());
    }
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return Err(bad());
    }
    let (millis, zone) = split_fraction(&text[19..]).ok_or_else(bad)?;
    let offset_minutes = parse_offset(zone).ok_or_else(bad)?;
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second;
    Ok(seconds * 1_000 + millis - i64::from(offset_minutes) * MINUTE_MS)
}

fn split_fraction(text: &str) -> Option<(i64, &str)> {
    let Some(rest) = text.strip_prefix('.') else {
        return Some((0, text));
    };
    let digits_end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    if digits_end == 0 {
        return None;
    }
    let padded: String = rest[..digits_end]
        .chars()
        .chain("000".chars())
        .take(3)
        .collect();
    Some((padded.parse().ok()?, &rest[digits_end..]))
}

/// `Z`, `+HH:MM` or `-HH:MM` → offset in minutes.
pub(crate) fn parse_offset(text: &str) -> Option<i32> {
    if text.eq_ignore_ascii_case("z") {
        return Some(0);
    }
    let sign = match text.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (hours, minutes) = text[1..].split_once(':')?;
    if hours.len() != 2 || minutes.len() != 2 {
        return None;
    }
    let (hours, minutes): (i32, i32) = (hours.parse().ok()?, minutes.parse().ok()?);
    (hours <= 23 && minutes <= 59).then_some(sign * (hours * 60 + minutes))
}

/// Parses `HH:MM` (24-hour clock) into minutes after midnight.
pub(crate) fn parse_time_of_day(text: &str) -> Option<u32> {
    let (hours, minutes) = text.trim().split_once(':')?;
    if hours.is_empty() || hours.len() > 2 || minutes.len() != 2 {
        return None;
    }
    let (hours, minutes): (u32, u32) = (hours.parse().ok()?, minutes.parse().ok()?);
    (hours <= 23 && minutes <= 59).then_some(hours * 60 + minutes)
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rfc3339_times() {
        assert_eq!(parse_rfc3339_ms("1970-01-01T00:00:00Z"), Ok(0));
        assert_eq!(
            parse_rfc3339_ms("2026-12-01T02:00:00Z"),
            Ok(1_796_090_400_000)
        );
        assert_eq!(
            parse_rfc3339_ms("2026-12-01T04:00:00+02:00"),
            Ok(1_796_090_400_000)
        );
        assert_eq!(
            parse_rfc3339_ms("2000-02-29T00:00:00.5Z"),
            Ok(951_782_400_500)
        );
        for bad in [
            "2026-13-01T00:00:00Z",
            "2026-02-30T00:00:00Z",
            "2026-12-01",
            "2026-12-01T02:00:00",
            "yesterday",
        ] {
            assert!(parse_rfc3339_ms(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn weekday_of_known_dates() {
        let day = |text: &str| parse_rfc3339_ms(text).unwrap().div_euclid(DAY_MS);
        assert_eq!(WEEKDAYS[weekday_index(day("1970-01-01T00:00:00Z"))], "thu");
        assert_eq!(WEEKDAYS[weekday_index(day("2026-12-06T12:00:00Z"))], "sun");
        assert_eq!(WEEKDAYS[weekday_index(day("1969-12-29T00:00:00Z"))], "mon");
    }

    #[test]
    fn weekly_window_crosses_midnight() {
        let sunday_late = WeeklySchedule {
            days: [false, false, false, false, false, false, true],
            start_minute: 23 * 60,
            duration_ms: 2 * 3_600_000,
            utc_offset_minutes: 0,
        };
        let at = |text: &str| sunday_late.is_active(parse_rfc3339_ms(text).unwrap());
        assert!(!at("2026-12-06T22:59:59Z"));
        assert!(at("2026-12-06T23:00:00Z"));
        assert!(at("2026-12-07T00:59:59Z"));
        assert!(!at("2026-12-07T01:00:00Z"));
        assert!(!at("2026-12-07T23:30:00Z"), "monday is not selected");
    }

    #[test]
    fn weekly_window_honours_utc_offset() {
        let schedule = WeeklySchedule {
            days: [true; 7],
            start_minute: 3 * 60,
            duration_ms: 3_600_000,
            utc_offset_minutes: 120,
        };
        assert!(schedule.is_active(parse_rfc3339_ms("2026-12-01T01:30:00Z").unwrap()));
        assert!(!schedule.is_active(parse_rfc3339_ms("2026-12-01T03:30:00Z").unwrap()));
    }

    #[test]
    fn parses_offsets_and_times_of_day() {
        assert_eq!(parse_offset("+05:30"), Some(330));
        assert_eq!(parse_offset("-01:00"), Some(-60));
        assert_eq!(parse_offset("05:30"), None);
        assert_eq!(parse_time_of_day("03:00"), Some(180));
        assert_eq!(parse_time_of_day("23:59"), Some(1439));
        assert_eq!(parse_time_of_day("24:00"), None);
        assert_eq!(parse_time_of_day("3pm"), None);
    }
}
