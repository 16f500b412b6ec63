//! Watching a server process during the delivery benchmark: memory (VmRSS from
//! `/proc/PID/status` and PSS from `/proc/PID/smaps_rollup`) sampled at a fixed interval, CPU
//! time, and the sink's counters until the expected number of webhook requests has arrived.

use crate::cpu::process_cpu_time;
use crate::sink::{STATS_PATH, SinkStats, epoch_ms};
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};

/// Why watching failed.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    /// A `/proc` file of the watched process could not be read or lacked its line.
    #[error("cannot read process {pid}: {source}")]
    Process {
        /// The watched process.
        pid: u32,
        /// What the read reported.
        source: std::io::Error,
    },
    /// The sink's stats endpoint did not answer.
    #[error("cannot read the sink's stats: {0}")]
    Sink(#[from] ureq::Error),
    /// The sink answered something that is not its stats JSON.
    #[error("unexpected stats from the sink: {0}")]
    Stats(#[from] serde_json::Error),
}

/// Resident set size of process `pid` in KiB (the `VmRSS:` line of `/proc/PID/status`).
pub fn rss_kib(pid: u32) -> Result<u64, WatchError> {
    proc_kib(pid, "status", "VmRSS")
}

/// Proportional set size of process `pid` in KiB (the `Pss:` line of
/// `/proc/PID/smaps_rollup`): its private pages plus its share of every shared page. Unlike
/// VmRSS it is not lowered by dropping clean file-backed pages that other processes map too,
/// and it does not count shared libraries in full for every process.
pub fn pss_kib(pid: u32) -> Result<u64, WatchError> {
    proc_kib(pid, "smaps_rollup", "Pss")
}

/// The KiB value of the `key:` line of `/proc/PID/file`.
fn proc_kib(pid: u32, file: &str, key: &str) -> Result<u64, WatchError> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/{file}"))
        .map_err(|source| WatchError::Process { pid, source })?;
    parse_kib_line(&text, key).ok_or_else(|| WatchError::Process {
        pid,
        source: std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("no {key} line in {file}"),
        ),
    })
}

/// The `VmRSS:` value (KiB) of a `/proc/PID/status` text.
pub fn parse_vm_rss(status: &str) -> Option<u64> {
    parse_kib_line(status, "VmRSS")
}

/// The value of the first `key:   N kB` line of a `/proc` text.
pub fn parse_kib_line(text: &str, key: &str) -> Option<u64> {
    let line = text.lines().find(|l| {
        l.strip_prefix(key)
            .is_some_and(|rest| rest.starts_with(':'))
    })?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// One series of memory samples (VmRSS or PSS) of a window, KiB.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct KibSummary {
    /// How many samples were taken.
    pub samples: usize,
    /// The first sample taken.
    pub first_kib: u64,
    /// The last sample taken.
    pub last_kib: u64,
    /// The smallest sample.
    pub min_kib: u64,
    /// The median sample.
    pub median_kib: u64,
    /// The largest sample.
    pub max_kib: u64,
}

impl KibSummary {
    /// Summary of `samples` in the order taken (empty: all zero).
    pub fn of(samples: &[u64]) -> Self {
        let mut sorted = samples.to_vec();
        sorted.sort_unstable();
        Self {
            samples: samples.len(),
            first_kib: samples.first().copied().unwrap_or(0),
            last_kib: samples.last().copied().unwrap_or(0),
            min_kib: sorted.first().copied().unwrap_or(0),
            median_kib: sorted.get(sorted.len() / 2).copied().unwrap_or(0),
            max_kib: sorted.last().copied().unwrap_or(0),
        }
    }
}

/// VmRSS and PSS of one window, sampled together.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MemorySummary {
    /// VmRSS: every resident page the process maps, shared ones counted in full.
    pub rss: KibSummary,
    /// PSS: private pages plus a proportional share of the shared ones.
    pub pss: KibSummary,
}

/// VmRSS and PSS samples being collected, KiB.
#[derive(Debug, Default)]
struct MemorySamples {
    rss: Vec<u64>,
    pss: Vec<u64>,
}

impl MemorySamples {
    /// Takes one sample of each.
    fn take(&mut self, pid: u32) -> Result<(), WatchError> {
        self.rss.push(rss_kib(pid)?);
        self.pss.push(pss_kib(pid)?);
        Ok(())
    }

    fn summary(&self) -> MemorySummary {
        MemorySummary {
            rss: KibSummary::of(&self.rss),
            pss: KibSummary::of(&self.pss),
        }
    }
}

/// Samples the VmRSS and PSS of `pid` every `interval` for `duration` (first sample at once).
pub fn sample_memory(
    pid: u32,
    interval: Duration,
    duration: Duration,
) -> Result<MemorySummary, WatchError> {
    let start = Instant::now();
    let mut samples = MemorySamples::default();
    loop {
        samples.take(pid)?;
        let next = start + interval * samples.rss.len() as u32;
        if next.saturating_duration_since(start) > duration {
            return Ok(samples.summary());
        }
        std::thread::sleep(next.saturating_duration_since(Instant::now()));
    }
}

