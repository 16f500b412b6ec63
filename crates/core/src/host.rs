//! Host facts and the snapshots an agent sends beside its samples.
//!
//! These are wire types: fields they do not know are ignored, so a newer agent may add some.

use serde::{Deserialize, Serialize};

/// Static-ish facts about a host, sent by its agent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HostFacts {
    /// The kernel's host name (`/proc/sys/kernel/hostname`), re-read every facts refresh.
    pub hostname: String,
    /// Operator-chosen name shown in place of the hostname, if set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Non-loopback IP addresses, IPv4 first.
    #[serde(default)]
    pub ips: Vec<String>,
    /// Distribution name, `NAME` of `os-release` (e.g. `Debian GNU/Linux`); empty if unknown.
    #[serde(default)]
    pub os_name: String,
    /// Distribution version, `VERSION_ID` (else `VERSION`) of `os-release`; empty if unknown.
    #[serde(default)]
    pub os_version: String,
    /// Kernel release (`/proc/sys/kernel/osrelease`, e.g. `6.1.0-13-amd64`).
    #[serde(default)]
    pub kernel: String,
    /// Machine architecture as `uname -m` reports it (e.g. `x86_64`, `aarch64`).
    #[serde(default)]
    pub arch: String,
    /// Version of the hostpulse agent that sent the facts (e.g. `0.1.0`).
    #[serde(default)]
    pub agent_version: String,
    /// Boot time, Unix epoch milliseconds.
    #[serde(default)]
    pub boot_time_ms: i64,
}

/// One process in a top-N snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProcessInfo {
    /// Process id.
    pub pid: u32,
    /// Command name from `/proc/PID/stat` (the kernel's `comm`, at most 15 bytes).
    pub name: String,
    /// Name of the process owner; the numeric uid when it has no name, `?` if unknown.
    pub user: String,
    /// CPU use over the last process-scan interval, percent of one core.
    pub cpu_percent: f64,
    /// Resident memory, bytes.
    pub rss_bytes: u64,
}

/// The top processes of a host at one moment.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProcessSnapshot {
    /// The processes using the most CPU, highest first (at most the agent's top-N setting).
    pub top_cpu: Vec<ProcessInfo>,
    /// The processes with the largest resident memory, largest first (same cap).
    pub top_memory: Vec<ProcessInfo>,
}

/// One logged-in user session (from utmp).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSession {
    /// Login name of the user.
    pub user: String,
    /// Terminal line of the session (e.g. `pts/0`, `tty1`).
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
    /// What went wrong, as the collector's error displays it (e.g. a path and an OS error).
    pub message: String,
}

/// One container of the host's engine (Docker or podman), running or not.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerInfo {
    /// The engine's full container id (64 hex digits).
    pub id: String,
    /// The container's name, without the engine's leading `/`.
    pub name: String,
    /// The image it was created from, as the engine names it.
    #[serde(default)]
    pub image: String,
    /// The engine's state word: `running`, `exited`, `created`, `paused`, `restarting`, ...
    pub state: String,
    /// Health check result: `healthy`, `unhealthy`, `starting`; empty without a check.
    #[serde(default)]
    pub health: String,
    /// Times the engine restarted it under its restart policy.
    #[serde(default)]
    pub restart_count: u64,
    /// Last start, RFC 3339 as the engine reports it; empty if never started.
    #[serde(default)]
    pub started_at: String,
    /// Exit code of the last run (0 while running or never run).
    #[serde(default)]
    pub exit_code: i64,
    /// Whether the last run was ended by the out-of-memory killer.
    #[serde(default)]
    pub oom_killed: bool,
}

/// One engine event about a container, seen within a collection cycle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerEvent {
    /// When the engine recorded it, Unix epoch milliseconds.
    pub ts_ms: i64,
    /// The container's name.
    pub container: String,
    /// `die`, `oom` or `health_status` (podman's `died` is reported as `die`).
    pub action: String,
    /// The exit code of a `die`, the new status of a `health_status`; else empty.
    #[serde(default)]
    pub detail: String,
}

/// The containers of a host at one moment and the events since the previous snapshot.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerSnapshot {
    /// Every container, running or not, sorted by name.
    pub containers: Vec<ContainerInfo>,
    /// `die`, `oom` and `health_status` events since the previous cycle, oldest first.
    #[serde(default)]
    pub events: Vec<ContainerEvent>,
}
