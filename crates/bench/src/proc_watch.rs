//! Watching a server process during the delivery benchmark: resident memory (VmRSS from
//! `/proc/PID/status`) sampled at a fixed interval, CPU time, and the sink's counters until
//! the expected number of webhook requests has arrived.

use crate::cpu::process_cpu_time;
use crate::sink::{STATS_PATH, SinkStats, epoch_ms};
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};

/// Why watching failed.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error("cannot read process {pid}: {source}")]
    Process { pid: u32, source: std::io::Error },
    #[error("cannot read the sink's stats: {0}")]
    Sink(#[from] ureq::Error),
    #[error("unexpected stats from the sink: {0}")]
    Stats(#[from] serde_json::Error),
}

/// Resident set size of process `pid` in KiB (the `VmRSS:` line of `/proc/PID/status`).
pub fn rss_kib(pid: u32) -> Result<u64, WatchError> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map_err(|source| WatchError::Process { pid, source })?;
    parse_vm_rss(&status).ok_or_else(|| WatchError::Process {
        pid,
        source: std::io::Error::new(std::io::ErrorKind::InvalidData, "no VmRSS line"),
    })
}

/// The `VmRSS:` value (KiB) of a `/proc/PID/status` text.
pub fn parse_vm_rss(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// RSS samples of one window, KiB.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RssSummary {
    pub samples: usize,
    pub first_kib: u64,
    pub last_kib: u64,
    pub min_kib: u64,
    pub median_kib: u64,
    pub max_kib: u64,
}

impl RssSummary {
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

/// Samples the RSS of `pid` every `interval` for `duration` (first sample at once).
pub fn sample_rss(
    pid: u32,
    interval: Duration,
    duration: Duration,
) -> Result<RssSummary, WatchError> {
    let start = Instant::now();
    let mut samples = Vec::new();
    loop {
        samples.push(rss_kib(pid)?);
        let next = start + interval * samples.len() as u32;
        if next.saturating_duration_since(start) > duration {
            return Ok(RssSummary::of(&samples));
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
    /// RSS sampling interval.
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
    /// RSS over the same span.
    pub rss: RssSummary,
}

/// Polls the sink every 50 ms and samples the process's RSS every `plan.interval` until
/// `plan.expected` requests have arrived (or the timeout), then waits `plan.settle`.
pub fn watch_drain(plan: &DrainPlan) -> Result<DrainReport, WatchError> {
    let cpu =
        |pid| process_cpu_time(Some(pid)).map_err(|source| WatchError::Process { pid, source });
    let watch_started_ms = epoch_ms();
    let start = Instant::now();
    let cpu_start = cpu(plan.pid)?;
    let mut samples = vec![rss_kib(plan.pid)?];
    let mut next_sample = start + plan.interval;
    let mut stats = sink_stats(&plan.sink_url)?;
    while stats.requests < plan.expected && start.elapsed() < plan.timeout {
        std::thread::sleep(Duration::from_millis(50));
        if Instant::now() >= next_sample {
            samples.push(rss_kib(plan.pid)?);
            next_sample += plan.interval;
        }
        stats = sink_stats(&plan.sink_url)?;
    }
    let cpu_seconds = cpu(plan.pid)?.saturating_sub(cpu_start).as_secs_f64();
    samples.push(rss_kib(plan.pid)?);
    std::thread::sleep(plan.settle);
    Ok(DrainReport {
        expected: plan.expected,
        complete: stats.requests >= plan.expected,
        watch_started_ms,
        settled: sink_stats(&plan.sink_url)?,
        at_expected: stats,
        cpu_seconds,
        rss: RssSummary::of(&samples),
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
    }

    #[test]
    fn summary_keeps_order_for_first_and_last_and_sorts_for_the_rest() {
        let summary = RssSummary::of(&[30, 10, 50, 20]);
        assert_eq!((summary.first_kib, summary.last_kib), (30, 20));
        assert_eq!(
            (summary.min_kib, summary.median_kib, summary.max_kib),
            (10, 30, 50)
        );
        assert_eq!(summary.samples, 4);
        assert_eq!(RssSummary::of(&[]), RssSummary::default());
    }

    #[test]
    fn samples_this_process() {
        let pid = std::process::id();
        let summary =
            sample_rss(pid, Duration::from_millis(10), Duration::from_millis(30)).unwrap();
        assert!(summary.samples >= 3, "{summary:?}");
        assert!(summary.min_kib > 0);
        assert!(rss_kib(u32::MAX).is_err());
    }
}
