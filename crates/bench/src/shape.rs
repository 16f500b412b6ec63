//! Host shapes: the series one simulated agent emits, following the metric list of
//! `hostpulse-agent` (cpu, load, memory, swap, filesystems, disk io, network, tcp, processes).

use crate::model::{Model, Motion};
use hostpulse_collector::tcp::TCP_STATES;
use hostpulse_core::Sample;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;
/// Collection interval of the simulated agents, seconds.
pub const INTERVAL_SECONDS: f64 = 5.0;

const MOUNTS: [&str; 6] = ["/", "/boot", "/var", "/home", "/data", "/srv"];
const DISKS: [&str; 4] = ["nvme0n1", "nvme1n1", "sda", "sdb"];
const ACTIVE_IFACES: [&str; 3] = ["eth0", "eth1", "docker0"];
const NET_METRICS: [&str; 8] = [
    "net.rx_bytes_per_sec",
    "net.tx_bytes_per_sec",
    "net.rx_packets_per_sec",
    "net.tx_packets_per_sec",
    "net.rx_errors_per_sec",
    "net.tx_errors_per_sec",
    "net.rx_drops_per_sec",
    "net.tx_drops_per_sec",
];

/// Size of a simulated host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostShape {
    /// CPUs (one set of per-CPU series each).
    pub cores: usize,
    /// Mounted filesystems.
    pub filesystems: usize,
    /// Block devices.
    pub disks: usize,
    /// Interfaces with traffic; the others are idle (all zeros).
    pub active_ifaces: usize,
    /// Interfaces without traffic (bridges, veths): all their series stay zero.
    pub idle_ifaces: usize,
}

impl HostShape {
    /// A shape drawn from `seed`: 4-16 cores, 3-6 filesystems, 1-4 disks, 1-3 busy and
    /// 8-14 idle interfaces (bridges, veths), about 140-230 series in all.
    pub fn from_seed(seed: u64) -> Self {
        let mut rng = SmallRng::seed_from_u64(seed);
        Self {
            cores: [4, 8, 12, 16][rng.random_range(0..4)],
            filesystems: rng.random_range(3..=MOUNTS.len()),
            disks: rng.random_range(1..=DISKS.len()),
            active_ifaces: rng.random_range(1..=ACTIVE_IFACES.len()),
            idle_ifaces: rng.random_range(8..=14),
        }
    }
}

/// One series of a simulated host: its sample (name, labels, current value) and motion.
#[derive(Debug, Clone)]
pub struct SeriesPlan {
    /// The series' name and labels, with the value of the latest frame.
    pub sample: Sample,
    /// How its value moves.
    pub model: Model,
}

/// Builds every series of a host, in the order the real agent emits them.
pub fn build_series(shape: &HostShape, rng: &mut SmallRng) -> Vec<SeriesPlan> {
    let mut plan = Plan {
        series: Vec::with_capacity(256),
        rng,
    };
    plan.cpu(shape.cores);
    plan.memory();
    plan.filesystems(shape.filesystems);
    plan.disks(shape.disks);
    plan.network(shape.active_ifaces, shape.idle_ifaces);
    plan.tcp_and_processes();
    plan.series
}

struct Plan<'a> {
    series: Vec<SeriesPlan>,
    rng: &'a mut SmallRng,
}

fn walk(low: f64, high: f64, step: f64) -> Motion {
    Motion::Walk { low, high, step }
}

