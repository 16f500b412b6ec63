//! `GET /api/v1/query_range`: one metric of one host over a time range, bucketed by step.

use crate::auth::Admin;
use crate::chunked::body_from_chunks;
use crate::error::ApiError;
use crate::state::{ApiLimits, AppState};
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use hostpulse_core::duration::parse_duration_ms;
use hostpulse_core::matcher::parse_matcher_list;
use hostpulse_core::{Labels, MatchOp};
use hostpulse_store::{RangeQuery, RangeResult, RangeSize};
use serde::Deserialize;

/// Query-string parameters.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RangeParams {
    /// Agent name of the host.
    pub host: String,
    /// Metric name, e.g. `cpu.usage_percent`.
    pub metric: String,
    /// Label filter: `mount="/",device="sda1"` (equality matchers, quotes optional).
    pub labels: Option<String>,
    /// Unix seconds, RFC 3339-like `now-1h`, or a relative `-1h`; default end - 1h.
    pub start: Option<String>,
    /// As `start`; default now.
    pub end: Option<String>,
    /// Bucket width: a duration (`30s`, `5m`, `1.5h`) or seconds; default range / 300, at
    /// least 1 s.
    pub step: Option<String>,
}

/// Answers a range query, refusing one whose answer would exceed the per-answer caps
/// and streaming the JSON series by series.
pub(crate) async fn query_range(
    State(state): State<AppState>,
    _: Admin,
    Query(params): Query<RangeParams>,
) -> Result<Response, ApiError> {
    let now = state.clock.now_ms();
    let end_ms = parse_time(params.end.as_deref(), now, now)?;
    let start_ms = parse_time(params.start.as_deref(), now, end_ms - 3_600_000)?;
    if start_ms >= end_ms {
        return Err(ApiError::BadRequest("start must be before end".into()));
    }
    let step_ms = match params.step.as_deref() {
        Some(s) => parse_duration_ms(s).ok_or_else(|| bad("step", s))?,
        None => ((end_ms - start_ms) / 300).max(1000),
    };
    if step_ms <= 0 {
        return Err(ApiError::BadRequest("step must be positive".into()));
    }
    let labels = parse_labels(params.labels.as_deref().unwrap_or(""))?;
    let query = RangeQuery {
        host: params.host,
        metric: params.metric,
        labels,
        start_ms,
        end_ms,
        step_ms,
    };
    let size = state.store.range_size(&query).await?;
    check_size(&query, size, &state.limits)?;
    let result = state.store.query_range(query).await?;
    Ok(stream_json(result))
}

/// 400 naming the numbers and how to narrow the query when its answer could exceed the
/// per-answer caps.
fn check_size(query: &RangeQuery, size: RangeSize, limits: &ApiLimits) -> Result<(), ApiError> {
    let (max_series, max_points) = (limits.max_series_per_answer, limits.max_points_per_answer);
    if size.series > max_series {
        return Err(ApiError::BadRequest(format!(
            "{} matches {} series of host {:?}; an answer holds at most {max_series} \
             (server.max_series_per_query): filter on labels to match fewer series",
            query.metric, size.series, query.host
        )));
    }
    if size.points() > max_points {
        let range_ms = query.end_ms - query.start_ms;
        let per_series = (max_points / size.series.max(1)).max(1) as i64;
        let min_step_s = (range_ms / per_series / 1000).max(1) + 1;
        return Err(ApiError::BadRequest(format!(
            "the answer could hold {} series x {} steps = {} points; an answer holds at most \
             {max_points} (server.max_points_per_query): use a step of at least {min_step_s}s, \
             a shorter range, or filter on labels to match fewer series",
            size.series,
            size.steps,
            size.points()
        )));
    }
    Ok(())
}

/// Writes `result` as JSON one series at a time, freeing each once written, so the
/// whole answer is never held as one string.
fn stream_json(result: RangeResult) -> Response {
    let RangeResult { resolution, series } = result;
    let head = serde_json::to_vec(&resolution)
        .map(|r| [b"{\"resolution\":".as_slice(), &r, b",\"series\":["].concat())
        .unwrap_or_default();
    let chunks = std::iter::once(Bytes::from(head))
        .chain(series.into_iter().enumerate().map(|(index, one)| {
            let mut chunk = Vec::with_capacity(64 + one.points.len() * 80);
            if index > 0 {
                chunk.push(b',');
            }
            // Serialising plain numbers and strings into a Vec cannot fail.
            let _ = serde_json::to_writer(&mut chunk, &one);
            Bytes::from(chunk)
        }))
        .chain(std::iter::once(Bytes::from_static(b"]}")));
    let body = body_from_chunks(chunks);
    ([(CONTENT_TYPE, "application/json")], body).into_response()
}

