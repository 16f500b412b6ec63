//! Tests of the duration grammar: the forms the configuration, the API, the bot and the rule
//! language accepted before they shared it, and round trips through the formatter.

use super::*;
use proptest::prelude::*;

fn ms(text: &str) -> Option<u64> {
    parse_duration(text).map(|d| u64::try_from(d.as_millis()).unwrap())
}

#[test]
fn parses_every_unit_and_compound_durations() {
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
        ("5 m", 300_000),
        (
            "1y2w3d4h5m6s7ms",
            31_536_000_000 + 1_209_600_000 + 259_200_000 + 14_706_007,
        ),
        ("30m1h", 5_400_000),
        ("1_000ms", 1_000),
        ("45", 45_000),
        (" 10s ", 10_000),
    ];
    for (text, millis) in cases {
        assert_eq!(ms(text), Some(millis), "{text}");
    }
}

#[test]
fn parses_decimal_parts_and_plain_seconds() {
    let cases = [
        ("1.5h", 5_400_000),
        ("0.5s", 500),
        (".5m", 30_000),
        ("5.s", 5_000),
        ("1.5", 1_500),
        ("60", 60_000),
        ("1.5h30m", 7_200_000),
        ("0.0015s", 2),
        ("0.4ms", 0),
        ("0.5ms", 1),
    ];
    for (text, millis) in cases {
        assert_eq!(ms(text), Some(millis), "{text}");
    }
    assert_eq!(parse_duration_ms("30s"), Some(30_000));
    assert_eq!(parse_duration_ms("500ms"), Some(500));
}

#[test]
fn rejects_what_is_not_a_duration() {
    for text in [
        "",
        " ",
        "7x",
        "s",
        "5 minutes",
        "-5s",
        "+5s",
        "1e3s",
        ".",
        "._5s",
        "_5s",
        "5x",
        "1h 30",
        "1h,30m",
        "1..5h",
        "NaN",
        "inf",
        "99999999999999999999y",
        "31710y",
    ] {
        assert_eq!(parse_duration(text), None, "{text}");
    }
    assert_eq!(ms("31709y"), Some(31_709 * 31_536_000_000));
    assert_eq!(parse_duration_ms("5x"), None);
    assert_eq!(parse_duration_ms(""), None);
}

#[test]
fn formats_in_the_largest_exact_unit() {
    for millis in [500, 30_000, 300_000, 604_800_000, 63_072_000_000, 90_500] {
        let duration = Duration::from_millis(millis);
        assert_eq!(parse_duration(&format_duration(duration)), Some(duration));
    }
    assert_eq!(format_duration(Duration::from_secs(7 * 86_400)), "1w");
    assert_eq!(format_duration(Duration::from_secs(90 * 86_400)), "90d");
    assert_eq!(format_duration(Duration::ZERO), "0s");
    assert_eq!(format_ms(90_500), "90500ms");
    assert_eq!(unit_ms("h"), Some(3_600_000));
    assert_eq!(unit_ms("H"), None);
}

proptest! {
    #[test]
    fn formatted_durations_read_back(millis in 0..MAX_MS) {
        prop_assert_eq!(ms(&format_ms(millis)), Some(millis));
    }

    #[test]
    fn compound_parts_add_up(parts in proptest::collection::vec((0u64..1_000, 0usize..7), 1..6)) {
        let text: String = parts.iter().map(|(n, u)| format!("{n}{}", UNITS[*u].0)).collect();
        let total: u64 = parts.iter().map(|(n, u)| n * UNITS[*u].1).sum();
        prop_assert_eq!(ms(&text), Some(total), "{}", text);
    }

    #[test]
    fn never_panics(text in "\\PC{0,24}") {
        let _ = parse_duration(&text);
    }
}
