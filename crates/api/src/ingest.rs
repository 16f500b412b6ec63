//! `POST /api/v1/ingest`: decode, validate and durably store one agent batch, all or nothing,
//! then hand the samples rules need to the alert engine.

use crate::auth::Agent;
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::body::{Body, to_bytes};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::header::{CONTENT_ENCODING, CONTENT_LENGTH};
use hostpulse_proto::{CodecError, IngestReply, decode_batch, validate_batch};
use hostpulse_store::IngestOutcome;

/// Accepts a batch from an authenticated agent and answers once it is stored.
pub async fn ingest(
    State(state): State<AppState>,
    Agent(agent): Agent,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<IngestReply>, ApiError> {
    let limit = state.limits.max_body_bytes;
    check_declared_length(&headers, limit)?;
    let gzip = content_is_gzip(&headers)?;
    let bytes = to_bytes(body, limit).await.map_err(|_| too_large(limit))?;
    let batch = decode_batch(&bytes, gzip, state.limits.max_inflated_bytes)
        .map_err(codec_error)
        .inspect_err(|e| refused(&agent, e))?;
    validate_batch(&batch, state.clock.now_ms(), &state.limits.batch)
        .map_err(|e| ApiError::Unprocessable(e.to_string()))
        .inspect_err(|e| refused(&agent, e))?;
    let seq = batch.seq;
    let observation = state
        .engine
        .as_ref()
        .map(|e| e.observe_batch(&agent, &batch));
    // A gzip body decodes to exactly the validated batch, so the store may keep it
    // as is rather than encoding the batch again.
    let outcome = if gzip {
        state
            .store
            .ingest_encoded(&agent, batch, bytes.to_vec())
            .await?
    } else {
        state.store.ingest(&agent, batch).await?
    };
    if let (Some(engine), Some(observation), IngestOutcome::Stored { .. }) =
        (&state.engine, observation, outcome)
    {
        engine.commit_observation(observation);
    }
    let reply = match outcome {
        IngestOutcome::Stored { samples } => IngestReply {
            seq,
            duplicate: false,
            samples,
        },
        IngestOutcome::Duplicate => IngestReply {
            seq,
            duplicate: true,
            samples: 0,
        },
    };
    Ok(Json(reply))
}

fn refused(agent: &str, err: &ApiError) {
    tracing::warn!(agent, reason = %err, "ingest batch refused");
}

fn too_large(limit: usize) -> ApiError {
    ApiError::PayloadTooLarge(format!("request body exceeds {limit} bytes"))
}

fn check_declared_length(headers: &HeaderMap, limit: usize) -> Result<(), ApiError> {
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    match declared {
        Some(len) if len > limit => Err(too_large(limit)),
        _ => Ok(()),
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
        CodecError::TooLarge { .. } => ApiError::PayloadTooLarge(err.to_string()),
        CodecError::Gzip(_) | CodecError::Json(_) => ApiError::BadRequest(err.to_string()),
    }
}
