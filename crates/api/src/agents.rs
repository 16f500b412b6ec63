//! Agent management: register an agent (returns its token once), list, revoke.

use crate::auth::Admin;
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use hostpulse_service::CreatedAgent;
use hostpulse_store::{AgentRecord, InstanceRecord, is_live};
use serde::{Deserialize, Serialize};

/// Body of `POST /api/v1/agents`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAgent {
    pub name: String,
}

/// An agent as `GET /api/v1/agents` shows it: its record and every instance seen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentView {
    /// The agent's name, creation and revocation times (flattened into the JSON object).
    #[serde(flatten)]
    pub agent: AgentRecord,
    /// Every instance (installation) that has pushed with the agent's token.
    pub instances: Vec<InstanceView>,
}

/// One instance of an agent, with whether it counts as live now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstanceView {
    /// The instance as the store last saw it (flattened into the JSON object).
    #[serde(flatten)]
    pub instance: InstanceRecord,
    /// Seen within max(3 intervals, 30 s): another instance on the token is refused.
    pub live: bool,
}

/// `POST /api/v1/agents`.
pub async fn add(
    State(state): State<AppState>,
    admin: Admin,
    body: Result<Json<NewAgent>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<CreatedAgent>), ApiError> {
    let Json(req) = body.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let created = state.service.add_agent(&admin.actor(), &req.name).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// `GET /api/v1/agents`: every agent with its instances.
pub async fn list(
    State(state): State<AppState>,
    _: Admin,
) -> Result<Json<Vec<AgentView>>, ApiError> {
    let mut agents = state.store.list_agents().await?;
    agents.sort_by(|a, b| a.name.cmp(&b.name));
    let now_ms = state.clock.now_ms();
    let mut views = Vec::with_capacity(agents.len());
    for agent in agents {
        let instances = state.store.instances(&agent.name).await?;
        let instances = instances
            .into_iter()
            .map(|instance| InstanceView {
                live: is_live(&instance, now_ms),
                instance,
            })
            .collect();
        views.push(AgentView { agent, instances });
    }
    Ok(Json(views))
}

/// `DELETE /api/v1/agents/{name}`: revokes the agent's token at once.
pub async fn revoke(
    State(state): State<AppState>,
    admin: Admin,
    Path(name): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.service.revoke_agent(&admin.actor(), &name).await?;
    state.forget_agent(&name);
    Ok(StatusCode::NO_CONTENT)
}
