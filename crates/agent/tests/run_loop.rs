//! The agent loop against a real local HTTP hub: push, outage + replay, refusal, retry.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed setup step should stop the test loudly"
)]

mod common;

use common::{Received, Reply, TestHub};
use hostpulse_agent::{
    FACTS_REFRESH, FrameSource, InstanceState, PushConfig, Pusher, RunSettings, RunStats, Runner,
    Spool,
};
use hostpulse_core::{HostFacts, Sample};
use hostpulse_proto::{AgentIdentity, Frame};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

const TOKEN: &str = "agent-test-token";
const WAIT: Duration = Duration::from_secs(20);

/// Frames from this machine's real load average.
struct LoadSource;

impl FrameSource for LoadSource {
    fn collect(&mut self, now_ms: i64) -> Frame {
        let text = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
        let load1 = text
            .split_whitespace()
            .next()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0);
        Frame {
            ts_ms: now_ms,
            samples: vec![Sample::new("load.1", load1)],
            ..Frame::default()
        }
    }

    fn facts(&self) -> HostFacts {
        HostFacts {
            hostname: "test-host".into(),
            agent_version: hostpulse_agent::AGENT_VERSION.into(),
            ..HostFacts::default()
        }
    }

    fn refresh_facts(&mut self) {}
}

struct RunningAgent {
    stop: Arc<AtomicBool>,
    handle: JoinHandle<RunStats>,
}

impl RunningAgent {
    fn start(hub_url: String, spool_dir: &Path) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let spool_dir: PathBuf = spool_dir.to_path_buf();
        let flag = stop.clone();
        let handle = thread::spawn(move || {
            let pusher = Pusher::new(&PushConfig {
                hub_url,
                token: TOKEN.into(),
                timeout: Duration::from_secs(2),
                ca_file: None,
                insecure_skip_verify: false,
            })
            .unwrap();
            let spool = Spool::open(&spool_dir, 1 << 20).unwrap();
            let instance = InstanceState::open(&spool_dir, 1).unwrap();
            let settings = RunSettings {
                interval: Duration::from_secs(1),
                identity: AgentIdentity {
                    hostname: "test-host".into(),
                    display_name: None,
                    agent_version: hostpulse_agent::AGENT_VERSION.into(),
                    interval_ms: 1000,
                    instance_id: "test-instance".into(),
                    run_id: "test-run".into(),
                    previous_run_id: None,
                },
                facts_refresh: FACTS_REFRESH,
            };
            Runner::new(LoadSource, settings, pusher, spool, instance).run(&flag)
        });
        Self { stop, handle }
    }

    fn stop(self) -> RunStats {
        self.stop.store(true, Ordering::SeqCst);
        self.handle.join().unwrap()
    }
}

fn spooled_files(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".batch")
        })
        .count()
}

/// Acknowledged batches by seq, first delivery order; asserts repeats are identical.
fn acknowledged_in_order(received: &[Received]) -> Vec<Received> {
    let mut by_seq: BTreeMap<u64, Received> = BTreeMap::new();
    let mut order = Vec::new();
    for r in received.iter().filter(|r| r.status == 200) {
        if let Some(previous) = by_seq.get(&r.batch.seq) {
            assert_eq!(
                previous.batch, r.batch,
                "a repeated seq must carry the same batch"
            );
            continue;
        }
        by_seq.insert(r.batch.seq, r.clone());
        order.push(r.clone());
    }
    order
}

fn assert_contiguous(batches: &[Received]) {
    for pair in batches.windows(2) {
        assert!(pair[1].batch.seq > pair[0].batch.seq, "seq must increase");
        assert_eq!(
            pair[1].batch.frames[0].ts_ms - pair[0].batch.frames[0].ts_ms,
            1000,
            "frames must be contiguous at the interval"
        );
    }
}

#[test]
fn pushes_gzip_batches_with_bearer_token_and_increasing_seq() {
    let hub = TestHub::start(0);
    let spool = tempfile::tempdir().unwrap();
    let agent = RunningAgent::start(hub.url(), spool.path());
    hub.wait_for("3 batches", WAIT, |r| r.len() >= 3);
    let stats = agent.stop();
    let received = hub.received();
    for r in &received {
        assert_eq!(r.path, "/api/v1/ingest");
        assert_eq!(r.authorization.as_deref(), Some("Bearer agent-test-token"));
        assert_eq!(r.content_encoding.as_deref(), Some("gzip"));
        assert_eq!(r.content_type.as_deref(), Some("application/json"));
        assert_eq!(r.batch.agent.interval_ms, 1000);
        assert_eq!(r.batch.frames.len(), 1);
        assert_eq!(
            r.batch.frames[0].ts_ms % 1000,
            0,
            "ticks align to the wall clock"
        );
        assert_eq!(r.batch.frames[0].samples[0].name, "load.1");
    }
    assert_eq!(
        received[0].batch.facts.as_ref().unwrap().hostname,
        "test-host"
    );
    assert!(
        received[1].batch.facts.is_none(),
        "facts only until acknowledged"
    );
    assert_contiguous(&received);
    assert_eq!(stats.acknowledged as usize, received.len());
    assert_eq!(spooled_files(spool.path()), 0);
}

