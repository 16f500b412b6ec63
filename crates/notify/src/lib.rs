//! Notification channels of the hub: Telegram, Slack, Microsoft Teams, e-mail and webhooks
//! behind one [`Notifier`] trait, with default message texts and secret redaction. Sends are
//! resumable: parts an earlier attempt delivered are not sent again, and each new part is
//! reported through [`Progress`].
//!
//! HTTP and SMTP use rustls with the ring provider, chosen per client (no process-wide
//! provider to install); [`http::client_builder`] is the one HTTP client setup of the hub.

mod bot_api;
mod email;
mod error;
pub mod http;
mod log;
mod message;
mod parts;
mod rate_limit;
mod receiver;
mod redact;
mod settings;
mod slack;
mod synthetic;
mod teams;
mod telegram;
mod webhook;

use async_trait::async_trait;
use hostpulse_core::Notification;

pub use bot_api::{BotApi, BotApiError, DEFAULT_RATE_LIMIT_WAIT, Upload};
pub use error::{Delivered, NotifyError, SendError};
pub use hostpulse_core::Secret;
pub use http::transport_error_text;
pub use message::{MessageContext, Progress, Summary};
pub use rate_limit::{RateLimit, parse_rate_limit};
pub use receiver::{BUILTIN_RECEIVER, ReceiverConfig, ReceiverKind, RetryLimits};
pub use redact::Redactor;
pub use settings::{
    DEFAULT_SEND_TIMEOUT, EmailSettings, SLACK_API_URL, SlackSettings, SlackTarget, SmtpSettings,
    SmtpTls, TELEGRAM_API_URL, TeamsFormat, TeamsSettings, TelegramSettings, WebhookSettings,
};
pub use synthetic::test_notification;
pub use webhook::{SIGNATURE_HEADER, alertmanager_payload};

/// A channel that delivers notifications to one receiver.
#[async_trait]
pub trait Notifier: Send + Sync {
    /// Sends one notification; errors never contain a configured secret.
    async fn send(&self, n: &Notification, ctx: &MessageContext) -> Result<Delivered, SendError>;
}

/// Builds the notifier of a configured receiver: the one place receivers are wired.
pub fn build(receiver: &ReceiverConfig) -> Result<Box<dyn Notifier>, NotifyError> {
    let name = receiver.name.clone();
    Ok(match &receiver.kind {
        ReceiverKind::Log => Box::new(log::LogNotifier),
        ReceiverKind::Telegram(settings) => Box::new(telegram::Telegram::new(&name, settings)?),
        ReceiverKind::Slack(settings) => Box::new(slack::Slack::new(&name, settings)?),
        ReceiverKind::Teams(settings) => Box::new(teams::Teams::new(&name, settings)?),
        ReceiverKind::Email(settings) => Box::new(email::Email::new(&name, settings)?),
        ReceiverKind::Webhook(settings) => Box::new(webhook::Webhook::new(&name, settings)?),
    })
}
