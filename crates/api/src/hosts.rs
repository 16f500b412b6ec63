//! Host read endpoints: the fleet list, one host, and one host's latest values.

use crate::auth::Admin;
use crate::error::ApiError;
use crate::state::AppState;
use crate::view::HostView;
use axum::Json;
use axum::extract::{Path, State};
use hostpulse_core::{ProcessSnapshot, UserSession};
use hostpulse_store::{HostLatest, LatestSample};
use serde::Serialize;

/// `GET /api/v1/hosts`: every host with status and summary, sorted by name.
pub async fn list_hosts(
    State(state): State<AppState>,
    _: Admin,
) -> Result<Json<Vec<HostView>>, ApiError> {
    let now = state.clock.now_ms();
    let mut views = Vec::new();
    for host in state.store.hosts().await? {
        if let Some(latest) = state.store.latest(&host.name).await? {
            views.push(HostView::new(&latest, now));
        }
    }
    views.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Json(views))
}

/// Finds a host by its name, falling back to its hostname or display name.
async fn find_latest(state: &AppState, wanted: &str) -> Result<HostLatest, ApiError> {
    if let Some(latest) = state.store.latest(wanted).await? {
        return Ok(latest);
    }
    for host in state.store.hosts().await? {
        let facts = host.facts.as_ref();
        let matches = facts
            .is_some_and(|f| f.hostname == wanted || f.display_name.as_deref() == Some(wanted));
        if !matches {
            continue;
        }
        if let Some(latest) = state.store.latest(&host.name).await? {
            return Ok(latest);
        }
    }
    Err(ApiError::NotFound(format!("no host named {wanted:?}")))
}

/// `GET /api/v1/hosts/{host}`.
pub async fn get_host(
    State(state): State<AppState>,
    _: Admin,
    Path(host): Path<String>,
) -> Result<Json<HostView>, ApiError> {
    let latest = find_latest(&state, &host).await?;
    Ok(Json(HostView::new(&latest, state.clock.now_ms())))
}

/// Body of `GET /api/v1/hosts/{host}/latest`.
#[derive(Debug, Serialize)]
pub struct LatestView {
    pub host: HostView,
    pub samples: Vec<LatestSample>,
    pub processes: Option<ProcessSnapshot>,
    pub processes_ts_ms: Option<i64>,
    pub users: Option<Vec<UserSession>>,
    pub users_ts_ms: Option<i64>,
}

/// `GET /api/v1/hosts/{host}/latest`: every series' newest value plus process and user snapshots.
pub async fn host_latest(
    State(state): State<AppState>,
    _: Admin,
    Path(host): Path<String>,
) -> Result<Json<LatestView>, ApiError> {
    let mut latest = find_latest(&state, &host).await?;
    latest
        .samples
        .sort_by(|a, b| (&a.name, &a.labels).cmp(&(&b.name, &b.labels)));
    let host = HostView::new(&latest, state.clock.now_ms());
    Ok(Json(LatestView {
        host,
        samples: latest.samples,
        processes: latest.processes,
        processes_ts_ms: latest.processes_ts_ms,
        users: latest.users,
        users_ts_ms: latest.users_ts_ms,
    }))
}
