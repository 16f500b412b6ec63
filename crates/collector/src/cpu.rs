//! CPU family: usage from `/proc/stat` deltas, core counts and average frequency.

use crate::error::CollectError;
use crate::family::{Cycle, Family};
use crate::rate::{percent, round2};
use crate::read::{FileReader, ProcFile};
use hostpulse_core::Sample;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// How often `/proc/cpuinfo` may be read for the frequency (it is slow on big machines).
const CPUINFO_INTERVAL_MS: i64 = 60_000;
/// How often the per-CPU cpufreq files are read.
const SYSFS_FREQ_INTERVAL_MS: i64 = 10_000;

/// Cumulative CPU time counters of one `cpu` line, in clock ticks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CpuTimes {
    /// Time in user mode.
    pub user: u64,
    /// Time in user mode at a lowered priority (nice > 0).
    pub nice: u64,
    /// Time in the kernel.
    pub system: u64,
    /// Time idle.
    pub idle: u64,
    /// Time idle while I/O was outstanding.
    pub iowait: u64,
    /// Time servicing hardware interrupts.
    pub irq: u64,
    /// Time servicing soft interrupts.
    pub softirq: u64,
    /// Time a hypervisor gave to other guests while this CPU wanted to run.
    pub steal: u64,
}

impl CpuTimes {
    /// All time; guest time is already part of user time, so it is not added.
    fn total(&self) -> u64 {
        self.user
            + self.nice
            + self.system
            + self.idle
            + self.iowait
            + self.irq
            + self.softirq
            + self.steal
    }
}

/// The parts of `/proc/stat` the collectors use.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProcStat {
    /// The aggregate `cpu` line: all CPUs together.
    pub total: CpuTimes,
    /// `(cpu index, times)` of each online CPU.
    pub per_cpu: Vec<(u32, CpuTimes)>,
    /// Runnable tasks (`procs_running`); `None` on kernels without the line.
    pub procs_running: Option<u64>,
    /// Tasks blocked on I/O (`procs_blocked`); `None` on kernels without the line.
    pub procs_blocked: Option<u64>,
    /// Boot time, seconds since the Unix epoch.
    pub boot_time_secs: Option<u64>,
}

/// Parses `/proc/stat` into `out`, reusing its per-CPU vector.
pub fn parse_stat(text: &str, out: &mut ProcStat) -> Result<(), CollectError> {
    out.per_cpu.clear();
    let mut saw_total = false;
    for line in text.lines() {
        let mut fields = line.split_ascii_whitespace();
        let Some(key) = fields.next() else { continue };
        if let Some(index) = key.strip_prefix("cpu") {
            let times = parse_cpu_times(fields)?;
            if index.is_empty() {
                out.total = times;
                saw_total = true;
            } else if let Ok(index) = index.parse() {
                out.per_cpu.push((index, times));
            }
            continue;
        }
        let value = fields.next().and_then(|v| v.parse().ok());
        match key {
            "procs_running" => out.procs_running = value,
            "procs_blocked" => out.procs_blocked = value,
            "btime" => out.boot_time_secs = value,
            _ => {}
        }
    }
    if !saw_total {
        return Err(CollectError::parse("/proc/stat", "no aggregate cpu line"));
    }
    Ok(())
}

fn parse_cpu_times<'a>(fields: impl Iterator<Item = &'a str>) -> Result<CpuTimes, CollectError> {
    let mut values = [0u64; 8];
    let mut count = 0;
    for (slot, field) in values.iter_mut().zip(fields) {
        *slot = field
            .parse()
            .map_err(|_| CollectError::parse("/proc/stat", format!("bad cpu field {field:?}")))?;
        count += 1;
    }
    if count < 4 {
        return Err(CollectError::parse("/proc/stat", "short cpu line"));
    }
    let [user, nice, system, idle, iowait, irq, softirq, steal] = values;
    Ok(CpuTimes {
        user,
        nice,
        system,
        idle,
        iowait,
        irq,
        softirq,
        steal,
    })
}

