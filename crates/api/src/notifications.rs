//! `GET /api/v1/notifications`: the notification outbox, newest first, paged and filtered.

use crate::alerts::page_limit;
use crate::auth::Admin;
use crate::error::ApiError;
use crate::query::parse_time;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Query, State};
use hostpulse_store::{NotificationPage, NotificationQuery, parse_delivery_status};
use serde::Deserialize;

/// Query string of `GET /api/v1/notifications`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotificationParams {
    /// `pending`, `sending`, `sent`, `dry_run` or `dead`.
    pub status: Option<String>,
    pub receiver: Option<String>,
    /// Unix seconds, `now-24h` or `-24h`.
    pub since: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<usize>,
}

/// Lists notifications.
pub async fn list(
    State(state): State<AppState>,
    _: Admin,
    Query(params): Query<NotificationParams>,
) -> Result<Json<NotificationPage>, ApiError> {
    let store = state.alert_store()?;
    let status = match params.status.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(text) => Some(parse_delivery_status(text).ok_or_else(|| {
            ApiError::BadRequest(format!(
                "invalid status {text:?}: use pending, sending, sent, dry_run or dead"
            ))
        })?),
    };
    let now = state.clock.now_ms();
    let since_ms = match params.since.as_deref() {
        Some(text) => Some(parse_time(Some(text), now, now)?),
        None => None,
    };
    let query = NotificationQuery {
        status,
        receiver: params.receiver.filter(|r| !r.is_empty()),
        since_ms,
        cursor: params.cursor.filter(|c| !c.is_empty()),
        limit: page_limit(params.limit)?,
    };
    Ok(Json(store.notifications(query).await?))
}
