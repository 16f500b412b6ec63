//! Host facts and the snapshots an agent sends beside its samples.
//!
//! These are wire types: fields they do not know are ignored, so a newer agent may add some.

use serde::{Deserialize, Serialize};

/// Static-ish facts about a host, sent by its agent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HostFacts {
    pub hostname: String,
    /// Operator-chosen name shown in place of the hostname, if set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Non-loopback IP addresses, IPv4 first.
    #[serde(default)]
    pub ips: Vec<String>,
    #[serde(default)]
    pub os_name: String,
    #[serde(default)]
    pub os_version: String,
    #[serde(default)]
    pub kernel: String,
    #[serde(default)]
    pub arch: String,
    #[serde(default)]
    pub agent_version: String,
    /// Boot time, Unix epoch milliseconds.
    #[serde(default)]
    pub boot_time_ms: i64,
}

/// One process in a top-N snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProcessInfo {
    pub pid: u32,
    pub name: String,
    pub user: String,
    /// CPU use over the last process-scan interval, percent of one core.
    pub cpu_percent: f64,
    pub rss_bytes: u64,
}

/// The top processes of a host at one moment.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProcessSnapshot {
    pub top_cpu: Vec<ProcessInfo>,
    pub top_memory: Vec<ProcessInfo>,
}

/// One logged-in user session (from utmp).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSession {
    pub user: String,
    pub tty: String,
    /// Remote host the session came from; empty for local logins.
    #[serde(default)]
    pub from: String,
    /// Login time, Unix epoch milliseconds.
    pub login_time_ms: i64,
}

/// A collector family that failed in a cycle, reported once per distinct error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectorError {
    /// Family name: `cpu`, `memory`, `disk`, `net`, `tcp`, ...
    pub family: String,
    pub message: String,
}
