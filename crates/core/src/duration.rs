//! The one duration grammar of hostpulse (configuration, API, CLI, bot, rule expressions):
//! Prometheus-style compound durations such as `1h30m` or `1y2w3d4h5m6s7ms`, decimal parts
//! such as `1.5h`, and a plain number of seconds.
//!
//! ```text
//! duration = number                      a plain number is seconds: 45, 1.5
//!          | part { [spaces] part }      parts add up, in any order: 1h30m, 1h 30m
//! part     = number [spaces] unit
//! number   = digits [ "." [ digits ] ] | "." digits
//! digits   = digit { digit | "_" }       `_` separates thousands: 1_000ms
//! unit     = "ms" | "s" | "m" | "h" | "d" | "w" | "y"
//! ```
//!
//! `d` is 24 hours, `w` 7 days and `y` 365 days. Spaces around the whole text are ignored.
//! The total is rounded to whole milliseconds and must be below [`MAX_MS`]; a sign, an
//! exponent or an unknown unit is refused.

use std::time::Duration;

/// Durations are below this many milliseconds (about 31 700 years).
pub const MAX_MS: u64 = 1_000_000_000_000_000;

/// Units and their length in milliseconds, shortest first.
pub const UNITS: &[(&str, u64)] = &[
    ("ms", 1),
    ("s", 1_000),
    ("m", 60_000),
    ("h", 3_600_000),
    ("d", 86_400_000),
    ("w", 7 * 86_400_000),
    ("y", 365 * 86_400_000),
];

/// Fraction digits that count; later ones change the total by less than a millisecond.
const FRACTION_DIGITS: usize = 12;

/// Length of `unit` (`ms`, `s`, `m`, `h`, `d`, `w`, `y`) in milliseconds.
pub fn unit_ms(unit: &str) -> Option<u64> {
    UNITS
        .iter()
        .find(|(name, _)| *name == unit)
        .map(|(_, ms)| *ms)
}

/// Parses a duration of the grammar above; `None` when the text is not one.
pub fn parse_duration(text: &str) -> Option<Duration> {
    parse_ms(text).map(Duration::from_millis)
}

/// [`parse_duration`] in milliseconds.
pub fn parse_duration_ms(text: &str) -> Option<i64> {
    parse_ms(text).and_then(|ms| i64::try_from(ms).ok())
}

/// Writes a duration in the largest unit below a year that divides it exactly (`7d`, `1w`,
/// `90s`, `500ms`, `0s`), so that [`parse_duration`] reads it back; sub-millisecond parts
/// are dropped.
pub fn format_duration(duration: Duration) -> String {
    let millis = u64::try_from(duration.as_millis()).unwrap_or(u64::MAX);
    format_ms(millis)
}

/// [`format_duration`] of a number of milliseconds.
pub fn format_ms(millis: u64) -> String {
    if millis == 0 {
        return "0s".to_owned();
    }
    let (unit, factor) = UNITS
        .iter()
        .rev()
        .filter(|(unit, _)| *unit != "y")
        .find(|(_, factor)| millis.is_multiple_of(*factor))
        .copied()
        .unwrap_or(("ms", 1));
    format!("{}{unit}", millis / factor)
}

fn parse_ms(text: &str) -> Option<u64> {
    let text = text.trim();
    let (number, rest) = split_number(text)?;
    if rest.is_empty() {
        return number.times(1_000).filter(|ms| *ms < MAX_MS);
    }
    let mut rest = text;
    let mut total: u64 = 0;
    while !rest.is_empty() {
        let (number, after_number) = split_number(rest)?;
        let (unit, after_unit) = split_unit(after_number.trim_start());
        total = total.checked_add(number.times(unit_ms(unit)?)?)?;
        rest = after_unit.trim_start();
    }
    (total < MAX_MS).then_some(total)
}

/// A decimal number as written: its whole part and its fraction digits.
struct Number {
    whole: u64,
    fraction: String,
}

impl Number {
    /// The number times `factor`, rounded to a whole number.
    fn times(&self, factor: u64) -> Option<u64> {
        let whole = self.whole.checked_mul(factor)?;
        if self.fraction.is_empty() {
            return Some(whole);
        }
        let digits: u128 = self.fraction.parse().ok()?;
        let scale = 10u128.pow(u32::try_from(self.fraction.len()).ok()?);
        let part = (digits * u128::from(factor) + scale / 2) / scale;
        whole.checked_add(u64::try_from(part).ok()?)
    }
}

/// The number at the start of `text` and the text after it.
fn split_number(text: &str) -> Option<(Number, &str)> {
    let (whole, rest) = split_digits(text);
    let (fraction, rest) = match rest.strip_prefix('.') {
        Some(after_dot) => split_digits(after_dot),
        None => ("", rest),
    };
    let dotted = rest.len() < text.len() - whole.len();
    if whole.is_empty() && fraction.is_empty() || !whole.is_empty() && !starts_digit(whole) {
        return None;
    }
    if dotted && !fraction.is_empty() && !starts_digit(fraction) {
        return None;
    }
    let clean = |digits: &str| digits.chars().filter(|c| *c != '_').collect::<String>();
    let whole = match clean(whole) {
        digits if digits.is_empty() => 0,
        digits => digits.parse().ok()?,
    };
    let fraction: String = clean(fraction).chars().take(FRACTION_DIGITS).collect();
    Some((Number { whole, fraction }, rest))
}

fn starts_digit(text: &str) -> bool {
    text.starts_with(|c: char| c.is_ascii_digit())
}

/// The run of digits and `_` at the start of `text`, and the rest.
fn split_digits(text: &str) -> (&str, &str) {
    let end = text
        .find(|c: char| !c.is_ascii_digit() && c != '_')
        .unwrap_or(text.len());
    text.split_at(end)
}

fn split_unit(text: &str) -> (&str, &str) {
    let end = text
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(text.len());
    text.split_at(end)
}

#[cfg(test)]
mod tests;
