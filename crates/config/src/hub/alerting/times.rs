//! The time forms of maintenance windows: RFC 3339 instants, `HH:MM` times of day and time
//! zones (UTC, a fixed offset, or a named IANA zone from the bundled database), read by jiff.

use jiff::Timestamp;
use jiff::civil::Time;
use jiff::tz::{Offset, TimeZone};

/// The accepted time-zone forms, appended to errors.
const ZONE_FORMS: &str =
    "use UTC, a fixed offset such as +02:00 or UTC-05:30, or an IANA zone such as Europe/Berlin";

/// Parses an RFC 3339 time (`2026-12-01T02:00:00Z`, `2026-12-01T04:00:00+02:00`,
/// fractional seconds allowed) into epoch milliseconds.
pub fn parse_rfc3339_ms(text: &str) -> Result<i64, String> {
    text.trim()
        .parse::<Timestamp>()
        .ok()
        .filter(|_| has_offset(text.trim()))
        .map(Timestamp::as_millisecond)
        .ok_or_else(|| format!("{text:?} is not an RFC 3339 time (use e.g. 2026-12-01T02:00:00Z)"))
}

/// Whether an RFC 3339 text ends in `Z` or a `±HH:MM` offset (jiff also reads bracketed
/// zone annotations, which RFC 3339 does not have).
fn has_offset(text: &str) -> bool {
    let bytes = text.as_bytes();
    let tail = bytes.len().saturating_sub(6);
    text.ends_with(['z', 'Z'])
        || (bytes.len() > 6 && matches!(bytes[tail], b'+' | b'-') && bytes[tail + 3] == b':')
}

/// Parses `HH:MM` (24-hour clock, one- or two-digit hours) into a time of day.
pub(crate) fn parse_time_of_day(text: &str) -> Option<Time> {
    let (hours, minutes) = text.trim().split_once(':')?;
    if hours.is_empty() || hours.len() > 2 || minutes.len() != 2 {
        return None;
    }
    if !hours
        .bytes()
        .chain(minutes.bytes())
        .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    Time::new(hours.parse().ok()?, minutes.parse().ok()?, 0, 0).ok()
}

/// `UTC`, `Z`, a fixed offset `+HH:MM` / `UTC+HH:MM`, or an IANA zone name such as
/// `Europe/Berlin` (daylight saving included).
pub(crate) fn parse_timezone(text: &str) -> Result<TimeZone, String> {
    let trimmed = text.trim();
    let upper = trimmed.to_ascii_uppercase();
    let offset = upper.strip_prefix("UTC").unwrap_or(&upper);
    if offset.is_empty() || offset == "Z" {
        return Ok(TimeZone::UTC);
    }
    if offset.starts_with(['+', '-']) {
        return parse_offset(offset)
            .map(TimeZone::fixed)
            .ok_or_else(|| format!("{text:?} is not a supported time zone ({ZONE_FORMS})"));
    }
    TimeZone::get(trimmed)
        .map_err(|_| format!("{text:?} is not a time zone of the bundled database ({ZONE_FORMS})"))
}

/// `+HH:MM` or `-HH:MM` → an offset.
fn parse_offset(text: &str) -> Option<Offset> {
    let sign = if text.starts_with('-') { -1 } else { 1 };
    let (hours, minutes) = text.get(1..)?.split_once(':')?;
    let digits = |part: &str| part.len() == 2 && part.bytes().all(|b| b.is_ascii_digit());
    if !digits(hours) || !digits(minutes) {
        return None;
    }
    let (hours, minutes): (i32, i32) = (hours.parse().ok()?, minutes.parse().ok()?);
    if hours > 23 || minutes > 59 {
        return None;
    }
    Offset::from_seconds(sign * (hours * 3_600 + minutes * 60)).ok()
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
            "2026-12-01T02:00:00[Europe/Berlin]",
            "yesterday",
        ] {
            assert!(parse_rfc3339_ms(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn parses_times_of_day() {
        let minutes =
            |text: &str| parse_time_of_day(text).map(|t| t.hour() as i32 * 60 + t.minute() as i32);
        assert_eq!(minutes("03:00"), Some(180));
        assert_eq!(minutes("3:00"), Some(180));
        assert_eq!(minutes("23:59"), Some(1439));
        assert_eq!(minutes("24:00"), None);
        assert_eq!(minutes("3pm"), None);
        assert_eq!(minutes("+3:00"), None);
    }

    #[test]
    fn parses_every_zone_form() {
        let offset = |text: &str| {
            parse_timezone(text).map(|zone| zone.to_offset(Timestamp::UNIX_EPOCH).seconds())
        };
        assert_eq!(offset("UTC"), Ok(0));
        assert_eq!(offset("z"), Ok(0));
        assert_eq!(offset("+05:30"), Ok(19_800));
        assert_eq!(offset("UTC-01:00"), Ok(-3_600));
        assert_eq!(offset("Europe/Berlin"), Ok(3_600));
        assert_eq!(
            parse_timezone("Europe/Berlin")
                .ok()
                .and_then(|z| z.iana_name().map(str::to_owned)),
            Some("Europe/Berlin".to_owned())
        );
        for bad in ["05:30", "+5:30", "+24:00", "Mars/Olympus", "CEST+1"] {
            let error = parse_timezone(bad).expect_err(bad);
            assert!(error.contains("Europe/Berlin"), "{bad}: {error}");
        }
    }
}
