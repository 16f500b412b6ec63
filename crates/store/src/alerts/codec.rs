//! JSON encoding of alerting rows, delivery status names and the opaque page cursors.

use crate::StoreError;
use hostpulse_core::{Alert, AlertTransition, DeliveryStatus, Notification, NotificationKind};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Encodes a row's JSON.
pub fn to_json<T: Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Database(format!("cannot encode: {e}")))
}

/// Decodes a row's JSON; `what` names the row in the error.
pub fn from_json<T: DeserializeOwned>(text: &str, what: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

fn check_finite(value: f64, what: &str, id: &str) -> Result<(), StoreError> {
    if value.is_finite() {
        Ok(())
    } else {
        Err(StoreError::InvalidQuery(format!(
            "{what} {id:?} has a non-finite value {value}"
        )))
    }
}

/// Refuses values JSON cannot carry (they would not read back).
pub fn check_alert(alert: &Alert) -> Result<(), StoreError> {
    check_finite(alert.value, "alert", &alert.id)?;
    match alert.threshold {
        Some(threshold) => check_finite(threshold, "alert threshold", &alert.id),
        None => Ok(()),
    }
}

/// Refuses a transition whose value JSON cannot carry.
pub fn check_transition(transition: &AlertTransition) -> Result<(), StoreError> {
    check_finite(
        transition.value,
        "transition of alert",
        &transition.alert_id,
    )
}

/// Refuses a notification carrying an alert with a value JSON cannot carry.
pub fn check_notification(notification: &Notification) -> Result<(), StoreError> {
    notification.alerts.iter().try_for_each(check_alert)
}

/// Column value of a delivery status.
pub fn status_name(status: DeliveryStatus) -> &'static str {
    match status {
        DeliveryStatus::Pending => "pending",
        DeliveryStatus::Sending => "sending",
        DeliveryStatus::Sent => "sent",
        DeliveryStatus::DryRun => "dry_run",
        DeliveryStatus::Dead => "dead",
    }
}

/// Parses a delivery status column value (also used for query parameters).
pub fn parse_status(text: &str) -> Option<DeliveryStatus> {
    match text {
        "pending" => Some(DeliveryStatus::Pending),
        "sending" => Some(DeliveryStatus::Sending),
        "sent" => Some(DeliveryStatus::Sent),
        "dry_run" => Some(DeliveryStatus::DryRun),
        "dead" => Some(DeliveryStatus::Dead),
        _ => None,
    }
}

/// Column value of a notification kind (its serde name, as in the row's JSON).
pub fn kind_name(kind: NotificationKind) -> &'static str {
    match kind {
        NotificationKind::Firing => "firing",
        NotificationKind::Repeat => "repeat",
        NotificationKind::Escalation => "escalation",
        NotificationKind::Resolved => "resolved",
        NotificationKind::Test => "test",
    }
}

/// Column value of a list of provider ids: a JSON array, or NULL when there are none.
pub fn provider_ids_column(ids: &[String]) -> Result<Option<String>, StoreError> {
    if ids.is_empty() {
        Ok(None)
    } else {
        to_json(&ids).map(Some)
    }
}

/// Parses the provider ids column of notification `id` (NULL means none).
pub fn parse_provider_ids(column: Option<&str>, id: i64) -> Result<Vec<String>, StoreError> {
    match column {
        None => Ok(Vec::new()),
        Some(text) => from_json(text, &format!("provider ids of notification {id}")),
    }
}

/// Position after which an older page starts: `(at_ms, id)` of the last entry shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub at_ms: i64,
    pub id: i64,
}

impl Cursor {
    /// The opaque text form, `before:<at_ms>:<id>`.
    pub fn encode(self) -> String {
        format!("before:{}:{}", self.at_ms, self.id)
    }

    /// Parses the text form; `None` input means the first page.
    pub fn decode(text: Option<&str>) -> Result<Option<Cursor>, StoreError> {
        let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
            return Ok(None);
        };
        let invalid = || StoreError::InvalidQuery(format!("invalid cursor {text:?}"));
        let rest = text.strip_prefix("before:").ok_or_else(invalid)?;
        let (at_ms, id) = rest.split_once(':').ok_or_else(invalid)?;
        Ok(Some(Cursor {
            at_ms: at_ms.parse().map_err(|_| invalid())?,
            id: id.parse().map_err(|_| invalid())?,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let cursor = Cursor { at_ms: 17, id: 4 };
        assert_eq!(
            Cursor::decode(Some(&cursor.encode())).unwrap(),
            Some(cursor)
        );
        assert_eq!(Cursor::decode(None).unwrap(), None);
        assert_eq!(Cursor::decode(Some("")).unwrap(), None);
        for bad in ["17:4", "before:x:4", "before:17", "before:1:2:3"] {
            assert!(Cursor::decode(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn status_names_round_trip() {
        for status in [
            DeliveryStatus::Pending,
            DeliveryStatus::Sending,
            DeliveryStatus::Sent,
            DeliveryStatus::DryRun,
            DeliveryStatus::Dead,
        ] {
            assert_eq!(parse_status(status_name(status)), Some(status));
        }
        assert_eq!(parse_status("lost"), None);
    }

    #[test]
    fn kind_names_match_the_json_names() {
        for kind in [
            NotificationKind::Firing,
            NotificationKind::Repeat,
            NotificationKind::Escalation,
            NotificationKind::Resolved,
            NotificationKind::Test,
        ] {
            assert_eq!(to_json(&kind).unwrap(), format!("\"{}\"", kind_name(kind)));
        }
    }

    #[test]
    fn provider_ids_round_trip_and_none_is_null() {
        assert_eq!(provider_ids_column(&[]).unwrap(), None);
        let ids = vec!["41".to_string(), "42".to_string()];
        let column = provider_ids_column(&ids).unwrap();
        assert_eq!(column.as_deref(), Some(r#"["41","42"]"#));
        assert_eq!(parse_provider_ids(column.as_deref(), 1).unwrap(), ids);
        assert!(parse_provider_ids(None, 1).unwrap().is_empty());
        assert!(matches!(
            parse_provider_ids(Some("{"), 1),
            Err(StoreError::Corrupt(_))
        ));
    }
}
