//! The built-in `log` channel: writes each notification to the hub's log.

use async_trait::async_trait;
use hostpulse_core::Notification;

use crate::{Delivered, MessageContext, Notifier, SendError};

/// Logs one line per alert of a notification.
pub(crate) struct LogNotifier;

#[async_trait]
impl Notifier for LogNotifier {
    async fn send(&self, n: &Notification, _ctx: &MessageContext) -> Result<Delivered, SendError> {
        for alert in &n.alerts {
            tracing::info!(
                receiver = %n.receiver,
                kind = ?n.kind,
                rule = %alert.rule,
                host = %alert.host,
                severity = %alert.severity,
                summary = %crate::message::current_summary(alert),
                "notification"
            );
        }
        Ok(Delivered::default())
    }
}
