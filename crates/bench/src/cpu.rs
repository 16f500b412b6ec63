//! CPU time of a process (user + system) from `/proc/<pid>/stat`, to report the share
//! of the machine taken by the generator and by the hub during the measured window.

use std::time::Duration;

/// CPU time consumed so far by process `pid` (`None` for this process).
pub fn process_cpu_time(pid: Option<u32>) -> std::io::Result<Duration> {
    let path = match pid {
        Some(pid) => format!("/proc/{pid}/stat"),
        None => "/proc/self/stat".to_string(),
    };
    let stat = std::fs::read_to_string(path)?;
    parse_stat_cpu(&stat, clock_ticks_per_second())
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidData, "malformed stat line"))
}

fn clock_ticks_per_second() -> u64 {
    // SAFETY: sysconf only reads a configuration value.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    u64::try_from(ticks).ok().filter(|&t| t > 0).unwrap_or(100)
}

/// utime + stime of a `/proc/.../stat` line, with this machine's clock tick.
pub fn parse_stat_cpu_now(stat: &str) -> Option<Duration> {
    parse_stat_cpu(stat, clock_ticks_per_second())
}

/// utime + stime of a `/proc/<pid>/stat` line (fields 14 and 15, counted after the
/// parenthesised command name, which may itself contain spaces).
fn parse_stat_cpu(stat: &str, ticks_per_second: u64) -> Option<Duration> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    let mut fields = after_name.split_whitespace().skip(11);
    let user: u64 = fields.next()?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    let ticks = user + system;
    Some(Duration::from_millis(ticks * 1000 / ticks_per_second))
}

/// Logical CPUs of this machine.
pub fn cpu_count() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_stat_line_with_spaces_in_the_name() {
        let line = "4242 (my (odd) proc) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 1 0";
        assert_eq!(parse_stat_cpu(line, 100), Some(Duration::from_secs(3)));
        assert_eq!(parse_stat_cpu("garbage", 100), None);
    }

    #[test]
    fn own_cpu_time_grows_with_work() {
        let before = process_cpu_time(None).unwrap();
        let mut x = 0u64;
        let start = std::time::Instant::now();
        while process_cpu_time(None).unwrap() <= before {
            for i in 0..100_000u64 {
                x = x.wrapping_mul(31).wrapping_add(i);
            }
            assert!(start.elapsed() < Duration::from_secs(30), "{x}");
        }
    }
}