/// The current counters of the sink at `sink_url`.
pub fn sink_stats(sink_url: &str) -> Result<SinkStats, WatchError> {
    let url = format!("{}{STATS_PATH}", sink_url.trim_end_matches('/'));
    let text = ureq::get(&url).call()?.body_mut().read_to_string()?;
    Ok(serde_json::from_str(&text)?)
}

/// What to wait for while draining.
#[derive(Debug, Clone)]
pub struct DrainPlan {
    /// The server process delivering (hub or Alertmanager).
    pub pid: u32,
    /// Base URL of the sink.
    pub sink_url: String,
    /// Webhook requests that complete the drain.
    pub expected: u64,
    /// Memory sampling interval.
    pub interval: Duration,
    /// Give up after this long.
    pub timeout: Duration,
    /// Wait this long after the last expected request, then read the counters again to
    /// catch duplicates.
    pub settle: Duration,
}

/// Figures of one drain.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DrainReport {
    /// Webhook requests that complete the drain.
    pub expected: u64,
    /// The expected requests all arrived before the timeout.
    pub complete: bool,
    /// When watching began, milliseconds since the Unix epoch.
    pub watch_started_ms: i64,
    /// The sink's counters when the expected count was reached (or at the timeout).
    pub at_expected: SinkStats,
    /// The sink's counters after the settle time.
    pub settled: SinkStats,
    /// CPU time (user + system) of the process from the start of watching to the
    /// expected count.
    pub cpu_seconds: f64,
    /// VmRSS and PSS over the same span.
    pub memory: MemorySummary,
}

/// Polls the sink every 50 ms and samples the process's memory every `plan.interval` until
/// `plan.expected` requests have arrived (or the timeout), then waits `plan.settle`.
pub fn watch_drain(plan: &DrainPlan) -> Result<DrainReport, WatchError> {
    let cpu =
        |pid| process_cpu_time(Some(pid)).map_err(|source| WatchError::Process { pid, source });
    let watch_started_ms = epoch_ms();
    let start = Instant::now();
    let cpu_start = cpu(plan.pid)?;
    let mut samples = MemorySamples::default();
    samples.take(plan.pid)?;
    let mut next_sample = start + plan.interval;
    let mut stats = sink_stats(&plan.sink_url)?;
    while stats.requests < plan.expected && start.elapsed() < plan.timeout {
        std::thread::sleep(Duration::from_millis(50));
        if Instant::now() >= next_sample {
            samples.take(plan.pid)?;
            next_sample += plan.interval;
        }
        stats = sink_stats(&plan.sink_url)?;
    }
    let cpu_seconds = cpu(plan.pid)?.saturating_sub(cpu_start).as_secs_f64();
    samples.take(plan.pid)?;
    std::thread::sleep(plan.settle);
    Ok(DrainReport {
        expected: plan.expected,
        complete: stats.requests >= plan.expected,
        watch_started_ms,
        settled: sink_stats(&plan.sink_url)?,
        at_expected: stats,
        cpu_seconds,
        memory: samples.summary(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_vm_rss_from_a_status_text() {
        let status = "Name:\thostpulse\nVmPeak:\t  9000 kB\nVmRSS:\t   41234 kB\nThreads:\t5\n";
        assert_eq!(parse_vm_rss(status), Some(41_234));
        assert_eq!(parse_vm_rss("Name:\tx\n"), None);
        assert_eq!(parse_vm_rss("VmRSSx:\t 5 kB\n"), None);
    }

    #[test]
    fn reads_pss_from_a_smaps_rollup_text() {
        let rollup = "55d0-7ffd ---p 00000000 00:00 0  [rollup]\nRss:   4000 kB\n\
                      Pss:   2500 kB\nPss_Anon:  1200 kB\n";
        assert_eq!(parse_kib_line(rollup, "Pss"), Some(2500));
        assert_eq!(parse_kib_line(rollup, "Pss_Anon"), Some(1200));
        assert_eq!(parse_kib_line(rollup, "Pss_File"), None);
    }

    #[test]
    fn summary_keeps_order_for_first_and_last_and_sorts_for_the_rest() {
        let summary = KibSummary::of(&[30, 10, 50, 20]);
        assert_eq!((summary.first_kib, summary.last_kib), (30, 20));
        assert_eq!(
            (summary.min_kib, summary.median_kib, summary.max_kib),
            (10, 30, 50)
        );
        assert_eq!(summary.samples, 4);
        assert_eq!(KibSummary::of(&[]), KibSummary::default());
    }

    #[test]
    fn samples_this_process() {
        let pid = std::process::id();
        let summary =
            sample_memory(pid, Duration::from_millis(10), Duration::from_millis(30)).unwrap();
        assert!(summary.rss.samples >= 3, "{summary:?}");
        assert_eq!(summary.pss.samples, summary.rss.samples);
        assert!(summary.rss.min_kib > 0 && summary.pss.min_kib > 0);
        assert!(summary.pss.min_kib <= summary.rss.max_kib, "{summary:?}");
        assert!(rss_kib(u32::MAX).is_err());
        assert!(pss_kib(u32::MAX).is_err());
    }
}
