//! The hub's HTTP API: agent ingest, the read API, agent management, alerting and health.
//! Every route but `/healthz` requires a bearer token; errors are JSON with the right status.

mod agents;
mod alerts;
mod auth;
mod body;
mod chunked;
mod commands;
mod error;
mod host_actions;
mod hosts;
mod ingest;
mod notifications;
pub mod query;
mod receivers;
mod rules;
pub mod server;
mod silences;
mod state;

pub use agents::{AgentView, InstanceView};
pub use error::ApiError;
pub use hostpulse_service::{HostSummary, HostView, tokens};
pub use state::{ApiLimits, AppState};

use axum::Router;
use axum::routing::{delete, get, post};

/// Builds the API router over `state`.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(health))
        .route("/api/v1/ingest", post(ingest::ingest))
        .route("/api/v1/hosts", get(hosts::list_hosts))
        .route("/api/v1/hosts/{host}", get(hosts::get_host))
        .route("/api/v1/hosts/{host}/latest", get(hosts::host_latest))
        .route("/api/v1/agent/commands/poll", post(commands::poll))
        .route(
            "/api/v1/agent/commands/{id}/updates",
            post(commands::update),
        )
        .route("/api/v1/hosts/{host}/containers", get(host_actions::list))
        .route(
            "/api/v1/hosts/{host}/containers/{container}",
            get(host_actions::inspect),
        )
        .route(
            "/api/v1/hosts/{host}/containers/{container}/logs",
            get(host_actions::logs),
        )
        .route(
            "/api/v1/hosts/{host}/containers/{container}/restart",
            post(host_actions::restart),
        )
        .route(
            "/api/v1/hosts/{host}/containers/{container}/start",
            post(host_actions::start),
        )
        .route(
            "/api/v1/hosts/{host}/containers/{container}/stop",
            post(host_actions::stop),
        )
        .route("/api/v1/hosts/{host}/actions", get(host_actions::allowed))
        .route(
            "/api/v1/hosts/{host}/actions/{name}",
            post(host_actions::action),
        )
        .route("/api/v1/query_range", get(query::query_range))
        .route("/api/v1/agents", get(agents::list).post(agents::add))
        .route("/api/v1/agents/{name}", delete(agents::revoke))
        .route("/api/v1/alerts", get(alerts::list))
        .route("/api/v1/alerts/history", get(alerts::history))
        .route("/api/v1/alerts/{id}/ack", post(alerts::ack))
        .route("/api/v1/silences", get(silences::list).post(silences::add))
        .route("/api/v1/silences/{id}", delete(silences::expire))
        .route("/api/v1/rules", get(rules::list))
        .route("/api/v1/rules/reload", post(rules::reload))
        .route("/api/v1/rules/backtest", post(rules::backtest))
        .route("/api/v1/notifications", get(notifications::list))
        .route(
            "/api/v1/notifications/{id}/requeue",
            post(receivers::requeue),
        )
        .route("/api/v1/receivers", get(receivers::list))
        .route("/api/v1/receivers/{name}/test", post(receivers::test))
        .fallback(not_found)
        .with_state(state)
}

async fn health() -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::json!({ "status": "ok" }))
}

async fn not_found() -> ApiError {
    ApiError::NotFound("no such endpoint".into())
}
