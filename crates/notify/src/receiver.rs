//! Receivers: a name, the channel that delivers (one kind per `type:`), its rate limit and
//! how long delivery keeps retrying; and the built-in `log` receiver.

use std::time::Duration;

use crate::rate_limit::RateLimit;
use crate::settings::{
    EmailSettings, SlackSettings, TeamsSettings, TelegramSettings, WebhookSettings,
};

/// Name of the receiver used when no `receivers:` are configured.
pub const BUILTIN_RECEIVER: &str = "log";

/// What a receiver does with a notification. One variant per `type:`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReceiverKind {
    /// Writes each notification to the hub's log.
    Log,
    /// `sendMessage` of the Telegram Bot API.
    Telegram(TelegramSettings),
    /// A Slack webhook or bot.
    Slack(SlackSettings),
    /// A Microsoft Teams webhook.
    Teams(TeamsSettings),
    /// E-mail over SMTP.
    Email(EmailSettings),
    /// Alertmanager-compatible JSON POST.
    Webhook(WebhookSettings),
}

impl ReceiverKind {
    /// The `type:` value naming this kind.
    pub fn type_name(&self) -> &'static str {
        match self {
            ReceiverKind::Log => "log",
            ReceiverKind::Telegram(_) => "telegram",
            ReceiverKind::Slack(_) => "slack",
            ReceiverKind::Teams(_) => "teams",
            ReceiverKind::Email(_) => "email",
            ReceiverKind::Webhook(_) => "webhook",
        }
    }
}

/// One named receiver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiverConfig {
    /// Unique name routes refer to.
    pub name: String,
    /// The channel and its settings.
    pub kind: ReceiverKind,
    /// Most messages this receiver is sent per period; `None` = unlimited.
    pub rate_limit: Option<RateLimit>,
    /// When delivery gives up on one notification and dead-letters it.
    pub retry: RetryLimits,
}

impl ReceiverConfig {
    /// The built-in `log` receiver, used when no receivers are configured.
    pub fn builtin() -> Self {
        Self {
            name: BUILTIN_RECEIVER.into(),
            kind: ReceiverKind::Log,
            rate_limit: None,
            retry: RetryLimits::default(),
        }
    }
}

/// How long delivery keeps retrying one notification after temporary failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryLimits {
    /// Attempts after which a failing notification is dead-lettered.
    pub max_attempts: u32,
    /// Age (since the notification was created) after which a failing one is dead-lettered.
    pub max_age: Duration,
}

impl RetryLimits {
    /// `max_attempts` of a receiver without the key.
    pub const DEFAULT_MAX_ATTEMPTS: u32 = 10;
    /// `max_age` of a receiver without the key.
    pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(3_600);
}

impl Default for RetryLimits {
    fn default() -> Self {
        Self {
            max_attempts: Self::DEFAULT_MAX_ATTEMPTS,
            max_age: Self::DEFAULT_MAX_AGE,
        }
    }
}
