//! Receivers: their delivery status, test messages, and requeueing dead letters.

use crate::auth::Admin;
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use hostpulse_core::Notification;
use hostpulse_delivery::{ReceiverStatus, TestOutcome};

/// `GET /api/v1/receivers`: every receiver with its backoff, last error and outbox counts.
pub async fn list(
    State(state): State<AppState>,
    _: Admin,
) -> Result<Json<Vec<ReceiverStatus>>, ApiError> {
    Ok(Json(state.service.receiver_status().await?))
}

/// `POST /api/v1/receivers/{name}/test`: sends a test message now and reports the outcome
/// (a failed delivery is a successful call with `delivered: false`).
pub async fn test(
    State(state): State<AppState>,
    admin: Admin,
    Path(name): Path<String>,
) -> Result<Json<TestOutcome>, ApiError> {
    Ok(Json(state.service.test_send(&admin.actor(), &name).await?))
}

/// `POST /api/v1/notifications/{id}/requeue`: a dead-lettered notification is delivered again.
pub async fn requeue(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<i64>,
) -> Result<Json<Notification>, ApiError> {
    Ok(Json(state.service.requeue(&admin.actor(), id).await?))
}
