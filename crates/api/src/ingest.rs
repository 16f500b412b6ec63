//! `POST /api/v1/ingest`: read and decode one agent batch within the body limits, then hand
//! it to the ingest service (validate, store durably all or nothing, feed the alert engine).

use crate::auth::Agent;
use crate::body::{read_body, too_large};
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::header::{CONTENT_ENCODING, CONTENT_LENGTH};
use hostpulse_proto::{CodecError, DecodeLimits, IngestReply, decode_batch_bounded};
use hostpulse_store::IngestOutcome;
use tokio::sync::OwnedSemaphorePermit;

/// Accepts a batch from an authenticated agent and answers once it is stored.
pub async fn ingest(
    State(state): State<AppState>,
    Agent(agent): Agent,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<IngestReply>, ApiError> {
    let limit = state.limits.max_body_bytes;
    let declared = check_declared_length(&headers, limit)?;
    let gzip = content_is_gzip(&headers)?;
    // The slot is held until the batch is stored, so at most `max_concurrent_ingests`
    // bodies and decoded batches are in memory at once.
    let _slot = ingest_slot(&state).await?;
    let bytes = read_body(body, declared, limit).await?;
    let batch = decode_batch_bounded(&bytes, gzip, &decode_limits(&state))
        .map_err(codec_error)
        .inspect_err(|e| refused(&agent, e))?;
    let (seq, version) = (batch.seq, batch.version);
    // A gzip body decodes to exactly the batch, so the store may keep it as is rather
    // than encoding the batch again.
    let body = gzip.then_some(bytes);
    // Refusals by validation and the instance rules (409, 422) are logged as such.
    let outcome = state
        .service
        .ingest(&agent, batch, body)
        .await
        .map_err(ApiError::from)
        .inspect_err(|e| {
            if matches!(e, ApiError::Conflict(_) | ApiError::Unprocessable(_)) {
                refused(&agent, e);
            }
        })?;
    let reply = match outcome {
        IngestOutcome::Stored { samples } => IngestReply::stored(seq, samples, version),
        IngestOutcome::Duplicate => IngestReply::duplicate(seq, version),
    };
    Ok(Json(reply))
}

fn refused(agent: &str, err: &ApiError) {
    tracing::warn!(agent, reason = %err, "ingest batch refused");
}

/// Waits (bounded by `ingest_wait`) for one of the `max_concurrent_ingests` slots.
async fn ingest_slot(state: &AppState) -> Result<OwnedSemaphorePermit, ApiError> {
    let wait = state.limits.ingest_wait;
    let acquire = state.ingest_slots.clone().acquire_owned();
    match tokio::time::timeout(wait, acquire).await {
        Ok(Ok(permit)) => Ok(permit),
        Ok(Err(_)) => Err(ApiError::Unavailable("the hub is shutting down".into())),
        Err(_) => Err(ApiError::Busy {
            detail: format!(
                "{} ingest requests are already in progress (ingest.max_concurrent); retry later",
                state.limits.max_concurrent_ingests
            ),
            retry_after_secs: wait.as_secs().max(1),
        }),
    }
}

fn decode_limits(state: &AppState) -> DecodeLimits {
    DecodeLimits {
        max_inflated: state.limits.max_inflated_bytes,
        max_samples: state.limits.batch.max_samples_per_batch,
        max_decoded: state.limits.max_decoded_bytes,
    }
}

/// The declared `Content-Length`, refused with 413 when over `limit`.
fn check_declared_length(headers: &HeaderMap, limit: usize) -> Result<Option<usize>, ApiError> {
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    match declared {
        Some(len) if len > limit => Err(too_large(limit)),
        other => Ok(other),
    }
}

fn content_is_gzip(headers: &HeaderMap) -> Result<bool, ApiError> {
    match headers.get(CONTENT_ENCODING).map(|v| v.to_str()) {
        None => Ok(false),
        Some(Ok(v)) if v.eq_ignore_ascii_case("gzip") => Ok(true),
        Some(Ok(v)) if v.eq_ignore_ascii_case("identity") => Ok(false),
        Some(_) => Err(ApiError::UnsupportedMediaType(
            "Content-Encoding must be gzip or identity".into(),
        )),
    }
}

fn codec_error(err: CodecError) -> ApiError {
    match err {
        CodecError::TooLarge { .. } | CodecError::TooLargeDecoded { .. } => {
            ApiError::PayloadTooLarge(err.to_string())
        }
        CodecError::TooManySamples { .. } => ApiError::Unprocessable(err.to_string()),
        CodecError::Gzip(_) | CodecError::Json(_) => ApiError::BadRequest(err.to_string()),
        CodecError::UnsupportedVersion { supported, .. } => ApiError::UnsupportedVersion {
            detail: format!("{err}; the agent keeps the batch until a hub reads it"),
            supported,
        },
    }
}