#[test]
fn outage_is_spooled_and_replayed_in_order_without_gaps() {
    let hub = TestHub::start(0);
    let (port, received) = (hub.port, hub.received.clone());
    let spool = tempfile::tempdir().unwrap();
    let agent = RunningAgent::start(hub.url(), spool.path());
    hub.wait_for("2 batches", WAIT, |r| r.len() >= 2);
    hub.stop();
    let before_outage = received.lock().unwrap().len();
    thread::sleep(Duration::from_millis(3500));
    assert!(spooled_files(spool.path()) >= 2, "the outage is spooled");
    let hub = TestHub::start_with(port, Arc::new(|_, b| Reply::ok(b)), received);
    hub.wait_for("replay and 2 live batches", WAIT, |r| {
        r.len() >= before_outage + 6 && spooled_files(spool.path()) == 0
    });
    let stats = agent.stop();
    let acknowledged = acknowledged_in_order(&hub.received());
    assert!(acknowledged.len() >= before_outage + 6);
    assert_contiguous(&acknowledged);
    assert!(stats.spooled >= 2);
    assert_eq!(stats.evicted, 0);
    assert_eq!(stats.lost, 0);
}

#[test]
fn refused_batch_is_dropped_and_the_agent_moves_on() {
    let responder = Arc::new(|n: usize, b: &hostpulse_proto::IngestBatch| {
        if n == 1 {
            Reply {
                status: 400,
                headers: Vec::new(),
                body: r#"{"error":"invalid_batch","detail":"refused by the test"}"#.into(),
            }
        } else {
            Reply::ok(b)
        }
    });
    let hub = TestHub::start_with(0, responder, Arc::new(Mutex::new(Vec::new())));
    let spool = tempfile::tempdir().unwrap();
    let agent = RunningAgent::start(hub.url(), spool.path());
    hub.wait_for("4 requests", WAIT, |r| r.len() >= 4);
    let stats = agent.stop();
    let received = hub.received();
    let refused_seq = received[1].batch.seq;
    assert_eq!(received[1].status, 400);
    assert_eq!(
        received
            .iter()
            .filter(|r| r.batch.seq == refused_seq)
            .count(),
        1,
        "a refused batch is never retried"
    );
    assert!(received[2].batch.seq > refused_seq);
    assert_eq!(stats.refused, 1);
    assert_eq!(spooled_files(spool.path()), 0);
}

#[test]
fn unavailable_with_retry_after_is_retried() {
    let responder = Arc::new(|n: usize, b: &hostpulse_proto::IngestBatch| {
        if n == 1 {
            Reply {
                status: 503,
                headers: vec![("Retry-After".into(), "1".into())],
                body: r#"{"error":"busy"}"#.into(),
            }
        } else {
            Reply::ok(b)
        }
    });
    let hub = TestHub::start_with(0, responder, Arc::new(Mutex::new(Vec::new())));
    let spool = tempfile::tempdir().unwrap();
    let agent = RunningAgent::start(hub.url(), spool.path());
    hub.wait_for("5 requests", WAIT, |r| r.len() >= 5);
    let stats = agent.stop();
    let received = hub.received();
    assert_eq!(received[1].status, 503);
    assert_eq!(
        received[2].batch.seq, received[1].batch.seq,
        "the same batch is retried"
    );
    assert_eq!(received[2].status, 200);
    assert_contiguous(&acknowledged_in_order(&received));
    assert_eq!(stats.failed_attempts, 1);
}

/// A refusal answered with `status` and `headers`, then 200s.
fn refuse_first_with(status: u16, headers: Vec<(String, String)>) -> common::Responder {
    Arc::new(move |n: usize, b: &hostpulse_proto::IngestBatch| {
        if n == 0 {
            Reply {
                status,
                headers: headers.clone(),
                body: r#"{"error":"busy","detail":"scripted"}"#.into(),
            }
        } else {
            Reply::ok(b)
        }
    })
}

/// Time between the refused first request and the retry of the same batch.
fn wait_before_retry(status: u16, headers: Vec<(String, String)>) -> Duration {
    let responder = refuse_first_with(status, headers);
    let hub = TestHub::start_with(0, responder, Arc::new(Mutex::new(Vec::new())));
    let spool = tempfile::tempdir().unwrap();
    let agent = RunningAgent::start(hub.url(), spool.path());
    hub.wait_for("the retry", WAIT, |r| r.len() >= 2);
    agent.stop();
    let received = hub.received();
    assert_eq!(received[0].status, status);
    assert_eq!(
        received[1].batch.seq, received[0].batch.seq,
        "kept and retried"
    );
    received[1].at - received[0].at
}

