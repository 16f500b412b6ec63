//! Metric samples and series identity: a `group.name_unit` metric name plus labels.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Label set of a series; ordered so that equal sets compare and hash equally.
pub type Labels = BTreeMap<String, String>;

/// Identity of one time series: metric name plus labels.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SeriesKey {
    /// Metric name, `group.name_unit` (see [`validate_metric_name`]).
    pub name: String,
    /// Labels telling this series apart from others of the same metric (e.g. `mount`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: Labels,
}

impl SeriesKey {
    /// A series key with no labels.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            labels: Labels::new(),
        }
    }

    /// Adds one label, builder style.
    pub fn with_label(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.labels.insert(key.into(), value.into());
        self
    }
}

impl fmt::Display for SeriesKey {
    /// Prometheus-like text form: `name{k="v",k2="v2"}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        if self.labels.is_empty() {
            return Ok(());
        }
        f.write_str("{")?;
        for (i, (k, v)) in self.labels.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{k}={v:?}")?;
        }
        f.write_str("}")
    }
}

/// One measured value of one series. The timestamp lives on the enclosing frame.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// Metric name, `group.name_unit` (see [`validate_metric_name`]).
    pub name: String,
    /// Series labels; empty for host-wide metrics such as `load.1`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: Labels,
    /// The measured value, in the unit the metric name ends with.
    pub value: f64,
}

impl Sample {
    /// A sample with no labels.
    pub fn new(name: impl Into<String>, value: f64) -> Self {
        Self {
            name: name.into(),
            labels: Labels::new(),
            value,
        }
    }

    /// Adds one label, builder style.
    pub fn with_label(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.labels.insert(key.into(), value.into());
        self
    }

    /// The series this sample belongs to.
    pub fn series_key(&self) -> SeriesKey {
        SeriesKey {
            name: self.name.clone(),
            labels: self.labels.clone(),
        }
    }
}

/// Why a metric name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid metric name {name:?}: {reason}")]
pub struct MetricNameError {
    /// The refused name, cut to its first 128 characters.
    pub name: String,
    /// Which rule the name breaks, e.g. "must start with a lowercase letter".
    pub reason: &'static str,
}

/// Longest accepted metric name, in bytes.
pub const MAX_METRIC_NAME_LEN: usize = 128;

/// Checks that `name` is `group.name[...]`: lowercase ASCII letters, digits and `_`,
/// dot-separated, starting with a letter, at least two parts.
pub fn validate_metric_name(name: &str) -> Result<(), MetricNameError> {
    let fail = |reason| {
        Err(MetricNameError {
            name: name.chars().take(MAX_METRIC_NAME_LEN).collect(),
            reason,
        })
    };
    if name.is_empty() || name.len() > MAX_METRIC_NAME_LEN {
        return fail("must be 1 to 128 bytes long");
    }
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        return fail("must start with a lowercase letter");
    }
    let parts: Vec<&str> = name.split('.').collect();
    if parts.len() < 2 || parts.iter().any(|p| p.is_empty()) {
        return fail("must be dot-separated `group.name` with no empty part");
    }
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_';
    if !name.chars().all(|c| c == '.' || allowed(c)) {
        return fail("may contain only a-z, 0-9, `_` and `.`");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_documented_names() {
        for name in ["cpu.usage_percent", "load.1", "disk.read_bytes_per_sec"] {
            assert_eq!(validate_metric_name(name), Ok(()), "{name}");
        }
    }

    #[test]
    fn rejects_bad_names() {
        for name in [
            "",
            "cpu",
            "Cpu.usage",
            "cpu..x",
            "cpu.usage-percent",
            ".cpu",
            "1cpu.x",
        ] {
            assert!(validate_metric_name(name).is_err(), "{name}");
        }
        assert!(validate_metric_name(&"a.".repeat(100)).is_err());
    }

    #[test]
    fn series_key_displays_like_prometheus() {
        let key = SeriesKey::new("disk.used_percent").with_label("mount", "/");
        assert_eq!(key.to_string(), r#"disk.used_percent{mount="/"}"#);
    }

    #[test]
    fn sample_round_trips_json_without_empty_labels() {
        let s = Sample::new("load.1", 0.5);
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(json, r#"{"name":"load.1","value":0.5}"#);
        let back: Sample = serde_json::from_str(&json).unwrap();
        assert_eq!(back, s);
    }
}
