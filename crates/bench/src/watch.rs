//! Watching the server over the measured window: CPU time of the hub's store writer
//! thread (from `/proc/PID/task/*/stat`) and the size of its database files over time.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Thread name prefix of the hub's store writer (`/proc` truncates names to 15 bytes).
pub const WRITER_THREAD_PREFIX: &str = "hostpulse-store";

/// Size of the database files (main file plus WAL) at one moment of the window.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FileSizeSample {
    /// Seconds since the window started.
    pub at_seconds: f64,
    /// Main file plus WAL, bytes.
    pub bytes: u64,
}

/// Summed CPU time (user + system) of the threads of `pid` whose name starts with
/// `prefix`; `None` if no such thread is readable.
pub fn threads_cpu_time(pid: u32, prefix: &str) -> Option<Duration> {
    let tasks = std::fs::read_dir(format!("/proc/{pid}/task")).ok()?;
    let mut total = None;
    for task in tasks.flatten() {
        let Ok(stat) = std::fs::read_to_string(task.path().join("stat")) else {
            continue;
        };
        let name = stat
            .find('(')
            .zip(stat.rfind(')'))
            .map(|(open, close)| &stat[open + 1..close]);
        if name.is_some_and(|n| n.starts_with(prefix))
            && let Some(cpu) = crate::cpu::parse_stat_cpu_now(&stat)
        {
            total = Some(total.unwrap_or(Duration::ZERO) + cpu);
        }
    }
    total
}

/// Bytes of the database file plus its WAL (0 for files that do not exist).
pub fn database_file_bytes(db: &Path) -> u64 {
    ["", "-wal"]
        .iter()
        .map(|suffix| {
            let mut name = db.as_os_str().to_owned();
            name.push(suffix);
            std::fs::metadata(PathBuf::from(name)).map_or(0, |m| m.len())
        })
        .sum()
}

/// Sleeps until `end`, sampling the database size about once per second when `db` is given.
pub fn sample_until(db: Option<&Path>, start: Instant, end: Instant) -> Vec<FileSizeSample> {
    let mut samples = Vec::new();
    loop {
        let now = Instant::now();
        if let Some(db) = db {
            samples.push(FileSizeSample {
                at_seconds: now.saturating_duration_since(start).as_secs_f64(),
                bytes: database_file_bytes(db),
            });
        }
        if now >= end {
            return samples;
        }
        std::thread::sleep(Duration::from_secs(1).min(end - now));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_bytes_count_the_main_file_and_the_wal() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("x.db");
        assert_eq!(database_file_bytes(&db), 0);
        std::fs::write(&db, [0u8; 10]).unwrap();
        std::fs::write(dir.path().join("x.db-wal"), [0u8; 5]).unwrap();
        std::fs::write(dir.path().join("x.db-shm"), [0u8; 7]).unwrap();
        assert_eq!(database_file_bytes(&db), 15);
    }

    #[test]
    fn finds_a_named_thread_of_this_process() {
        let (started, wait_started) = std::sync::mpsc::channel();
        let (stop, wait_stop) = std::sync::mpsc::channel::<()>();
        let worker = std::thread::Builder::new()
            .name("bench-watch-me".into())
            .spawn(move || {
                // The thread sets its own name as it starts: report only after that.
                started.send(()).unwrap();
                let _ = wait_stop.recv_timeout(Duration::from_secs(10));
            })
            .unwrap();
        wait_started.recv().unwrap();
        let pid = std::process::id();
        assert!(threads_cpu_time(pid, "bench-watch-me").is_some());
        assert!(threads_cpu_time(pid, "no-such-thread-name").is_none());
        stop.send(()).unwrap();
        worker.join().unwrap();
    }
}
