//! What and how often an agent collects; shared by the agent and the hub's local agent.

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use crate::containers::{ContainersSettings, RawContainers};
use crate::families::{RawFamilies, all_families, validate_families};
use hostpulse_config_core::scalar::Scalar;
use hostpulse_config_core::validate::{Validator, join};

/// Longest accepted display name, in characters.
const MAX_DISPLAY_NAME_CHARS: usize = 64;

/// Where the host's kernel interfaces are mounted (differs inside a container).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostPaths {
    /// procfs mount.
    pub proc: PathBuf,
    /// sysfs mount.
    pub sys: PathBuf,
    /// Root of the host filesystem, for disk usage.
    pub rootfs: PathBuf,
    /// Login records, for logged-in users.
    pub utmp: PathBuf,
}

impl Default for HostPaths {
    fn default() -> Self {
        Self {
            proc: PathBuf::from("/proc"),
            sys: PathBuf::from("/sys"),
            rootfs: PathBuf::from("/"),
            utmp: PathBuf::from("/var/run/utmp"),
        }
    }
}

/// Collection schedule and scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectSettings {
    /// How often vitals are sampled (minimum 1s).
    pub interval: Duration,
    /// Name shown instead of the hostname, if set.
    pub display_name: Option<String>,
    /// How often the top-process snapshot is taken.
    pub process_interval: Duration,
    /// How often logged-in users are read.
    pub users_interval: Duration,
    /// Processes kept per top list (1 to 50).
    pub top_n: usize,
    /// Collector families that run, in cycle order (all of them unless `families:` turns
    /// some off).
    pub families: Vec<&'static str>,
    /// Where the host's kernel interfaces are.
    pub paths: HostPaths,
    /// The container engine and the stats interval of the `containers` family.
    pub containers: ContainersSettings,
}

impl Default for CollectSettings {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(5),
            display_name: None,
            process_interval: Duration::from_secs(15),
            users_interval: Duration::from_secs(30),
            top_n: 5,
            families: all_families(),
            paths: HostPaths::default(),
            containers: ContainersSettings::default(),
        }
    }
}

/// The `paths:` section as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPaths {
    proc: Option<Scalar>,
    sys: Option<Scalar>,
    rootfs: Option<Scalar>,
    utmp: Option<Scalar>,
}

impl RawPaths {
    fn validate(self, v: &mut Validator, path: &str) -> HostPaths {
        HostPaths {
            proc: v.path(&join(path, "proc"), self.proc, "/proc"),
            sys: v.path(&join(path, "sys"), self.sys, "/sys"),
            rootfs: v.path(&join(path, "rootfs"), self.rootfs, "/"),
            utmp: v.path(&join(path, "utmp"), self.utmp, "/var/run/utmp"),
        }
    }
}

/// Collection keys as written; they sit directly in the agent file and in `local_agent:`.
#[derive(Debug, Default)]
pub struct RawCollect {
    /// `interval`.
    pub interval: Option<Scalar>,
    /// `display_name`.
    pub display_name: Option<Scalar>,
    /// `process_interval`.
    pub process_interval: Option<Scalar>,
    /// `users_interval`.
    pub users_interval: Option<Scalar>,
    /// `top_n`.
    pub top_n: Option<Scalar>,
    /// `families:`, family name → on/off.
    pub families: Option<RawFamilies>,
    /// `paths:`.
    pub paths: Option<RawPaths>,
    /// `containers:`.
    pub containers: Option<RawContainers>,
}

impl RawCollect {
    /// Validates the keys found under `prefix` (empty for the top level).
    pub fn validate(self, v: &mut Validator, prefix: &str) -> CollectSettings {
        let defaults = CollectSettings::default();
        let second = Duration::from_secs(1);
        CollectSettings {
            interval: v.duration(
                &join(prefix, "interval"),
                self.interval,
                defaults.interval,
                second,
            ),
            display_name: v.name(
                &join(prefix, "display_name"),
                self.display_name,
                MAX_DISPLAY_NAME_CHARS,
            ),
            process_interval: v.duration(
                &join(prefix, "process_interval"),
                self.process_interval,
                defaults.process_interval,
                second,
            ),
            users_interval: v.duration(
                &join(prefix, "users_interval"),
                self.users_interval,
                defaults.users_interval,
                second,
            ),
            top_n: v.count(&join(prefix, "top_n"), self.top_n, defaults.top_n, 1..=50),
            families: validate_families(v, &join(prefix, "families"), self.families),
            paths: self
                .paths
                .unwrap_or_default()
                .validate(v, &join(prefix, "paths")),
            containers: self
                .containers
                .unwrap_or_default()
                .validate(v, &join(prefix, "containers")),
        }
    }
}