/// CPU use between two readings, percent of the CPU(s) the times cover.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CpuUsage {
    /// Everything but idle and iowait.
    pub usage: f64,
    /// User and nice time.
    pub user: f64,
    /// Kernel time including hard and soft interrupts.
    pub system: f64,
    /// Idle time while I/O was outstanding.
    pub iowait: f64,
    /// Time taken by the hypervisor for other guests.
    pub steal: f64,
}

/// Usage between `prev` and `cur`; `None` when no time passed.
///
/// Fields are subtracted saturating: iowait is known to step back on tickless kernels.
pub fn cpu_usage(prev: &CpuTimes, cur: &CpuTimes) -> Option<CpuUsage> {
    let total = cur.total().saturating_sub(prev.total()) as f64;
    if total <= 0.0 {
        return None;
    }
    let d = |a: u64, b: u64| a.saturating_sub(b) as f64;
    let idle = d(cur.idle, prev.idle) + d(cur.iowait, prev.iowait);
    let pct = |part: f64| percent(part, total);
    Some(CpuUsage {
        usage: pct((total - idle).max(0.0)),
        user: pct(d(cur.user, prev.user) + d(cur.nice, prev.nice)),
        system: pct(d(cur.system, prev.system)
            + d(cur.irq, prev.irq)
            + d(cur.softirq, prev.softirq)),
        iowait: pct(d(cur.iowait, prev.iowait)),
        steal: pct(d(cur.steal, prev.steal)),
    })
}

/// What `/proc/cpuinfo` says about the CPUs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CpuInfo {
    /// Logical CPUs (`processor` entries).
    pub logical: usize,
    /// Distinct (physical id, core id) pairs; `None` when the file does not tell.
    pub physical_cores: Option<usize>,
    /// Mean of the `cpu MHz` lines, if any.
    pub mean_mhz: Option<f64>,
}

/// Parses `/proc/cpuinfo` (x86 and ARM layouts).
pub fn parse_cpuinfo(text: &str) -> CpuInfo {
    let mut info = CpuInfo::default();
    let mut cores = HashSet::new();
    let (mut package, mut mhz_sum, mut mhz_count) = ("", 0.0, 0usize);
    for line in text.lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match key.trim_end() {
            "processor" => info.logical += 1,
            "physical id" => package = value,
            "core id" => {
                cores.insert((package, value));
            }
            "cpu MHz" => {
                if let Ok(mhz) = value.parse::<f64>() {
                    mhz_sum += mhz;
                    mhz_count += 1;
                }
            }
            _ => {}
        }
    }
    info.physical_cores = (!cores.is_empty()).then_some(cores.len());
    info.mean_mhz = (mhz_count > 0).then(|| round2(mhz_sum / mhz_count as f64));
    info
}

/// Mean of cpufreq `scaling_cur_freq` values (kHz) in MHz.
pub fn mean_khz_as_mhz(values_khz: &[u64]) -> Option<f64> {
    if values_khz.is_empty() {
        return None;
    }
    let sum: u64 = values_khz.iter().sum();
    Some(round2(sum as f64 / values_khz.len() as f64 / 1000.0))
}

/// Keeps the previous `/proc/stat` reading and the cached frequency.
#[derive(Debug)]
pub struct CpuCollector {
    cpuinfo_path: PathBuf,
    cpufreq_files: Vec<ProcFile>,
    current: ProcStat,
    previous: ProcStat,
    /// Successful `/proc/stat` readings so far; rates need two.
    readings: u64,
    physical_cores: Option<usize>,
    frequency_mhz: Option<f64>,
    frequency_read_ms: Option<i64>,
    khz_buf: Vec<u64>,
}

impl CpuCollector {
    /// Reads the static facts (physical cores, cpufreq files) once.
    pub fn new(proc_path: &Path, sys_path: &Path, reader: &mut FileReader) -> Self {
        let cpuinfo_path = proc_path.join("cpuinfo");
        let info = reader
            .read(&cpuinfo_path)
            .map(parse_cpuinfo)
            .unwrap_or_default();
        Self {
            cpuinfo_path,
            cpufreq_files: find_cpufreq_files(sys_path)
                .into_iter()
                .map(ProcFile::new)
                .collect(),
            current: ProcStat::default(),
            previous: ProcStat::default(),
            readings: 0,
            physical_cores: info.physical_cores,
            frequency_mhz: info.mean_mhz,
            frequency_read_ms: None,
            khz_buf: Vec::new(),
        }
    }

