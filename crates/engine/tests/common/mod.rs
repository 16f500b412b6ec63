//! The engine on a virtual clock over a real SQLite store, restartable on the same
//! directory: frames in, alert states and outbox notifications out.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed setup step should stop the test loudly"
)]
#![allow(dead_code)]

use hostpulse_config::{HubConfig, HubOverrides, load_hub_config};
use hostpulse_core::{AlertState, Clock, ManualClock, Notification, Sample};
use hostpulse_engine::{Engine, EngineDeps};
use hostpulse_proto::{AgentIdentity, Frame, IngestBatch, PROTOCOL_VERSION};
use hostpulse_store::prelude::*;
use hostpulse_store::{NotificationQuery, SqliteOptions, SqliteStore};
use std::sync::Arc;

pub const T0: i64 = 1_790_000_000_000;
/// The agent's interval in these tests.
pub const INTERVAL_MS: i64 = 5000;

pub struct Rig {
    _dir: tempfile::TempDir,
    pub path: std::path::PathBuf,
    pub config: HubConfig,
    pub clock: ManualClock,
    pub store: Arc<SqliteStore>,
    pub engine: Arc<Engine>,
    seq: u64,
}

fn load_config(dir: &std::path::Path, text: &str) -> HubConfig {
    let file = dir.join("hostpulse.yaml");
    std::fs::write(&file, text).unwrap();
    load_hub_config(Some(&file), &[], &HubOverrides::default()).unwrap()
}

async fn open(
    dir: &std::path::Path,
    clock: &ManualClock,
    config: &HubConfig,
) -> (Arc<SqliteStore>, Arc<Engine>) {
    let shared: Arc<dyn Clock> = Arc::new(clock.clone());
    let store = SqliteStore::open(SqliteOptions::new(dir.join("hostpulse.db")), shared.clone())
        .await
        .unwrap();
    let deps = EngineDeps {
        store: store.clone(),
        alert_store: store.clone(),
        clock: shared,
    };
    let reload = config.clone();
    let engine = Engine::start_manual(deps, config, None, Box::new(move || Ok(reload.clone())))
        .await
        .unwrap();
    (store, engine)
}

impl Rig {
    pub async fn new(config: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().to_path_buf();
        let config = load_config(&path, config);
        let clock = ManualClock::new(T0);
        let (store, engine) = open(&path, &clock, &config).await;
        Rig {
            _dir: dir,
            path,
            config,
            clock,
            store,
            engine,
            seq: 0,
        }
    }

    /// Pushes one frame with `cpu` at the current time, then advances one interval.
    pub async fn push(&mut self, cpu: f64) {
        self.push_at(self.clock.now_ms(), cpu).await;
        self.clock.advance(INTERVAL_MS);
    }

    /// Pushes one frame collected at `ts_ms` (a replayed spool batch when in the past),
    /// evaluates what it changed and delivers; the clock does not move.
    pub async fn push_at(&mut self, ts_ms: i64, cpu: f64) {
        self.seq += 1;
        let batch = IngestBatch {
            version: PROTOCOL_VERSION,
            agent: AgentIdentity {
                hostname: "web-1".into(),
                display_name: None,
                agent_version: "t".into(),
                interval_ms: INTERVAL_MS as u64,
                instance_id: "test-instance".into(),
                run_id: "test-run".into(),
                previous_run_id: None,
            },
            seq: self.seq,
            facts: None,
            frames: vec![Frame {
                ts_ms,
                samples: vec![
                    Sample::new("cpu.usage_percent", cpu),
                    Sample::new("system.uptime_seconds", 100.0),
                ],
                ..Frame::default()
            }],
        };
        let observation = self.engine.observe_batch("web-1", &batch);
        self.store.ingest("web-1", batch).await.unwrap();
        self.engine.commit_observation(observation);
        self.engine.evaluate_dirty().await;
        self.engine.deliver_now().await;
    }

    /// A timer evaluation of every host, then delivery.
    pub async fn tick(&self) {
        self.engine.evaluate_all().await;
        self.engine.deliver_now().await;
    }

    /// Stops engine and store as a shutdown would and starts both again on the same
    /// directory at the current virtual time.
    pub async fn restart(&mut self) {
        self.restart_after(0).await;
    }

    /// Stops engine and store, keeps the hub down for `down_ms` of virtual time, and starts
    /// both again on the same directory.
    pub async fn restart_after(&mut self, down_ms: i64) {
        self.engine.shutdown().await;
        self.store.shutdown().await.unwrap();
        self.clock.advance(down_ms);
        let (store, engine) = open(&self.path, &self.clock, &self.config).await;
        self.store = store;
        self.engine = engine;
    }

    pub fn state(&self, rule: &str) -> Option<AlertState> {
        self.alert(rule).map(|a| a.state)
    }

    pub fn alert(&self, rule: &str) -> Option<hostpulse_core::Alert> {
        self.engine
            .active_alerts()
            .into_iter()
            .find(|a| a.rule == rule)
    }

    /// Every notification in the outbox, oldest first.
    pub async fn notifications(&self) -> Vec<Notification> {
        let query = NotificationQuery {
            status: None,
            receiver: None,
            since_ms: None,
            cursor: None,
            limit: 500,
        };
        let mut list = self.store.notifications(query).await.unwrap().notifications;
        list.reverse();
        list
    }
}