#[test]
fn retry_after_in_seconds_or_as_a_date_is_waited_out() {
    let waited = wait_before_retry(429, vec![("Retry-After".into(), "3".into())]);
    assert!(
        waited >= Duration::from_millis(2900),
        "429: retried after {waited:?}"
    );
    let in_three = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(4);
    let date = jiff::fmt::rfc2822::DateTimePrinter::new()
        .timestamp_to_rfc9110_string(&in_three)
        .unwrap();
    let waited = wait_before_retry(503, vec![("Retry-After".into(), date.clone())]);
    // The date has whole seconds, so at least three of the four remain.
    assert!(
        waited >= Duration::from_millis(2900),
        "503 {date}: retried after {waited:?}"
    );
}

#[test]
fn a_conflict_keeps_the_batch_and_retries_it() {
    let responder = refuse_first_with(409, Vec::new());
    let hub = TestHub::start_with(0, responder, Arc::new(Mutex::new(Vec::new())));
    let spool = tempfile::tempdir().unwrap();
    let agent = RunningAgent::start(hub.url(), spool.path());
    hub.wait_for("delivery after the 409", WAIT, |r| {
        r.iter().filter(|r| r.status == 200).count() >= 2 && spooled_files(spool.path()) == 0
    });
    let stats = agent.stop();
    let received = hub.received();
    let acknowledged = acknowledged_in_order(&received);
    assert_eq!(
        acknowledged[0].batch.seq, received[0].batch.seq,
        "nothing dropped on 409"
    );
    assert_contiguous(&acknowledged);
    assert_eq!((stats.conflicts, stats.refused), (1, 0));
}

#[test]
fn spool_survives_an_agent_restart() {
    let closed_port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let spool = tempfile::tempdir().unwrap();
    let first = RunningAgent::start(format!("http://127.0.0.1:{closed_port}"), spool.path());
    let start = std::time::Instant::now();
    while spooled_files(spool.path()) < 2 {
        assert!(
            start.elapsed() < WAIT,
            "batches must be spooled while the hub is down"
        );
        thread::sleep(Duration::from_millis(50));
    }
    let first_stats = first.stop();
    let left = spooled_files(spool.path());
    assert_eq!(first_stats.acknowledged, 0);
    let hub = TestHub::start(closed_port);
    let second = RunningAgent::start(hub.url(), spool.path());
    hub.wait_for("replay plus a live batch", WAIT, |r| r.len() > left);
    second.stop();
    let received = hub.received();
    for pair in received.windows(2) {
        assert!(
            pair[1].batch.seq > pair[0].batch.seq,
            "replay in order, seq increasing"
        );
    }
    assert_eq!(spooled_files(spool.path()), 0);
}

#[test]
fn unauthorized_keeps_batches_until_the_token_is_accepted() {
    let responder = Arc::new(|n: usize, b: &hostpulse_proto::IngestBatch| {
        if n < 2 {
            Reply {
                status: 401,
                headers: Vec::new(),
                body: r#"{"error":"unauthorized"}"#.into(),
            }
        } else {
            Reply::ok(b)
        }
    });
    let hub = TestHub::start_with(0, responder, Arc::new(Mutex::new(Vec::new())));
    let spool = tempfile::tempdir().unwrap();
    let agent = RunningAgent::start(hub.url(), spool.path());
    hub.wait_for("delivery after the 401s", WAIT, |r| {
        r.iter().filter(|r| r.status == 200).count() >= 3 && spooled_files(spool.path()) == 0
    });
    let stats = agent.stop();
    let received = hub.received();
    let first_refused = received[0].batch.seq;
    let acknowledged = acknowledged_in_order(&received);
    assert_eq!(
        acknowledged[0].batch.seq, first_refused,
        "nothing is dropped on 401"
    );
    assert_contiguous(&acknowledged);
    assert_eq!(stats.failed_attempts, 2);
    assert_eq!(stats.refused, 0);
}

#[test]
fn batches_a_hub_cannot_read_stay_spooled_until_it_reads_them() {
    // The first three attempts meet a hub of another protocol version; then it "upgrades".
    let responder = Arc::new(|n: usize, b: &hostpulse_proto::IngestBatch| {
        if n < 3 {
            Reply {
                status: 426,
                headers: Vec::new(),
                body: r#"{"error":"unsupported_version","detail":"this hub reads 7","versions":{"min":7,"max":7}}"#.into(),
            }
        } else {
            Reply::ok(b)
        }
    });
    let hub = TestHub::start_with(0, responder, Arc::default());
    let spool = tempfile::tempdir().unwrap();
    let agent = RunningAgent::start(hub.url(), spool.path());
    hub.wait_for("the refused batches delivered", WAIT, |r| {
        r.iter().filter(|r| r.status == 200).count() >= 3 && spooled_files(spool.path()) == 0
    });
    let stats = agent.stop();
    let received = hub.received();
    let first_refused = received[0].batch.seq;
    assert_eq!(received[0].status, 426);
    let acknowledged = acknowledged_in_order(&received);
    assert_eq!(
        acknowledged[0].batch.seq, first_refused,
        "nothing was dropped"
    );
    assert_contiguous(&acknowledged);
    assert!(stats.version_refusals >= 3, "{stats:?}");
    assert_eq!(stats.refused, 0, "{stats:?}");
    assert!(stats.spooled >= 1, "{stats:?}");
}