fn bad(what: &str, value: &str) -> ApiError {
    ApiError::BadRequest(format!("invalid {what} {value:?}"))
}

/// Parses a time: absent → `default`; `now`; `now-1h` / `-1h`; `now+1h` / `+1h` (any
/// duration); Unix seconds (fractional ok).
pub fn parse_time(text: Option<&str>, now_ms: i64, default: i64) -> Result<i64, ApiError> {
    let Some(raw) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(default);
    };
    if raw == "now" {
        return Ok(now_ms);
    }
    if let Some(rel) = raw.strip_prefix("now-").or_else(|| raw.strip_prefix('-')) {
        let delta = parse_duration_ms(rel).ok_or_else(|| bad("time", raw))?;
        return Ok(now_ms - delta);
    }
    if let Some(rel) = raw.strip_prefix("now+").or_else(|| raw.strip_prefix('+')) {
        let delta = parse_duration_ms(rel).ok_or_else(|| bad("time", raw))?;
        return Ok(now_ms + delta);
    }
    let secs: f64 = raw.parse().map_err(|_| bad("time", raw))?;
    if !secs.is_finite() || !(0.0..1e11).contains(&secs) {
        return Err(bad("time", raw));
    }
    Ok((secs * 1000.0).round() as i64)
}

/// Parses `k="v",k2=v2` into labels: a list of `=` matchers in the one matcher grammar;
/// empty text is no filter.
pub(crate) fn parse_labels(text: &str) -> Result<Labels, ApiError> {
    if text.trim().is_empty() {
        return Ok(Labels::new());
    }
    let matchers = parse_matcher_list(text).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let mut labels = Labels::new();
    for matcher in matchers {
        if matcher.op != MatchOp::Eq {
            return Err(ApiError::BadRequest(format!(
                "invalid label matcher {:?}: the labels filter takes only name=value",
                matcher.name
            )));
        }
        labels.insert(matcher.name, matcher.value);
    }
    Ok(labels)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_times_take_every_duration_form() {
        let now = 1_700_000_000_000;
        assert_eq!(parse_time(Some("-1.5h"), now, 5).unwrap(), now - 5_400_000);
        assert_eq!(
            parse_time(Some("now-1h30m"), now, 5).unwrap(),
            now - 5_400_000
        );
        assert_eq!(parse_time(Some("-7d"), now, 5).unwrap(), now - 604_800_000);
        assert!(parse_time(Some("-7x"), now, 5).is_err());
    }

    #[test]
    fn times() {
        let now = 1_700_000_000_000;
        assert_eq!(parse_time(None, now, 5).unwrap(), 5);
        assert_eq!(parse_time(Some("now"), now, 5).unwrap(), now);
        assert_eq!(parse_time(Some("now-1h"), now, 5).unwrap(), now - 3_600_000);
        assert_eq!(parse_time(Some("-5m"), now, 5).unwrap(), now - 300_000);
        assert_eq!(parse_time(Some("+5m"), now, 5).unwrap(), now + 300_000);
        assert_eq!(parse_time(Some("now+1h"), now, 5).unwrap(), now + 3_600_000);
        assert_eq!(
            parse_time(Some("1700000000.5"), now, 5).unwrap(),
            1_700_000_000_500
        );
        assert!(parse_time(Some("yesterday"), now, 5).is_err());
        assert!(parse_time(Some("NaN"), now, 5).is_err());
    }

    #[test]
    fn labels() {
        let l = parse_labels(r#"mount="/", device=sda1"#).unwrap();
        assert_eq!(l.get("mount").map(String::as_str), Some("/"));
        assert_eq!(l.get("device").map(String::as_str), Some("sda1"));
        assert!(parse_labels("novalue").is_err());
        assert!(parse_labels("").unwrap().is_empty());
        let l = parse_labels(r#"comment="a, b",path="C:\\x""#).unwrap();
        assert_eq!(l.get("comment").map(String::as_str), Some("a, b"));
        assert_eq!(l.get("path").map(String::as_str), Some("C:\\x"));
        assert!(parse_labels("mount!=/").is_err());
        assert!(parse_labels("mount=~/v.*").is_err());
    }
}
