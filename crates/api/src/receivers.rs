//! Receivers: their delivery status, test messages, and requeueing dead letters.

use crate::audit;
use crate::auth::Admin;
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use hostpulse_core::Notification;
use hostpulse_delivery::{DeliveryError, ReceiverStatus, TestOutcome};

impl From<DeliveryError> for ApiError {
    fn from(err: DeliveryError) -> Self {
        match err {
            DeliveryError::UnknownReceiver(_) | DeliveryError::UnknownNotification(_) => {
                ApiError::NotFound(err.to_string())
            }
            DeliveryError::Invalid(why) => ApiError::Conflict(why),
            DeliveryError::Store(store) => ApiError::from(store),
        }
    }
}

/// `GET /api/v1/receivers`: every receiver with its backoff, last error and outbox counts.
pub async fn list(
    State(state): State<AppState>,
    _: Admin,
) -> Result<Json<Vec<ReceiverStatus>>, ApiError> {
    let engine = state.engine()?;
    Ok(Json(engine.delivery().status().await?))
}

/// `POST /api/v1/receivers/{name}/test`: sends a test message now and reports the outcome
/// (a failed delivery is a successful call with `delivered: false`).
pub async fn test(
    State(state): State<AppState>,
    admin: Admin,
    Path(name): Path<String>,
) -> Result<Json<TestOutcome>, ApiError> {
    let engine = state.engine()?;
    let result = engine.delivery().send_test(&name).await;
    let outcome = match &result {
        Ok(test) if test.delivered => Ok(()),
        Ok(test) => Err(format!(
            "not delivered: {}",
            test.error.as_deref().unwrap_or("unknown reason")
        )),
        Err(e) => Err(e.to_string()),
    };
    let target = format!("receiver {name}");
    audit::record_outcome(&state, &admin.name, "receiver.test", &target, outcome).await;
    Ok(Json(result?))
}

/// `POST /api/v1/notifications/{id}/requeue`: a dead-lettered notification is delivered again.
pub async fn requeue(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<i64>,
) -> Result<Json<Notification>, ApiError> {
    let engine = state.engine()?;
    let result = engine.delivery().requeue(id).await.map_err(ApiError::from);
    let target = format!("notification {id}");
    audit::record(
        &state,
        &admin.name,
        "notification.requeue",
        &target,
        &result,
    )
    .await;
    Ok(Json(result?))
}
