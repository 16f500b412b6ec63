//! hostpulse collector: reads Linux vitals from `/proc`, `/sys`, mounts, netlink and utmp
//! and turns each cycle into one [`Frame`] of samples, snapshots and family errors.
//!
//! Every family has a pure parser (tested on captured text) and a small stateful part that
//! keeps previous counters for rates. A failing family never stops the others.

pub mod cpu;
pub mod disk;
pub mod diskio;
mod error;
mod errors;
pub mod facts;
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

use errors::ErrorTracker;
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
        }
    }
}

/// Collects all families; keeps the state that rates and scans need between cycles.
#[derive(Debug)]
pub struct Collector {
    reader: FileReader,
    cpu: cpu::CpuCollector,
    memory: memory::MemoryCollector,
    filesystems: disk::FilesystemCollector,
    disk_io: diskio::DiskIoCollector,
    net: net::NetCollector,
    tcp: tcp::TcpCollector,
    processes: processes::ProcessCollector,
    users: users::UsersCollector,
    system: system::SystemCollector,
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
        let cpu = cpu::CpuCollector::new(&c.proc_path, &c.sys_path, &mut reader);
        let facts_source = facts::FactsSource::new(&c.proc_path, &c.rootfs_path);
        let mut facts = facts_source.read_all(&mut reader, c.display_name.clone());
        let mut stat = cpu::ProcStat::default();
        let boot = reader
            .read(&c.proc_path.join("stat"))
            .ok()
            .and_then(|t| cpu::parse_stat(t, &mut stat).ok().and(stat.boot_time_secs));
        facts.boot_time_ms = boot.map_or(0, |secs| i64::try_from(secs).unwrap_or(0) * 1000);
        Collector {
            cpu,
            memory: memory::MemoryCollector::new(&c.proc_path),
            filesystems: disk::FilesystemCollector::new(&c.proc_path, &c.rootfs_path),
            disk_io: diskio::DiskIoCollector::new(&c.proc_path),
            net: net::NetCollector::new(&c.proc_path),
            tcp: tcp::TcpCollector::new(&c.proc_path),
            processes: processes::ProcessCollector::new(
                &c.proc_path,
                &c.etc_passwd_path,
                c.process_interval_ms,
                c.top_n,
            ),
            users: users::UsersCollector::new(&c.utmp_path, c.users_interval_ms),
            system: system::SystemCollector::new(&c.proc_path),
            facts_source,
            facts,
            reader,
            errors: ErrorTracker::default(),
            last_sample_count: 64,
        }
    }

    /// Runs one cycle at wall time `now_ms`; a failing family is reported, the rest go on.
    pub fn collect(&mut self, now_ms: i64) -> Frame {
        let mut samples = Vec::with_capacity(self.last_sample_count + 16);
        let reader = &mut self.reader;
        let errors = &mut self.errors;
        errors.begin();
        let stat = errors.record("cpu", self.cpu.collect(reader, now_ms, &mut samples));
        errors.record("load", self.system.collect_load(reader, &mut samples));
        errors.record("memory", self.memory.collect(reader, &mut samples));
        errors.record("disk", self.filesystems.collect(reader, &mut samples));
        errors.record("diskio", self.disk_io.collect(reader, &mut samples));
        errors.record("net", self.net.collect(reader, &mut samples));
        errors.record("tcp", self.tcp.collect(reader, now_ms, &mut samples));
        let boot_time = stat.and_then(|s| s.boot_time_secs);
        let processes = self.processes.collect(reader, stat, now_ms, &mut samples);
        let processes = errors.record("processes", processes).flatten();
        let users = errors
            .record("users", self.users.collect(now_ms, &mut samples))
            .flatten();
        errors.record(
            "system",
            self.system.collect_system(reader, boot_time, &mut samples),
        );
        self.last_sample_count = samples.len();
        Frame {
            ts_ms: now_ms,
            samples,
            processes,
            users,
            errors: errors.finish(),
        }
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
