//! Delivery of outbox notifications to their receivers. The `log` receiver writes each
//! notification to the hub's log.

use crate::Engine;
use hostpulse_config::ReceiverKind;
use hostpulse_core::{AlertState, DeliveryStatus, Notification};

/// Notifications taken from the outbox per pass.
const BATCH: usize = 200;

impl Engine {
    /// Delivers every pending notification of the outbox, oldest first.
    pub(crate) async fn deliver_pending(&self) {
        let pending = match self.deps.alert_store.pending_notifications(BATCH).await {
            Ok(list) => list,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the notification outbox");
                return;
            }
        };
        for notification in pending {
            let kind = self.receiver_kind(&notification.receiver).await;
            let (status, error) = match kind {
                Some(ReceiverKind::Log) => {
                    log_notification(&notification);
                    (DeliveryStatus::Sent, None)
                }
                None => (
                    DeliveryStatus::Dead,
                    Some(format!(
                        "receiver {:?} is not configured",
                        notification.receiver
                    )),
                ),
            };
            let attempts = notification.attempts + 1;
            if let Err(e) = self
                .deps
                .alert_store
                .mark_notification(notification.id, status, attempts, error)
                .await
            {
                tracing::warn!(error = %e, id = notification.id, "cannot record a delivery");
            }
        }
    }

    async fn receiver_kind(&self, name: &str) -> Option<ReceiverKind> {
        let state = self.state.lock().await;
        state
            .alerting
            .effective_receivers()
            .into_iter()
            .find(|r| r.name == name)
            .map(|r| r.kind)
    }
}

/// Writes one notification to the log, one line per alert.
fn log_notification(n: &Notification) {
    for alert in &n.alerts {
        let state = match alert.state {
            AlertState::Resolved => "RESOLVED",
            _ => "FIRING",
        };
        tracing::warn!(
            target: "hostpulse::notify",
            receiver = %n.receiver,
            kind = ?n.kind,
            severity = %n.severity,
            group = %n.group_key,
            alert = %alert.id,
            rule = %alert.rule,
            host = %alert.host,
            value = alert.value,
            "[{state}] {}: {}",
            alert.rule,
            alert.summary,
        );
    }
}