    fn emit_usage(&self, out: &mut Vec<Sample>) {
        if self.readings < 2 {
            return;
        }
        let previous = &self.previous;
        if let Some(u) = cpu_usage(&previous.total, &self.current.total) {
            out.push(Sample::new("cpu.usage_percent", u.usage));
            out.push(Sample::new("cpu.user_percent", u.user));
            out.push(Sample::new("cpu.system_percent", u.system));
            out.push(Sample::new("cpu.iowait_percent", u.iowait));
            out.push(Sample::new("cpu.steal_percent", u.steal));
        }
        for (position, (index, times)) in self.current.per_cpu.iter().enumerate() {
            let before = (previous.per_cpu.get(position))
                .filter(|(i, _)| i == index)
                .or_else(|| previous.per_cpu.iter().find(|(i, _)| i == index));
            if let Some(u) = before.and_then(|(_, prev)| cpu_usage(prev, times)) {
                let sample = Sample::new("cpu.usage_percent", u.usage);
                out.push(sample.with_label("cpu", index.to_string()));
            }
        }
    }

    fn refresh_frequency(&mut self, reader: &mut FileReader, now_ms: i64) {
        let interval = if self.cpufreq_files.is_empty() {
            CPUINFO_INTERVAL_MS
        } else {
            SYSFS_FREQ_INTERVAL_MS
        };
        if let Some(last) = self.frequency_read_ms
            && now_ms >= last
            && now_ms - last < interval
        {
            return;
        }
        self.frequency_read_ms = Some(now_ms);
        if self.cpufreq_files.is_empty() {
            if let Ok(text) = reader.read(&self.cpuinfo_path) {
                self.frequency_mhz = parse_cpuinfo(text).mean_mhz;
            }
            return;
        }
        self.khz_buf.clear();
        for file in &mut self.cpufreq_files {
            if let Ok(text) = file.read(reader) {
                self.khz_buf.extend(text.trim().parse::<u64>().ok());
            }
        }
        self.frequency_mhz = mean_khz_as_mhz(&self.khz_buf);
    }
}

impl Family for CpuCollector {
    fn name(&self) -> &'static str {
        "cpu"
    }

    /// Takes the cycle's `/proc/stat`, emits usage (from the second reading on), core
    /// counts and the frequency.
    fn collect(&mut self, cycle: &mut Cycle<'_>) -> Result<(), CollectError> {
        let now_ms = cycle.now_ms();
        let (stat, reader, frame) = cycle.with_stat();
        let stat = stat?;
        std::mem::swap(&mut self.previous, &mut self.current);
        copy_stat(stat, &mut self.current);
        self.readings += 1;
        let out = &mut frame.samples;
        self.emit_usage(out);
        let logical = self.current.per_cpu.len();
        out.push(Sample::new("cpu.cores_logical", logical as f64));
        let physical = self.physical_cores.unwrap_or(logical);
        out.push(Sample::new("cpu.cores_physical", physical as f64));
        self.refresh_frequency(reader, now_ms);
        if let Some(mhz) = self.frequency_mhz {
            out.push(Sample::new("cpu.frequency_mhz", mhz));
        }
        Ok(())
    }
}

/// Copies `from` into `to`, reusing `to`'s per-CPU vector.
fn copy_stat(from: &ProcStat, to: &mut ProcStat) {
    to.total = from.total;
    to.per_cpu.clear();
    to.per_cpu.extend_from_slice(&from.per_cpu);
    to.procs_running = from.procs_running;
    to.procs_blocked = from.procs_blocked;
    to.boot_time_secs = from.boot_time_secs;
}

/// `scaling_cur_freq` files of all CPUs under `<sys>/devices/system/cpu`.
fn find_cpufreq_files(sys_path: &Path) -> Vec<PathBuf> {
    let cpu_dir = sys_path.join("devices/system/cpu");
    let Ok(entries) = std::fs::read_dir(&cpu_dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.strip_prefix("cpu")
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        })
        .map(|e| e.path().join("cpufreq/scaling_cur_freq"))
        .filter(|p| p.exists())
        .collect();
    paths.sort();
    paths
}
