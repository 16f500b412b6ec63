//! Processes family: process counts every cycle and, on a slower interval, the top
//! processes by CPU and by memory from one read of each `/proc/<pid>/stat`. CPU is the
//! difference between two scans (see [`cpu_share`]): the first scan only primes, and a
//! process without a usable earlier reading is left out of the snapshot until the next.

mod cpu_share;

pub use cpu_share::{ScanWindow, process_cpu_percent};

use crate::cpu::ProcStat;
use crate::error::CollectError;
use crate::family::{Cycle, Family};
use crate::passwd::UserNames;
use crate::rate::round2;
use crate::read::{FileReader, ProcFile};
use crate::system::parse_uptime;
use hostpulse_core::{ProcessInfo, ProcessSnapshot, Sample};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// How often `/proc` is listed for `proc.count` between scans (listing costs ~50 µs per 100 processes).
const COUNT_INTERVAL_MS: i64 = 5_000;
/// Longest command name the kernel keeps (`TASK_COMM_LEN`).
const COMM_LEN: usize = 16;

/// The fields of `/proc/<pid>/stat` the snapshot uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PidStat<'a> {
    /// The command name (at most 15 bytes, as the kernel keeps it).
    pub comm: &'a str,
    /// utime + stime, clock ticks.
    pub cpu_ticks: u64,
    /// Start time after boot, clock ticks (tells a reused pid apart).
    pub start_ticks: u64,
    /// Resident set size, pages.
    pub rss_pages: u64,
}

/// Parses `/proc/<pid>/stat`; the command name may hold spaces and parentheses.
pub fn parse_pid_stat(text: &str) -> Option<PidStat<'_>> {
    let open = text.find('(')?;
    let close = text.rfind(')')?;
    let comm = text.get(open + 1..close)?;
    // Field 3 (state) is the first after the name; field N is at index N - 3.
    let mut rest = text.get(close + 1..)?.split_ascii_whitespace();
    let utime: u64 = rest.nth(11)?.parse().ok()?;
    let stime: u64 = rest.next()?.parse().ok()?;
    let start_ticks = rest.nth(6)?.parse().ok()?;
    let rss_pages: i64 = rest.nth(1)?.parse().ok()?;
    Some(PidStat {
        comm,
        cpu_ticks: utime + stime,
        start_ticks,
        rss_pages: u64::try_from(rss_pages).unwrap_or(0),
    })
}

/// One process of a scan, kept without heap allocation.
#[derive(Debug, Clone, Copy)]
struct ScanEntry {
    pid: u32,
    cpu_ticks: u64,
    start_ticks: u64,
    rss_pages: u64,
    comm: [u8; COMM_LEN],
    comm_len: usize,
    /// `None` until the process has two readings.
    cpu_percent: Option<f64>,
}

impl ScanEntry {
    fn new(pid: u32, stat: &PidStat<'_>) -> Self {
        let mut comm = [0u8; COMM_LEN];
        let bytes = stat.comm.as_bytes();
        let comm_len = bytes.len().min(COMM_LEN);
        comm[..comm_len].copy_from_slice(&bytes[..comm_len]);
        Self {
            pid,
            cpu_ticks: stat.cpu_ticks,
            start_ticks: stat.start_ticks,
            rss_pages: stat.rss_pages,
            comm,
            comm_len,
            cpu_percent: None,
        }
    }

    fn name(&self) -> String {
        String::from_utf8_lossy(&self.comm[..self.comm_len]).into_owned()
    }
}

/// CPU use of one core, percent, from `ticks` over `elapsed_secs`.
pub fn cpu_percent_of_core(ticks: u64, ticks_per_sec: f64, elapsed_secs: f64) -> f64 {
    if elapsed_secs <= 0.0 || ticks_per_sec <= 0.0 {
        return 0.0;
    }
    round2(ticks as f64 / ticks_per_sec / elapsed_secs * 100.0)
}

