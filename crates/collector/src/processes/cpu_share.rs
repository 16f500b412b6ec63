//! Per-process CPU from two readings: the ticks a process used between the previous scan
//! and this one, over the time between them — never its whole life since it started.

use crate::rate::round2;

/// What a scan knows about the time since the previous scan.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScanWindow {
    /// Time since boot at the previous scan, clock ticks (`/proc/uptime`); `None` if unknown.
    pub previous_uptime_ticks: Option<f64>,
    /// Time since boot at this scan, clock ticks; `None` if unknown.
    pub uptime_ticks: Option<f64>,
    /// Seconds between the two scans.
    pub elapsed_secs: f64,
    /// Clock ticks per second (`sysconf(_SC_CLK_TCK)`).
    pub ticks_per_sec: f64,
    /// Online CPUs: no process can use more than 100 % of each.
    pub cores: usize,
}

impl ScanWindow {
    /// Whether a process started at `start_ticks` (after boot) began after the previous
    /// scan, so that all of its CPU time falls inside the window.
    fn started_inside(&self, start_ticks: u64) -> bool {
        match (self.previous_uptime_ticks, self.uptime_ticks) {
            (Some(previous), Some(now)) => {
                let start = start_ticks as f64;
                start > previous && start <= now + self.ticks_per_sec
            }
            _ => false,
        }
    }
}

/// A process's CPU use over `window`, percent of one core, from its `(cpu ticks, start
/// ticks)` at the previous scan and now. `None` (unknown) when the process was not read at
/// the previous scan although it already ran then, or when the window has no length.
pub fn process_cpu_percent(
    previous: Option<(u64, u64)>,
    (cpu_ticks, start_ticks): (u64, u64),
    window: &ScanWindow,
) -> Option<f64> {
    if window.elapsed_secs <= 0.0 || window.ticks_per_sec <= 0.0 {
        return None;
    }
    let used = match previous {
        // The same process (a reused pid has another start time).
        Some((ticks, start)) if start == start_ticks => cpu_ticks.saturating_sub(ticks),
        _ if window.started_inside(start_ticks) => cpu_ticks,
        _ => return None,
    };
    let percent = used as f64 / window.ticks_per_sec / window.elapsed_secs * 100.0;
    let ceiling = 100.0 * window.cores.max(1) as f64;
    Some(round2(percent.min(ceiling)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::processes::parse_pid_stat;

    /// `hostpulse` after 2,691 s of CPU on a 2-core host, as the first snapshot saw it.
    const BUSY_BEFORE: &str = "4242 (hostpulse) S 1 4242 4242 0 -1 4194560 9000 0 0 0 \
        201000 68100 0 0 20 0 9 0 5000 812345344 30000 18446744073709551615 1 1 0 0 0 0 0 \
        4096 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0";
    /// The same process 15 s later, having used 12 s of CPU (80 %).
    const BUSY_AFTER: &str = "4242 (hostpulse) S 1 4242 4242 0 -1 4194560 9000 0 0 0 \
        202000 68300 0 0 20 0 9 0 5000 812345344 30000 18446744073709551615 1 1 0 0 0 0 0 \
        4096 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0";

    fn reading(text: &str) -> (u64, u64) {
        let stat = parse_pid_stat(text).expect("a stat line");
        (stat.cpu_ticks, stat.start_ticks)
    }

    fn window(previous_secs: f64, now_secs: f64) -> ScanWindow {
        ScanWindow {
            previous_uptime_ticks: Some(previous_secs * 100.0),
            uptime_ticks: Some(now_secs * 100.0),
            elapsed_secs: now_secs - previous_secs,
            ticks_per_sec: 100.0,
            cores: 2,
        }
    }

    #[test]
    fn cpu_comes_from_two_readings_not_from_process_start() {
        let (before, after) = (reading(BUSY_BEFORE), reading(BUSY_AFTER));
        assert_eq!(before, (269_100, 5000));
        let window = window(3000.0, 3015.0);
        assert_eq!(
            process_cpu_percent(Some(before), after, &window),
            Some(80.0)
        );
        // Not read at the previous scan, but running since tick 5000: unknown, not 2691 %.
        assert_eq!(process_cpu_percent(None, after, &window), None);
    }

    #[test]
    fn a_process_started_inside_the_window_counts_all_its_ticks() {
        let window = window(3000.0, 3015.0);
        assert_eq!(
            process_cpu_percent(None, (300, 300_500), &window),
            Some(20.0)
        );
        // A reused pid: the old reading belongs to another process.
        assert_eq!(
            process_cpu_percent(Some((269_100, 5000)), (300, 300_500), &window),
            Some(20.0)
        );
    }

    #[test]
    fn never_above_100_percent_per_core_and_unknown_without_a_window() {
        let window = window(3000.0, 3001.0);
        assert_eq!(
            process_cpu_percent(Some((0, 1)), (1_000, 1), &window),
            Some(200.0)
        );
        let no_uptime = ScanWindow {
            previous_uptime_ticks: None,
            uptime_ticks: None,
            ..window
        };
        assert_eq!(process_cpu_percent(None, (300, 300_050), &no_uptime), None);
        let empty = ScanWindow {
            elapsed_secs: 0.0,
            ..window
        };
        assert_eq!(process_cpu_percent(Some((0, 1)), (10, 1), &empty), None);
    }
}