impl Plan<'_> {
    fn push(&mut self, sample: Sample, motion: Motion, start: f64) {
        let model = Model::new(motion, start);
        let sample = Sample {
            value: model.value,
            ..sample
        };
        self.series.push(SeriesPlan { sample, model });
    }

    fn add(&mut self, name: &str, labels: &[(&str, &str)], motion: Motion, start: f64) {
        let mut sample = Sample::new(name, start);
        for (key, value) in labels {
            sample = sample.with_label(*key, *value);
        }
        self.push(sample, motion, start);
    }

    fn percent(&mut self, name: &str, labels: &[(&str, &str)], level: f64, step: f64) {
        let start = self.rng.random_range(0.0..level);
        self.add(name, labels, walk(0.0, 100.0, step), start);
    }

    fn cpu(&mut self, cores: usize) {
        self.percent("cpu.usage_percent", &[], 40.0, 4.0);
        self.percent("cpu.user_percent", &[], 30.0, 3.0);
        self.percent("cpu.system_percent", &[], 10.0, 1.5);
        self.percent("cpu.iowait_percent", &[], 3.0, 0.5);
        self.percent("cpu.steal_percent", &[], 1.0, 0.2);
        for core in 0..cores {
            let core = core.to_string();
            self.percent("cpu.usage_percent", &[("cpu", &core)], 60.0, 8.0);
        }
        let cores = cores as f64;
        self.add("cpu.cores_logical", &[], Motion::Constant, cores);
        self.add("cpu.cores_physical", &[], Motion::Constant, cores / 2.0);
        self.add("cpu.frequency_mhz", &[], walk(800.0, 3600.0, 50.0), 2400.0);
        for (name, level) in [("load.1", 0.5), ("load.5", 0.4), ("load.15", 0.3)] {
            let start = level * cores;
            self.add(name, &[], walk(0.0, cores * 4.0, level), start);
        }
    }

    fn memory(&mut self) {
        let total = GIB * f64::from(self.rng.random_range(4u32..=128));
        let used = total * self.rng.random_range(0.2..0.7);
        let step = 8.0 * 1024.0 * 1024.0;
        self.add("mem.total_bytes", &[], Motion::Constant, total);
        let bytes = |high: f64| Motion::Bytes {
            low: 0.0,
            high,
            step,
        };
        self.add("mem.available_bytes", &[], bytes(total), total - used);
        self.add("mem.used_bytes", &[], bytes(total), used);
        self.add(
            "mem.used_percent",
            &[],
            walk(0.0, 100.0, 0.2),
            100.0 * used / total,
        );
        self.add("mem.cached_bytes", &[], bytes(total), total * 0.2);
        self.add("mem.buffers_bytes", &[], bytes(total), total * 0.01);
        self.add("swap.total_bytes", &[], Motion::Constant, 2.0 * GIB);
        self.add("swap.used_bytes", &[], bytes(2.0 * GIB), 0.1 * GIB);
        self.add("swap.used_percent", &[], walk(0.0, 100.0, 0.05), 5.0);
        self.add("swap.in_pages_per_sec", &[], Motion::Zero, 0.0);
        self.add("swap.out_pages_per_sec", &[], Motion::Zero, 0.0);
    }

    fn filesystems(&mut self, count: usize) {
        for (index, mount) in MOUNTS.iter().take(count).enumerate() {
            let device = format!("/dev/sda{}", index + 1);
            let labels = [
                ("device", device.as_str()),
                ("fstype", "ext4"),
                ("mount", mount),
            ];
            let total = GIB * f64::from(self.rng.random_range(1u32..=2000));
            let free = total * self.rng.random_range(0.1..0.9);
            let step = 2.0 * 1024.0 * 1024.0;
            let free_motion = Motion::Bytes {
                low: 0.0,
                high: total,
                step,
            };
            let used_percent = 100.0 * (1.0 - free / total);
            self.add("disk.total_bytes", &labels, Motion::Constant, total);
            self.add("disk.free_bytes", &labels, free_motion, free);
            self.add(
                "disk.used_percent",
                &labels,
                walk(0.0, 100.0, 0.01),
                used_percent,
            );
            self.add(
                "disk.inodes_used_percent",
                &labels,
                walk(0.0, 100.0, 0.01),
                2.5,
            );
        }
    }

    fn disks(&mut self, count: usize) {
        for device in DISKS.iter().take(count) {
            let labels = [("device", *device)];
            let rate = |mean: f64| Motion::Rate { mean, idle: 0.2 };
            self.add("disk.read_bytes_per_sec", &labels, rate(2e6), 0.0);
            self.add("disk.write_bytes_per_sec", &labels, rate(5e6), 0.0);
            self.add("disk.read_ops_per_sec", &labels, rate(50.0), 0.0);
            self.add("disk.write_ops_per_sec", &labels, rate(80.0), 0.0);
            self.add("disk.busy_percent", &labels, walk(0.0, 100.0, 1.0), 3.0);
        }
    }

    fn network(&mut self, active: usize, idle: usize) {
        for iface in ACTIVE_IFACES.iter().take(active) {
            for (index, metric) in NET_METRICS.iter().enumerate() {
                let motion = match index {
                    0 | 1 => Motion::Rate {
                        mean: 1e6,
                        idle: 0.05,
                    },
                    2 | 3 => Motion::Rate {
                        mean: 900.0,
                        idle: 0.05,
                    },
                    _ => Motion::Zero,
                };
                self.add(metric, &[("iface", iface)], motion, 0.0);
            }
        }
        for number in 0..idle {
            let iface = format!("veth{:07x}", 0x3a1f00 + number * 0x1b3);
            for metric in NET_METRICS {
                self.add(metric, &[("iface", &iface)], Motion::Zero, 0.0);
            }
        }
    }

    fn tcp_and_processes(&mut self) {
        for state in TCP_STATES {
            let (start, step) = match state {
                "established" => (40.0, 3.0),
                "time_wait" => (20.0, 4.0),
                "listen" => (12.0, 0.0),
                "close_wait" => (1.0, 1.0),
                _ => (0.0, 0.0),
            };
            let motion = if step == 0.0 {
                Motion::Constant
            } else {
                Motion::Count {
                    low: 0.0,
                    high: 10_000.0,
                    step,
                }
            };
            self.add("tcp.connections", &[("state", state)], motion, start);
        }
        let count = |low, high, step| Motion::Count { low, high, step };
        self.add("proc.count", &[], count(50.0, 5000.0, 2.0), 250.0);
        self.add("proc.running", &[], count(0.0, 64.0, 2.0), 2.0);
        self.add("proc.blocked", &[], count(0.0, 16.0, 1.0), 0.0);
        self.add("users.logged_in", &[], Motion::Constant, 1.0);
        let uptime = f64::from(self.rng.random_range(3_600u32..=9_000_000));
        self.add("system.boot_time_seconds", &[], Motion::Constant, 1.7e9);
        let step = INTERVAL_SECONDS;
        self.add(
            "system.uptime_seconds",
            &[],
            Motion::Counter { step },
            uptime,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn shapes_have_a_realistic_series_count() {
        let mut counts = Vec::new();
        for seed in 0..200 {
            let shape = HostShape::from_seed(seed);
            let series = build_series(&shape, &mut SmallRng::seed_from_u64(seed));
            counts.push(series.len());
        }
        let (min, max) = (counts.iter().min(), counts.iter().max());
        assert!(min.is_some_and(|&n| n >= 130), "{min:?}");
        assert!(max.is_some_and(|&n| n <= 250), "{max:?}");
    }

    #[test]
    fn series_keys_are_unique_within_a_host() {
        let shape = HostShape {
            cores: 16,
            filesystems: 6,
            disks: 4,
            active_ifaces: 3,
            idle_ifaces: 14,
        };
        let series = build_series(&shape, &mut SmallRng::seed_from_u64(1));
        let keys: HashSet<_> = series.iter().map(|s| s.sample.series_key()).collect();
        assert_eq!(keys.len(), series.len());
    }

    #[test]
    fn samples_start_at_their_model_value() {
        let series = build_series(&HostShape::from_seed(3), &mut SmallRng::seed_from_u64(3));
        assert!(series.iter().all(|s| s.sample.value == s.model.value));
    }
}
