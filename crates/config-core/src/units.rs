//! Byte sizes (`8MiB`, `100MB`); durations are `hostpulse_core::duration`'s.

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
        assert_eq!(format_size(8 << 20), "8MiB");
        assert_eq!(format_size(1_000), "1000");
        for bytes in [0, 1_000, 8 << 20, 100 << 20] {
            assert_eq!(parse_size(&format_size(bytes)), Some(bytes));
        }
    }
}
