//! Audit records of state-changing alerting calls: who did what to what, when, and how it went.

use crate::error::ApiError;
use crate::state::AppState;
use hostpulse_store::AuditEntry;

/// Records `action` on `target` by `actor` with the outcome of `result`.
///
/// A failure to record is logged, never turned into a failure of the call itself.
pub async fn record<T>(
    state: &AppState,
    actor: &str,
    action: &str,
    target: &str,
    result: &Result<T, ApiError>,
) {
    let outcome = match result {
        Ok(_) => Ok(()),
        Err(error) => Err(error.to_string()),
    };
    record_outcome(state, actor, action, target, outcome).await;
}

/// Records `action` on `target` by `actor` with an outcome given as text.
pub async fn record_outcome(
    state: &AppState,
    actor: &str,
    action: &str,
    target: &str,
    outcome: Result<(), String>,
) {
    let Some(store) = &state.alert_store else {
        return;
    };
    let outcome = match outcome {
        Ok(()) => "ok".to_string(),
        Err(error) => format!("error: {error}"),
    };
    tracing::info!(actor, action, target, result = %outcome, "audit");
    let entry = AuditEntry {
        at_ms: state.clock.now_ms(),
        actor: actor.to_string(),
        action: action.to_string(),
        target: target.to_string(),
        result: outcome,
    };
    if let Err(error) = store.audit(entry).await {
        tracing::error!(%error, action, "cannot store the audit record");
    }
}
