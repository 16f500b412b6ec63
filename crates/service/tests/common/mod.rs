//! Test rig: the services over a real SQLite store in a temporary directory, with or
//! without a manually driven alert engine.

#![allow(dead_code, clippy::unwrap_used)]

use hostpulse_config::{HubOverrides, load_hub_config};
use hostpulse_core::Role;
use hostpulse_core::{Clock, ManualClock, Sample};
use hostpulse_engine::{Engine, EngineDeps};
use hostpulse_proto::{AgentIdentity, Frame, IngestBatch, PROTOCOL_VERSION};
use hostpulse_service::{Actor, Service};
use hostpulse_store::{AuditEntry, SqliteOptions, SqliteStore};
use std::sync::Arc;

pub const NOW: i64 = 1_790_000_000_000;

/// One rule on `cpu.usage_percent`, firing at once over 90.
pub const CONFIG: &str = r#"
rules:
  - name: hot
    expr: cpu.usage_percent > 90
    severity: critical
    description: CPU hot
"#;

pub struct Rig {
    pub _dir: tempfile::TempDir,
    pub store: Arc<SqliteStore>,
    pub clock: ManualClock,
    pub service: Service,
    pub engine: Option<Arc<Engine>>,
}

async fn open(dir: &tempfile::TempDir, clock: &ManualClock) -> Arc<SqliteStore> {
    let options = SqliteOptions {
        path: dir.path().join("hostpulse.db"),
        ..SqliteOptions::default()
    };
    let shared: Arc<dyn Clock> = Arc::new(clock.clone());
    SqliteStore::open(options, shared).await.unwrap()
}

/// Services over the metrics store only (no alerting store, no engine).
pub async fn bare() -> Rig {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(NOW);
    let store = open(&dir, &clock).await;
    let service = Service::new(store.clone(), Arc::new(clock.clone()));
    Rig {
        _dir: dir,
        store,
        clock,
        service,
        engine: None,
    }
}

/// Services with the alerting store but no engine.
pub async fn store_only() -> Rig {
    let mut rig = bare().await;
    rig.service = rig.service.clone().with_alert_store(rig.store.clone());
    rig
}

/// Services with a manual engine loaded from [`CONFIG`].
pub async fn with_engine() -> Rig {
    with_engine_config(CONFIG).await
}

/// Services with a manual engine loaded from the hub configuration `text`.
pub async fn with_engine_config(text: &str) -> Rig {
    let mut rig = bare().await;
    let file = rig._dir.path().join("hostpulse.yaml");
    std::fs::write(&file, text).unwrap();
    let config = load_hub_config(Some(&file), &[], &HubOverrides::default()).unwrap();
    let deps = EngineDeps {
        store: rig.store.clone(),
        alert_store: rig.store.clone(),
        clock: Arc::new(rig.clock.clone()),
    };
    let reload = config.clone();
    let loader = Box::new(move || Ok(reload.clone()));
    let engine = Engine::start_manual(deps, &config, Some(file), loader)
        .await
        .unwrap();
    rig.service = rig
        .service
        .clone()
        .with_alerting(engine.clone(), rig.store.clone());
    rig.engine = Some(engine);
    rig
}

pub fn admin() -> Actor {
    Actor::ApiToken {
        name: "admin".into(),
        role: Role::Admin,
    }
}

pub fn telegram(role: Role) -> Actor {
    Actor::Telegram {
        user_id: 200,
        name: "u200".into(),
        role,
    }
}

pub fn batch(seq: u64, ts_ms: i64, cpu: f64) -> IngestBatch {
    IngestBatch {
        version: PROTOCOL_VERSION,
        agent: AgentIdentity {
            hostname: "web-1".into(),
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
            samples: vec![Sample::new("cpu.usage_percent", cpu)],
            ..Frame::default()
        }],
    }
}

impl Rig {
    /// Audit records, oldest first, as (actor, action, target, result).
    pub async fn audit(&self) -> Vec<(String, String, String, String)> {
        use hostpulse_store::prelude::*;
        let mut entries: Vec<AuditEntry> = self.store.audit_entries(100).await.unwrap();
        entries.reverse();
        entries
            .into_iter()
            .map(|e| (e.actor, e.action, e.target, e.result))
            .collect()
    }

    pub fn engine(&self) -> &Arc<Engine> {
        self.engine.as_ref().unwrap()
    }
}
