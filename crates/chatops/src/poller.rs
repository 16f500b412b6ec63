//! The long-polling loop. Each update's offset (`update_id + 1`) is persisted *before* the
//! command runs: a crash between the two loses that command's run and reply, but no command
//! ever runs twice (at most once — the safe side for acks and silences). When another process
//! polls the same token (HTTP 409), each admin is told once per run of conflicts.

use crate::backoff::Backoff;
use crate::client::BotClient;
use crate::dispatch::Dispatcher;
use crate::error::BotApiError;
use crate::format::escape;
use crate::offset::{load_offset, save_offset};
use crate::stats::{Failure, StatsCell};
use hostpulse_store::AlertStore;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// Everything the polling loop uses.
pub struct Poller {
    pub(crate) client: BotClient,
    pub(crate) dispatcher: Arc<Dispatcher>,
    pub(crate) alert_store: Arc<dyn AlertStore>,
    /// Admins, told in their private chats when another process polls the token.
    pub(crate) admins: Vec<i64>,
    pub(crate) poll_timeout: Duration,
    pub(crate) stats: Arc<StatsCell>,
}

/// Sent to each admin when `getUpdates` starts answering 409 Conflict.
pub const CONFLICT_NOTICE: &str = "Another process is polling this bot's token (HTTP 409 Conflict); \
run one hostpulse hub per bot token. Commands may be lost until it stops.";

/// Whether the loop should go on.
enum Flow {
    Continue,
    Stop,
}

impl Poller {
    /// Polls until `stop` turns true.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        let mut backoff = Backoff::default();
        while let Err(error) = self.client.delete_webhook(false).await {
            if let Flow::Stop = self.pause(&mut backoff, &error, &mut stop).await {
                return;
            }
        }
        let mut offset = match load_offset(&*self.alert_store).await {
            Ok(offset) => offset,
            Err(error) => {
                tracing::error!(%error, "cannot read the saved telegram update offset");
                return;
            }
        };
        let mut conflicted = false;
        loop {
            if *stop.borrow() {
                return;
            }
            let answer = tokio::select! {
                _ = stop.changed() => return,
                answer = self.client.get_updates(offset, self.poll_timeout) => answer,
            };
            match answer {
                Ok(updates) => {
                    backoff.reset();
                    conflicted = false;
                    let flow = self
                        .take(updates, &mut offset, &mut backoff, &mut stop)
                        .await;
                    if let Flow::Stop = flow {
                        return;
                    }
                }
                Err(error) => {
                    if matches!(error, BotApiError::Conflict { .. }) && !conflicted {
                        conflicted = true;
                        tracing::error!(
                            "another process is polling this bot token (HTTP 409) — run one hostpulse hub per bot token"
                        );
                        self.notify_admins_of_conflict().await;
                    }
                    if let Flow::Stop = self.pause(&mut backoff, &error, &mut stop).await {
                        return;
                    }
                }
            }
        }
    }

    /// Handles a batch in order, saving each offset before running the update; stops early
    /// on a stop request or when the offset cannot be saved (the rest is fetched again).
    async fn take(
        &self,
        updates: Vec<crate::types::Update>,
        offset: &mut Option<i64>,
        backoff: &mut Backoff,
        stop: &mut watch::Receiver<bool>,
    ) -> Flow {
        for update in updates {
            if *stop.borrow() {
                return Flow::Stop;
            }
            let next = update.update_id + 1;
            if let Err(error) = save_offset(&*self.alert_store, next).await {
                tracing::error!(%error, "cannot save the telegram update offset");
                let wait = backoff.after(None);
                self.stats.failed(Failure::Other, wait);
                return sleep_or_stop(wait, stop).await;
            }
            *offset = Some(next);
            self.dispatcher.handle(update).await;
            self.stats.handled();
        }
        Flow::Continue
    }

    /// Tells each admin, in their private chat, that another process polls the token.
    async fn notify_admins_of_conflict(&self) {
        let text = escape(CONFLICT_NOTICE);
        for &admin in &self.admins {
            if let Err(error) = self.client.send_message(admin, &text, None).await {
                tracing::warn!(%error, chat_id = admin, "cannot tell an admin about the 409 conflict");
            }
        }
    }

    async fn pause(
        &self,
        backoff: &mut Backoff,
        error: &BotApiError,
        stop: &mut watch::Receiver<bool>,
    ) -> Flow {
        let wait = backoff.after(Some(error));
        let failure = match error {
            BotApiError::Conflict { .. } => Failure::Conflict,
            BotApiError::RateLimited { .. } => Failure::RateLimited,
            _ => Failure::Other,
        };
        if !matches!(failure, Failure::Conflict) {
            tracing::warn!(%error, wait_ms = wait.as_millis() as u64, "telegram bot api call failed");
        }
        self.stats.failed(failure, wait);
        sleep_or_stop(wait, stop).await
    }
}

async fn sleep_or_stop(wait: Duration, stop: &mut watch::Receiver<bool>) -> Flow {
    if *stop.borrow() {
        return Flow::Stop;
    }
    tokio::select! {
        _ = stop.changed() => Flow::Stop,
        () = tokio::time::sleep(wait) => Flow::Continue,
    }
}
