//! The group and record stages: the key and labels of an alert's group on a route, and the
//! notification records (one per receiver) for a decision.

use hostpulse_core::{Alert, DeliveryStatus, Labels, Notification, NotificationKind, Severity};

use crate::labels::label_value;

/// Prefix of the group keys of dry-run alerts, which never share a group with real ones.
pub const DRY_RUN_PREFIX: &str = "dry_run:";

/// The group key and group labels of `alert` on route `route_name`: the route and the
/// values of its `group_by` labels, e.g. `route0{host="web-1",rule="high_cpu"}`.
pub fn group_key(route_name: &str, group_by: &[String], alert: &Alert) -> (String, Labels) {
    let mut labels = Labels::new();
    for name in group_by {
        if let Some(value) = label_value(alert, name) {
            labels.insert(name.clone(), value.to_owned());
        }
    }
    let mut key = String::with_capacity(64);
    if alert.dry_run {
        key.push_str(DRY_RUN_PREFIX);
    }
    key.push_str(route_name);
    key.push('{');
    for (i, (name, value)) in labels.iter().enumerate() {
        if i > 0 {
            key.push(',');
        }
        key.push_str(name);
        key.push_str("=\"");
        key.push_str(&value.replace('\\', "\\\\").replace('"', "\\\""));
        key.push('"');
    }
    key.push('}');
    (key, labels)
}

/// What one notification is about, before it is addressed to receivers.
pub struct Draft<'a> {
    pub group_key: &'a str,
    pub group_labels: &'a Labels,
    pub kind: NotificationKind,
    pub alerts: Vec<Alert>,
    /// Overrides the highest severity among the alerts (escalation).
    pub severity: Option<Severity>,
    pub escalation_step: Option<u32>,
    pub dry_run: bool,
}

/// One `Pending` (or `DryRun`) notification per receiver.
pub fn record(draft: Draft<'_>, receivers: &[String], now_ms: i64) -> Vec<Notification> {
    let severity = draft.severity.unwrap_or_else(|| {
        draft
            .alerts
            .iter()
            .map(|a| a.severity)
            .max()
            .unwrap_or_default()
    });
    let status = if draft.dry_run || draft.alerts.iter().all(|a| a.dry_run) {
        DeliveryStatus::DryRun
    } else {
        DeliveryStatus::Pending
    };
    receivers
        .iter()
        .map(|receiver| Notification {
            id: 0,
            receiver: receiver.clone(),
            group_key: draft.group_key.to_owned(),
            group_labels: draft.group_labels.clone(),
            kind: draft.kind,
            severity,
            alerts: draft.alerts.clone(),
            created_ms: now_ms,
            status,
            attempts: 0,
            last_error: None,
            escalation_step: draft.escalation_step,
            provider_ids: Vec::new(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::tests::alert;

    #[test]
    fn group_key_names_route_and_group_labels() {
        let a = alert("high_cpu", "web-1", &[("mount", "/")], 0);
        let (key, labels) = group_key(
            "route0",
            &["rule".into(), "host".into(), "iface".into()],
            &a,
        );
        assert_eq!(key, r#"route0{host="web-1",rule="high_cpu"}"#);
        assert_eq!(labels.len(), 2);
        let mut dry = a;
        dry.dry_run = true;
        assert!(
            group_key("default", &[], &dry)
                .0
                .starts_with(DRY_RUN_PREFIX)
        );
    }

    #[test]
    fn one_record_per_receiver_with_status_and_severity() {
        let labels = Labels::new();
        let mut critical = alert("a", "h", &[], 0);
        critical.severity = Severity::Critical;
        let draft = |dry_run, alerts: Vec<Alert>| Draft {
            group_key: "g",
            group_labels: &labels,
            kind: NotificationKind::Firing,
            alerts,
            severity: None,
            escalation_step: None,
            dry_run,
        };
        let alerts = vec![alert("b", "h", &[], 0), critical.clone()];
        let sent = record(draft(false, alerts.clone()), &["x".into(), "y".into()], 7);
        assert_eq!(sent.len(), 2);
        assert!(sent.iter().all(|n| n.status == DeliveryStatus::Pending
            && n.severity == Severity::Critical
            && n.created_ms == 7));
        let dry = record(draft(true, alerts), &["x".into()], 7);
        assert_eq!(dry[0].status, DeliveryStatus::DryRun);
        critical.dry_run = true;
        assert_eq!(
            record(draft(false, vec![critical]), &["x".into()], 7)[0].status,
            DeliveryStatus::DryRun
        );
    }
}
