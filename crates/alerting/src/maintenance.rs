//! Maintenance windows: one-off (`[start, end)` instants) and weekly recurring (weekdays, a
//! local time of day in a time zone, a duration), evaluated on epoch milliseconds. Local
//! times follow the zone's daylight-saving rules: a start in a skipped hour moves forward by
//! the gap, a start in a repeated hour takes the first occurrence; durations are elapsed time.

use std::time::Duration;

use hostpulse_core::timestamp;
use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;

/// Weekday names as written, Monday first.
pub const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// A maintenance window: alerts of matching hosts are muted while it is open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaintenanceWindow {
    /// Unique name, shown as the mute reason.
    pub name: String,
    /// Host names or globs.
    pub hosts: Vec<String>,
    /// Host group names.
    pub groups: Vec<String>,
    /// When the window is open.
    pub schedule: MaintenanceSchedule,
    /// Free text for operators.
    pub comment: String,
}

/// When a maintenance window is open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MaintenanceSchedule {
    /// Open in `[start_ms, end_ms)`.
    Once {
        /// First open instant, epoch milliseconds.
        start_ms: i64,
        /// First instant after the window, epoch milliseconds.
        end_ms: i64,
    },
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
    /// Local time of day the window opens.
    pub start: Time,
    /// How long the window stays open (elapsed time); may cross midnight, at most 7 days.
    pub duration: Duration,
    /// Zone of the local time: UTC, a fixed offset or a named (IANA) zone.
    pub zone: TimeZone,
}

impl WeeklySchedule {
    /// Whether a window that opened on a selected day covers `now_ms`.
    pub fn is_active(&self, now_ms: i64) -> bool {
        let Ok(duration_ms) = i64::try_from(self.duration.as_millis()) else {
            return false;
        };
        let mut day = self.zone.to_datetime(timestamp(now_ms)).date();
        for _ in 0..=duration_ms.div_euclid(86_400_000) + 1 {
            if let Some(start_ms) = self.opening_on(day)
                && start_ms <= now_ms
                && now_ms < start_ms.saturating_add(duration_ms)
            {
                return true;
            }
            let Ok(previous) = day.yesterday() else {
                return false;
            };
            day = previous;
        }
        false
    }

    /// The instant the window opens on `day`, when `day` is a selected weekday.
    fn opening_on(&self, day: Date) -> Option<i64> {
        let index = usize::try_from(day.weekday().to_monday_zero_offset()).ok()?;
        if !self.days.get(index).copied().unwrap_or(false) {
            return None;
        }
        let local = day.to_datetime(self.start);
        let start = self.zone.to_ambiguous_timestamp(local).compatible().ok()?;
        Some(start.as_millisecond())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(text: &str) -> i64 {
        text.parse::<jiff::Timestamp>().unwrap().as_millisecond()
    }

    fn weekly(days: [bool; 7], hour: i8, minutes: u64, zone: TimeZone) -> WeeklySchedule {
        WeeklySchedule {
            days,
            start: Time::new(hour, 0, 0, 0).unwrap(),
            duration: Duration::from_secs(minutes * 60),
            zone,
        }
    }

    const SUNDAY: [bool; 7] = [false, false, false, false, false, false, true];

    #[test]
    fn weekly_window_crosses_midnight() {
        let sunday_late = weekly(SUNDAY, 23, 120, TimeZone::UTC);
        let at = |text: &str| sunday_late.is_active(ms(text));
        assert!(!at("2026-12-06T22:59:59Z"));
        assert!(at("2026-12-06T23:00:00Z"));
        assert!(at("2026-12-07T00:59:59Z"));
        assert!(!at("2026-12-07T01:00:00Z"));
        assert!(!at("2026-12-07T23:30:00Z"), "monday is not selected");
    }

    #[test]
    fn weekly_window_honours_a_fixed_offset() {
        let offset = jiff::tz::Offset::from_hours(2).unwrap();
        let schedule = weekly([true; 7], 3, 60, TimeZone::fixed(offset));
        assert!(schedule.is_active(ms("2026-12-01T01:30:00Z")));
        assert!(!schedule.is_active(ms("2026-12-01T03:30:00Z")));
    }

    #[test]
    fn weekdays_are_those_of_the_zone() {
        // Monday 00:30 in Tokyo is still Sunday in UTC.
        let monday = [true, false, false, false, false, false, false];
        let tokyo = weekly(monday, 0, 60, TimeZone::get("Asia/Tokyo").unwrap());
        assert!(tokyo.is_active(ms("2026-12-06T15:30:00Z")));
        assert!(!tokyo.is_active(ms("2026-12-07T15:30:00Z")));
    }

    #[test]
    fn a_start_in_the_skipped_hour_moves_forward_by_the_gap() {
        // 2026-03-29 02:30 does not exist in Berlin; the window opens at 03:30 CEST.
        let mut schedule = weekly(SUNDAY, 2, 60, TimeZone::get("Europe/Berlin").unwrap());
        schedule.start = Time::new(2, 30, 0, 0).unwrap();
        assert!(!schedule.is_active(ms("2026-03-29T01:29:59Z")));
        assert!(schedule.is_active(ms("2026-03-29T01:30:00Z")));
        assert!(!schedule.is_active(ms("2026-03-29T02:30:00Z")));
    }

    #[test]
    fn a_start_in_the_repeated_hour_takes_the_first() {
        // 2026-10-25 02:30 happens twice in Berlin; the window opens at 02:30 CEST.
        let mut schedule = weekly(SUNDAY, 2, 60, TimeZone::get("Europe/Berlin").unwrap());
        schedule.start = Time::new(2, 30, 0, 0).unwrap();
        assert!(schedule.is_active(ms("2026-10-25T00:30:00Z")));
        assert!(!schedule.is_active(ms("2026-10-25T01:30:00Z")));
    }
}
