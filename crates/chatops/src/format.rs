//! Text helpers of replies: HTML escaping, message splitting, compact numbers, ages and times.

use jiff::Timestamp;
use jiff::tz::TimeZone;

/// Longest text of one Telegram message, characters.
pub const MAX_MESSAGE_CHARS: usize = 4096;

/// Escapes `&`, `<`, `>` and `"` for Telegram HTML (the one escaper of messages).
pub use hostpulse_core::text::escape_html as escape;

/// Splits HTML text into messages of at most `max` characters at line boundaries; an open
/// `<pre>` block is closed at the end of a part and reopened in the next. A single line
/// longer than a message is cut.
pub fn split_message(text: &str, max: usize) -> Vec<String> {
    const CLOSE: &str = "</pre>";
    const OPEN: &str = "<pre>";
    let budget = max.saturating_sub(CLOSE.len() + OPEN.len()).max(1);
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut in_pre = false;
    for line in text.lines() {
        for piece in cut(line, budget) {
            if !current.is_empty() && current.chars().count() + piece.chars().count() + 1 > budget {
                if in_pre {
                    current.push_str(CLOSE);
                }
                parts.push(std::mem::take(&mut current));
                if in_pre {
                    current.push_str(OPEN);
                }
            }
            if !current.is_empty() && !current.ends_with(OPEN) {
                current.push('\n');
            }
            current.push_str(&piece);
        }
        in_pre = pre_open_after(in_pre, line);
    }
    if !current.trim().is_empty() {
        parts.push(current);
    }
    parts
}

/// Cuts a line longer than `budget` characters into pieces of at most `budget`, never inside
/// an entity (`&amp;`) or a tag (`<b>`), which Telegram would refuse.
fn cut(line: &str, budget: usize) -> Vec<String> {
    let chars: Vec<char> = line.chars().collect();
    if chars.len() <= budget {
        return vec![line.to_string()];
    }
    let mut pieces = Vec::new();
    let mut start = 0;
    while start < chars.len() {
        let end = markup_safe_end(&chars, start, (start + budget).min(chars.len()));
        pieces.push(chars[start..end].iter().collect());
        start = end;
    }
    pieces
}

/// `end`, or the start of an entity or tag that a cut at `end` would split (when that
/// leaves a non-empty piece).
fn markup_safe_end(chars: &[char], start: usize, end: usize) -> usize {
    if end == chars.len() {
        return end;
    }
    let piece = &chars[start..end];
    match piece.iter().rposition(|c| matches!(c, '&' | '<')) {
        Some(at) if at > 0 => {
            let closer = if piece[at] == '&' { ';' } else { '>' };
            if piece[at..].contains(&closer) {
                end
            } else {
                start + at
            }
        }
        _ => end,
    }
}

fn pre_open_after(mut open: bool, line: &str) -> bool {
    let mut rest = line;
    while let Some(at) = rest.find(if open { "</pre>" } else { "<pre>" }) {
        open = !open;
        rest = &rest[at + 5..];
    }
    open
}

/// A compact age: `42s`, `5m`, `3h`, `2d`.
pub fn age(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m", s / 60),
        3600..=86_399 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86_400),
    }
}

/// Unix milliseconds as `YYYY-MM-DD HH:MM` (UTC).
pub fn utc_time(ms: i64) -> String {
    hostpulse_core::utc_datetime(ms)
        .strftime("%Y-%m-%d %H:%M")
        .to_string()
}

/// Unix milliseconds as `YYYY-MM-DD HH:MM ABBR` in `zone`, e.g. `2026-01-15 14:13 CET`;
/// in UTC the same as `utc_time` followed by ` UTC`.
pub fn zoned_time(ms: i64, zone: &TimeZone) -> String {
    let (offset_seconds, abbreviation) = offset_at(ms, zone);
    let local = utc_time(ms + i64::from(offset_seconds) * 1_000);
    format!("{local} {abbreviation}")
}

/// Unix milliseconds as `YYYY-MM-DD HH:MM` local time in `zone`, without the abbreviation
/// (for tables whose header names the zone).
pub fn local_time(ms: i64, zone: &TimeZone) -> String {
    let (offset_seconds, _) = offset_at(ms, zone);
    utc_time(ms + i64::from(offset_seconds) * 1_000)
}

/// `HH:MM ABBR` of Unix milliseconds in `zone`, e.g. `14:13 CEST`.
pub fn zoned_clock(ms: i64, zone: &TimeZone) -> String {
    let stamp = zoned_time(ms, zone);
    stamp
        .split_once(' ')
        .map_or(stamp.clone(), |(_, clock)| clock.to_string())
}

/// The abbreviation `zone` uses at Unix milliseconds `ms`: `UTC`, `CET`, `CEST`, ...
pub fn zone_abbreviation(ms: i64, zone: &TimeZone) -> String {
    offset_at(ms, zone).1
}

/// Minutes `zone` is ahead of UTC at Unix milliseconds `ms` (negative west of Greenwich).
pub fn utc_offset_minutes(ms: i64, zone: &TimeZone) -> i32 {
    offset_at(ms, zone).0 / 60
}

/// The UTC offset (seconds) and abbreviation of `zone` at `ms`; UTC for instants jiff cannot
/// represent.
fn offset_at(ms: i64, zone: &TimeZone) -> (i32, String) {
    match Timestamp::from_millisecond(ms) {
        Ok(instant) => {
            let info = zone.to_offset_info(instant);
            (info.offset().seconds(), info.abbreviation().to_string())
        }
        Err(_) => (0, "UTC".to_string()),
    }
}

