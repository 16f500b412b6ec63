//! Silences: list (`GET`), create (`POST`) and expire (`DELETE /api/v1/silences/{id}`).
//!
//! The engine owns silences when it runs; without it they are read and written in the
//! alerting store directly, and the engine loads them when it starts.

use crate::auth::Admin;
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use hostpulse_core::duration::parse_duration_ms;
use hostpulse_core::matcher::{parse_matcher, validate_matcher};
use hostpulse_core::{Matcher, Silence};
use hostpulse_engine::NewSilence;
use serde::{Deserialize, Serialize};

/// Longest silence accepted.
pub use hostpulse_service::MAX_SILENCE_MS;
/// Most matchers in one silence.
pub const MAX_MATCHERS: usize = 32;

/// A matcher as text (`host=web-1`) or as an object (`{"name", "op", "value"}`).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum MatcherInput {
    Text(String),
    Object(Matcher),
}

/// Body of `POST /api/v1/silences`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SilenceBody {
    pub matchers: Vec<MatcherInput>,
    /// Start, Unix ms; default now.
    #[serde(default)]
    pub starts_ms: Option<i64>,
    /// End, Unix ms; or give `duration`.
    #[serde(default)]
    pub ends_ms: Option<i64>,
    /// Length from the start, e.g. `2h`; or give `ends_ms`.
    #[serde(default)]
    pub duration: Option<String>,
    /// Default: the API token's name.
    #[serde(default)]
    pub author: Option<String>,
    #[serde(default)]
    pub comment: String,
}

/// Query string of `GET /api/v1/silences`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// Include silences that already ended.
    #[serde(default)]
    pub all: bool,
}

/// `GET /api/v1/silences`: silences that have not ended (all with `?all=true`).
pub async fn list(
    State(state): State<AppState>,
    _: Admin,
    Query(params): Query<ListParams>,
) -> Result<Json<Vec<Silence>>, ApiError> {
    let silences = match (&state.engine, params.all) {
        (Some(engine), false) => engine.silences().await?,
        _ => state.alert_store()?.silences(params.all).await?,
    };
    Ok(Json(silences))
}

/// Checks a silence request and turns it into the engine's form.
pub fn validate(
    body: SilenceBody,
    default_author: &str,
    now_ms: i64,
) -> Result<NewSilence, ApiError> {
    let matchers = parse_matchers(body.matchers)?;
    let starts_ms = body.starts_ms.unwrap_or(now_ms);
    let ends_ms = resolve_end(starts_ms, body.ends_ms, body.duration.as_deref())?;
    check_window(starts_ms, ends_ms, now_ms)?;
    let author = body
        .author
        .map(|a| a.trim().to_string())
        .filter(|a| !a.is_empty())
        .unwrap_or_else(|| default_author.to_string());
    check_text("author", &author, 256)?;
    check_text("comment", &body.comment, crate::alerts::MAX_COMMENT)?;
    Ok(NewSilence {
        matchers,
        starts_ms: Some(starts_ms),
        ends_ms,
        author,
        comment: body.comment,
    })
}

fn parse_matchers(inputs: Vec<MatcherInput>) -> Result<Vec<Matcher>, ApiError> {
    let bad = ApiError::BadRequest;
    if inputs.is_empty() {
        return Err(bad(
            "a silence needs at least one matcher, e.g. host=web-1".into()
        ));
    }
    if inputs.len() > MAX_MATCHERS {
        return Err(bad(format!(
            "a silence has at most {MAX_MATCHERS} matchers"
        )));
    }
    inputs
        .into_iter()
        .map(|input| match input {
            MatcherInput::Text(text) => parse_matcher(&text).map_err(|e| bad(e.to_string())),
            MatcherInput::Object(m) => validate_matcher(&m)
                .map(|()| m)
                .map_err(|e| bad(e.to_string())),
        })
        .collect()
}

fn resolve_end(
    starts_ms: i64,
    ends_ms: Option<i64>,
    duration: Option<&str>,
) -> Result<i64, ApiError> {
    match (ends_ms, duration) {
        (Some(end), None) => Ok(end),
        (None, Some(text)) => {
            let length = parse_duration_ms(text).ok_or_else(|| {
                ApiError::BadRequest(format!("invalid duration {text:?}, e.g. 2h"))
            })?;
            Ok(starts_ms.saturating_add(length))
        }
        _ => Err(ApiError::BadRequest(
            "give exactly one of ends_ms and duration".into(),
        )),
    }
}

fn check_window(starts_ms: i64, ends_ms: i64, now_ms: i64) -> Result<(), ApiError> {
    if ends_ms <= starts_ms {
        return Err(ApiError::BadRequest(
            "the silence must end after it starts".into(),
        ));
    }
    if ends_ms <= now_ms {
        return Err(ApiError::BadRequest(
            "the silence would already be over".into(),
        ));
    }
    if ends_ms - starts_ms > MAX_SILENCE_MS {
        return Err(ApiError::BadRequest(
            "a silence lasts at most one year".into(),
        ));
    }
    Ok(())
}

fn check_text(what: &str, text: &str, max: usize) -> Result<(), ApiError> {
    if text.chars().count() > max {
        return Err(ApiError::BadRequest(format!(
            "{what} is longer than {max} characters"
        )));
    }
    Ok(())
}

/// Answer of `POST /api/v1/silences`: the silence and what looks wrong about its matchers.
#[derive(Debug, Serialize)]
pub struct SilenceCreated {
    #[serde(flatten)]
    pub silence: Silence,
    /// Matchers that match no current label, host, rule or value, with a "did you mean".
    pub warnings: Vec<String>,
}

/// `POST /api/v1/silences`: creates a silence; answers 201 with it and its warnings.
pub async fn add(
    State(state): State<AppState>,
    admin: Admin,
    body: Result<Json<SilenceBody>, JsonRejection>,
) -> Result<(StatusCode, Json<SilenceCreated>), ApiError> {
    let Json(body) = body.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let new = validate(body, &admin.name, state.clock.now_ms())?;
    let warnings = state.service.silence_warnings(&new.matchers).await?;
    let silence = state
        .service
        .create_silence(&admin.actor(), new.into())
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(SilenceCreated { silence, warnings }),
    ))
}

/// `DELETE /api/v1/silences/{id}`: ends the silence now; answers with it.
pub async fn expire(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
) -> Result<Json<Silence>, ApiError> {
    Ok(Json(
        state.service.expire_silence(&admin.actor(), &id).await?,
    ))
}
