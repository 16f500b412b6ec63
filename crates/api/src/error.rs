//! The single mapping from API failures to HTTP status and a JSON `{error, detail}` body.

use axum::Json;
use axum::http::header::{RETRY_AFTER, UPGRADE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use hostpulse_engine::EngineError;
use hostpulse_proto::{UNSUPPORTED_VERSION, VersionRange};
use hostpulse_service::{IngestError, ServiceError};
use hostpulse_store::StoreError;

/// Every way an API call can fail.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the request is malformed (bad parameter, JSON or header); the text says which.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// 401: no token, or one the hub does not know or has revoked; the text says which.
    #[error("unauthorized: {0}")]
    Unauthorized(&'static str),
    /// 403: the token is valid but may not use this route (its role is too low, or it is an
    /// agent token on an API route).
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// 404: the host, agent, alert, silence or other object named does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// 409: the object already exists, or the request conflicts with the hub's state (e.g.
    /// another live agent instance on the same token).
    #[error("conflict: {0}")]
    Conflict(String),
    /// 413: the body (compressed or inflated) or the decoded batch exceeds a configured limit.
    #[error("payload too large: {0}")]
    PayloadTooLarge(String),
    /// 415: the body's `Content-Encoding` is not one the route takes (gzip or identity).
    #[error("unsupported media type: {0}")]
    UnsupportedMediaType(String),
    /// 408: the body did not arrive within the server's read timeout.
    #[error("request timeout: {0}")]
    RequestTimeout(String),
    /// 422: the request is well formed but refused on its content (e.g. a batch with a
    /// sample too old or too far ahead, too many samples, or over a series limit).
    #[error("unprocessable: {0}")]
    Unprocessable(String),
    /// 429: this client sends too much; it may retry after `retry_after_secs`.
    #[error("too many requests: {detail}")]
    TooManyRequests {
        /// What limit was hit.
        detail: String,
        /// Seconds the client should wait, sent as `Retry-After`.
        retry_after_secs: u64,
    },
    /// 503 with `Retry-After`: the hub is busy; the client may retry after `retry_after_secs`.
    #[error("busy: {detail}")]
    Busy {
        /// What is busy.
        detail: String,
        /// Seconds the client should wait, sent as `Retry-After`.
        retry_after_secs: u64,
    },
    /// 500: a failure inside the hub (e.g. a database error); logged at error level.
    #[error("internal error: {0}")]
    Internal(String),
    /// 503: a part the route needs is not running (the alert engine, or the store while the
    /// hub shuts down).
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// 504: the host's agent did not answer a command before its deadline.
    #[error("gateway timeout: {0}")]
    GatewayTimeout(String),
    /// 426: a batch in a protocol version this hub cannot read; the body names the versions
    /// it reads (`versions`), and the agent keeps the batch for a hub that reads it.
    #[error("unsupported version: {detail}")]
    UnsupportedVersion {
        /// The version sent and the versions read, in words.
        detail: String,
        /// The protocol versions this hub reads.
        supported: VersionRange,
    },
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
            RequestTimeout(d) => (StatusCode::REQUEST_TIMEOUT, "request_timeout", d.clone()),
            Unprocessable(d) => (StatusCode::UNPROCESSABLE_ENTITY, "unprocessable", d.clone()),
            TooManyRequests { detail, .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_requests",
                detail.clone(),
            ),
            Busy { detail, .. } => (StatusCode::SERVICE_UNAVAILABLE, "busy", detail.clone()),
            Internal(d) => (StatusCode::INTERNAL_SERVER_ERROR, "internal", d.clone()),
            Unavailable(d) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable", d.clone()),
            GatewayTimeout(d) => (StatusCode::GATEWAY_TIMEOUT, "gateway_timeout", d.clone()),
            UnsupportedVersion { detail, .. } => (
                StatusCode::UPGRADE_REQUIRED,
                UNSUPPORTED_VERSION,
                detail.clone(),
            ),
        }
    }
}

impl ApiError {
    /// Seconds a client should wait before retrying, for the back-pressure answers.
    fn retry_after_secs(&self) -> Option<u64> {
        match self {
            ApiError::TooManyRequests {
                retry_after_secs, ..
            }
            | ApiError::Busy {
                retry_after_secs, ..
            } => Some(*retry_after_secs),
            _ => None,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, error, detail) = self.parts();
        if status.is_server_error() && !matches!(self, ApiError::Busy { .. }) {
            tracing::error!(%status, detail = %detail, "API request failed");
        }
        let mut body = serde_json::json!({ "error": error, "detail": detail });
        if let ApiError::UnsupportedVersion { supported, .. } = &self {
            body["versions"] = serde_json::json!(supported);
        }
        let mut response = (status, Json(body)).into_response();
        if let ApiError::UnsupportedVersion { supported, .. } = &self {
            let upgrade = format!("hostpulse-ingest/{}", supported.max);
            if let Ok(value) = HeaderValue::from_str(&upgrade) {
                response.headers_mut().insert(UPGRADE, value);
            }
        }
        if let Some(secs) = self.retry_after_secs() {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(secs));
        }
        response
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

impl From<ServiceError> for ApiError {
    fn from(err: ServiceError) -> Self {
        match err {
            ServiceError::Forbidden { .. } => {
                ApiError::Forbidden("this token may not use this endpoint")
            }
            ServiceError::NotFound(what) => ApiError::NotFound(what),
            ServiceError::Invalid(why) => ApiError::BadRequest(why),
            ServiceError::Conflict(why) => ApiError::Conflict(why),
            ServiceError::Unavailable(why) => ApiError::Unavailable(why),
            ServiceError::Store(store) => ApiError::from(store),
        }
    }
}

impl From<IngestError> for ApiError {
    fn from(err: IngestError) -> Self {
        match err {
            IngestError::Invalid(why) => ApiError::Unprocessable(why),
            IngestError::Store(store) => ApiError::from(store),
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
            (ApiError::RequestTimeout("x".into()), 408),
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

    #[test]
    fn back_pressure_carries_retry_after() {
        for (err, code) in [
            (
                ApiError::TooManyRequests {
                    detail: "x".into(),
                    retry_after_secs: 3,
                },
                429,
            ),
            (
                ApiError::Busy {
                    detail: "x".into(),
                    retry_after_secs: 3,
                },
                503,
            ),
        ] {
            let response = err.into_response();
            assert_eq!(response.status().as_u16(), code);
            assert_eq!(response.headers()[RETRY_AFTER], "3");
        }
    }
}
