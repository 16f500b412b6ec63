//! Shared test fixtures: alerts, configurations and a restartable manager on a virtual clock.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::time::Duration;

use hostpulse_alerting::{AlertManager, NotificationLog};
use hostpulse_alerting::{AlertingConfig, RouteSettings};
use hostpulse_core::{
    Ack, Alert, AlertState, Labels, Notification, NotificationKind, Severity, Silence,
    alert_fingerprint,
};

pub const SEC: i64 = 1_000;
pub const MIN: i64 = 60 * SEC;
pub const HOUR: i64 = 60 * MIN;

/// A firing alert of `rule` on `host`, firing since `since_ms`.
pub fn firing(rule: &str, host: &str, since_ms: i64) -> Alert {
    let labels = Labels::new();
    Alert {
        id: alert_fingerprint(rule, host, &labels),
        rule: rule.into(),
        host: host.into(),
        labels,
        severity: Severity::Warning,
        state: AlertState::Firing,
        value: 91.0,
        threshold: Some(85.0),
        summary: format!("{rule} on {host}"),
        description: String::new(),
        annotations: BTreeMap::new(),
        active_since_ms: since_ms,
        firing_since_ms: Some(since_ms),
        resolved_ms: None,
        last_eval_ms: since_ms,
        ack: None,
        dry_run: false,
    }
}

pub fn resolved(mut alert: Alert, at_ms: i64) -> Alert {
    alert.state = AlertState::Resolved;
    alert.resolved_ms = Some(at_ms);
    alert
}

pub fn acked(mut alert: Alert, at_ms: i64) -> Alert {
    alert.ack = Some(Ack {
        by: "admin".into(),
        at_ms,
        comment: "on it".into(),
    });
    alert
}

/// Defaults with round timings: group_wait 10s, group_interval 1m, repeat 1h.
pub fn config() -> AlertingConfig {
    AlertingConfig {
        defaults: RouteSettings {
            group_wait: Duration::from_secs(10),
            group_interval: Duration::from_secs(60),
            repeat_interval: Duration::from_secs(3_600),
            ..RouteSettings::default()
        },
        ..AlertingConfig::default()
    }
}

pub fn manager(config: &AlertingConfig) -> AlertManager {
    manager_with_log(config, NotificationLog::new())
}

pub fn manager_with_log(config: &AlertingConfig, log: NotificationLog) -> AlertManager {
    let groups = BTreeMap::from([("web".to_owned(), vec!["web-*".to_owned()])]);
    AlertManager::new(config, &groups, log).expect("valid configuration")
}

/// The kinds of `notifications`, in order.
pub fn kinds(notifications: &[Notification]) -> Vec<NotificationKind> {
    notifications.iter().map(|n| n.kind).collect()
}

/// Runs the manager every `step_ms` from `from_ms` to `to_ms` inclusive, collecting
/// `(time, notification)` pairs.
pub fn run(
    manager: &mut AlertManager,
    from_ms: i64,
    to_ms: i64,
    step_ms: i64,
    alerts: &[Alert],
    silences: &[Silence],
) -> Vec<(i64, Notification)> {
    let mut out = Vec::new();
    let mut now = from_ms;
    while now <= to_ms {
        out.extend(
            manager
                .process(now, alerts, silences)
                .into_iter()
                .map(|n| (now, n)),
        );
        now += step_ms;
    }
    out
}