/// Counts processes every cycle and scans them every `interval_ms`.
#[derive(Debug)]
pub struct ProcessCollector {
    proc_path: PathBuf,
    interval_ms: u64,
    top_n: usize,
    ticks_per_sec: f64,
    page_bytes: u64,
    /// Online CPUs when `/proc/stat` does not list them.
    online_cpus: usize,
    uptime: ProcFile,
    /// `/proc/uptime` at the last scan, clock ticks.
    last_uptime_ticks: Option<f64>,
    /// Wall time of the last scan; `None` until the priming scan ran.
    last_scan_ms: Option<i64>,
    last_scan_at: Option<Instant>,
    last_count_ms: Option<i64>,
    /// The priming scan ran and gave no snapshot yet: scan again on the next cycle.
    primed_only: bool,
    previous: HashMap<u32, (u64, u64)>,
    entries: Vec<ScanEntry>,
    pids: Vec<u32>,
    path_buf: String,
    user_names: UserNames,
}

impl ProcessCollector {
    /// A collector scanning `proc_path` every `interval_ms` at most, keeping the `top_n`
    /// processes by CPU and by memory, naming owners from `passwd_path`.
    pub fn new(proc_path: &Path, passwd_path: &Path, interval_ms: u64, top_n: usize) -> Self {
        // SAFETY: sysconf only reads system configuration.
        let (ticks, page, cpus) = unsafe {
            (
                libc::sysconf(libc::_SC_CLK_TCK),
                libc::sysconf(libc::_SC_PAGESIZE),
                libc::sysconf(libc::_SC_NPROCESSORS_ONLN),
            )
        };
        Self {
            proc_path: proc_path.to_path_buf(),
            interval_ms,
            top_n,
            ticks_per_sec: if ticks > 0 { ticks as f64 } else { 100.0 },
            page_bytes: u64::try_from(page).ok().filter(|p| *p > 0).unwrap_or(4096),
            online_cpus: usize::try_from(cpus).ok().filter(|c| *c > 0).unwrap_or(1),
            uptime: ProcFile::new(proc_path.join("uptime")),
            last_uptime_ticks: None,
            last_scan_ms: None,
            last_scan_at: None,
            last_count_ms: None,
            primed_only: false,
            previous: HashMap::new(),
            entries: Vec::new(),
            pids: Vec::new(),
            path_buf: String::new(),
            user_names: UserNames::new(passwd_path.to_path_buf()),
        }
    }

    /// Emits process counts; returns a snapshot on cycles where the scan ran.
    fn emit(
        &mut self,
        reader: &mut FileReader,
        stat: Option<&ProcStat>,
        now_ms: i64,
        out: &mut Vec<Sample>,
    ) -> Result<Option<ProcessSnapshot>, CollectError> {
        if let Some(stat) = stat {
            out.extend(
                stat.procs_running
                    .map(|v| Sample::new("proc.running", v as f64)),
            );
            out.extend(
                stat.procs_blocked
                    .map(|v| Sample::new("proc.blocked", v as f64)),
            );
        }
        let scan_due = self.scan_due(now_ms);
        let count_due = self
            .last_count_ms
            .is_none_or(|last| now_ms < last || now_ms - last >= COUNT_INTERVAL_MS);
        if scan_due || count_due {
            self.list_pids()?;
            self.last_count_ms = Some(now_ms);
        }
        out.push(Sample::new("proc.count", self.pids.len() as f64));
        if !scan_due {
            return Ok(None);
        }
        let window = self.scan(reader, stat);
        self.last_scan_ms = Some(now_ms);
        self.primed_only = window.is_none();
        let snapshot = window.map(|window| self.snapshot(&window, reader));
        self.remember_readings();
        Ok(snapshot)
    }

    /// The window since the previous scan; `None` on the first (priming) scan.
    fn window(&mut self, reader: &mut FileReader, stat: Option<&ProcStat>) -> Option<ScanWindow> {
        let uptime_ticks = self
            .uptime
            .read(reader)
            .ok()
            .and_then(|text| parse_uptime(text).ok())
            .map(|secs| secs * self.ticks_per_sec);
        let previous_uptime_ticks = std::mem::replace(&mut self.last_uptime_ticks, uptime_ticks);
        let now = Instant::now();
        let previous_at = self.last_scan_at.replace(now)?;
        let elapsed_secs = match (previous_uptime_ticks, uptime_ticks) {
            (Some(before), Some(after)) if after > before => (after - before) / self.ticks_per_sec,
            _ => now.duration_since(previous_at).as_secs_f64(),
        };
        let cores = stat
            .map(|s| s.per_cpu.len())
            .filter(|n| *n > 0)
            .unwrap_or(self.online_cpus);
        Some(ScanWindow {
            previous_uptime_ticks,
            uptime_ticks,
            elapsed_secs,
            ticks_per_sec: self.ticks_per_sec,
            cores,
        })
    }

