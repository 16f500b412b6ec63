//! The synthetic notification `hostpulse notify test` sends to check a receiver end to end.

use std::collections::BTreeMap;

use hostpulse_core::{
    Alert, AlertState, DeliveryStatus, Labels, Notification, NotificationKind, Severity,
};

use crate::message::rfc3339;

/// Host name of the test alert.
const TEST_HOST: &str = "hostpulse-test";
/// Rule name of the test alert.
const TEST_RULE: &str = "notification_test";

/// A synthetic notification for `hostpulse notify test`: kind Test, severity Info, one alert on host
/// "hostpulse-test" whose summary says it is a test sent by <receiver> at <time>.
pub fn test_notification(receiver: &str, now_ms: i64) -> Notification {
    let labels = Labels::new();
    let alert = Alert {
        id: hostpulse_core::alert_fingerprint(TEST_RULE, TEST_HOST, &labels),
        rule: TEST_RULE.into(),
        host: TEST_HOST.into(),
        labels,
        severity: Severity::Info,
        state: AlertState::Firing,
        value: 0.0,
        threshold: None,
        summary: format!(
            "This is a test notification sent by receiver {receiver} at {}; no action is needed",
            rfc3339(now_ms)
        ),
        description: "Sent with `hostpulse notify test` to check this receiver.".into(),
        annotations: BTreeMap::new(),
        active_since_ms: now_ms,
        firing_since_ms: Some(now_ms),
        resolved_ms: None,
        last_eval_ms: now_ms,
        ack: None,
        dry_run: false,
    };
    Notification {
        id: 0,
        receiver: receiver.to_owned(),
        group_key: format!("test{{receiver={receiver:?}}}"),
        group_labels: Labels::from([("host".to_owned(), TEST_HOST.to_owned())]),
        kind: NotificationKind::Test,
        severity: Severity::Info,
        alerts: vec![alert],
        created_ms: now_ms,
        status: DeliveryStatus::Pending,
        attempts: 0,
        last_error: None,
        escalation_step: None,
        provider_ids: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_an_info_test_about_one_alert_naming_receiver_and_time() {
        let n = test_notification("ops-mail", 1_709_210_096_000);
        assert_eq!(
            (n.kind, n.severity, n.id),
            (NotificationKind::Test, Severity::Info, 0)
        );
        let [alert] = n.alerts.as_slice() else {
            panic!("one alert: {:?}", n.alerts)
        };
        assert_eq!(alert.host, "hostpulse-test");
        assert!(
            alert.summary.contains("test")
                && alert.summary.contains("ops-mail")
                && alert.summary.contains("2024-02-29T12:34:56Z"),
            "{}",
            alert.summary
        );
        assert_eq!(n.receiver, "ops-mail");
    }

    #[test]
    fn keys_differ_per_receiver_and_time_and_repeat_for_the_same_pair() {
        let key = |receiver: &str, ms: i64| test_notification(receiver, ms).idempotency_key();
        assert_eq!(key("a", 1), key("a", 1));
        assert_ne!(key("a", 1), key("b", 1));
        assert_ne!(key("a", 1), key("a", 2));
    }
}
