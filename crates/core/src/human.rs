//! Human-readable quantities for tables, messages and chart axes.

/// Bytes in binary multiples with at most one decimal: `512 B`, `1.5 KiB`, `15.6 GiB`,
/// `120 MiB`.
pub fn human_bytes(value: f64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut scaled = value;
    let mut index = 0;
    while scaled.abs() >= 1024.0 && index + 1 < UNITS.len() {
        scaled /= 1024.0;
        index += 1;
    }
    format!("{} {}", short_number(scaled), UNITS[index])
}

/// At most one decimal, none when the value is whole or at least 100.
pub fn short_number(value: f64) -> String {
    if value.abs() >= 100.0 || value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_in_binary_units() {
        assert_eq!(human_bytes(512.0), "512 B");
        assert_eq!(human_bytes(1536.0), "1.5 KiB");
        assert_eq!(human_bytes(16_743_829_504.0), "15.6 GiB");
        assert_eq!(human_bytes(125_829_120.0), "120 MiB");
        assert_eq!(human_bytes(0.0), "0 B");
    }
}
