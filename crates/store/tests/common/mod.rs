//! Shared fixtures for the store tests: batches, stores in temp dirs, synthetic hosts.
#![allow(dead_code)]
#![allow(
    clippy::unwrap_used,
    reason = "test support: a store that cannot be opened stops the test loudly"
)]

use hostpulse_core::{Clock, Labels, ManualClock, Sample};
use hostpulse_proto::{AgentIdentity, Frame, IngestBatch, PROTOCOL_VERSION};
use hostpulse_store::RangeQuery;
use hostpulse_store::{SqliteOptions, SqliteStore};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::path::Path;
use std::sync::Arc;

/// An hour-aligned start time.
pub const T0: i64 = 1_699_999_200_000;

pub fn batch(seq: u64, frames: Vec<Frame>) -> IngestBatch {
    IngestBatch {
        version: PROTOCOL_VERSION,
        agent: AgentIdentity {
            hostname: "web-1".into(),
            display_name: None,
            agent_version: "0.1.0".into(),
            interval_ms: 5_000,
            instance_id: "test-instance".into(),
            run_id: "test-run".into(),
            previous_run_id: None,
        },
        seq,
        facts: None,
        frames,
    }
}

pub fn frame(ts_ms: i64, samples: Vec<Sample>) -> Frame {
    Frame {
        ts_ms,
        samples,
        ..Frame::default()
    }
}

pub fn options(dir: &Path) -> SqliteOptions {
    SqliteOptions {
        synchronous_full: false,
        checkpoint_interval_ms: 3_600_000,
        ..SqliteOptions::new(dir.join("hostpulse.db"))
    }
}

pub async fn open(dir: &Path, clock: &ManualClock) -> Arc<SqliteStore> {
    open_with(options(dir), clock).await
}

pub async fn open_with(options: SqliteOptions, clock: &ManualClock) -> Arc<SqliteStore> {
    let clock: Arc<dyn Clock> = Arc::new(clock.clone());
    SqliteStore::open(options, clock).await.unwrap()
}

/// A host shaped like real agent data: ~150 series with per-core CPU percents
/// (2 decimals), constant totals, slowly moving byte gauges, idle interfaces at zero.
pub struct SyntheticHost {
    rng: StdRng,
    cpu: Vec<f64>,
    memory_used: f64,
    disk_used: Vec<f64>,
    tick: u64,
}

impl SyntheticHost {
    pub fn new(seed: u64) -> Self {
        Self {
            rng: StdRng::seed_from_u64(seed),
            cpu: vec![5.0; 16],
            memory_used: 4.0e9,
            disk_used: vec![2.0e11; 4],
            tick: 0,
        }
    }

    fn round2(v: f64) -> f64 {
        (v * 100.0).round() / 100.0
    }

    pub fn samples(&mut self) -> Vec<Sample> {
        self.tick += 1;
        let mut out = Vec::with_capacity(160);
        for core in 0..self.cpu.len() {
            let walk = (self.cpu[core] + self.rng.random_range(-1.5..1.5)).clamp(0.0, 100.0);
            self.cpu[core] = walk;
            let core_label = core.to_string();
            for (mode, share) in [("user", 0.6), ("system", 0.3), ("iowait", 0.1)] {
                out.push(
                    Sample::new("cpu.mode_percent", Self::round2(walk * share))
                        .with_label("cpu", core_label.clone())
                        .with_label("mode", mode),
                );
            }
            out.push(
                Sample::new("cpu.usage_percent", Self::round2(walk)).with_label("cpu", core_label),
            );
        }
        self.memory_used += self.rng.random_range(-40_960.0..40_960.0f64).round();
        out.push(Sample::new(
            "memory.total_bytes",
            16.0 * 1024.0 * 1024.0 * 1024.0,
        ));
        out.push(Sample::new("memory.used_bytes", self.memory_used));
        out.push(Sample::new(
            "memory.used_percent",
            Self::round2(self.memory_used / 1.7e8),
        ));
        out.push(Sample::new(
            "load.1",
            Self::round2(self.rng.random_range(0.0..2.0)),
        ));
        for (i, used) in self.disk_used.iter_mut().enumerate() {
            if self.rng.random_bool(0.2) {
                *used += 4096.0 * self.rng.random_range(0..64) as f64;
            }
            let mount = format!("/mnt/{i}");
            out.push(Sample::new("disk.total_bytes", 1.0e12).with_label("mount", mount.clone()));
            out.push(Sample::new("disk.used_bytes", *used).with_label("mount", mount.clone()));
            out.push(
                Sample::new("disk.used_percent", Self::round2(*used / 1.0e10))
                    .with_label("mount", mount.clone()),
            );
            let busy = self.rng.random_bool(0.5);
            let rate = |rng: &mut StdRng| {
                if busy {
                    (rng.random_range(0.0..2.0e6f64)).round()
                } else {
                    0.0
                }
            };
            out.push(
                Sample::new("disk.read_bytes_per_sec", rate(&mut self.rng))
                    .with_label("mount", mount.clone()),
            );
            out.push(
                Sample::new("disk.write_bytes_per_sec", rate(&mut self.rng))
                    .with_label("mount", mount),
            );
        }
        for iface in 0..8 {
            let active = iface < 2;
            for dir in ["rx", "tx"] {
                for unit in ["bytes", "packets", "errors", "drops"] {
                    let value = if active && unit != "errors" && unit != "drops" {
                        self.rng.random_range(0.0..5.0e5f64).round()
                    } else {
                        0.0
                    };
                    out.push(
                        Sample::new(format!("net.{dir}_{unit}_per_sec"), value)
                            .with_label("iface", format!("eth{iface}")),
                    );
                }
            }
        }
        for state in ["established", "listen", "time_wait", "close_wait"] {
            let value = self.rng.random_range(0..40) as f64;
            out.push(Sample::new("tcp.connections", value).with_label("state", state));
        }
        out
    }
}

pub fn cpu(core: &str, value: f64) -> Sample {
    Sample::new("cpu.usage_percent", value).with_label("cpu", core)
}

pub fn range(metric: &str, start_ms: i64, end_ms: i64, step_ms: i64) -> RangeQuery {
    RangeQuery {
        host: "web-1".into(),
        metric: metric.into(),
        labels: Labels::new(),
        start_ms,
        end_ms,
        step_ms,
    }
}