/// A byte rate in compact units: `512`, `1.2k`, `3.4M`, `1.0G` (bytes per second).
pub fn rate(bytes_per_sec: f64) -> String {
    let units = [("G", 1e9), ("M", 1e6), ("k", 1e3)];
    for (suffix, size) in units {
        if bytes_per_sec >= size {
            return format!("{:.1}{suffix}", bytes_per_sec / size);
        }
    }
    format!("{bytes_per_sec:.0}")
}

/// A number with at most two decimals and no trailing zeros.
pub fn number(value: f64) -> String {
    let text = format!("{value:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    text.to_string()
}

/// A percentage rounded to a whole number, or `-`.
pub fn percent(value: Option<f64>) -> String {
    value.map_or_else(|| "-".into(), |v| format!("{v:.0}%"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_html() {
        assert_eq!(escape("<b>a&b\"</b>"), "&lt;b&gt;a&amp;b&quot;&lt;/b&gt;");
    }

    #[test]
    fn splits_at_lines_and_keeps_pre_balanced() {
        let lines: Vec<String> = (0..100).map(|i| format!("host-{i:03} 12% 0.5")).collect();
        let text = format!("<b>Status</b>\n<pre>{}</pre>", lines.join("\n"));
        let parts = split_message(&text, 300);
        assert!(parts.len() > 1);
        for part in &parts {
            assert!(part.chars().count() <= 300, "{part}");
            assert_eq!(
                part.matches("<pre>").count(),
                part.matches("</pre>").count()
            );
        }
        let joined = parts.join("\n");
        for line in &lines {
            assert!(joined.contains(line.as_str()));
        }
    }

    #[test]
    fn a_long_line_is_cut_outside_entities_and_tags() {
        let line = format!("x{}", escape(&"<a&b>\"".repeat(400)));
        let tagged = format!("<b>{}</b>", "y".repeat(200)).repeat(30);
        for text in [line, tagged] {
            let parts = split_message(&text, 100);
            assert!(parts.len() > 1);
            for part in &parts {
                assert!(part.chars().count() <= 100, "{part}");
                let unclosed = |open: char, close: char| {
                    part.rfind(open)
                        .is_some_and(|at| !part[at..].contains(close))
                };
                assert!(!unclosed('&', ';') && !unclosed('<', '>'), "{part}");
            }
            assert_eq!(parts.concat(), text);
        }
    }

    #[test]
    fn short_text_is_one_part() {
        assert_eq!(split_message("a\nb", MAX_MESSAGE_CHARS), vec!["a\nb"]);
    }

    #[test]
    fn compact_numbers() {
        assert_eq!(age(90_000), "1m");
        assert_eq!(rate(1_500_000.0), "1.5M");
        assert_eq!(number(0.5), "0.5");
        assert_eq!(number(90.0), "90");
    }

    #[test]
    fn utc_times() {
        assert_eq!(utc_time(0), "1970-01-01 00:00");
        assert_eq!(utc_time(1_790_000_000_000), "2026-09-21 14:13");
        assert_eq!(utc_time(951_782_400_000), "2000-02-29 00:00");
    }

    fn berlin() -> TimeZone {
        TimeZone::get("Europe/Berlin").expect("bundled time zone")
    }

    #[test]
    fn utc_times_keep_their_form() {
        let at = 1_790_000_000_000;
        assert_eq!(zoned_time(at, &TimeZone::UTC), "2026-09-21 14:13 UTC");
        assert_eq!(zoned_clock(at, &TimeZone::UTC), "14:13 UTC");
        assert_eq!(utc_offset_minutes(at, &TimeZone::UTC), 0);
    }

    #[test]
    fn berlin_times_follow_daylight_saving() {
        // 2026-01-15 13:13 UTC: winter, CET is UTC+1.
        let winter = 1_768_482_780_000;
        assert_eq!(zoned_time(winter, &berlin()), "2026-01-15 14:13 CET");
        assert_eq!(zoned_clock(winter, &berlin()), "14:13 CET");
        assert_eq!(utc_offset_minutes(winter, &berlin()), 60);
        // 2026-09-21 14:13 UTC: summer, CEST is UTC+2.
        let summer = 1_790_000_000_000;
        assert_eq!(zoned_time(summer, &berlin()), "2026-09-21 16:13 CEST");
        assert_eq!(zone_abbreviation(summer, &berlin()), "CEST");
        assert_eq!(local_time(summer, &berlin()), "2026-09-21 16:13");
        assert_eq!(local_time(summer, &TimeZone::UTC), "2026-09-21 14:13");
        assert_eq!(utc_offset_minutes(summer, &berlin()), 120);
        // Local midnight crosses the date line of UTC.
        assert_eq!(
            zoned_time(1_790_031_000_000, &berlin()),
            "2026-09-22 00:50 CEST"
        );
    }

    #[test]
    fn west_of_greenwich_is_behind_utc() {
        let new_york = TimeZone::get("America/New_York").expect("bundled time zone");
        assert_eq!(utc_offset_minutes(1_768_482_780_000, &new_york), -300);
        assert_eq!(zoned_clock(1_768_482_780_000, &new_york), "08:13 EST");
    }
}
