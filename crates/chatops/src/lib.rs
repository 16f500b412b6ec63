//! The hub's Telegram ChatOps bot: one bot for the whole fleet, long polling or a webhook with a
//! persisted offset, per-user roles, and a single command table (`/status`, `/alerts`, `/ack`, ...).

mod access;
mod alert_buttons;
mod auth;
mod backoff;
pub mod client;
mod commands;
mod confirm;
mod dispatch;
mod error;
pub mod format;
#[doc(hidden)]
pub mod fuzz;
mod offset;
mod pages;
mod paging;
mod poller;
pub mod registry;
mod select;
mod services;
mod stats;
pub mod types;
mod webhook;

pub use access::Access;
pub use client::{BotClient, Upload};
pub use error::BotApiError;
pub use hostpulse_config::{BotMode, TelegramBotConfig};
pub use registry::{CommandContext, CommandError, CommandSpec, Reply};
pub use services::{BotDeps, Services};
pub use stats::BotStats;
pub use webhook::{MAX_UPDATE_BYTES, SECRET_HEADER};

use auth::Gate;
use dispatch::Dispatcher;
use jiff::tz::TimeZone;
use poller::Poller;
use stats::StatsCell;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// How the bot runs, independent of the configuration file format.
#[derive(Clone)]
pub struct BotSettings {
    /// Bot API base URL, e.g. `https://api.telegram.org`.
    pub api_url: String,
    token: String,
    /// Who may use the bot, with which role, and in which group chats.
    pub access: Access,
    /// Long poll timeout of `getUpdates`.
    pub poll_timeout: Duration,
    /// Unknown users are refused at most once per this interval.
    pub refusal_interval: Duration,
    /// Timeout of every other Bot API call.
    pub timeout: Duration,
    /// Receive updates through this webhook instead of long polling.
    pub webhook: Option<WebhookSettings>,
    /// Times in replies and chart axes are shown in this zone.
    pub timezone: TimeZone,
}

/// Where Telegram posts updates in webhook mode.
#[derive(Clone)]
pub struct WebhookSettings {
    url: String,
    secret_token: String,
}

impl WebhookSettings {
    /// Telegram posts to `url` (the hub serves its path) with `secret_token` in the
    /// `X-Telegram-Bot-Api-Secret-Token` header.
    pub fn new(url: impl Into<String>, secret_token: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            secret_token: secret_token.into(),
        }
    }
}

impl BotSettings {
    /// Settings with a 30 s long poll, a 10 s call timeout, a 1 h refusal interval and times
    /// in UTC.
    pub fn new(api_url: impl Into<String>, token: impl Into<String>, access: Access) -> Self {
        Self {
            api_url: api_url.into(),
            token: token.into(),
            access,
            poll_timeout: Duration::from_secs(30),
            refusal_interval: Duration::from_secs(3600),
            timeout: Duration::from_secs(10),
            webhook: None,
            timezone: TimeZone::UTC,
        }
    }
}

impl BotSettings {
    /// Settings of the bot of the `telegram:` configuration, polling or webhook. A time zone
    /// the bundled database does not know (the configuration checks it) falls back to UTC.
    pub fn from_config(config: &TelegramBotConfig) -> Self {
        let access = Access {
            admins: config.admins.clone(),
            operators: config.operators.clone(),
            viewers: config.viewers.clone(),
            chats: config.chats.clone(),
        };
        let mut settings = Self::new(&config.api_url, config.bot_token.expose(), access);
        match &config.mode {
            BotMode::Polling { timeout } => settings.poll_timeout = *timeout,
            BotMode::Webhook { url, secret_token } => {
                settings.webhook = Some(WebhookSettings::new(url, secret_token.expose()));
            }
        }
        settings.refusal_interval = config.refusal_interval;
        settings.timeout = config.timeout;
        settings.timezone = TimeZone::get(&config.timezone).unwrap_or_else(|error| {
            tracing::warn!(%error, timezone = %config.timezone, "unknown time zone; using UTC");
            TimeZone::UTC
        });
        settings
    }
}

impl std::fmt::Debug for BotSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BotSettings")
            .field("api_url", &self.api_url)
            .field("token", &"<redacted>")
            .field("access", &self.access)
            .field("webhook", &self.webhook.as_ref().map(|_| "<redacted>"))
            .field("timezone", &self.timezone.iana_name().unwrap_or("UTC"))
            .finish_non_exhaustive()
    }
}

/// Why the bot did not start.
#[derive(Debug, thiserror::Error)]
pub enum BotError {
    /// The Bot API refused the token or the start-up calls.
    #[error("telegram bot: {0}")]
    Api(#[from] BotApiError),
    /// The webhook URL has no path the hub can serve (the URL itself is a secret and not shown).
    #[error("telegram bot: the webhook URL is not a valid http(s) URL")]
    InvalidWebhookUrl,
}

/// A running bot.
pub struct BotHandle {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
    stats: Arc<StatsCell>,
    webhook: Option<axum::Router>,
}

impl BotHandle {
    /// Asks the polling loop to stop after the update it is handling, without waiting.
    pub fn signal_stop(&self) {
        let _ = self.stop.send(true);
    }

