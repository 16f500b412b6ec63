//! Settings of the notification channels a receiver can use (validated by the configuration).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use hostpulse_core::Severity;

use hostpulse_core::Secret;

/// Default base URL of the Telegram Bot API.
pub const TELEGRAM_API_URL: &str = "https://api.telegram.org";
/// Default base URL of the Slack Web API (used with a bot token).
pub const SLACK_API_URL: &str = "https://slack.com/api";
/// Default time limit of one HTTP delivery attempt.
pub const DEFAULT_SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// `type: telegram`: `sendMessage` of the Telegram Bot API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TelegramSettings {
    /// Bot token from @BotFather.
    pub bot_token: Secret,
    /// Numeric chat id (groups start with `-100`) or `@channelname`.
    pub chat_id: String,
    /// Topic of a forum group.
    pub message_thread_id: Option<i64>,
    /// Base URL without trailing slash.
    pub api_url: String,
    /// Notifications below this severity are delivered without sound.
    pub silent_below: Option<Severity>,
    /// Time limit of one send attempt.
    pub timeout: Duration,
    /// User template of the message text (minijinja), replacing the default.
    pub template: Option<String>,
}

/// Where a Slack receiver posts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlackTarget {
    /// An incoming webhook URL (a secret: anyone holding it can post).
    Webhook {
        /// The webhook URL.
        url: Secret,
    },
    /// `chat.postMessage` with a bot token into `channel`.
    Bot {
        /// Bot token (`xoxb-...`).
        token: Secret,
        /// Channel id or name.
        channel: String,
    },
}

/// `type: slack`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlackSettings {
    /// Webhook or bot channel.
    pub target: SlackTarget,
    /// Base URL of the Web API for the bot form, without trailing slash.
    pub api_url: String,
    /// Time limit of one send attempt.
    pub timeout: Duration,
    /// User template of the message text (minijinja), replacing the default.
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
    /// The Workflows or connector webhook URL.
    pub webhook_url: Secret,
    /// Card format posted.
    pub format: TeamsFormat,
    /// Time limit of one send attempt.
    pub timeout: Duration,
    /// User template of the card text (minijinja), replacing the default.
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
    /// Server host name or address.
    pub host: String,
    /// Server port.
    pub port: u16,
    /// How the connection is secured.
    pub tls: SmtpTls,
    /// Login name; set together with `password`.
    pub username: Option<String>,
    /// Login password.
    pub password: Option<Secret>,
    /// Extra trusted CA certificate (PEM).
    pub ca_file: Option<PathBuf>,
    /// Accept any server certificate; insecure, warned at start.
    pub insecure_skip_verify: bool,
    /// Time limit of one send attempt.
    pub timeout: Duration,
}

/// `type: email`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailSettings {
    /// The SMTP server.
    pub smtp: SmtpSettings,
    /// Sender address (`user@domain` or `Name <user@domain>`).
    pub from: String,
    /// Recipient addresses.
    pub to: Vec<String>,
    /// User template of the plain-text body (minijinja).
    pub template: Option<String>,
}

/// `type: webhook`: Alertmanager-compatible JSON POST.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookSettings {
    /// Where the JSON is posted.
    pub url: Secret,
    /// Extra request headers; values are secrets (they often carry credentials).
    pub headers: BTreeMap<String, Secret>,
    /// Key of the `X-Hostpulse-Signature: sha256=<hex>` body signature.
    pub hmac_secret: Option<Secret>,
    /// Time limit of one send attempt.
    pub timeout: Duration,
}
