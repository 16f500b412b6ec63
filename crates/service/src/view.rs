//! JSON views of hosts: identity, up/down status and a one-line summary of vitals.

use hostpulse_core::CollectorError;
use hostpulse_store::{HostLatest, HostState, LatestSample};
use serde::{Deserialize, Serialize};

/// A host is down once this many collection intervals pass without data.
pub const MISSED_INTERVALS_FOR_DOWN: u64 = 3;

/// Headline vitals of a host, from its latest samples.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HostSummary {
    /// Total CPU usage, percent.
    pub cpu_percent: Option<f64>,
    /// Memory in use, percent.
    pub mem_used_percent: Option<f64>,
    /// One-minute load average.
    pub load1: Option<f64>,
    /// Mount point of the fullest filesystem.
    pub fullest_disk_mount: Option<String>,
    /// Use of the fullest filesystem, percent.
    pub fullest_disk_used_percent: Option<f64>,
    /// Seconds since boot.
    pub uptime_seconds: Option<f64>,
}

/// A host as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HostView {
    /// Agent name: the host's key.
    pub name: String,
    /// Hostname the agent reported.
    pub hostname: String,
    /// Configured display name.
    pub display_name: Option<String>,
    /// Addresses the host reported.
    pub ips: Vec<String>,
    /// Operating system name and version.
    pub os: String,
    /// Kernel release.
    pub kernel: String,
    /// CPU architecture.
    pub arch: String,
    /// Version of the agent.
    pub agent_version: String,
    /// `up` or `down`.
    pub status: String,
    /// First data, Unix ms.
    pub first_seen_ms: i64,
    /// Latest data, Unix ms.
    pub last_seen_ms: i64,
    /// Collection interval, ms.
    pub interval_ms: u64,
    /// Headline vitals.
    pub summary: HostSummary,
    /// Collectors that failed on the latest frame.
    pub collector_errors: Vec<CollectorError>,
}

/// Whether a host last seen at `last_seen_ms` is down at `now_ms`.
pub fn is_down(host: &HostState, now_ms: i64) -> bool {
    let interval = host.interval_ms.max(1000);
    let allowed = interval.saturating_mul(MISSED_INTERVALS_FOR_DOWN);
    now_ms.saturating_sub(host.last_seen_ms) > i64::try_from(allowed).unwrap_or(i64::MAX)
}

impl HostView {
    /// Builds the view of `latest.host` at hub time `now_ms`.
    pub fn new(latest: &HostLatest, now_ms: i64) -> Self {
        let host = &latest.host;
        let facts = host.facts.clone().unwrap_or_default();
        let os = format!("{} {}", facts.os_name, facts.os_version)
            .trim()
            .to_string();
        Self {
            name: host.name.clone(),
            hostname: facts.hostname,
            display_name: facts.display_name,
            ips: facts.ips,
            os,
            kernel: facts.kernel,
            arch: facts.arch,
            agent_version: facts.agent_version,
            status: if is_down(host, now_ms) { "down" } else { "up" }.into(),
            first_seen_ms: host.first_seen_ms,
            last_seen_ms: host.last_seen_ms,
            interval_ms: host.interval_ms,
            summary: summarize(&latest.samples),
            collector_errors: host.collector_errors.clone(),
        }
    }
}

fn unlabelled(samples: &[LatestSample], name: &str) -> Option<f64> {
    samples
        .iter()
        .find(|s| s.name == name && s.labels.is_empty())
        .map(|s| s.value)
}

/// Headline vitals from a host's latest samples.
pub fn summarize(samples: &[LatestSample]) -> HostSummary {
    let fullest = samples
        .iter()
        .filter(|s| s.name == "disk.used_percent")
        .max_by(|a, b| a.value.total_cmp(&b.value));
    HostSummary {
        cpu_percent: unlabelled(samples, "cpu.usage_percent"),
        mem_used_percent: unlabelled(samples, "mem.used_percent"),
        load1: unlabelled(samples, "load.1"),
        fullest_disk_mount: fullest.and_then(|s| s.labels.get("mount").cloned()),
        fullest_disk_used_percent: fullest.map(|s| s.value),
        uptime_seconds: unlabelled(samples, "system.uptime_seconds"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hostpulse_core::Labels;

    fn sample(name: &str, labels: &[(&str, &str)], value: f64) -> LatestSample {
        let labels: Labels = labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        LatestSample {
            name: name.into(),
            labels,
            value,
            ts_ms: 0,
        }
    }

    #[test]
    fn summary_picks_totals_and_fullest_disk() {
        let samples = vec![
            sample("cpu.usage_percent", &[("cpu", "0")], 99.0),
            sample("cpu.usage_percent", &[], 12.5),
            sample("disk.used_percent", &[("mount", "/")], 40.0),
            sample("disk.used_percent", &[("mount", "/var")], 91.0),
        ];
        let s = summarize(&samples);
        assert_eq!(s.cpu_percent, Some(12.5));
        assert_eq!(s.fullest_disk_mount.as_deref(), Some("/var"));
        assert_eq!(s.fullest_disk_used_percent, Some(91.0));
        assert_eq!(s.mem_used_percent, None);
    }

    #[test]
    fn down_after_three_missed_intervals() {
        let host = HostState {
            name: "a".into(),
            facts: None,
            first_seen_ms: 0,
            last_seen_ms: 10_000,
            interval_ms: 5_000,
            last_seq: 1,
            collector_errors: vec![],
        };
        assert!(!is_down(&host, 25_000));
        assert!(is_down(&host, 25_001));
    }
}
