//! The hub's HTTP API: agent ingest, the read API, agent management and health.
//! Every route but `/healthz` requires a bearer token; errors are JSON with the right status.

mod agents;
mod auth;
mod error;
mod hosts;
mod ingest;
mod query;
mod state;
pub mod tokens;
mod view;

pub use error::ApiError;
pub use state::{ApiLimits, AppState};
pub use view::{HostSummary, HostView};

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
        .route("/api/v1/query_range", get(query::query_range))
        .route("/api/v1/agents", get(agents::list).post(agents::add))
        .route("/api/v1/agents/{name}", delete(agents::revoke))
        .fallback(not_found)
        .with_state(state)
}

async fn health() -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::json!({ "status": "ok" }))
}

async fn not_found() -> ApiError {
    ApiError::NotFound("no such endpoint".into())
}