    /// Keeps this scan's readings for the next scan's differences.
    fn remember_readings(&mut self) {
        self.previous.clear();
        self.previous.extend(
            self.entries
                .iter()
                .map(|e| (e.pid, (e.cpu_ticks, e.start_ticks))),
        );
    }

    fn scan_due(&self, now_ms: i64) -> bool {
        match self.last_scan_ms {
            None => true,
            Some(_) if self.primed_only => true,
            Some(last) => now_ms < last || (now_ms - last) as u64 >= self.interval_ms,
        }
    }

    /// Lists the numeric entries of `/proc` into `self.pids`.
    fn list_pids(&mut self) -> Result<(), CollectError> {
        self.pids.clear();
        let dir =
            std::fs::read_dir(&self.proc_path).map_err(|e| CollectError::io(&self.proc_path, e))?;
        for entry in dir.flatten() {
            if let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse().ok()) {
                self.pids.push(pid);
            }
        }
        Ok(())
    }

    /// Reads the uptime and every listed process once (vanished processes are skipped);
    /// returns the window since the previous scan.
    fn scan(&mut self, reader: &mut FileReader, stat: Option<&ProcStat>) -> Option<ScanWindow> {
        let window = self.window(reader, stat);
        self.entries.clear();
        for &pid in &self.pids {
            self.path_buf.clear();
            let _ = write!(self.path_buf, "{}/{pid}/stat", self.proc_path.display());
            let Ok(text) = reader.read(Path::new(&self.path_buf)) else {
                continue;
            };
            if let Some(stat) = parse_pid_stat(text) {
                self.entries.push(ScanEntry::new(pid, &stat));
            }
        }
        window
    }

    fn snapshot(&mut self, window: &ScanWindow, reader: &mut FileReader) -> ProcessSnapshot {
        for entry in &mut self.entries {
            let before = self.previous.get(&entry.pid).copied();
            let now = (entry.cpu_ticks, entry.start_ticks);
            entry.cpu_percent = process_cpu_percent(before, now, window);
        }
        self.user_names.allow_reload();
        // Processes whose CPU is not known yet are left out until the next scan.
        let known: Vec<&ScanEntry> = self
            .entries
            .iter()
            .filter(|e| e.cpu_percent.is_some())
            .collect();
        let mut by_cpu = known.clone();
        by_cpu.sort_unstable_by(|a, b| {
            let cpu = |e: &ScanEntry| e.cpu_percent.unwrap_or(0.0);
            cpu(b).total_cmp(&cpu(a)).then(a.pid.cmp(&b.pid))
        });
        by_cpu.truncate(self.top_n);
        let mut by_memory = known;
        by_memory.sort_unstable_by(|a, b| b.rss_pages.cmp(&a.rss_pages).then(a.pid.cmp(&b.pid)));
        by_memory.truncate(self.top_n);
        let mut describe = |e: &ScanEntry| ProcessInfo {
            pid: e.pid,
            name: e.name(),
            user: owner_name(&self.proc_path, e.pid, &mut self.user_names, reader),
            cpu_percent: e.cpu_percent.unwrap_or(0.0),
            rss_bytes: e.rss_pages * self.page_bytes,
        };
        ProcessSnapshot {
            top_cpu: by_cpu.into_iter().map(&mut describe).collect(),
            top_memory: by_memory.into_iter().map(&mut describe).collect(),
        }
    }
}

impl Family for ProcessCollector {
    fn name(&self) -> &'static str {
        "processes"
    }

    /// Emits the process counts and, on cycles where the scan ran, the top processes.
    fn collect(&mut self, cycle: &mut Cycle<'_>) -> Result<(), CollectError> {
        let now_ms = cycle.now_ms();
        let (stat, reader, frame) = cycle.with_stat();
        frame.processes = self.emit(reader, stat.ok(), now_ms, &mut frame.samples)?;
        Ok(())
    }
}

/// The user owning `/proc/<pid>`, or `?` when the process is gone.
fn owner_name(
    proc_path: &Path,
    pid: u32,
    names: &mut UserNames,
    reader: &mut FileReader,
) -> String {
    match std::fs::metadata(proc_path.join(pid.to_string())) {
        Ok(meta) => names.name(meta.uid(), reader),
        Err(_) => "?".to_string(),
    }
}
