//! Unit suffixes of numbers: sizes (`500MB`, `2GiB`), percent, and durations (`5m`, the
//! units of `hostpulse_core::duration`).

use hostpulse_core::duration::unit_ms;

const SIZE_UNITS: &[(&str, f64)] = &[
    ("B", 1.0),
    ("KB", 1e3),
    ("MB", 1e6),
    ("GB", 1e9),
    ("TB", 1e12),
    ("KiB", 1024.0),
    ("MiB", 1_048_576.0),
    ("GiB", 1_073_741_824.0),
    ("TiB", 1_099_511_627_776.0),
];

/// Applies `unit` to `value`: the value in base units (bytes, seconds, percent points) and,
/// for duration units, the duration in milliseconds. `None` for an unknown unit.
pub(crate) fn apply_unit(value: f64, unit: &str) -> Option<(f64, Option<i64>)> {
    if unit.is_empty() || unit == "%" {
        return Some((value, None));
    }
    if let Some((_, factor)) = SIZE_UNITS
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(unit) && (unit.len() > 1 || *name == "B"))
    {
        return Some((value * factor, None));
    }
    let ms = value * unit_ms(unit)? as f64;
    Some((ms / 1000.0, Some(ms.round() as i64)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_durations_and_percent() {
        assert_eq!(apply_unit(500.0, "MB"), Some((5e8, None)));
        assert_eq!(apply_unit(1.0, "GiB"), Some((1_073_741_824.0, None)));
        assert_eq!(apply_unit(90.0, "%"), Some((90.0, None)));
        assert_eq!(apply_unit(5.0, "m"), Some((300.0, Some(300_000))));
        assert_eq!(apply_unit(2.0, "h"), Some((7200.0, Some(7_200_000))));
        assert_eq!(apply_unit(1.0, "b"), Some((1.0, None)));
        assert_eq!(
            apply_unit(1.0, "y"),
            Some((31_536_000.0, Some(31_536_000_000)))
        );
        assert_eq!(apply_unit(1.5, "h"), Some((5400.0, Some(5_400_000))));
        assert_eq!(apply_unit(1.0, "parsecs"), None);
    }
}
