//! Threshold lines and firing periods of a `/graph` chart, from the rules and the alert
//! history of the host.

use crate::services::Services;
use hostpulse_core::{AlertState, AlertTransition};
use hostpulse_engine::RuleStatus;
use hostpulse_store::{HistoryEntry, HistoryQuery};
use std::collections::HashMap;

/// `(rule name, value)` of every rule of the simple form `metric OP number` on one of `metrics`.
pub(super) fn thresholds(rules: &[RuleStatus], metrics: &[&str]) -> Vec<(String, f64)> {
    rules
        .iter()
        .filter(|rule| !rule.dry_run)
        .filter_map(|rule| {
            let (metric, value) = simple_bound(&rule.expr)?;
            metrics
                .contains(&metric)
                .then(|| (rule.name.clone(), value))
        })
        .collect()
}

/// `cpu.usage_percent > 90` → `("cpu.usage_percent", 90.0)`.
fn simple_bound(expr: &str) -> Option<(&str, f64)> {
    let words: Vec<&str> = expr.split_whitespace().collect();
    let [metric, op, number] = words.as_slice() else {
        return None;
    };
    matches!(*op, ">" | ">=" | "<" | "<=").then_some(())?;
    Some((metric, number.parse().ok()?))
}

/// Periods within `span` when an alert of a rule on one of `metrics` was firing on `host`:
/// closed periods from the alert history, open ones from the engine's active alerts.
pub(super) async fn firing_periods(
    services: &Services,
    host: &str,
    rules: &[RuleStatus],
    metrics: &[&str],
    (start, end): (i64, i64),
) -> Vec<(i64, i64)> {
    let relevant: Vec<&str> = rules
        .iter()
        .filter(|rule| metrics.iter().any(|m| rule.expr.contains(m)))
        .map(|rule| rule.name.as_str())
        .collect();
    let query = HistoryQuery {
        hosts: vec![host.to_string()],
        rule: None,
        since_ms: Some(start),
        cursor: None,
        limit: 0,
    };
    let mut transitions: Vec<AlertTransition> =
        match services.alert_store.alert_history(query).await {
            Ok(page) => page.entries.into_iter().filter_map(transition).collect(),
            Err(error) => {
                tracing::warn!(%error, "cannot read the alert history for /graph");
                Vec::new()
            }
        };
    transitions.retain(|t| relevant.contains(&t.rule.as_str()));
    transitions.sort_by_key(|t| t.at_ms);
    let mut periods = closed_periods(&transitions, start);
    let active = services.engine.active_alerts();
    let open = active.iter().filter(|alert| {
        alert.host == host
            && alert.state == AlertState::Firing
            && relevant.contains(&alert.rule.as_str())
    });
    periods.extend(open.map(|alert| (alert.firing_since_ms.unwrap_or(start).max(start), end)));
    periods
}

fn transition(entry: HistoryEntry) -> Option<AlertTransition> {
    match entry {
        HistoryEntry::Transition { transition, .. } => Some(transition),
        HistoryEntry::Notification { .. } => None,
    }
}

/// Firing periods that ended, oldest first; one that began before `start` begins there.
fn closed_periods(transitions: &[AlertTransition], start: i64) -> Vec<(i64, i64)> {
    let mut began: HashMap<&str, i64> = HashMap::new();
    let mut periods = Vec::new();
    for t in transitions {
        if t.to == AlertState::Firing {
            began.entry(t.alert_id.as_str()).or_insert(t.at_ms);
        } else if t.from == Some(AlertState::Firing) {
            let from = began.remove(t.alert_id.as_str()).unwrap_or(start);
            periods.push((from, t.at_ms));
        }
    }
    periods
}
