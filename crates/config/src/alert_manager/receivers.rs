//! Validated settings of the notification channels a receiver can use.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use hostpulse_core::Severity;

use crate::secret::Secret;

/// Default base URL of the Telegram Bot API.
pub const TELEGRAM_API_URL: &str = "https://api.telegram.org";
/// Default base URL of the Slack Web API (used with a bot token).
pub const SLACK_API_URL: &str = "https://slack.com/api";
/// Default time limit of one HTTP delivery attempt.
pub const DEFAULT_SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// `type: telegram`: `sendMessage` of the Telegram Bot API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TelegramSettings {
    pub bot_token: Secret,
    /// Numeric chat id (groups start with `-100`) or `@channelname`.
    pub chat_id: String,
    /// Topic of a forum group.
    pub message_thread_id: Option<i64>,
    /// Base URL without trailing slash.
    pub api_url: String,
    /// Notifications below this severity are delivered without sound.
    pub silent_below: Option<Severity>,
    pub timeout: Duration,
    /// User template of the message text (minijinja), replacing the default.
    pub template: Option<String>,
}

/// Where a Slack receiver posts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlackTarget {
    /// An incoming webhook URL (a secret: anyone holding it can post).
    Webhook { url: Secret },
    /// `chat.postMessage` with a bot token into `channel`.
    Bot { token: Secret, channel: String },
}

/// `type: slack`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlackSettings {
    pub target: SlackTarget,
    /// Base URL of the Web API for the bot form, without trailing slash.
    pub api_url: String,
    pub timeout: Duration,
    pub template: Option<String>,
}

/// Card format posted to a Teams webhook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TeamsFormat {
    /// Workflows webhook with an Adaptive Card attachment.
    #[default]
    AdaptiveCard,
    /// The legacy Office 365 connector MessageCard.
    MessageCard,
}

/// `type: teams`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamsSettings {
    pub webhook_url: Secret,
    pub format: TeamsFormat,
    pub timeout: Duration,
    pub template: Option<String>,
}

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SmtpTls {
    /// Plain connection upgraded with STARTTLS (required), port 587 by default.
    #[default]
    StartTls,
    /// Implicit TLS from the first byte, port 465 by default.
    Tls,
    /// No encryption, port 25 by default; for a local relay only.
    None,
}

/// SMTP server of an e-mail receiver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub username: Option<String>,
    pub password: Option<Secret>,
    /// Extra trusted CA certificate (PEM).
    pub ca_file: Option<PathBuf>,
    /// Accept any server certificate; insecure, warned at start.
    pub insecure_skip_verify: bool,
    pub timeout: Duration,
}

/// `type: email`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailSettings {
    pub smtp: SmtpSettings,
    pub from: String,
    pub to: Vec<String>,
    /// User template of the plain-text body (minijinja).
    pub template: Option<String>,
}

/// `type: webhook`: Alertmanager-compatible JSON POST.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookSettings {
    pub url: Secret,
    /// Extra request headers; values are secrets (they often carry credentials).
    pub headers: BTreeMap<String, Secret>,
    /// Key of the `X-Hostpulse-Signature: sha256=<hex>` body signature.
    pub hmac_secret: Option<Secret>,
    pub timeout: Duration,
}
