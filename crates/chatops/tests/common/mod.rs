//! Test rig: a real SQLite store and a manual alert engine with three hosts, and a bot
//! polling the fake Bot API.
#![allow(
    clippy::unwrap_used,
    reason = "test support: a rig that misbehaves stops the test loudly"
)]
#![allow(dead_code)] // each test binary uses part of the rig

pub mod fake;

use fake::{FakeApi, TOKEN};
use hostpulse_chatops::{Access, BotDeps, BotHandle, BotSettings, start_with};
use hostpulse_config::{HubOverrides, load_hub_config};
use hostpulse_core::{Clock, HostFacts, ManualClock, Sample};
use hostpulse_engine::{Engine, EngineDeps};
use hostpulse_proto::{AgentIdentity, Frame, IngestBatch, PROTOCOL_VERSION};
use hostpulse_store::prelude::*;
use hostpulse_store::{SqliteOptions, SqliteStore};
use std::sync::Arc;
use std::time::Duration;

pub const T0: i64 = 1_790_000_000_000;
pub const ADMIN: i64 = 100;
pub const OPERATOR: i64 = 200;
pub const VIEWER: i64 = 300;
pub const STRANGER: i64 = 999;

pub struct Rig {
    _dir: tempfile::TempDir,
    pub clock: ManualClock,
    pub store: Arc<SqliteStore>,
    pub engine: Arc<Engine>,
    pub fake: FakeApi,
    pub api_url: String,
    pub host_groups: std::collections::BTreeMap<String, Vec<String>>,
    /// The hub's service layer the bot uses (its command queue is the one agents poll).
    pub service: hostpulse_service::Service,
}

pub async fn rig() -> Rig {
    rig_with("rules:\n  - name: hot\n    expr: cpu.usage_percent > 90\n    severity: critical\n")
        .await
}

/// The rig with `rules` (a YAML `rules:` section) instead of the one firing `hot` rule.
pub async fn rig_with(rules: &str) -> Rig {
    let dir = tempfile::tempdir().unwrap();
    let config_text = format!("{rules}host_groups:\n  front: [web-1]\n");
    let file = dir.path().join("hostpulse.yaml");
    std::fs::write(&file, config_text).unwrap();
    let config = load_hub_config(Some(&file), &[], &HubOverrides::default()).unwrap();
    let clock = ManualClock::new(T0);
    let shared: Arc<dyn Clock> = Arc::new(clock.clone());
    let store = SqliteStore::open(SqliteOptions::new(dir.path().join("db")), shared.clone())
        .await
        .unwrap();
    let deps = EngineDeps {
        store: store.clone(),
        alert_store: store.clone(),
        clock: shared,
    };
    let reload = config.clone();
    let engine = Engine::start_manual(deps, &config, None, Box::new(move || Ok(reload.clone())))
        .await
        .unwrap();
    let (fake, api_url) = FakeApi::serve().await;
    let service = hostpulse_service::Service::new(store.clone(), Arc::new(clock.clone()))
        .with_alerting(engine.clone(), store.clone());
    let rig = Rig {
        service,
        _dir: dir,
        clock,
        store,
        engine,
        fake,
        api_url,
        host_groups: config.rules.host_groups.clone(),
    };
    for (host, cpu) in [("web-1", 99.0), ("web-2", 20.0), ("db-1", 35.0)] {
        rig.ingest(host, cpu).await;
    }
    rig
}

impl Rig {
    pub async fn ingest(&self, host: &str, cpu: f64) {
        self.ingest_as(host, host, cpu).await;
    }

    /// Ingests a frame of agent `host` whose facts report `hostname`.
    pub async fn ingest_as(&self, host: &str, hostname: &str, cpu: f64) {
        let batch = IngestBatch {
            version: PROTOCOL_VERSION,
            agent: AgentIdentity {
                hostname: host.into(),
                display_name: None,
                agent_version: "0.1.0".into(),
                interval_ms: 5000,
                instance_id: "test-instance".into(),
                run_id: "test-run".into(),
                previous_run_id: None,
            },
            seq: 1,
            facts: Some(HostFacts {
                hostname: hostname.into(),
                ips: vec!["10.0.0.7".into()],
                agent_version: "0.1.0".into(),
                ..HostFacts::default()
            }),
            frames: vec![Frame {
                ts_ms: self.clock.now_ms(),
                samples: vec![
                    Sample::new("cpu.usage_percent", cpu),
                    Sample::new("mem.used_percent", 41.0),
                    Sample::new("load.1", 0.5),
                ],
                ..Frame::default()
            }],
        };
        let observation = self.engine.observe_batch(host, &batch);
        self.store.ingest(host, batch).await.unwrap();
        self.engine.commit_observation(observation);
        self.engine.evaluate_dirty().await;
    }

    pub fn deps(&self) -> BotDeps {
        BotDeps {
            store: self.store.clone(),
            alert_store: self.store.clone(),
            engine: self.engine.clone(),
            clock: Arc::new(self.clock.clone()),
            host_groups: self.host_groups.clone(),
            service: self.service.clone(),
        }
    }

    pub async fn bot(&self) -> BotHandle {
        self.bot_in(jiff::tz::TimeZone::UTC).await
    }

    /// A bot showing times in `timezone`.
    pub async fn bot_in(&self, timezone: jiff::tz::TimeZone) -> BotHandle {
        let access = Access {
            admins: vec![ADMIN],
            operators: vec![OPERATOR],
            viewers: vec![VIEWER],
            chats: vec![],
        };
        let mut settings = BotSettings::new(&self.api_url, TOKEN, access);
        settings.poll_timeout = Duration::from_secs(2);
        settings.timezone = timezone;
        start_with(settings, self.deps()).await.unwrap()
    }

    /// The id of the firing alert on web-1.
    pub fn alert_id(&self) -> String {
        let alerts = self.engine.active_alerts();
        alerts
            .iter()
            .find(|a| a.host == "web-1")
            .unwrap()
            .id
            .clone()
    }
}
