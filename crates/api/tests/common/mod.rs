//! Test harness: the API router over a real SQLite store in a temporary directory.

#![allow(dead_code)]
#![allow(
    clippy::unwrap_used,
    reason = "test support: a harness that cannot be built stops the test loudly"
)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use flate2::Compression;
use flate2::write::GzEncoder;
use hostpulse_api::{ApiLimits, AppState, router, tokens};
use hostpulse_config::{HubOverrides, load_hub_config};
use hostpulse_core::{Clock, ManualClock, Sample};
use hostpulse_engine::{Engine, EngineDeps};
use hostpulse_proto::{AgentIdentity, Frame, IngestBatch, PROTOCOL_VERSION};
use hostpulse_store::prelude::*;
use hostpulse_store::{SqliteOptions, SqliteStore};
use http_body_util::BodyExt;
use std::io::Write;
use std::sync::Arc;
use tower::ServiceExt;

pub const NOW: i64 = 1_790_000_000_000;

pub struct Harness {
    pub _dir: tempfile::TempDir,
    pub store: Arc<SqliteStore>,
    pub clock: ManualClock,
    pub app: axum::Router,
    pub admin: String,
    pub agent_token: String,
    pub engine: Option<Arc<Engine>>,
}

pub async fn harness_with(limits: ApiLimits) -> Harness {
    build(limits, Alerting::Off).await
}

/// A harness whose API has the alerting store (but no engine).
pub async fn alerting_harness() -> Harness {
    build(ApiLimits::default(), Alerting::StoreOnly).await
}

/// A harness with a manually driven alert engine loaded from the hub configuration `yaml`.
pub async fn engine_harness(yaml: &str) -> Harness {
    build(ApiLimits::default(), Alerting::Engine(yaml.to_string())).await
}

enum Alerting {
    Off,
    StoreOnly,
    Engine(String),
}

async fn start_engine(
    dir: &std::path::Path,
    yaml: &str,
    store: &Arc<SqliteStore>,
    clock: Arc<dyn Clock>,
) -> Arc<Engine> {
    let file = dir.join("hostpulse.yaml");
    std::fs::write(&file, yaml).unwrap();
    let config = load_hub_config(Some(&file), &[], &HubOverrides::default()).unwrap();
    let deps = EngineDeps {
        store: store.clone(),
        alert_store: store.clone(),
        clock,
    };
    let reload = config.clone();
    Engine::start_manual(
        deps,
        &config,
        Some(file),
        Box::new(move || Ok(reload.clone())),
    )
    .await
    .unwrap()
}

async fn build(limits: ApiLimits, alerting: Alerting) -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(NOW);
    let options = SqliteOptions {
        path: dir.path().join("hostpulse.db"),
        synchronous_full: false,
        checkpoint_interval_ms: 60_000,
        retention_raw_ms: 7 * 86_400_000,
        retention_minute_ms: 90 * 86_400_000,
        retention_hour_ms: 730 * 86_400_000,
        max_series_per_host: 20_000,
        ..SqliteOptions::default()
    };
    let shared: Arc<dyn Clock> = Arc::new(clock.clone());
    let store = SqliteStore::open(options, shared.clone()).await.unwrap();
    let admin = tokens::generate(tokens::API_PREFIX);
    store
        .add_api_token("admin", &tokens::hash(&admin), "admin")
        .await
        .unwrap();
    let agent_token = tokens::generate(tokens::AGENT_PREFIX);
    store
        .add_agent("web-1", &tokens::hash(&agent_token))
        .await
        .unwrap();
    let mut state = AppState::new(store.clone(), shared.clone(), limits);
    let mut engine = None;
    match alerting {
        Alerting::Off => {}
        Alerting::StoreOnly => state = state.with_alert_store(store.clone()),
        Alerting::Engine(yaml) => {
            let started = start_engine(dir.path(), &yaml, &store, shared).await;
            state = state.with_alerting(started.clone(), store.clone());
            engine = Some(started);
        }
    }
    Harness {
        _dir: dir,
        store,
        clock,
        app: router(state),
        admin,
        agent_token,
        engine,
    }
}

pub async fn harness() -> Harness {
    harness_with(ApiLimits::default()).await
}

pub fn batch(seq: u64, ts_ms: i64, samples: Vec<Sample>) -> IngestBatch {
    IngestBatch {
        version: PROTOCOL_VERSION,
        agent: AgentIdentity {
            hostname: "web-1.example".into(),
            display_name: None,
            agent_version: "test".into(),
            interval_ms: 5000,
            instance_id: "test-instance".into(),
            run_id: "test-run".into(),
            previous_run_id: None,
        },
        seq,
        facts: None,
        frames: vec![Frame {
            ts_ms,
            samples,
            ..Frame::default()
        }],
    }
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

pub struct Reply {
    pub status: StatusCode,
    pub json: serde_json::Value,
}

impl Harness {
    pub async fn send(&self, req: Request<Body>) -> Reply {
        let resp = self.app.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        let json = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
        Reply { status, json }
    }

    pub async fn ingest_raw(&self, token: Option<&str>, body: Vec<u8>, gzip: bool) -> Reply {
        let mut req = Request::post("/api/v1/ingest").header("content-type", "application/json");
        if gzip {
            req = req.header("content-encoding", "gzip");
        }
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        self.send(req.body(Body::from(body)).unwrap()).await
    }

    pub async fn ingest(&self, batch: &IngestBatch) -> Reply {
        let body = hostpulse_proto::encode_batch(batch);
        self.ingest_raw(Some(&self.agent_token.clone()), body, true)
            .await
    }

    pub async fn get(&self, path: &str) -> Reply {
        let req = Request::get(path)
            .header("authorization", format!("Bearer {}", self.admin))
            .body(Body::empty())
            .unwrap();
        self.send(req).await
    }

    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> Reply {
        let req = Request::post(path)
            .header("authorization", format!("Bearer {}", self.admin))
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        self.send(req).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        let req = Request::delete(path)
            .header("authorization", format!("Bearer {}", self.admin))
            .body(Body::empty())
            .unwrap();
        self.send(req).await
    }

    pub async fn samples_ingested(&self) -> u64 {
        self.store.stats().await.unwrap().samples_ingested
    }
}
