//! Host read endpoints: the fleet list, one host, and one host's latest values.

use crate::auth::Admin;
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use hostpulse_core::{ProcessSnapshot, UserSession};
use hostpulse_service::HostView;
use hostpulse_service::host_names::{NameCollision, NameMatch, exact_host, name_collisions};
use hostpulse_store::{HostLatest, LatestSample};
use serde::Serialize;

/// A host in the read API: its view plus the names it shares with other hosts.
#[derive(Debug, Serialize)]
pub struct HostEntry {
    #[serde(flatten)]
    pub view: HostView,
    /// Names another host also carries; which host each name selects.
    pub collisions: Vec<NameCollision>,
}

/// `GET /api/v1/hosts`: every host with status, summary and name collisions, sorted by name.
pub async fn list_hosts(
    State(state): State<AppState>,
    _: Admin,
) -> Result<Json<Vec<HostEntry>>, ApiError> {
    let now = state.clock.now_ms();
    let hosts = state.store.hosts().await?;
    let mut collisions = name_collisions(&hosts);
    let mut entries = Vec::new();
    for host in &hosts {
        if let Some(latest) = state.store.latest(&host.name).await? {
            entries.push(HostEntry {
                view: HostView::new(&latest, now),
                collisions: collisions.remove(&host.name).unwrap_or_default(),
            });
        }
    }
    entries.sort_by(|a, b| a.view.name.cmp(&b.view.name));
    Ok(Json(entries))
}

/// Finds a host by its agent name, else by its hostname or display name (409 when that
/// names several hosts).
async fn find_latest(
    state: &AppState,
    wanted: &str,
) -> Result<(HostLatest, Vec<NameCollision>), ApiError> {
    let hosts = state.store.hosts().await?;
    let name = match exact_host(&hosts, wanted) {
        NameMatch::Agent(name) => name,
        NameMatch::Other(agents) if agents.len() == 1 => agents[0].clone(),
        NameMatch::Other(agents) => {
            return Err(ApiError::Conflict(format!(
                "{wanted:?} is the hostname or display name of {} hosts ({}); name one by its \
                 agent name",
                agents.len(),
                agents.join(", ")
            )));
        }
        NameMatch::None => return Err(ApiError::NotFound(format!("no host named {wanted:?}"))),
    };
    let latest = state
        .store
        .latest(&name)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no host named {wanted:?}")))?;
    let collisions = name_collisions(&hosts).remove(&name).unwrap_or_default();
    Ok((latest, collisions))
}

/// `GET /api/v1/hosts/{host}`.
pub async fn get_host(
    State(state): State<AppState>,
    _: Admin,
    Path(host): Path<String>,
) -> Result<Json<HostEntry>, ApiError> {
    let (latest, collisions) = find_latest(&state, &host).await?;
    let view = HostView::new(&latest, state.clock.now_ms());
    Ok(Json(HostEntry { view, collisions }))
}

/// Body of `GET /api/v1/hosts/{host}/latest`.
#[derive(Debug, Serialize)]
pub struct LatestView {
    pub host: HostEntry,
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
    let (mut latest, collisions) = find_latest(&state, &host).await?;
    latest
        .samples
        .sort_by(|a, b| (&a.name, &a.labels).cmp(&(&b.name, &b.labels)));
    let view = HostView::new(&latest, state.clock.now_ms());
    let host = HostEntry { view, collisions };
    Ok(Json(LatestView {
        host,
        samples: latest.samples,
        processes: latest.processes,
        processes_ts_ms: latest.processes_ts_ms,
        users: latest.users,
        users_ts_ms: latest.users_ts_ms,
    }))
}
