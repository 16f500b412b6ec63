//! One delivery attempt of one notification: the message context (thread to reply to, parts
//! already delivered), durable progress per part, and the outcome.

use crate::Shared;
use crate::progress::StoreProgress;
use hostpulse_core::{Notification, NotificationKind};
use hostpulse_notify::{MessageContext, Notifier, SendError};
use std::sync::Arc;
use std::time::Duration;

/// How an attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    Sent {
        provider_ids: Vec<String>,
    },
    Retry {
        reason: String,
        retry_after: Option<Duration>,
        provider_ids: Vec<String>,
    },
    Dead {
        reason: String,
        provider_ids: Vec<String>,
    },
}

/// An attempt about to be made.
pub(crate) struct Attempt<'a> {
    shared: &'a Shared,
    notifier: &'a dyn Notifier,
    n: &'a Notification,
    attempts: u32,
}

impl<'a> Attempt<'a> {
    pub(crate) fn new(
        shared: &'a Shared,
        notifier: &'a dyn Notifier,
        n: &'a Notification,
        attempts: u32,
    ) -> Self {
        Self {
            shared,
            notifier,
            n,
            attempts,
        }
    }

    /// Sends the notification's remaining parts.
    pub(crate) async fn run(self) -> Outcome {
        let progress = Arc::new(StoreProgress::new(
            Arc::clone(&self.shared.store),
            self.n.id,
            self.attempts,
            self.n.provider_ids.clone(),
        ));
        let ctx = MessageContext {
            external_url: self.shared.external_url.clone(),
            reply_to: self.thread_anchor().await,
            parts_sent: self.n.provider_ids.clone(),
            progress: Some(progress.clone()),
        };
        match self.notifier.send(self.n, &ctx).await {
            Ok(delivered) => Outcome::Sent {
                provider_ids: if delivered.provider_ids.is_empty() {
                    progress.recorded()
                } else {
                    delivered.provider_ids
                },
            },
            Err(SendError::Retry {
                reason,
                retry_after,
            }) => Outcome::Retry {
                reason,
                retry_after,
                provider_ids: progress.recorded(),
            },
            Err(SendError::Permanent { reason }) => Outcome::Dead {
                reason,
                provider_ids: progress.recorded(),
            },
        }
    }

    /// The firing message a resolved notification replies to, if it was delivered with an id.
    async fn thread_anchor(&self) -> Option<String> {
        if self.n.kind != NotificationKind::Resolved {
            return None;
        }
        self.shared
            .store
            .thread_anchor(&self.n.receiver, &self.n.group_key, self.n.id)
            .await
            .unwrap_or_else(|e| {
                tracing::warn!(error = %e, "cannot look up the message to reply to");
                None
            })
    }
}
