//! Runs the generator against a real in-process hub (API router over SQLite) and
//! checks the counts against what the store holds afterwards.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed setup step should stop the test loudly"
)]

use hostpulse_api::{ApiLimits, AppState, tokens};
use hostpulse_bench::run::{RunError, Target};
use hostpulse_bench::{LoadConfig, measure, run_load};
use hostpulse_core::{Clock, SystemClock};
use hostpulse_store::prelude::*;
use hostpulse_store::{SqliteOptions, SqliteStore};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

struct Hub {
    url: String,
    admin_token: String,
    store: Arc<SqliteStore>,
    db: PathBuf,
    runtime: tokio::runtime::Runtime,
    _dir: tempfile::TempDir,
}

fn start_hub() -> Hub {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hostpulse.db");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let options = SqliteOptions {
        synchronous_full: false,
        ..SqliteOptions::new(&db)
    };
    let store = runtime
        .block_on(SqliteStore::open(options, clock.clone()))
        .unwrap();
    let admin_token = tokens::generate(tokens::API_PREFIX);
    runtime
        .block_on(store.add_api_token("admin", &tokens::hash(&admin_token), "admin"))
        .unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let dyn_store: Arc<dyn Store> = store.clone();
    let app = hostpulse_api::router(AppState::new(dyn_store, clock, ApiLimits::default()));
    runtime.spawn(async move { axum::serve(listener, app).await });
    Hub {
        url,
        admin_token,
        store,
        db,
        runtime,
        _dir: dir,
    }
}

fn config(hub: &Hub, agents: usize, frames_per_batch: usize) -> LoadConfig {
    LoadConfig {
        target: Target::Hub {
            url: hub.url.clone(),
            admin_token: hub.admin_token.clone(),
        },
        agents,
        frames_per_batch,
        warmup: Duration::ZERO,
        duration: Duration::from_secs(1),
        start_ago: Duration::from_secs(6 * 3600),
        name_prefix: "test".into(),
        seed: 5,
        server_pid: Some(std::process::id()),
        watch_db: None,
        timeout: Duration::from_secs(30),
    }
}

#[test]
fn acked_samples_are_stored_and_measured_on_disk() {
    let hub = start_hub();
    let report = run_load(&config(&hub, 3, 2)).unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(report.acked_batches > 0);
    assert_eq!(report.acked_samples % 2, 0, "two frames per batch");
    assert!(report.series >= 3 * 130);
    assert!(report.server_cpu_cores.is_some());
    let stats = hub.runtime.block_on(hub.store.stats()).unwrap();
    assert_eq!(stats.series, report.series);
    assert!(stats.samples_ingested >= report.acked_samples);
    hub.runtime.block_on(hub.store.shutdown()).unwrap();
    let disk = measure(&hub.db).unwrap();
    assert_eq!(disk.raw_samples(), stats.samples_ingested);
    assert_eq!(disk.series, report.series);
    assert_eq!(disk.ingest_log_rows, 0);
    assert!(disk.files_bytes_truncated > 0);
    assert!(
        disk.bytes_per_sample()
            .iter()
            .all(|b| b.is_finite() && *b > 0.0)
    );
}

#[test]
fn a_taken_agent_name_stops_the_run() {
    let hub = start_hub();
    let mut short = config(&hub, 1, 1);
    short.duration = Duration::from_millis(100);
    run_load(&short).unwrap();
    match run_load(&short) {
        Err(RunError::Register { name, .. }) => assert_eq!(name, "test-00000"),
        other => panic!("expected a registration error, got {other:?}"),
    }
}
