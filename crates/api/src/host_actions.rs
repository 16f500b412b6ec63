//! Asking a host's agent for an action: its containers (list, logs, inspect, restart,
//! start, stop), a named command or a built-in action, and what it allows. The result is
//! JSON (`status`, `output`, `exit_code`, `truncated`, `duration_ms`); a refusal by the
//! agent is 422, a command that missed its deadline 504.

use crate::auth::User;
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use hostpulse_proto::command::{
    BUILTIN_ACTIONS, CONTAINERS_INSPECT, CONTAINERS_LIST, CONTAINERS_LOGS, CONTAINERS_RESTART,
    CONTAINERS_START, CONTAINERS_STOP, CommandStatus, RUN,
};
use hostpulse_service::commands::{ActionRequest, CommandResult, HostActions};
use serde::Deserialize;
use std::collections::BTreeMap;

/// Log lines when `tail` is not given.
const DEFAULT_TAIL: u32 = 100;

/// `?tail=N` of the logs route.
#[derive(Debug, Deserialize)]
pub struct LogsQuery {
    tail: Option<String>,
}

async fn run(
    state: &AppState,
    user: User,
    host: String,
    action: &str,
    args: &[(&str, String)],
) -> Result<Json<CommandResult>, ApiError> {
    let request = ActionRequest {
        host,
        action: action.to_string(),
        args: args
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect::<BTreeMap<_, _>>(),
        origin: "api".into(),
    };
    let result = state.service.run_action(&user.0, request).await?;
    let why = || result.error.clone().unwrap_or_default();
    match result.status {
        CommandStatus::Refused | CommandStatus::Unsupported => Err(ApiError::Unprocessable(
            format!("{} by the agent: {}", result.status.as_str(), why()),
        )),
        CommandStatus::Expired => Err(ApiError::GatewayTimeout(format!(
            "the agent did not finish the command in time: {}",
            why()
        ))),
        _ => Ok(Json(result)),
    }
}

/// `GET /api/v1/hosts/{host}/containers`.
pub async fn list(
    State(state): State<AppState>,
    user: User,
    Path(host): Path<String>,
) -> Result<Json<CommandResult>, ApiError> {
    run(&state, user, host, CONTAINERS_LIST, &[]).await
}

/// `GET /api/v1/hosts/{host}/containers/{container}`.
pub async fn inspect(
    State(state): State<AppState>,
    user: User,
    Path((host, container)): Path<(String, String)>,
) -> Result<Json<CommandResult>, ApiError> {
    run(
        &state,
        user,
        host,
        CONTAINERS_INSPECT,
        &[("container", container)],
    )
    .await
}

/// `GET /api/v1/hosts/{host}/containers/{container}/logs?tail=N`.
pub async fn logs(
    State(state): State<AppState>,
    user: User,
    Path((host, container)): Path<(String, String)>,
    Query(query): Query<LogsQuery>,
) -> Result<Json<CommandResult>, ApiError> {
    let tail = query.tail.unwrap_or_else(|| DEFAULT_TAIL.to_string());
    let args = [("container", container), ("tail", tail)];
    run(&state, user, host, CONTAINERS_LOGS, &args).await
}

/// Runs `action` on the container of a `.../containers/{container}/...` path.
async fn on_container(
    State(state): State<AppState>,
    user: User,
    Path((host, container)): Path<(String, String)>,
    action: &str,
) -> Result<Json<CommandResult>, ApiError> {
    run(&state, user, host, action, &[("container", container)]).await
}

/// `POST /api/v1/hosts/{host}/containers/{container}/restart`.
pub async fn restart(
    state: State<AppState>,
    user: User,
    path: Path<(String, String)>,
) -> Result<Json<CommandResult>, ApiError> {
    on_container(state, user, path, CONTAINERS_RESTART).await
}

/// `POST /api/v1/hosts/{host}/containers/{container}/start`.
pub async fn start(
    state: State<AppState>,
    user: User,
    path: Path<(String, String)>,
) -> Result<Json<CommandResult>, ApiError> {
    on_container(state, user, path, CONTAINERS_START).await
}

/// `POST /api/v1/hosts/{host}/containers/{container}/stop`.
pub async fn stop(
    state: State<AppState>,
    user: User,
    path: Path<(String, String)>,
) -> Result<Json<CommandResult>, ApiError> {
    on_container(state, user, path, CONTAINERS_STOP).await
}

/// `POST /api/v1/hosts/{host}/actions/{name}`: a built-in action without arguments
/// (`containers.prune`, `containers.list`) or the agent's named command `name`.
pub async fn action(
    State(state): State<AppState>,
    user: User,
    Path((host, name)): Path<(String, String)>,
) -> Result<Json<CommandResult>, ApiError> {
    if BUILTIN_ACTIONS.contains(&name.as_str()) {
        return run(&state, user, host, &name, &[]).await;
    }
    run(&state, user, host, RUN, &[("command", name)]).await
}

/// `GET /api/v1/hosts/{host}/actions`: what the host's agent allows, from its last poll.
pub async fn allowed(
    State(state): State<AppState>,
    _: User,
    Path(host): Path<String>,
) -> Result<Json<HostActions>, ApiError> {
    Ok(Json(state.service.host_actions(&host).await?))
}
