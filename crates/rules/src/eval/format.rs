//! Human text for summaries and annotations: values and durations.

use hostpulse_core::Labels;

/// A value with at most 2 decimals, trailing zeros removed (`91.2`, `85`, `5e8` as `500000000`).
pub(crate) fn value(v: f64) -> String {
    if !v.is_finite() {
        return v.to_string();
    }
    let text = format!("{v:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_owned()
    } else {
        text.to_owned()
    }
}

/// A duration such as `4h12m`, `35m`, `2d3h`, `45s`.
pub(crate) fn duration(ms: i64) -> String {
    let secs = ms.max(0) / 1000;
    let (d, h, m, s) = (secs / 86_400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{s}s"),
        (0, 0, _) => format!("{m}m"),
        (0, _, _) => format!("{h}h{m}m"),
        _ => format!("{d}d{h}h"),
    }
}

/// `{mount="/",device="sda1"}` or nothing for an empty set.
pub(crate) fn labels(labels: &Labels) -> String {
    if labels.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
    format!("{{{}}}", parts.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(value(91.234), "91.23");
        assert_eq!(value(85.0), "85");
        assert_eq!(value(5e8), "500000000");
        assert_eq!(duration(4 * 3_600_000 + 12 * 60_000), "4h12m");
        assert_eq!(duration(45_000), "45s");
        assert_eq!(duration(26 * 3_600_000), "1d2h");
    }
}
