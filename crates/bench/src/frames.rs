//! One simulated agent's stream of batches: a pre-built batch whose values, timestamps
//! and sequence number are updated in place before each push.

use crate::remote_write;
use crate::shape::{HostShape, INTERVAL_SECONDS, SeriesPlan, build_series};
use hostpulse_core::{HostFacts, ProcessInfo, ProcessSnapshot, UserSession};
use hostpulse_proto::{AgentIdentity, Frame, IngestBatch, PROTOCOL_VERSION, encode_batch};
use rand::SeedableRng;
use rand::rngs::SmallRng;

/// Frames between process snapshots (15 s at a 5 s interval), as the agent defaults.
const PROCESS_EVERY: u64 = 3;
/// Frames between logged-in user snapshots (30 s at a 5 s interval).
const USERS_EVERY: u64 = 6;
/// Agent interval, milliseconds.
pub const INTERVAL_MS: i64 = (INTERVAL_SECONDS as i64) * 1000;

/// The batches of one simulated host.
#[derive(Debug)]
pub struct SimulatedAgent {
    batch: IngestBatch,
    series: Vec<SeriesPlan>,
    rng: SmallRng,
    next_ts_ms: i64,
    frames_made: u64,
}

impl SimulatedAgent {
    /// Host `index` of a run, seeded by `seed`, whose first frame is stamped `start_ts_ms`;
    /// each batch carries `frames_per_batch` consecutive frames.
    pub fn new(index: usize, seed: u64, start_ts_ms: i64, frames_per_batch: usize) -> Self {
        let host_seed = seed ^ (index as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let shape = HostShape::from_seed(host_seed);
        let mut rng = SmallRng::seed_from_u64(host_seed);
        let series = build_series(&shape, &mut rng);
        let hostname = format!("sim-{index:05}");
        let frame = Frame {
            samples: series.iter().map(|s| s.sample.clone()).collect(),
            ..Frame::default()
        };
        let batch = IngestBatch {
            version: PROTOCOL_VERSION,
            agent: AgentIdentity {
                hostname: hostname.clone(),
                display_name: None,
                agent_version: env!("CARGO_PKG_VERSION").to_string(),
                interval_ms: INTERVAL_MS as u64,
                instance_id: "test-instance".into(),
                run_id: "test-run".into(),
                previous_run_id: None,
            },
            seq: 0,
            facts: Some(facts(&hostname, start_ts_ms)),
            frames: vec![frame; frames_per_batch.max(1)],
        };
        Self {
            batch,
            series,
            rng,
            next_ts_ms: start_ts_ms,
            frames_made: 0,
        }
    }

    /// Series per frame.
    pub fn series_count(&self) -> usize {
        self.series.len()
    }

    /// Samples per batch.
    pub fn samples_per_batch(&self) -> usize {
        self.batch.sample_count()
    }

    /// Timestamp the next frame will carry.
    pub fn next_ts_ms(&self) -> i64 {
        self.next_ts_ms
    }

    /// Advances every frame of the batch to new values and returns the encoded body.
    pub fn next_body(&mut self) -> Vec<u8> {
        self.advance();
        encode_batch(&self.batch)
    }

    /// Advances every frame of the batch to new values, timestamps and sequence number.
    /// Facts ride on the first batch only, as an agent sends them at start.
    pub fn advance(&mut self) {
        self.batch.seq += 1;
        if self.batch.seq > 1 {
            self.batch.facts = None;
        }
        let mut frames = std::mem::take(&mut self.batch.frames);
        for frame in &mut frames {
            self.advance_frame(frame);
        }
        self.batch.frames = frames;
    }

    /// Encoded remote-write labels of every series, for [`Self::remote_write_body`].
    pub fn remote_write_labels(&self) -> Vec<Vec<u8>> {
        let instance = &self.batch.agent.hostname;
        self.series
            .iter()
            .map(|s| remote_write::encode_labels(&s.sample, instance))
            .collect()
    }

    /// The current batch as a Prometheus remote-write request.
    pub fn remote_write_body(&self, labels: &[Vec<u8>]) -> Vec<u8> {
        remote_write::encode_write_request(&self.batch.frames, labels)
    }

    /// The batch as last encoded.
    pub fn batch(&self) -> &IngestBatch {
        &self.batch
    }

    fn advance_frame(&mut self, frame: &mut Frame) {
        frame.ts_ms = self.next_ts_ms;
        for (sample, plan) in frame.samples.iter_mut().zip(&mut self.series) {
            sample.value = plan.model.advance(&mut self.rng);
        }
        frame.processes = self
            .frames_made
            .is_multiple_of(PROCESS_EVERY)
            .then(|| processes(frame));
        frame.users = self
            .frames_made
            .is_multiple_of(USERS_EVERY)
            .then(|| users(self.next_ts_ms));
        self.next_ts_ms += INTERVAL_MS;
        self.frames_made += 1;
    }
}

fn facts(hostname: &str, now_ms: i64) -> HostFacts {
    HostFacts {
        hostname: hostname.to_string(),
        display_name: None,
        ips: vec!["10.0.3.17".into(), "fd00::17".into()],
        os_name: "Debian GNU/Linux".into(),
        os_version: "12".into(),
        kernel: "6.1.0-27-amd64".into(),
        arch: "x86_64".into(),
        agent_version: env!("CARGO_PKG_VERSION").to_string(),
        boot_time_ms: now_ms - 86_400_000,
    }
}

/// A top-5 by CPU and by memory snapshot whose figures move with the frame.
fn processes(frame: &Frame) -> ProcessSnapshot {
    let load = frame.samples.first().map_or(10.0, |s| s.value);
    let names = ["postgres", "nginx", "java", "dockerd", "node"];
    let list = |scale: f64| -> Vec<ProcessInfo> {
        names
            .iter()
            .enumerate()
            .map(|(rank, name)| ProcessInfo {
                pid: 1000 + rank as u32 * 37,
                name: (*name).to_string(),
                user: if rank == 0 { "postgres" } else { "www-data" }.to_string(),
                cpu_percent: ((load * scale / (rank as f64 + 1.0)) * 100.0).round() / 100.0,
                rss_bytes: 512 * 1024 * 1024 / (rank as u64 + 1),
            })
            .collect()
    };
    ProcessSnapshot {
        top_cpu: list(1.0),
        top_memory: list(0.5),
    }
}

fn users(ts_ms: i64) -> Vec<UserSession> {
    vec![UserSession {
        user: "ops".into(),
        tty: "pts/0".into(),
        from: "10.0.0.5".into(),
        login_time_ms: ts_ms - 3_600_000,
    }]
}

#[cfg(test)]
mod tests {
    use super::*;
    use hostpulse_proto::{Limits, decode_batch, validate_batch};

