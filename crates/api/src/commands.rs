//! The agent side of the command channel: `POST /api/v1/agent/commands/poll` (a long poll
//! that answers with the commands queued for the agent) and
//! `POST /api/v1/agent/commands/{id}/updates` (a command's output and outcome).

use crate::auth::Agent;
use crate::body::read_body;
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use hostpulse_proto::command::{
    CommandBatch, CommandPoll, CommandUpdate, MAX_UPDATE_OUTPUT_BYTES, is_command_id,
};
use hostpulse_service::commands::UpdateError;
use serde::de::DeserializeOwned;

/// Largest poll body: the agent's allow-list and named commands.
const MAX_POLL_BODY: usize = 64 * 1024;
/// Largest update body: the output (which JSON may escape up to six times) and the outcome.
const MAX_UPDATE_BODY: usize = 6 * MAX_UPDATE_OUTPUT_BYTES + 16 * 1024;

/// Holds the agent's poll until a command is queued for it or its wait ends.
pub async fn poll(
    State(state): State<AppState>,
    Agent(agent): Agent,
    body: Body,
) -> Result<Json<CommandBatch>, ApiError> {
    let poll: CommandPoll = json_body(body, MAX_POLL_BODY).await?;
    let batch = state.service.commands().poll(&agent, &poll).await;
    if !batch.commands.is_empty() {
        tracing::debug!(
            agent,
            commands = batch.commands.len(),
            "commands handed over"
        );
    }
    Ok(Json(batch))
}

/// Takes one update of command `id` from the agent it was handed to.
pub async fn update(
    State(state): State<AppState>,
    Agent(agent): Agent,
    Path(id): Path<String>,
    body: Body,
) -> Result<StatusCode, ApiError> {
    if !is_command_id(&id) {
        return Err(ApiError::NotFound(format!(
            "no command {id:?} for this agent"
        )));
    }
    let update: CommandUpdate = json_body(body, MAX_UPDATE_BODY).await?;
    match state.service.commands().update(&agent, &id, update) {
        Ok(()) => Ok(StatusCode::NO_CONTENT),
        Err(error @ UpdateError::Unknown(_)) => Err(ApiError::NotFound(error.to_string())),
        Err(error @ UpdateError::Finished(_)) => Err(ApiError::Conflict(error.to_string())),
        Err(error @ UpdateError::Invalid(_)) => Err(ApiError::PayloadTooLarge(error.to_string())),
    }
}

/// The body as JSON of type `T`, at most `limit` bytes (413 beyond, 400 when not `T`).
async fn json_body<T: DeserializeOwned>(body: Body, limit: usize) -> Result<T, ApiError> {
    let bytes = read_body(body, None, limit).await?;
    serde_json::from_slice(&bytes).map_err(|e| {
        ApiError::BadRequest(format!("the body is not valid JSON for this endpoint: {e}"))
    })
}
