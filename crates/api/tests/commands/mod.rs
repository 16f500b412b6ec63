//! A hub on loopback for the command-channel tests: a real server over a SQLite store with
//! agents `web-1`, `db-1` and API tokens of each role.

#![allow(dead_code)]
#![allow(
    clippy::unwrap_used,
    reason = "test support: a hub that cannot be built stops the test loudly"
)]

pub mod http;

use hostpulse_api::server::{ServerLimits, serve};
use hostpulse_api::{ApiLimits, AppState, router, tokens};
use hostpulse_config::ActionsConfig;
use hostpulse_core::{Clock, SystemClock};
use hostpulse_service::Service;
use hostpulse_service::commands::QueueLimits;
use hostpulse_store::prelude::*;
use hostpulse_store::{AlertStore, SqliteOptions, SqliteStore, Store};
use std::net::SocketAddr;
use std::sync::Arc;

/// The running hub and its tokens.
pub struct Hub {
    pub _dir: tempfile::TempDir,
    pub addr: SocketAddr,
    pub store: Arc<SqliteStore>,
    pub viewer: String,
    pub operator: String,
    pub admin: String,
    pub web_token: String,
    pub db_token: String,
    pub server: tokio::task::JoinHandle<()>,
}

async fn token(store: &SqliteStore, name: &str, role: &str) -> String {
    let token = tokens::generate(tokens::API_PREFIX);
    store
        .add_api_token(name, &tokens::hash(&token), role)
        .await
        .unwrap();
    token
}

async fn agent(store: &SqliteStore, name: &str) -> String {
    let token = tokens::generate(tokens::AGENT_PREFIX);
    store.add_agent(name, &tokens::hash(&token)).await.unwrap();
    token
}

/// A hub whose operators may run `operator`, whose commands have `deadline_ms`.
pub async fn hub(operator: &[&str], deadline_ms: i64) -> Hub {
    let dir = tempfile::tempdir().unwrap();
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let options = SqliteOptions {
        path: dir.path().join("hub.db"),
        ..SqliteOptions::default()
    };
    let store = SqliteStore::open(options, clock.clone()).await.unwrap();
    let (viewer, operator_token, admin) = (
        token(&store, "ann", "viewer").await,
        token(&store, "otto", "operator").await,
        token(&store, "root", "admin").await,
    );
    let (web_token, db_token) = (agent(&store, "web-1").await, agent(&store, "db-1").await);
    let actions = ActionsConfig {
        operator: operator.iter().map(|s| s.to_string()).collect(),
    };
    let limits = QueueLimits {
        default_deadline_ms: deadline_ms,
        long_deadline_ms: deadline_ms,
        ..QueueLimits::default()
    };
    let metrics: Arc<dyn Store> = store.clone();
    let alerting: Arc<dyn AlertStore> = store.clone();
    let service = Service::new(metrics.clone(), clock.clone())
        .with_alert_store(alerting)
        .with_actions(actions)
        .with_queue_limits(limits);
    let state = AppState::new(metrics, clock, ApiLimits::default()).with_service(Arc::new(service));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = router(state.clone());
    let server = tokio::spawn(serve(
        listener,
        app,
        state,
        ServerLimits::default(),
        std::future::pending(),
    ));
    Hub {
        _dir: dir,
        addr,
        store,
        viewer,
        operator: operator_token,
        admin,
        web_token,
        db_token,
        server,
    }
}
