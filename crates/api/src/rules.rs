//! Rules: list with state, reload from the configuration, and backtest over stored history.

use crate::auth::Admin;
use crate::error::ApiError;
use crate::query::parse_time;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use hostpulse_engine::{BacktestReport, BacktestRequest, ReloadReport, RuleStatus};
use serde::Deserialize;

/// Longest backtest range.
pub const MAX_BACKTEST_MS: i64 = 92 * 86_400_000;
/// Default start of a backtest, relative to now.
pub const DEFAULT_BACKTEST_FROM: &str = "-7d";

/// `GET /api/v1/rules`: every loaded rule with its state.
pub async fn list(
    State(state): State<AppState>,
    _: Admin,
) -> Result<Json<Vec<RuleStatus>>, ApiError> {
    Ok(Json(state.engine()?.rules()))
}

/// `POST /api/v1/rules/reload`: re-reads rules; on error the old rules keep running.
pub async fn reload(
    State(state): State<AppState>,
    admin: Admin,
) -> Result<Json<ReloadReport>, ApiError> {
    Ok(Json(state.service.reload(&admin.actor()).await?))
}

/// Body of `POST /api/v1/rules/backtest`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BacktestBody {
    /// Text of a rule file (a top-level `rules:` list).
    pub rules_yaml: String,
    /// Only this host; default every host.
    #[serde(default)]
    pub host: Option<String>,
    /// Unix seconds, `now`, `now-7d` or `-7d`; default `-7d`.
    #[serde(default)]
    pub from: Option<String>,
    /// As `from`; default now.
    #[serde(default)]
    pub to: Option<String>,
}

/// Checks a backtest request and resolves its times against `now_ms`.
pub fn backtest_request(body: BacktestBody, now_ms: i64) -> Result<BacktestRequest, ApiError> {
    if body.rules_yaml.trim().is_empty() {
        return Err(ApiError::BadRequest("rules_yaml is empty".into()));
    }
    let to_ms = parse_time(body.to.as_deref(), now_ms, now_ms)?;
    let from_text = body.from.as_deref().unwrap_or(DEFAULT_BACKTEST_FROM);
    let from_ms = parse_time(Some(from_text), now_ms, now_ms)?;
    if from_ms >= to_ms {
        return Err(ApiError::BadRequest("from must be before to".into()));
    }
    if to_ms - from_ms > MAX_BACKTEST_MS {
        return Err(ApiError::BadRequest(
            "a backtest covers at most 92 days".into(),
        ));
    }
    Ok(BacktestRequest {
        rules_yaml: body.rules_yaml,
        host: body.host.filter(|h| !h.is_empty()),
        from_ms,
        to_ms,
    })
}

/// `POST /api/v1/rules/backtest`: replays stored history through the given rules.
pub async fn backtest(
    State(state): State<AppState>,
    _: Admin,
    body: Result<Json<BacktestBody>, JsonRejection>,
) -> Result<Json<BacktestReport>, ApiError> {
    let Json(body) = body.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let request = backtest_request(body, state.clock.now_ms())?;
    Ok(Json(state.engine()?.backtest(request).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(from: Option<&str>, to: Option<&str>) -> BacktestBody {
        BacktestBody {
            rules_yaml: "rules: []".into(),
            host: Some(String::new()),
            from: from.map(Into::into),
            to: to.map(Into::into),
        }
    }

    #[test]
    fn backtest_times_resolve_against_now() {
        let now = 1_790_000_000_000;
        let request = backtest_request(body(None, None), now).unwrap();
        assert_eq!(
            (request.from_ms, request.to_ms),
            (now - 7 * 86_400_000, now)
        );
        assert_eq!(request.host, None);
        let request = backtest_request(body(Some("-2h"), Some("now-1h")), now).unwrap();
        assert_eq!(
            (request.from_ms, request.to_ms),
            (now - 7_200_000, now - 3_600_000)
        );
        assert!(backtest_request(body(Some("now"), Some("-1h")), now).is_err());
        assert!(backtest_request(body(Some("-200d"), None), now).is_err());
        assert!(backtest_request(body(Some("yesterday"), None), now).is_err());
    }
}
