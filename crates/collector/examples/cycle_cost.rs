//! Measures the cost of collection cycles on this machine: mean wall and CPU time per cycle.
//!
//! Usage: `cargo run --release -p hostpulse-collector --example cycle_cost [cycles] [--print]`.
//! Cycles are stamped one virtual second apart, so the process scan (every 15 s) and the
//! utmp read (every 30 s) run as often as they would with a 1 s interval.

use hostpulse_collector::{Collector, CollectorConfig};
use std::time::{Duration, Instant};

fn cpu_time() -> Duration {
    // SAFETY: an all-zero rusage is valid and getrusage fills it.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: usage is a valid, writable rusage.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    let micros = |tv: libc::timeval| tv.tv_sec as u64 * 1_000_000 + tv.tv_usec as u64;
    Duration::from_micros(micros(usage.ru_utime) + micros(usage.ru_stime))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cycles: u32 = args.iter().find_map(|a| a.parse().ok()).unwrap_or(300);
    let print = args.iter().any(|a| a == "--print");
    let mut collector = Collector::new(CollectorConfig::default());
    let mut now_ms = 1_700_000_000_000i64;
    let warmup = collector.collect(now_ms);
    if print {
        for s in &warmup.samples {
            println!("{} {:?} {}", s.name, s.labels, s.value);
        }
    }
    let (wall_start, cpu_start) = (Instant::now(), cpu_time());
    let mut samples = 0;
    for _ in 0..cycles {
        now_ms += 1_000;
        samples += collector.collect(now_ms).samples.len();
    }
    let wall = wall_start.elapsed() / cycles;
    let cpu = (cpu_time() - cpu_start) / cycles;
    println!(
        "{cycles} cycles, {} samples/cycle: wall {:.1} us/cycle, cpu {:.1} us/cycle",
        samples / cycles as usize,
        wall.as_secs_f64() * 1e6,
        cpu.as_secs_f64() * 1e6
    );
}
