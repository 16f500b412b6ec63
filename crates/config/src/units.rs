//! Human-friendly durations (`500ms`, `30s`, `5m`, `7d`) and byte sizes (`8MiB`, `100MB`).

use std::time::Duration;

const DURATION_UNITS: &[(&str, u64)] = &[
    ("ms", 1),
    ("s", 1_000),
    ("m", 60_000),
    ("h", 3_600_000),
    ("d", 86_400_000),
    ("w", 7 * 86_400_000),
    ("y", 365 * 86_400_000),
];

const SIZE_UNITS: &[(&str, u64)] = &[
    ("b", 1),
    ("k", 1_000),
    ("kb", 1_000),
    ("kib", 1 << 10),
    ("m", 1_000_000),
    ("mb", 1_000_000),
    ("mib", 1 << 20),
    ("g", 1_000_000_000),
    ("gb", 1_000_000_000),
    ("gib", 1 << 30),
    ("t", 1_000_000_000_000),
    ("tb", 1_000_000_000_000),
    ("tib", 1 << 40),
];

/// Parses a duration such as `500ms`, `30s`, `5m`, `2h`, `7d`, `2w`, `1y` or `1h30m`.
/// A bare number is seconds. Returns `None` when the text is not a duration.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<u64>() {
        return seconds.checked_mul(1_000).map(Duration::from_millis);
    }
    let mut rest = text;
    let mut total_ms: u64 = 0;
    while !rest.is_empty() {
        let (number, after_number) = split_number(rest)?;
        let (unit, after_unit) = split_unit(after_number.trim_start());
        let factor = lookup(DURATION_UNITS, unit)?;
        total_ms = total_ms.checked_add(number.checked_mul(factor)?)?;
        rest = after_unit.trim_start();
    }
    (!text.is_empty()).then(|| Duration::from_millis(total_ms))
}

/// Parses a byte size such as `8MiB`, `100MB`, `512KiB`, `1GiB` or plain bytes (`1048576`).
/// Decimal units (kB, MB, GB, TB) are powers of 1000, binary units (KiB, MiB, ...) of 1024.
pub fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let (number, after_number) = split_number(text)?;
    let unit = after_number.trim();
    if unit.is_empty() {
        return Some(number);
    }
    let factor = lookup(SIZE_UNITS, &unit.to_ascii_lowercase())?;
    number.checked_mul(factor)
}

/// Formats a duration in the largest unit that divides it exactly, e.g. `7d`, `90s`, `500ms`.
pub fn format_duration(duration: Duration) -> String {
    let millis = u64::try_from(duration.as_millis()).unwrap_or(u64::MAX);
    if millis == 0 {
        return "0s".to_owned();
    }
    let (unit, factor) = DURATION_UNITS
        .iter()
        .rev()
        .filter(|(unit, _)| *unit != "y")
        .find(|(_, factor)| millis.is_multiple_of(*factor))
        .copied()
        .unwrap_or(("ms", 1));
    format!("{}{unit}", millis / factor)
}

/// Formats a byte count in the largest binary unit that divides it exactly, e.g. `8MiB`.
pub fn format_size(bytes: u64) -> String {
    let binary = [
        ("TiB", 1u64 << 40),
        ("GiB", 1 << 30),
        ("MiB", 1 << 20),
        ("KiB", 1 << 10),
    ];
    match binary
        .iter()
        .find(|(_, factor)| bytes > 0 && bytes.is_multiple_of(*factor))
    {
        Some((unit, factor)) => format!("{}{unit}", bytes / factor),
        None => bytes.to_string(),
    }
}

fn split_number(text: &str) -> Option<(u64, &str)> {
    let digits_end = text
        .find(|c: char| !c.is_ascii_digit() && c != '_')
        .unwrap_or(text.len());
    let digits: String = text[..digits_end].chars().filter(|c| *c != '_').collect();
    if digits.is_empty() {
        return None;
    }
    Some((digits.parse().ok()?, &text[digits_end..]))
}

fn split_unit(text: &str) -> (&str, &str) {
    let end = text
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(text.len());
    text.split_at(end)
}

fn lookup(table: &[(&str, u64)], unit: &str) -> Option<u64> {
    table
        .iter()
        .find(|(name, _)| *name == unit)
        .map(|(_, factor)| *factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_duration_unit() {
        let cases = [
            ("500ms", 500),
            ("30s", 30_000),
            ("5m", 300_000),
            ("2h", 7_200_000),
            ("7d", 604_800_000),
            ("2w", 1_209_600_000),
            ("1y", 31_536_000_000),
            ("1h30m", 5_400_000),
            ("1h 30m", 5_400_000),
            ("45", 45_000),
            (" 10s ", 10_000),
        ];
        for (text, millis) in cases {
            assert_eq!(
                parse_duration(text),
                Some(Duration::from_millis(millis)),
                "{text}"
            );
        }
    }

    #[test]
    fn rejects_bad_durations() {
        for text in [
            "",
            "7x",
            "s",
            "5 minutes",
            "-5s",
            "1.5h",
            "99999999999999999999y",
        ] {
            assert_eq!(parse_duration(text), None, "{text}");
        }
    }

    #[test]
    fn parses_sizes_in_decimal_and_binary_units() {
        let cases = [
            ("8MiB", 8 << 20),
            ("100MB", 100_000_000),
            ("512KiB", 512 << 10),
            ("1GiB", 1 << 30),
            ("1048576", 1_048_576),
            ("10 mib", 10 << 20),
            ("2kb", 2_000),
            ("7B", 7),
        ];
        for (text, bytes) in cases {
            assert_eq!(parse_size(text), Some(bytes), "{text}");
        }
    }

    #[test]
    fn rejects_bad_sizes() {
        for text in ["", "MiB", "8 MeB", "-1", "1.5GiB", "99999999999TiB"] {
            assert_eq!(parse_size(text), None, "{text}");
        }
    }

    #[test]
    fn formats_round_trip() {
        for millis in [500, 30_000, 300_000, 604_800_000, 63_072_000_000, 90_500] {
            let duration = Duration::from_millis(millis);
            assert_eq!(parse_duration(&format_duration(duration)), Some(duration));
        }
        assert_eq!(format_duration(Duration::from_secs(7 * 86_400)), "1w");
        assert_eq!(format_duration(Duration::from_secs(90 * 86_400)), "90d");
        assert_eq!(format_size(8 << 20), "8MiB");
        assert_eq!(format_size(1_000), "1000");
        for bytes in [0, 1_000, 8 << 20, 100 << 20] {
            assert_eq!(parse_size(&format_size(bytes)), Some(bytes));
        }
    }
}
