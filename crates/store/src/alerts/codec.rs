//! JSON encoding of alerting rows, delivery status names and the opaque page cursors.

use crate::StoreError;
use hostpulse_core::{Alert, AlertTransition, DeliveryStatus, Notification};
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
            DeliveryStatus::Sent,
            DeliveryStatus::DryRun,
            DeliveryStatus::Dead,
        ] {
            assert_eq!(parse_status(status_name(status)), Some(status));
        }
        assert_eq!(parse_status("lost"), None);
    }
}
