//! The family trait: one kind of vitals, read each cycle and added to the frame being built.
//! The [`Collector`](crate::Collector) runs the enabled families in [`FAMILIES`] order; a
//! family that fails is reported under its name and the others go on.

use crate::CollectorConfig;
use crate::cpu::{self, ProcStat};
use crate::error::CollectError;
use crate::read::{FileReader, ProcFile};
use crate::{disk, diskio, memory, net, processes, system, tcp, users};
use hostpulse_core::Sample;
use hostpulse_proto::Frame;
use std::fmt;
use std::path::Path;

/// Every family name, in the order a cycle runs them (the list configuration checks too).
pub use hostpulse_core::COLLECTOR_FAMILIES as FAMILIES;

/// One collector family.
pub trait Family: Send + fmt::Debug {
    /// The family's name, one of [`FAMILIES`]; its failures are reported under it.
    fn name(&self) -> &'static str;

    /// Reads this cycle's values and appends the family's samples (and snapshots) to the
    /// cycle's frame. On error, whatever it appended before failing stays.
    fn collect(&mut self, cycle: &mut Cycle<'_>) -> Result<(), CollectError>;
}

/// What the families of one cycle share: the time, the frame being built, the read buffer
/// and the cycle's `/proc/stat` reading.
#[derive(Debug)]
pub struct Cycle<'a> {
    pub(crate) now_ms: i64,
    pub(crate) frame: &'a mut Frame,
    pub(crate) reader: &'a mut FileReader,
    pub(crate) stat: &'a mut SharedStat,
}

impl Cycle<'_> {
    /// Wall time of the cycle, Unix epoch milliseconds.
    pub fn now_ms(&self) -> i64 {
        self.now_ms
    }

    /// The samples of the frame being built.
    pub fn samples(&mut self) -> &mut Vec<Sample> {
        &mut self.frame.samples
    }

    /// The read buffer and the samples, borrowed together.
    pub(crate) fn io(&mut self) -> (&mut FileReader, &mut Vec<Sample>) {
        (self.reader, &mut self.frame.samples)
    }

    /// This cycle's `/proc/stat` (read on first use), the read buffer and the frame.
    pub(crate) fn with_stat(
        &mut self,
    ) -> (Result<&ProcStat, CollectError>, &mut FileReader, &mut Frame) {
        let stat = self.stat.get(self.reader);
        (stat, &mut *self.reader, &mut *self.frame)
    }
}

/// Whether `/proc/stat` was read in this cycle yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StatState {
    Unread,
    Read,
    Failed,
}

/// `/proc/stat`, read at most once per cycle for the families that use it (cpu,
/// processes, system), whichever of them are enabled.
#[derive(Debug)]
pub(crate) struct SharedStat {
    file: ProcFile,
    reading: ProcStat,
    state: StatState,
}

impl SharedStat {
    pub(crate) fn new(proc_path: &Path) -> Self {
        Self {
            file: ProcFile::new(proc_path.join("stat")),
            reading: ProcStat::default(),
            state: StatState::Unread,
        }
    }

    /// Forgets the previous cycle's reading.
    pub(crate) fn begin(&mut self) {
        self.state = StatState::Unread;
    }

    /// The cycle's reading; the first call reads and parses the file.
    fn get(&mut self, reader: &mut FileReader) -> Result<&ProcStat, CollectError> {
        if self.state == StatState::Unread {
            if let Err(e) = self.read(reader) {
                self.state = StatState::Failed;
                return Err(e);
            }
            self.state = StatState::Read;
        }
        match self.state {
            StatState::Read => Ok(&self.reading),
            _ => Err(CollectError::parse(
                "/proc/stat",
                "unreadable in this cycle",
            )),
        }
    }

    fn read(&mut self, reader: &mut FileReader) -> Result<(), CollectError> {
        let text = self.file.read(reader)?;
        let r = &mut self.reading;
        (r.procs_running, r.procs_blocked, r.boot_time_secs) = (None, None, None);
        cpu::parse_stat(text, r)
    }
}

/// The family called `name` with its settings from `config`; `None` for an unknown name.
pub(crate) fn build(
    name: &str,
    config: &CollectorConfig,
    reader: &mut FileReader,
) -> Option<Box<dyn Family>> {
    let c = config;
    let proc = &c.proc_path;
    Some(match name {
        "cpu" => Box::new(cpu::CpuCollector::new(proc, &c.sys_path, reader)),
        "load" => Box::new(system::LoadCollector::new(proc)),
        "memory" => Box::new(memory::MemoryCollector::new(proc)),
        "disk" => Box::new(disk::FilesystemCollector::new(proc, &c.rootfs_path)),
        "diskio" => Box::new(diskio::DiskIoCollector::new(proc)),
        "net" => Box::new(net::NetCollector::new(proc)),
        "tcp" => Box::new(tcp::TcpCollector::new(proc)),
        "processes" => Box::new(processes::ProcessCollector::new(
            proc,
            &c.etc_passwd_path,
            c.process_interval_ms,
            c.top_n,
        )),
        "users" => Box::new(users::UsersCollector::new(
            &c.utmp_path,
            c.users_interval_ms,
        )),
        "system" => Box::new(system::SystemCollector::new(proc)),
        "containers" => Box::new(c.containers.build()),
        _ => return None,
    })
}

/// The enabled families of `config`, in [`FAMILIES`] order; unknown names are logged and
/// skipped.
pub(crate) fn build_enabled(
    config: &CollectorConfig,
    reader: &mut FileReader,
) -> Vec<Box<dyn Family>> {
    for unknown in config
        .families
        .iter()
        .filter(|n| !FAMILIES.contains(&n.as_str()))
    {
        tracing::warn!(family = %unknown, "unknown collector family ignored");
    }
    FAMILIES
        .iter()
        .filter(|name| config.families.iter().any(|n| n == *name))
        .filter_map(|name| build(name, config, reader))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_family_builds_under_its_own_name() {
        let config = CollectorConfig::default();
        let mut reader = FileReader::default();
        for name in FAMILIES {
            let family = build(name, &config, &mut reader).expect("a listed family builds");
            assert_eq!(family.name(), *name);
        }
        assert!(build("facts", &config, &mut reader).is_none());
        let names: Vec<_> = build_enabled(&config, &mut reader)
            .iter()
            .map(|f| f.name())
            .collect();
        assert_eq!(names, FAMILIES, "all run by default, in list order");
    }
}