    const START: i64 = 1_700_000_000_000;

    #[test]
    fn bodies_decode_and_pass_hub_validation() {
        let mut agent = SimulatedAgent::new(4, 42, START, 1);
        for _ in 0..10 {
            let body = agent.next_body();
            let batch = decode_batch(&body, true, 64 << 20).unwrap();
            let now = batch.frames[0].ts_ms;
            assert_eq!(validate_batch(&batch, now, &Limits::default()), Ok(()));
            assert_eq!(batch.sample_count(), agent.series_count());
        }
    }

    #[test]
    fn frames_advance_by_the_interval_and_seq_by_one() {
        let mut agent = SimulatedAgent::new(0, 1, START, 3);
        let first = decode_batch(&agent.next_body(), true, 64 << 20).unwrap();
        let second = decode_batch(&agent.next_body(), true, 64 << 20).unwrap();
        let stamps: Vec<i64> = first
            .frames
            .iter()
            .chain(&second.frames)
            .map(|f| f.ts_ms)
            .collect();
        let expected: Vec<i64> = (0..6).map(|i| START + i * INTERVAL_MS).collect();
        assert_eq!(stamps, expected);
        assert_eq!((first.seq, second.seq), (1, 2));
        assert!(first.facts.is_some() && second.facts.is_none());
        assert_eq!(agent.samples_per_batch(), 3 * agent.series_count());
    }

    #[test]
    fn snapshots_follow_the_agent_cadence() {
        let mut agent = SimulatedAgent::new(0, 1, START, 6);
        let batch = decode_batch(&agent.next_body(), true, 64 << 20).unwrap();
        let with_processes = batch
            .frames
            .iter()
            .filter(|f| f.processes.is_some())
            .count();
        let with_users = batch.frames.iter().filter(|f| f.users.is_some()).count();
        assert_eq!((with_processes, with_users), (2, 1));
    }

    #[test]
    fn hosts_differ_but_are_reproducible() {
        let a = SimulatedAgent::new(1, 9, START, 1);
        let b = SimulatedAgent::new(1, 9, START, 1);
        assert_eq!(a.batch(), b.batch());
        let shapes: std::collections::HashSet<usize> = (0..20)
            .map(|i| SimulatedAgent::new(i, 9, START, 1).series_count())
            .collect();
        assert!(shapes.len() > 3, "{shapes:?}");
    }
}
