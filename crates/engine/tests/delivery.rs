//! Delivery from the outbox through a real webhook receiver on loopback: temporary failures
//! are retried with backoff on the engine clock, permanent ones dead-lettered without
//! leaking the webhook URL.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed setup step should stop the test loudly"
)]

use axum::Router;
use axum::http::StatusCode;
use axum::routing::post;
use hostpulse_config::{HubOverrides, load_hub_config};
use hostpulse_core::{Clock, DeliveryStatus, ManualClock, Notification, Sample};
use hostpulse_engine::{Engine, EngineDeps};
use hostpulse_proto::{AgentIdentity, Frame, IngestBatch, PROTOCOL_VERSION};
use hostpulse_store::prelude::*;
use hostpulse_store::{NotificationQuery, SqliteOptions, SqliteStore};
use std::sync::{Arc, Mutex};

const T0: i64 = 1_790_000_000_000;

/// A webhook that answers the scripted statuses in turn (200 once they run out).
#[derive(Clone, Default)]
struct Hook {
    script: Arc<Mutex<Vec<u16>>>,
    bodies: Arc<Mutex<Vec<String>>>,
}

async fn serve(hook: Hook) -> String {
    let state = hook.clone();
    let app = Router::new().route(
        "/secret-path/alerts",
        post(move |body: String| {
            let state = state.clone();
            async move {
                state.bodies.lock().unwrap().push(body);
                let mut script = state.script.lock().unwrap();
                let code = if script.is_empty() {
                    200
                } else {
                    script.remove(0)
                };
                (
                    StatusCode::from_u16(code).unwrap(),
                    "{\"error\":\"scripted\"}",
                )
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}/secret-path/alerts")
}

struct Rig {
    _dir: tempfile::TempDir,
    clock: ManualClock,
    store: Arc<SqliteStore>,
    engine: Arc<Engine>,
}

async fn rig(url: &str) -> Rig {
    let dir = tempfile::tempdir().unwrap();
    let config_text = format!(
        "rules:\n  - name: hot\n    expr: cpu.usage_percent > 90\n    severity: critical\n\
         receivers:\n  - name: hook\n    type: webhook\n    url: {url}\n\
         routes:\n  - receivers: [hook]\n\
         alerting:\n  defaults:\n    group_wait: 0s\n"
    );
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
    Rig {
        _dir: dir,
        clock,
        store,
        engine,
    }
}

impl Rig {
    async fn fire(&self) {
        let batch = IngestBatch {
            version: PROTOCOL_VERSION,
            agent: AgentIdentity {
                hostname: "web-1".into(),
                display_name: None,
                agent_version: "t".into(),
                interval_ms: 5000,
                instance_id: "test-instance".into(),
                run_id: "test-run".into(),
                previous_run_id: None,
            },
            seq: 1,
            facts: None,
            frames: vec![Frame {
                ts_ms: self.clock.now_ms(),
                samples: vec![Sample::new("cpu.usage_percent", 99.0)],
                ..Frame::default()
            }],
        };
        let observation = self.engine.observe_batch("web-1", &batch);
        self.store.ingest("web-1", batch).await.unwrap();
        self.engine.commit_observation(observation);
        self.engine.evaluate_dirty().await;
    }

    async fn outbox(&self) -> Vec<Notification> {
        let query = NotificationQuery {
            status: None,
            receiver: None,
            since_ms: None,
            cursor: None,
            limit: 100,
        };
        self.store.notifications(query).await.unwrap().notifications
    }
}

#[tokio::test]
async fn temporary_failures_are_retried_with_backoff_then_sent_once() {
    let hook = Hook::default();
    hook.script.lock().unwrap().extend([503, 429]);
    let url = serve(hook.clone()).await;
    let rig = rig(&url).await;
    rig.fire().await;

    rig.engine.deliver_now().await;
    let n = &rig.outbox().await[0];
    assert_eq!((n.status, n.attempts), (DeliveryStatus::Pending, 1));
    // Backing off: an immediate second pass does not call the receiver again.
    rig.engine.deliver_now().await;
    assert_eq!(hook.bodies.lock().unwrap().len(), 1);

    rig.clock.advance(3_000);
    rig.engine.deliver_now().await;
    assert_eq!(rig.outbox().await[0].attempts, 2);
    rig.clock.advance(10_000);
    rig.engine.deliver_now().await;
    let n = &rig.outbox().await[0];
    assert_eq!(
        (n.status, n.attempts),
        (DeliveryStatus::Sent, 3),
        "{:?}",
        n.last_error
    );

    let bodies = hook.bodies.lock().unwrap().clone();
    assert_eq!(bodies.len(), 3);
    let payload: serde_json::Value = serde_json::from_str(&bodies[2]).unwrap();
    assert_eq!(payload["version"], "4");
    assert_eq!(payload["status"], "firing");
    assert_eq!(payload["alerts"][0]["labels"]["host"], "web-1");
    // Sent is final: later passes send nothing more.
    rig.clock.advance(600_000);
    rig.engine.deliver_now().await;
    assert_eq!(hook.bodies.lock().unwrap().len(), 3);
}

#[tokio::test]
async fn permanent_failures_are_dead_lettered_without_the_secret_url() {
    let hook = Hook::default();
    hook.script.lock().unwrap().push(400);
    let url = serve(hook.clone()).await;
    let rig = rig(&url).await;
    rig.fire().await;
    rig.engine.deliver_now().await;
    let n = &rig.outbox().await[0];
    assert_eq!(n.status, DeliveryStatus::Dead);
    let reason = n.last_error.clone().unwrap_or_default();
    assert!(reason.contains("400"), "{reason}");
    assert!(
        !reason.contains("secret-path"),
        "the webhook URL is a secret: {reason}"
    );
    rig.clock.advance(600_000);
    rig.engine.deliver_now().await;
    assert_eq!(
        hook.bodies.lock().unwrap().len(),
        1,
        "dead letters are not retried"
    );
}
