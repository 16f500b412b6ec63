//! `hostpulse notify test RECEIVER`: one synthetic message sent straight through a receiver's
//! notifier (not through the outbox), and what came of it.

use crate::{Delivery, DeliveryError};
use hostpulse_notify::ReceiverConfig;
use hostpulse_notify::{MessageContext, SendError};
use serde::{Deserialize, Serialize};
use std::time::Instant;

/// The result of a test message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestOutcome {
    /// Name of the receiver the test message went to.
    pub receiver: String,
    /// Channel type: `log`, `telegram`, `slack`, `teams`, `email` or `webhook`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Whether the provider accepted the message.
    pub delivered: bool,
    /// Provider ids of the message (parts), where the provider returns them.
    pub provider_ids: Vec<String>,
    /// Why it failed (redacted).
    pub error: Option<String>,
    /// Whether the failure is temporary (the outbox would retry it).
    pub retryable: bool,
    /// Wall-clock time the send took, ms; 0 when the receiver could not be set up.
    pub elapsed_ms: u64,
}

/// Sends a test message to `receiver` now (`now_ms` dates the message).
pub async fn send_test_message(
    receiver: &ReceiverConfig,
    external_url: Option<String>,
    now_ms: i64,
) -> TestOutcome {
    let mut outcome = TestOutcome {
        receiver: receiver.name.clone(),
        kind: receiver.kind.type_name().to_owned(),
        delivered: false,
        provider_ids: Vec::new(),
        error: None,
        retryable: false,
        elapsed_ms: 0,
    };
    let notifier = match hostpulse_notify::build(receiver) {
        Ok(notifier) => notifier,
        Err(e) => {
            outcome.error = Some(e.to_string());
            return outcome;
        }
    };
    let n = hostpulse_notify::test_notification(&receiver.name, now_ms);
    let ctx = MessageContext {
        external_url,
        ..Default::default()
    };
    let started = Instant::now();
    let result = notifier.send(&n, &ctx).await;
    outcome.elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    match result {
        Ok(delivered) => {
            outcome.delivered = true;
            outcome.provider_ids = delivered.provider_ids;
        }
        Err(e) => {
            outcome.retryable = matches!(e, SendError::Retry { .. });
            outcome.error = Some(e.reason().to_owned());
        }
    }
    outcome
}

impl Delivery {
    /// Sends a test message to the configured receiver `name` now.
    pub async fn send_test(&self, name: &str) -> Result<TestOutcome, DeliveryError> {
        let worker = self
            .worker(name)
            .ok_or_else(|| DeliveryError::UnknownReceiver(name.to_owned()))?;
        Ok(send_test_message(
            &worker.config,
            self.shared.external_url.clone(),
            self.shared.clock.now_ms(),
        )
        .await)
    }
}
