//! What one ingest request may cost the hub, measured on the real process: the
//! 1,000,000-sample body is refused before it is built, and one maximal valid batch
//! (as many labelled samples as the default caps admit) grows the hub's resident memory
//! by less than 32 MiB. The figures are peak RSS (VmHWM, reset before each request).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed setup step should stop the test loudly"
)]

mod common;

use common::{Hub, Mode, ingest_body, now_ms};
use hostpulse_core::Sample;

const MIB: u64 = 1024 * 1024;
/// The bound on what one request may add to the hub's resident memory.
const MAX_GROWTH: u64 = 32 * MIB;
/// `ingest.max_decoded_bytes` and `ingest.max_samples_per_batch` (defaults).
const MAX_DECODED: usize = 8 << 20;
const MAX_SAMPLES: usize = 10_000;

fn status_bytes(pid: u32, key: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    let line = status
        .lines()
        .find(|l| l.starts_with(key))
        .unwrap_or_else(|| panic!("no {key} in /proc/{pid}/status"));
    let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib * 1024
}

/// Peak resident memory growth while `send` runs: the peak counter is reset first, so
/// the figure is the highest RSS during the request minus the RSS before it.
fn peak_growth(pid: u32, send: impl FnOnce()) -> u64 {
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5").expect("reset the peak RSS counter");
    let before = status_bytes(pid, "VmRSS:");
    send();
    status_bytes(pid, "VmHWM:").saturating_sub(before)
}

/// The hub's estimate of one sample's decoded size (as `crates/proto/src/scan.rs` counts).
fn estimate(sample: &Sample) -> usize {
    let nodes = sample.labels.len().div_ceil(11);
    let labels: usize = sample
        .labels
        .iter()
        .map(|(k, v)| 112 + k.len() + v.len())
        .sum();
    64 + 56 + sample.name.len() + 16 + 560 * nodes + labels
}

/// As many samples with four labels each as fit the default caps, with a 2 % margin.
fn maximal_samples(host: &str) -> Vec<Sample> {
    let mut total = 4096;
    let mut samples = Vec::new();
    while samples.len() < MAX_SAMPLES {
        let i = samples.len();
        let mut sample = Sample::new(format!("bench.metric_{}", i % 50), i as f64 + 0.5);
        for j in 0..4 {
            sample = sample.with_label(format!("k{j}"), format!("{host}-{i:05}-{j}"));
        }
        total += estimate(&sample);
        if total as f64 > MAX_DECODED as f64 * 0.98 {
            break;
        }
        samples.push(sample);
    }
    samples
}

fn warm_up(hub: &Hub, token: &str) {
    let body = ingest_body(1, now_ms(), vec![Sample::new("load.1", 1.0)]);
    assert_eq!(
        hub.post("/api/v1/ingest", Some(token), &body, true).status,
        200
    );
}

#[test]
fn the_million_sample_body_is_refused_before_it_is_built() {
    let hub = Hub::start(Mode::Hub);
    let token = hub.add_agent("flooder");
    warm_up(&hub, &token);
    let samples = (0..1_000_000)
        .map(|i| Sample::new("load.1", f64::from(i) * 0.37))
        .collect();
    let body = ingest_body(2, now_ms(), samples);
    let mut reply = None;
    let growth = peak_growth(hub.pid(), || {
        reply = Some(hub.post("/api/v1/ingest", Some(&token), &body, true));
    });
    let reply = reply.unwrap();
    eprintln!(
        "1,000,000-sample body ({} bytes gzip): HTTP {}, peak RSS growth {:.1} MiB",
        body.len(),
        reply.status,
        growth as f64 / MIB as f64
    );
    assert!(matches!(reply.status, 413 | 422), "{}", reply.json);
    let detail = reply.json["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("max_samples_per_batch"), "{detail}");
    assert!(growth < MAX_GROWTH, "grew by {growth} bytes");
    assert_eq!(hub.get("/api/v1/hosts").status, 200);
}

#[test]
fn one_maximal_valid_batch_grows_the_hub_by_less_than_32_mib() {
    let hub = Hub::start(Mode::Hub);
    let token = hub.add_agent("big-host");
    warm_up(&hub, &token);
    let samples = maximal_samples("big-host");
    let count = samples.len();
    let body = ingest_body(2, now_ms(), samples);
    let mut reply = None;
    let growth = peak_growth(hub.pid(), || {
        reply = Some(hub.post("/api/v1/ingest", Some(&token), &body, true));
    });
    let reply = reply.unwrap();
    eprintln!(
        "maximal batch ({count} samples x 4 labels, {} bytes gzip): HTTP {}, peak RSS growth {:.1} MiB",
        body.len(),
        reply.status,
        growth as f64 / MIB as f64
    );
    assert_eq!(reply.status, 200, "{}", reply.json);
    assert_eq!(reply.json["samples"], count);
    assert!(growth < MAX_GROWTH, "grew by {growth} bytes");
}
