//! Reading a request body into one buffer, bounded in size and, through the server's
//! body deadline, in time.

use crate::error::ApiError;
use crate::server::BodyTimeout;
use axum::body::Body;
use http_body_util::BodyExt;

/// 413 for a body over `limit` bytes.
pub fn too_large(limit: usize) -> ApiError {
    ApiError::PayloadTooLarge(format!("request body exceeds {limit} bytes"))
}

/// Collects `body` into one `Vec` (sized from `declared` when given), refusing more than
/// `limit` bytes with 413 and a body that was not sent in time with 408.
pub async fn read_body(
    body: Body,
    declared: Option<usize>,
    limit: usize,
) -> Result<Vec<u8>, ApiError> {
    let mut bytes = Vec::with_capacity(declared.unwrap_or(0).min(limit));
    let mut body = body;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(body_error)?;
        let Ok(data) = frame.into_data() else {
            continue;
        };
        if bytes.len() + data.len() > limit {
            return Err(too_large(limit));
        }
        bytes.extend_from_slice(&data);
    }
    Ok(bytes)
}

fn body_error(error: axum::Error) -> ApiError {
    if BodyTimeout::caused(&error) {
        ApiError::RequestTimeout(error.to_string())
    } else {
        ApiError::BadRequest(format!("the request body could not be read: {error}"))
    }
}
