//! The delivery benchmark's pieces over real HTTP: watching a drain against a running sink
//! (complete, timed out, duplicates) and posting alerts in batches to an Alertmanager stand-in.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed setup step should stop the test loudly"
)]

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;
use hostpulse_bench::am_post::{PostError, post_alerts};
use hostpulse_bench::proc_watch::{DrainPlan, watch_drain};
use hostpulse_bench::sink::{HOOK_PATH, Sink, serve};
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// Serves `app` on a free loopback port; returns its base URL.
fn spawn(runtime: &tokio::runtime::Runtime, app: Router) -> String {
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    runtime.spawn(async move { axum::serve(listener, app).await });
    url
}

fn start_sink(runtime: &tokio::runtime::Runtime) -> String {
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    runtime.spawn(serve(listener, Arc::new(Sink::default())));
    url
}

fn deliver(sink_url: &str, keys: &[&str]) {
    for key in keys {
        ureq::post(&format!("{sink_url}{HOOK_PATH}"))
            .header("Idempotency-Key", *key)
            .send("{}")
            .unwrap();
    }
}

fn plan(sink_url: &str, expected: u64, timeout: Duration) -> DrainPlan {
    DrainPlan {
        pid: std::process::id(),
        sink_url: sink_url.to_string(),
        expected,
        interval: Duration::from_millis(20),
        timeout,
        settle: Duration::from_millis(200),
    }
}

#[test]
fn a_drain_completes_when_the_expected_requests_arrive() {
    let runtime = runtime();
    let url = start_sink(&runtime);
    let sender_url = url.clone();
    let sender = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(150));
        deliver(&sender_url, &["a", "b", "c", "d"]);
    });
    let report = watch_drain(&plan(&url, 4, Duration::from_secs(30))).unwrap();
    sender.join().unwrap();
    assert!(report.complete);
    assert_eq!((report.settled.requests, report.settled.distinct), (4, 4));
    assert!(report.at_expected.requests >= 4);
    assert!(report.memory.rss.samples >= 2 && report.memory.rss.max_kib > 0);
    assert!(report.memory.pss.samples >= 2 && report.memory.pss.max_kib > 0);
    assert!(report.watch_started_ms <= report.at_expected.first_ms.unwrap());
}

#[test]
fn a_drain_reports_a_timeout_and_late_duplicates() {
    let runtime = runtime();
    let url = start_sink(&runtime);
    deliver(&url, &["a", "b"]);
    let short = watch_drain(&plan(&url, 3, Duration::from_millis(200))).unwrap();
    assert!(!short.complete);
    assert_eq!(short.settled.requests, 2);

    deliver(&url, &["c", "a"]);
    let doubled = watch_drain(&plan(&url, 3, Duration::from_secs(30))).unwrap();
    assert!(doubled.complete);
    assert_eq!((doubled.settled.requests, doubled.settled.distinct), (4, 3));
}

#[derive(Default)]
struct Received {
    batches: usize,
    alerts: usize,
}

async fn receive_alerts(State(received): State<Arc<Mutex<Received>>>, body: Bytes) -> &'static str {
    let alerts: Vec<serde_json::Value> = serde_json::from_slice(&body).unwrap();
    let mut received = received.lock().unwrap();
    received.batches += 1;
    received.alerts += alerts.len();
    ""
}

#[test]
fn alerts_are_posted_in_batches() {
    let runtime = runtime();
    let received = Arc::new(Mutex::new(Received::default()));
    let app = Router::new()
        .route("/api/v2/alerts", post(receive_alerts))
        .with_state(received.clone());
    let url = spawn(&runtime, app);
    let report = post_alerts(&url, 2_500, 1_000).unwrap();
    assert_eq!(report.posted, 2_500);
    assert!(report.started_ms <= report.finished_ms);
    let received = received.lock().unwrap();
    assert_eq!((received.batches, received.alerts), (3, 2_500));
}

#[test]
fn a_refused_batch_is_an_error() {
    let runtime = runtime();
    let app = Router::new().route(
        "/api/v2/alerts",
        post(|| async { (axum::http::StatusCode::BAD_REQUEST, "bad alert") }),
    );
    let url = spawn(&runtime, app);
    match post_alerts(&url, 10, 5) {
        Err(PostError::Status { status, body }) => {
            assert_eq!((status, body.as_str()), (400, "bad alert"))
        }
        other => panic!("expected a status error, got {other:?}"),
    }
}
