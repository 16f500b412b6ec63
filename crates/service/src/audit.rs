//! The one audit builder: every operation records who did what to what, when, and how it
//! went. A failure to record is logged, never turned into a failure of the operation.

use crate::Service;
use crate::action::{Action, Operation};
use crate::actor::Actor;
use crate::error::ServiceError;
use hostpulse_store::AuditEntry;

/// The outcome text of a result: `Ok` or the error's text.
pub(crate) fn outcome<T>(result: &Result<T, ServiceError>) -> Result<(), String> {
    match result {
        Ok(_) => Ok(()),
        Err(error) => Err(error.to_string()),
    }
}

impl Service {
    /// Records `operation` by `actor` with `outcome` (`Err` carries the reason).
    pub(crate) async fn record(
        &self,
        actor: &Actor,
        operation: &Operation,
        outcome: Result<(), String>,
    ) {
        let result = match outcome {
            Ok(()) => "ok".to_string(),
            Err(error) => format!("error: {error}"),
        };
        self.record_text(actor, operation, result).await;
    }

    /// Records `operation` by `actor` with the result text `result` as written.
    pub(crate) async fn record_text(&self, actor: &Actor, operation: &Operation, result: String) {
        let Some(store) = &self.alert_store else {
            return;
        };
        let actor = actor.audit_name();
        let action = operation.action.name();
        let target = operation.target.as_str();
        tracing::info!(actor, action, target, result = %result, "audit");
        let entry = AuditEntry {
            at_ms: self.clock.now_ms(),
            actor,
            action: action.to_string(),
            target: target.to_string(),
            result,
        };
        if let Err(error) = store.audit(entry).await {
            tracing::error!(%error, action, "cannot store the audit record");
        }
    }

    /// Records an operation a front-end refused before it reached the service (bad
    /// arguments of a chat command, say), so that every attempt is in the audit log.
    pub async fn record_refusal(&self, actor: &Actor, operation: &Operation, reason: &str) {
        self.record(actor, operation, Err(reason.to_string())).await;
    }

    /// `Forbidden` unless `actor` may perform `action`; nothing is recorded for a refusal.
    pub(crate) fn authorize(&self, actor: &Actor, action: Action) -> Result<(), ServiceError> {
        let needed = action.min_role();
        if actor.may(needed) {
            return Ok(());
        }
        tracing::warn!(actor = %actor.audit_name(), action = action.name(), "operation refused: role too low");
        Err(ServiceError::Forbidden { action, needed })
    }
}
