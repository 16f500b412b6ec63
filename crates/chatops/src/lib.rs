//! The hub's Telegram ChatOps bot: one bot for the whole fleet, long polling with a persisted
//! offset, per-user roles, and a single command table (`/status`, `/alerts`, `/ack`, ...).

mod access;
mod alert_buttons;
mod auth;
mod backoff;
pub mod client;
mod commands;
mod dispatch;
mod error;
pub mod format;
mod offset;
mod pages;
mod paging;
mod poller;
pub mod registry;
mod select;
mod services;
mod stats;
pub mod types;

pub use access::Access;
pub use client::{BotClient, Upload};
pub use error::BotApiError;
pub use hostpulse_config::{BotMode, Role, TelegramBotConfig};
pub use registry::{CommandContext, CommandError, CommandSpec, Reply};
pub use services::BotDeps;
pub use stats::BotStats;

use auth::Gate;
use dispatch::Dispatcher;
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
    pub access: Access,
    /// Long poll timeout of `getUpdates`.
    pub poll_timeout: Duration,
    /// Unknown users are refused at most once per this interval.
    pub refusal_interval: Duration,
    /// Timeout of every other Bot API call.
    pub timeout: Duration,
}

impl BotSettings {
    /// Settings with a 30 s long poll, a 10 s call timeout and a 1 h refusal interval.
    pub fn new(api_url: impl Into<String>, token: impl Into<String>, access: Access) -> Self {
        Self {
            api_url: api_url.into(),
            token: token.into(),
            access,
            poll_timeout: Duration::from_secs(30),
            refusal_interval: Duration::from_secs(3600),
            timeout: Duration::from_secs(10),
        }
    }
}

impl BotSettings {
    /// Settings of a polling bot from the `telegram:` configuration; `None` in webhook mode.
    pub fn from_config(config: &TelegramBotConfig) -> Option<Self> {
        let BotMode::Polling { timeout } = &config.mode else {
            return None;
        };
        let access = Access {
            admins: config.admins.clone(),
            operators: config.operators.clone(),
            viewers: config.viewers.clone(),
            chats: config.chats.clone(),
        };
        let mut settings = Self::new(&config.api_url, config.bot_token.expose(), access);
        settings.poll_timeout = *timeout;
        settings.refusal_interval = config.refusal_interval;
        settings.timeout = config.timeout;
        Some(settings)
    }
}

impl std::fmt::Debug for BotSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BotSettings")
            .field("api_url", &self.api_url)
            .field("token", &"<redacted>")
            .field("access", &self.access)
            .finish_non_exhaustive()
    }
}

/// Why the bot did not start.
#[derive(Debug, thiserror::Error)]
pub enum BotError {
    /// The Bot API refused the token or the start-up calls.
    #[error("telegram bot: {0}")]
    Api(#[from] BotApiError),
    /// Webhook mode is configured; this build of the bot receives updates by polling only.
    #[error("telegram bot: webhook mode is not supported yet; use polling")]
    WebhookUnsupported,
}

/// A running bot.
pub struct BotHandle {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
    stats: Arc<StatsCell>,
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

    /// The bot's counters.
    pub fn stats(&self) -> BotStats {
        self.stats.snapshot()
    }
}

/// Starts the bot of the `telegram:` configuration (long polling only for now).
pub async fn start(config: TelegramBotConfig, deps: BotDeps) -> Result<BotHandle, BotError> {
    let settings = BotSettings::from_config(&config).ok_or(BotError::WebhookUnsupported)?;
    start_with(settings, deps).await
}

/// Starts the bot in long-polling mode: checks the token (`getMe`), registers the command
/// menu and spawns the polling loop.
pub async fn start_with(settings: BotSettings, deps: BotDeps) -> Result<BotHandle, BotError> {
    let client = BotClient::new(&settings.api_url, &settings.token, settings.timeout)?;
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
        services: Arc::new(deps),
        bot_username,
    });
    let stats = Arc::new(StatsCell::default());
    let poller = Poller {
        client,
        dispatcher,
        alert_store,
        poll_timeout: settings.poll_timeout,
        stats: Arc::clone(&stats),
    };
    let (stop, stop_rx) = watch::channel(false);
    let task = tokio::spawn(poller.run(stop_rx));
    Ok(BotHandle { stop, task, stats })
}
