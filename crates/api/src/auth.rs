//! Bearer-token authentication: admin API tokens and agent tokens, as axum extractors.

use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use hostpulse_core::Role;
use hostpulse_service::tokens;
use hostpulse_service::{Actor, role_named};

/// A request made with an admin API token; holds the token's name (the actor in audit records).
#[derive(Debug)]
pub struct Admin {
    pub name: String,
}

impl Admin {
    /// The token as the actor of a service operation.
    pub fn actor(&self) -> Actor {
        Actor::ApiToken {
            name: self.name.clone(),
            role: Role::Admin,
        }
    }
}

/// A request made with an agent token; holds the agent's name.
#[derive(Debug)]
pub struct Agent(pub String);

fn bearer(parts: &Parts) -> Result<&str, ApiError> {
    let header = parts
        .headers
        .get(AUTHORIZATION)
        .ok_or(ApiError::Unauthorized(
            "missing Authorization: Bearer <token> header",
        ))?;
    let value = header
        .to_str()
        .map_err(|_| ApiError::Unauthorized("malformed Authorization header"))?;
    let token = value
        .strip_prefix("Bearer ")
        .ok_or(ApiError::Unauthorized(
            "Authorization must be `Bearer <token>`",
        ))?
        .trim();
    if token.is_empty() {
        return Err(ApiError::Unauthorized("empty bearer token"));
    }
    Ok(token)
}

/// Whether the request carries a token the hub knows (any role, or an active agent);
/// used by the server's per-peer quota of unauthenticated connections.
pub(crate) async fn has_valid_token(parts: &Parts, state: &AppState) -> bool {
    let Ok(token) = bearer(parts) else {
        return false;
    };
    let hash = tokens::hash(token);
    if state.cached_agent(&hash).is_some() {
        return true;
    }
    matches!(state.store.api_token(&hash).await, Ok(Some(_)))
        || matches!(state.store.agent_by_token_hash(&hash).await, Ok(Some(_)))
}

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let hash = tokens::hash(bearer(parts)?);
        match state.store.api_token(&hash).await? {
            Some(token) if role_named(&token.role) == Some(Role::Admin) => {
                Ok(Admin { name: token.name })
            }
            Some(_) => Err(ApiError::Forbidden("this token may not use this endpoint")),
            None if is_agent_token(&hash, state).await? => Err(ApiError::Forbidden(
                "this is an agent token: it may only push data (POST /api/v1/ingest); \
                 use the admin API token (DATA_DIR/admin.token of the hub)",
            )),
            None => Err(ApiError::Unauthorized("invalid API token")),
        }
    }
}

/// Whether `hash` is the token of a registered, unrevoked agent.
async fn is_agent_token(hash: &str, state: &AppState) -> Result<bool, ApiError> {
    if state.cached_agent(hash).is_some() {
        return Ok(true);
    }
    Ok(state.store.agent_by_token_hash(hash).await?.is_some())
}

impl FromRequestParts<AppState> for Agent {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let hash = tokens::hash(bearer(parts)?);
        if let Some(name) = state.cached_agent(&hash) {
            return Ok(Agent(name));
        }
        match state.store.agent_by_token_hash(&hash).await? {
            Some(agent) => {
                state.remember_agent(hash, agent.name.clone());
                Ok(Agent(agent.name))
            }
            None => Err(ApiError::Unauthorized("invalid or revoked agent token")),
        }
    }
}

/// A request made with an API token of any role; holds the actor it acts as.
#[derive(Debug)]
pub struct User(pub Actor);

impl FromRequestParts<AppState> for User {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let hash = tokens::hash(bearer(parts)?);
        match state.store.api_token(&hash).await? {
            Some(token) => match role_named(&token.role) {
                Some(role) => Ok(User(Actor::ApiToken {
                    name: token.name,
                    role,
                })),
                None => Err(ApiError::Forbidden("this token has no known role")),
            },
            None if is_agent_token(&hash, state).await? => Err(ApiError::Forbidden(
                "this is an agent token: it may not ask hosts for actions; use an API token",
            )),
            None => Err(ApiError::Unauthorized("invalid API token")),
        }
    }
}
