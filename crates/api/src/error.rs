//! The single mapping from API failures to HTTP status and a JSON `{error, detail}` body.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hostpulse_engine::EngineError;
use hostpulse_store::StoreError;

/// Every way an API call can fail.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("unauthorized: {0}")]
    Unauthorized(&'static str),
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("payload too large: {0}")]
    PayloadTooLarge(String),
    #[error("unsupported media type: {0}")]
    UnsupportedMediaType(String),
    #[error("unprocessable: {0}")]
    Unprocessable(String),
    #[error("internal error: {0}")]
    Internal(String),
    #[error("unavailable: {0}")]
    Unavailable(String),
}

impl ApiError {
    fn parts(&self) -> (StatusCode, &'static str, String) {
        use ApiError::*;
        match self {
            BadRequest(d) => (StatusCode::BAD_REQUEST, "bad_request", d.clone()),
            Unauthorized(d) => (StatusCode::UNAUTHORIZED, "unauthorized", (*d).into()),
            Forbidden(d) => (StatusCode::FORBIDDEN, "forbidden", (*d).into()),
            NotFound(d) => (StatusCode::NOT_FOUND, "not_found", d.clone()),
            Conflict(d) => (StatusCode::CONFLICT, "conflict", d.clone()),
            PayloadTooLarge(d) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                d.clone(),
            ),
            UnsupportedMediaType(d) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                d.clone(),
            ),
            Unprocessable(d) => (StatusCode::UNPROCESSABLE_ENTITY, "unprocessable", d.clone()),
            Internal(d) => (StatusCode::INTERNAL_SERVER_ERROR, "internal", d.clone()),
            Unavailable(d) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable", d.clone()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, error, detail) = self.parts();
        if status.is_server_error() {
            tracing::error!(%status, detail = %detail, "API request failed");
        }
        let body = serde_json::json!({ "error": error, "detail": detail });
        (status, Json(body)).into_response()
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Conflict(what) => ApiError::Conflict(format!("{what} already exists")),
            StoreError::InvalidQuery(why) => ApiError::BadRequest(why),
            StoreError::Limit(why) => ApiError::Unprocessable(why),
            StoreError::InstanceConflict(why) => ApiError::Conflict(why),
            StoreError::SeqStep(why) => ApiError::Unprocessable(why),
            StoreError::Closed => ApiError::Unavailable("the hub is shutting down".into()),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<EngineError> for ApiError {
    fn from(err: EngineError) -> Self {
        match err {
            EngineError::NotFound(what) => ApiError::NotFound(what),
            EngineError::Invalid(why) => ApiError::BadRequest(why),
            EngineError::Unavailable(why) => ApiError::Unavailable(why),
            EngineError::Conflict(why) => ApiError::Conflict(why),
            EngineError::Store(store) => ApiError::from(store),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_match_kinds() {
        let cases = [
            (ApiError::BadRequest("x".into()), 400),
            (ApiError::Unauthorized("x"), 401),
            (ApiError::PayloadTooLarge("x".into()), 413),
            (ApiError::Unprocessable("x".into()), 422),
            (ApiError::from(StoreError::Conflict("agent a".into())), 409),
            (ApiError::from(StoreError::Closed), 503),
            (ApiError::from(StoreError::Limit("series".into())), 422),
            (ApiError::from(EngineError::NotFound("alert".into())), 404),
            (ApiError::from(EngineError::Invalid("rule".into())), 400),
            (ApiError::from(EngineError::Unavailable("off".into())), 503),
        ];
        for (err, code) in cases {
            assert_eq!(err.into_response().status().as_u16(), code);
        }
    }
}
