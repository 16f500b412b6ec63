//! The engine's mutable state: rules, alert lifecycle, alert manager, silences, and the
//! changes not yet persisted.

use crate::heal::HealBook;
use crate::restart::RestartGrace;
use hostpulse_alerting::AlertManager;
use hostpulse_alerting::AlertingConfig;
use hostpulse_core::{Alert, Silence};
use hostpulse_rules::{Lifecycle, Rule};
use hostpulse_store::AlertChanges;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

/// Everything one evaluation reads and changes.
pub struct State {
    pub rules: Vec<Rule>,
    pub rule_files: Vec<PathBuf>,
    pub host_groups: BTreeMap<String, Vec<String>>,
    pub alerting: AlertingConfig,
    pub lifecycle: Lifecycle,
    pub manager: AlertManager,
    pub silences: Vec<Silence>,
    /// Changes whose save failed; merged into the next save.
    pub unsaved: AlertChanges,
    /// Host → time of its last evaluation.
    pub host_evaluated_ms: HashMap<String, i64>,
    /// Rule → time of its last evaluation.
    pub rule_evaluated_ms: HashMap<String, i64>,
    /// Hosts whose evaluation waits for their agent to catch up after the start.
    pub restart: RestartGrace,
    /// Attempts and outcomes of the alerts `heal:` rules are working on.
    pub heal: HealBook,
}

/// Merges `more` into `into`, keeping order (used to retry a failed save).
pub fn merge_changes(into: &mut AlertChanges, more: AlertChanges) {
    let replaced =
        |id: &String| more.upsert.iter().any(|b| &b.id == id) || more.delete.contains(id);
    into.upsert.retain(|a| !replaced(&a.id));
    into.delete.retain(|id| !replaced(id));
    into.upsert.extend(more.upsert);
    into.delete.extend(more.delete);
    into.transitions.extend(more.transitions);
    into.notifications.extend(more.notifications);
    into.state.extend(more.state);
}

/// The alerts the API shows: pending and firing, most severe and newest first.
pub fn sorted_alerts(mut alerts: Vec<Alert>) -> Vec<Alert> {
    alerts.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(b.active_since_ms.cmp(&a.active_since_ms))
            .then(a.id.cmp(&b.id))
    });
    alerts
}