    /// Stops the bot and waits for the polling loop to end.
    pub async fn shutdown(self) {
        self.signal_stop();
        if let Err(error) = self.task.await {
            tracing::error!(%error, "telegram bot task failed");
        }
    }

    /// In webhook mode, the router serving Telegram's `POST` on the webhook URL's path, to
    /// merge into the hub's HTTP server; `None` when polling.
    pub fn webhook_router(&self) -> Option<axum::Router> {
        self.webhook.clone()
    }

    /// The bot's counters.
    pub fn stats(&self) -> BotStats {
        self.stats.snapshot()
    }
}

/// Starts the bot of the `telegram:` configuration.
pub async fn start(config: TelegramBotConfig, deps: BotDeps) -> Result<BotHandle, BotError> {
    start_with(BotSettings::from_config(&config), deps).await
}

/// Starts the bot: checks the token (`getMe`), registers the command menu, then either spawns
/// the polling loop or registers the webhook (`setWebhook`, retried in the background) and
/// builds its router. Shutting down leaves the webhook registered, so Telegram keeps the
/// updates sent while the hub restarts.
pub async fn start_with(settings: BotSettings, deps: BotDeps) -> Result<BotHandle, BotError> {
    let mut client = BotClient::new(&settings.api_url, &settings.token, settings.timeout)?;
    if let Some(hook) = &settings.webhook {
        webhook::webhook_path(&hook.url).ok_or(BotError::InvalidWebhookUrl)?;
        client = client.hiding_webhook(&hook.url, &hook.secret_token);
    }
    let bot_username = match client.get_me().await {
        Ok(me) => me.username,
        Err(error @ BotApiError::Refused { .. }) => return Err(error.into()),
        Err(error) => {
            tracing::warn!(%error, "telegram getMe failed; /cmd@name addressing is not checked");
            None
        }
    };
    let commands: Arc<[CommandSpec]> = commands::table().into();
    if let Err(error) = client.set_my_commands(&registry::menu(&commands)).await {
        tracing::warn!(%error, "cannot register the telegram command menu");
    }
    let admins = settings.access.admins.clone();
    let gate = Gate::new(
        settings.access,
        settings.refusal_interval,
        deps.clock.clone(),
    );
    let alert_store = Arc::clone(&deps.alert_store);
    let dispatcher = Arc::new(Dispatcher {
        client: client.clone(),
        gate,
        commands,
        pages: Arc::new(pages::HistoryPages::new(deps.clock.clone())),
        pending: Arc::new(confirm::PendingActions::new(deps.clock.clone())),
        services: Arc::new(Services {
            service: deps.service.clone(),
            deps,
            timezone: settings.timezone,
        }),
        bot_username,
    });
    let stats = Arc::new(StatsCell::default());
    let (stop, stop_rx) = watch::channel(false);
    if let Some(hook) = settings.webhook {
        return start_webhook(
            hook,
            client,
            dispatcher,
            alert_store,
            stats,
            (stop, stop_rx),
        );
    }
    let poller = Poller {
        client,
        dispatcher,
        alert_store,
        admins,
        poll_timeout: settings.poll_timeout,
        stats: Arc::clone(&stats),
    };
    let task = tokio::spawn(poller.run(stop_rx));
    Ok(BotHandle {
        stop,
        task,
        stats,
        webhook: None,
    })
}

/// Registers the webhook in the background and builds the router that receives its updates.
fn start_webhook(
    hook: WebhookSettings,
    client: BotClient,
    dispatcher: Arc<Dispatcher>,
    alert_store: Arc<dyn hostpulse_store::AlertStore>,
    stats: Arc<StatsCell>,
    (stop, stop_rx): (watch::Sender<bool>, watch::Receiver<bool>),
) -> Result<BotHandle, BotError> {
    let path = webhook::webhook_path(&hook.url).ok_or(BotError::InvalidWebhookUrl)?;
    let receiver = Arc::new(webhook::Webhook {
        dispatcher,
        alert_store,
        stats: Arc::clone(&stats),
        secret_token: hook.secret_token.clone(),
        stop: stop_rx.clone(),
        taking: tokio::sync::Mutex::new(()),
    });
    let router = webhook::router(&path, receiver);
    let register = webhook::register(
        client,
        hook.url,
        hook.secret_token,
        Arc::clone(&stats),
        stop_rx,
    );
    Ok(BotHandle {
        stop,
        task: tokio::spawn(register),
        stats,
        webhook: Some(router),
    })
}
