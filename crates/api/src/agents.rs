//! Agent management: register an agent (returns its token once), list, revoke.

use crate::auth::Admin;
use crate::error::ApiError;
use crate::state::AppState;
use crate::tokens;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use hostpulse_store::{AgentRecord, InstanceRecord, is_live};
use serde::{Deserialize, Serialize};

/// Body of `POST /api/v1/agents`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAgent {
    pub name: String,
}

/// Answer to `POST /api/v1/agents`: the only time the token is shown.
#[derive(Debug, Serialize)]
pub struct CreatedAgent {
    pub name: String,
    pub token: String,
}

/// An agent as `GET /api/v1/agents` shows it: its record and every instance seen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentView {
    #[serde(flatten)]
    pub agent: AgentRecord,
    pub instances: Vec<InstanceView>,
}

/// One instance of an agent, with whether it counts as live now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstanceView {
    #[serde(flatten)]
    pub instance: InstanceRecord,
    /// Seen within max(3 intervals, 30 s): another instance on the token is refused.
    pub live: bool,
}

/// Agent names: 1–64 of `[A-Za-z0-9._-]`, starting with a letter or digit.
pub fn validate_agent_name(name: &str) -> Result<(), ApiError> {
    let ok_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    let valid = (1..=64).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.chars().all(ok_char);
    if valid {
        Ok(())
    } else {
        Err(ApiError::BadRequest(format!(
            "invalid agent name {name:?}: use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit"
        )))
    }
}

/// `POST /api/v1/agents`.
pub async fn add(
    State(state): State<AppState>,
    _: Admin,
    body: Result<Json<NewAgent>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<CreatedAgent>), ApiError> {
    let Json(req) = body.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    validate_agent_name(&req.name)?;
    let token = tokens::generate(tokens::AGENT_PREFIX);
    state
        .store
        .add_agent(&req.name, &tokens::hash(&token))
        .await?;
    tracing::info!(agent = %req.name, "agent registered");
    Ok((
        StatusCode::CREATED,
        Json(CreatedAgent {
            name: req.name,
            token,
        }),
    ))
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
    _: Admin,
    Path(name): Path<String>,
) -> Result<StatusCode, ApiError> {
    if !state.store.revoke_agent(&name).await? {
        let known = state.store.list_agents().await?;
        let revoked = known
            .iter()
            .any(|a| a.name == name && a.revoked_ms.is_some());
        return Err(ApiError::NotFound(if revoked {
            format!("agent {name:?} is already revoked")
        } else {
            format!("no agent named {name:?}")
        }));
    }
    state.forget_agent(&name);
    tracing::info!(agent = %name, "agent revoked");
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agent_names() {
        for ok in ["web-1", "db.prod", "a", "x_y"] {
            assert!(validate_agent_name(ok).is_ok(), "{ok}");
        }
        for bad in ["", "-x", "a b", "a/b", &"a".repeat(65)] {
            assert!(validate_agent_name(bad).is_err(), "{bad}");
        }
    }
}
