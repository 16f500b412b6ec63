//! The engine on a virtual clock over a real SQLite store: samples in, alert states and
//! outbox notifications out, across a restart.

use hostpulse_config::{HubConfig, HubOverrides, load_hub_config};
use hostpulse_core::{AlertState, Clock, DeliveryStatus, ManualClock, NotificationKind, Sample};
use hostpulse_engine::{Engine, EngineDeps};
use hostpulse_proto::{AgentIdentity, Frame, IngestBatch, PROTOCOL_VERSION};
use hostpulse_store::{AlertStore, NotificationQuery, SqliteOptions, SqliteStore, Store};
use std::sync::Arc;

const T0: i64 = 1_790_000_000_000;

const CONFIG: &str = r#"
rules:
  - name: high_cpu
    expr: avg(cpu.usage_percent, 1m) > 85
    for: 2m
    clear: avg(cpu.usage_percent, 1m) < 75
    severity: warning
alerting:
  evaluation_interval: 5s
  defaults:
    group_wait: 10s
    group_interval: 1m
    repeat_interval: 4h
"#;

struct Rig {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
    config: HubConfig,
    clock: ManualClock,
    store: Arc<SqliteStore>,
    engine: Arc<Engine>,
    seq: u64,
}

fn load_config(dir: &std::path::Path) -> HubConfig {
    let file = dir.join("hostpulse.yaml");
    std::fs::write(&file, CONFIG).unwrap();
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
    async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().to_path_buf();
        let config = load_config(&path);
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

    /// Pushes one frame with `cpu` at the current time, then advances 5 s.
    async fn push(&mut self, cpu: f64) {
        self.seq += 1;
        let batch = IngestBatch {
            version: PROTOCOL_VERSION,
            agent: AgentIdentity {
                hostname: "web-1".into(),
                display_name: None,
                agent_version: "t".into(),
                interval_ms: 5000,
            },
            seq: self.seq,
            facts: None,
            frames: vec![Frame {
                ts_ms: self.clock.now_ms(),
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
        self.clock.advance(5000);
    }

    fn state(&self, rule: &str) -> Option<AlertState> {
        self.engine
            .active_alerts()
            .into_iter()
            .find(|a| a.rule == rule)
            .map(|a| a.state)
    }

    async fn notifications(&self) -> Vec<hostpulse_core::Notification> {
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

#[tokio::test]
async fn held_threshold_fires_after_for_and_resolves_with_hysteresis() {
    let mut rig = Rig::new().await;
    for _ in 0..12 {
        rig.push(20.0).await;
    }
    assert_eq!(rig.state("high_cpu"), None);
    // Hot for a while: pending once the 1-minute average crosses 85, firing 2 minutes later.
    let mut pending_seen = false;
    for _ in 0..40 {
        rig.push(95.0).await;
        pending_seen |= rig.state("high_cpu") == Some(AlertState::Pending);
    }
    assert!(pending_seen, "the alert must pass through pending");
    assert_eq!(rig.state("high_cpu"), Some(AlertState::Firing));
    let sent = rig.notifications().await;
    assert_eq!(sent.len(), 1, "{sent:#?}");
    assert_eq!(sent[0].kind, NotificationKind::Firing);
    assert_eq!(sent[0].status, DeliveryStatus::Sent);
    assert_eq!(sent[0].alerts[0].host, "web-1");

    // Between the clear (75) and fire (85) thresholds: still firing, nothing new sent.
    for _ in 0..30 {
        rig.push(80.0).await;
    }
    assert_eq!(rig.state("high_cpu"), Some(AlertState::Firing));
    assert_eq!(rig.notifications().await.len(), 1);

    // Below the clear threshold: resolved, and a resolved notification after group_interval.
    for _ in 0..30 {
        rig.push(10.0).await;
    }
    assert_eq!(rig.state("high_cpu"), None);
    let sent = rig.notifications().await;
    assert_eq!(sent.len(), 2, "{sent:#?}");
    assert_eq!(sent[1].kind, NotificationKind::Resolved);
}

#[tokio::test]
async fn restart_keeps_firing_alerts_without_a_second_notification() {
    let mut rig = Rig::new().await;
    for _ in 0..50 {
        rig.push(99.0).await;
    }
    assert_eq!(rig.state("high_cpu"), Some(AlertState::Firing));
    assert_eq!(rig.notifications().await.len(), 1);
    rig.engine.shutdown().await;
    rig.store.shutdown().await.unwrap();
    drop(rig.engine);
    drop(rig.store);

    let (store, engine) = open(&rig.path, &rig.clock, &rig.config).await;
    rig.store = store;
    rig.engine = engine;
    assert_eq!(
        rig.state("high_cpu"),
        Some(AlertState::Firing),
        "restored from the store"
    );
    for _ in 0..20 {
        rig.push(99.0).await;
    }
    assert_eq!(rig.state("high_cpu"), Some(AlertState::Firing));
    assert_eq!(
        rig.notifications().await.len(),
        1,
        "no notification storm after a restart"
    );
}

#[tokio::test]
async fn ack_is_recorded_and_unknown_ids_are_refused() {
    let mut rig = Rig::new().await;
    for _ in 0..50 {
        rig.push(99.0).await;
    }
    let alert = rig.engine.active_alerts().remove(0);
    let acked = rig.engine.ack(&alert.id, "admin", "looking").await.unwrap();
    assert_eq!(acked.ack.as_ref().unwrap().by, "admin");
    assert!(rig.engine.ack("nope", "admin", "").await.is_err());
    let restored = rig.store.load_alerts().await.unwrap();
    assert!(restored.iter().any(|a| a.id == alert.id && a.ack.is_some()));
}
