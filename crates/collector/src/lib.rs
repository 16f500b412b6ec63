//! hostpulse collector: reads Linux vitals from `/proc`, `/sys`, mounts, netlink and utmp
//! and turns each cycle into one [`Frame`] of samples, snapshots and family errors.
//!
//! Every family has a pure parser (tested on captured text) and a small stateful part that
//! keeps previous counters for rates; the stateful part implements [`Family`], and the
//! collector runs the families that the configuration enables. A failing family never stops
//! the others.

pub mod containers;
pub mod cpu;
pub mod disk;
pub mod diskio;
mod error;
mod errors;
pub mod facts;
mod family;
pub mod memory;
pub mod net;
pub mod passwd;
pub mod processes;
pub mod rate;
mod read;
pub mod system;
pub mod tcp;
pub mod users;

pub use error::CollectError;
pub use family::{Cycle, FAMILIES, Family};

use errors::ErrorTracker;
use family::SharedStat;
use hostpulse_core::HostFacts;
use hostpulse_proto::Frame;
use read::FileReader;
use std::path::PathBuf;

/// Where to read from and how often the slower scans run.
#[derive(Debug, Clone, PartialEq)]
pub struct CollectorConfig {
    /// procfs root, `/proc` (a container mounts the host's at e.g. `/host/proc`).
    pub proc_path: PathBuf,
    /// sysfs root, `/sys`.
    pub sys_path: PathBuf,
    /// Prefix under which mount points are `statvfs`ed (`/host` when the host `/` is there).
    pub rootfs_path: PathBuf,
    /// Binary utmp file of logged-in sessions.
    pub utmp_path: PathBuf,
    /// uid → user name source.
    pub etc_passwd_path: PathBuf,
    /// Name shown instead of the host name, sent in every batch's identity.
    pub display_name: Option<String>,
    /// The per-process scan runs at most this often.
    pub process_interval_ms: u64,
    /// utmp is read at most this often.
    pub users_interval_ms: u64,
    /// Processes in each top list.
    pub top_n: usize,
    /// The families to run, by name (see [`FAMILIES`]); the others send nothing.
    pub families: Vec<String>,
    /// The container engine and how often its stats are read (`containers` family).
    pub containers: containers::ContainersConfig,
}

impl Default for CollectorConfig {
    fn default() -> Self {
        Self {
            proc_path: PathBuf::from("/proc"),
            sys_path: PathBuf::from("/sys"),
            rootfs_path: PathBuf::from("/"),
            utmp_path: PathBuf::from("/var/run/utmp"),
            etc_passwd_path: PathBuf::from("/etc/passwd"),
            display_name: None,
            process_interval_ms: 15_000,
            users_interval_ms: 30_000,
            top_n: 5,
            families: FAMILIES.iter().map(|name| (*name).to_owned()).collect(),
            containers: containers::ContainersConfig::default(),
        }
    }
}

/// Runs the enabled families; keeps the state that rates and scans need between cycles.
#[derive(Debug)]
pub struct Collector {
    reader: FileReader,
    families: Vec<Box<dyn Family>>,
    stat: SharedStat,
    facts_source: facts::FactsSource,
    facts: HostFacts,
    errors: ErrorTracker,
    last_sample_count: usize,
}

impl Collector {
    /// Reads the static facts once (cores, cpuinfo, OS, kernel); never panics.
    pub fn new(config: CollectorConfig) -> Collector {
        let mut reader = FileReader::default();
        let c = &config;
        let families = family::build_enabled(c, &mut reader);
        let facts_source = facts::FactsSource::new(&c.proc_path, &c.rootfs_path);
        let mut facts = facts_source.read_all(&mut reader, c.display_name.clone());
        let mut stat = cpu::ProcStat::default();
        let boot = reader
            .read(&c.proc_path.join("stat"))
            .ok()
            .and_then(|t| cpu::parse_stat(t, &mut stat).ok().and(stat.boot_time_secs));
        facts.boot_time_ms = boot.map_or(0, |secs| i64::try_from(secs).unwrap_or(0) * 1000);
        Collector {
            families,
            stat: SharedStat::new(&c.proc_path),
            facts_source,
            facts,
            reader,
            errors: ErrorTracker::default(),
            last_sample_count: 64,
        }
    }

    /// The names of the families this collector runs, in cycle order.
    pub fn family_names(&self) -> Vec<&'static str> {
        self.families.iter().map(|family| family.name()).collect()
    }

    /// Runs one cycle at wall time `now_ms`; a failing family is reported, the rest go on.
    pub fn collect(&mut self, now_ms: i64) -> Frame {
        let mut frame = Frame {
            ts_ms: now_ms,
            samples: Vec::with_capacity(self.last_sample_count + 16),
            ..Frame::default()
        };
        self.errors.begin();
        self.stat.begin();
        let mut cycle = Cycle {
            now_ms,
            frame: &mut frame,
            reader: &mut self.reader,
            stat: &mut self.stat,
        };
        for family in &mut self.families {
            let result = family.collect(&mut cycle);
            self.errors.record(family.name(), result);
        }
        self.last_sample_count = frame.samples.len();
        frame.errors = self.errors.finish();
        frame
    }

    /// The host facts as last read.
    pub fn facts(&self) -> HostFacts {
        self.facts.clone()
    }

    /// Re-reads the facts that can change (hostname, IPs); cheap.
    pub fn refresh_facts(&mut self) {
        self.facts_source.refresh(&mut self.reader, &mut self.facts);
    }
}
