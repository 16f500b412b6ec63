//! Alerts: the active ones (`GET /api/v1/alerts`), the paged history and acknowledgements.

use crate::auth::Admin;
use crate::error::ApiError;
use crate::query::parse_time;
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use hostpulse_core::{Alert, AlertState, Severity};
use hostpulse_store::{HistoryPage, HistoryQuery, MAX_PAGE};
use serde::Deserialize;

/// Default page size of paged alerting lists.
pub const DEFAULT_PAGE: usize = 100;

/// Filters of `GET /api/v1/alerts`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertFilter {
    pub host: Option<String>,
    pub rule: Option<String>,
    /// `pending` or `firing`.
    pub state: Option<String>,
    /// Minimum severity: `info`, `warning` or `critical`.
    pub severity: Option<String>,
}

/// `GET /api/v1/alerts`: alerts pending or firing now, newest first.
pub async fn list(
    State(state): State<AppState>,
    _: Admin,
    Query(filter): Query<AlertFilter>,
) -> Result<Json<Vec<Alert>>, ApiError> {
    let wanted_state = match filter.state.as_deref() {
        None => None,
        Some("pending") => Some(AlertState::Pending),
        Some("firing") => Some(AlertState::Firing),
        Some(other) => return Err(invalid("state", other)),
    };
    let min_severity = match filter.severity.as_deref() {
        None => Severity::Info,
        Some(text) => Severity::parse(text).ok_or_else(|| invalid("severity", text))?,
    };
    let alerts = state
        .engine()?
        .active_alerts()
        .into_iter()
        .filter(|a| filter.host.as_ref().is_none_or(|h| &a.host == h))
        .filter(|a| filter.rule.as_ref().is_none_or(|r| &a.rule == r))
        .filter(|a| wanted_state.is_none_or(|s| a.state == s))
        .filter(|a| a.severity >= min_severity)
        .collect();
    Ok(Json(alerts))
}

fn invalid(what: &str, value: &str) -> ApiError {
    ApiError::BadRequest(format!("invalid {what} {value:?}"))
}

/// Parses a page size: default [`DEFAULT_PAGE`], 1 to [`MAX_PAGE`].
pub fn page_limit(limit: Option<usize>) -> Result<usize, ApiError> {
    match limit {
        None => Ok(DEFAULT_PAGE),
        Some(n) if (1..=MAX_PAGE).contains(&n) => Ok(n),
        Some(n) => Err(ApiError::BadRequest(format!(
            "limit must be between 1 and {MAX_PAGE}, not {n}"
        ))),
    }
}

/// Query string of `GET /api/v1/alerts/history`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryParams {
    pub host: Option<String>,
    pub rule: Option<String>,
    /// Unix seconds, `now-24h` or `-24h`.
    pub since: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<usize>,
}

/// `GET /api/v1/alerts/history`: transitions and notifications, newest first.
pub async fn history(
    State(state): State<AppState>,
    _: Admin,
    Query(params): Query<HistoryParams>,
) -> Result<Json<HistoryPage>, ApiError> {
    let store = state.alert_store()?;
    let now = state.clock.now_ms();
    let since_ms = match params.since.as_deref() {
        Some(text) => Some(parse_time(Some(text), now, now)?),
        None => None,
    };
    let query = HistoryQuery {
        hosts: params.host.filter(|h| !h.is_empty()).into_iter().collect(),
        rule: params.rule.filter(|r| !r.is_empty()),
        since_ms,
        cursor: params.cursor.filter(|c| !c.is_empty()),
        limit: page_limit(params.limit)?,
    };
    Ok(Json(store.alert_history(query).await?))
}

/// Body of `POST /api/v1/alerts/{id}/ack` (optional).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AckBody {
    #[serde(default)]
    pub comment: String,
}

/// Longest accepted comment, characters.
pub use hostpulse_service::MAX_COMMENT;

/// `POST /api/v1/alerts/{id}/ack`: stops reminders and escalation of a firing alert.
pub async fn ack(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Alert>, ApiError> {
    let body: AckBody = if body.iter().all(u8::is_ascii_whitespace) {
        AckBody::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| ApiError::BadRequest(format!("invalid JSON body: {e}")))?
    };
    if body.comment.chars().count() > MAX_COMMENT {
        return Err(ApiError::BadRequest(format!(
            "comment is longer than {MAX_COMMENT} characters"
        )));
    }
    let alert = state
        .service
        .ack(&admin.actor(), &id, &body.comment)
        .await?;
    Ok(Json(alert))
}
