//! Rule statuses for the API: each rule with its pending and firing counts.

use crate::api_types::RuleStatus;
use crate::state::State;
use hostpulse_core::{Alert, AlertState};

/// One status per loaded rule, in load order.
pub fn rule_statuses(state: &State, alerts: &[Alert]) -> Vec<RuleStatus> {
    state
        .rules
        .iter()
        .map(|rule| {
            let count = |s: AlertState| {
                let n = alerts
                    .iter()
                    .filter(|a| a.rule == rule.name && a.state == s)
                    .count();
                u32::try_from(n).unwrap_or(u32::MAX)
            };
            RuleStatus {
                name: rule.name.clone(),
                expr: rule.expr.clone(),
                clear: rule.clear_expr.clone(),
                for_ms: rule.for_ms,
                severity: rule.severity,
                description: rule.description.clone(),
                source: rule.source.as_ref().map(|p| p.display().to_string()),
                builtin: rule.builtin,
                dry_run: rule.dry_run,
                pending: count(AlertState::Pending),
                firing: count(AlertState::Firing),
                last_eval_ms: state.rule_evaluated_ms.get(&rule.name).copied(),
                last_error: None,
            }
        })
        .collect()
}
