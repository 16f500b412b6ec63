//! Webhook mode: registers the hub's URL with `setWebhook` and serves Telegram's POSTs. Each
//! update is checked against the persisted offset and the offset is saved *before* the command
//! runs, as in polling, so a re-delivered update never runs twice.

use crate::backoff::Backoff;
use crate::client::BotClient;
use crate::dispatch::Dispatcher;
use crate::offset::{load_offset, save_offset};
use crate::stats::{Failure, StatsCell};
use crate::types::Update;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use hostpulse_store::AlertStore;
use std::sync::Arc;
use tokio::sync::{Mutex, watch};

/// Header in which Telegram sends the webhook's secret token.
pub const SECRET_HEADER: &str = "X-Telegram-Bot-Api-Secret-Token";
/// Largest update body accepted, bytes.
pub const MAX_UPDATE_BYTES: usize = 1024 * 1024;

/// What the webhook endpoint needs to take an update.
pub(crate) struct Webhook {
    pub(crate) dispatcher: Arc<Dispatcher>,
    pub(crate) alert_store: Arc<dyn AlertStore>,
    pub(crate) stats: Arc<StatsCell>,
    pub(crate) secret_token: String,
    pub(crate) stop: watch::Receiver<bool>,
    /// Held while an update is checked against the offset and the offset is saved.
    pub(crate) taking: Mutex<()>,
}

/// The path Telegram posts to: the path of the webhook URL; `None` when `url` is not an
/// http(s) URL.
pub(crate) fn webhook_path(url: &str) -> Option<String> {
    let url = url::Url::parse(url).ok()?;
    let path = url.path();
    let routable = path.starts_with('/') && !path.contains(['{', '}']);
    routable.then(|| path.to_string())
}

/// The router serving `POST path`.
pub(crate) fn router(path: &str, webhook: Arc<Webhook>) -> Router {
    Router::new()
        .route(path, post(receive))
        .layer(DefaultBodyLimit::max(MAX_UPDATE_BYTES))
        .with_state(webhook)
}

/// Calls `setWebhook` until it succeeds or `stop` turns true, backing off between tries.
pub(crate) async fn register(
    client: BotClient,
    url: String,
    secret_token: String,
    stats: Arc<StatsCell>,
    mut stop: watch::Receiver<bool>,
) {
    let mut backoff = Backoff::default();
    loop {
        let error = match client.set_webhook(&url, &secret_token).await {
            Ok(()) => return tracing::info!("telegram webhook registered"),
            Err(error) => error,
        };
        let wait = backoff.after(Some(&error));
        tracing::warn!(%error, wait_ms = wait.as_millis() as u64, "cannot register the telegram webhook");
        stats.failed(Failure::Other, wait);
        tokio::select! {
            _ = stop.changed() => return,
            () = tokio::time::sleep(wait) => {}
        }
        if *stop.borrow() {
            return;
        }
    }
}

async fn receive(State(webhook): State<Arc<Webhook>>, headers: HeaderMap, body: Bytes) -> Response {
    let given = headers.get(SECRET_HEADER).map(|value| value.as_bytes());
    if !secret_matches(given, webhook.secret_token.as_bytes()) {
        tracing::warn!(
            header_present = given.is_some(),
            "telegram webhook call with a missing or wrong secret token refused"
        );
        return error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "missing or wrong secret token",
        );
    }
    if *webhook.stop.borrow() {
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "the bot is stopping",
        );
    }
    let update: Update = match serde_json::from_slice(&body) {
        Ok(update) => update,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                "bad_request",
                &format!("not an update: {e}"),
            );
        }
    };
    match webhook.take(update.update_id).await {
        Ok(true) => {}
        Ok(false) => return StatusCode::OK.into_response(),
        Err(detail) => return error(StatusCode::SERVICE_UNAVAILABLE, "unavailable", &detail),
    }
    // A task of its own, so that a dropped connection does not cut the command short.
    let task = {
        let webhook = Arc::clone(&webhook);
        tokio::spawn(async move {
            webhook.dispatcher.handle(update).await;
            webhook.stats.handled();
        })
    };
    if let Err(e) = task.await {
        tracing::error!(error = %e, "telegram webhook update task failed");
    }
    StatusCode::OK.into_response()
}

impl Webhook {
    /// Whether update `update_id` is new; when it is, saves the offset past it first.
    async fn take(&self, update_id: i64) -> Result<bool, String> {
        let _taking = self.taking.lock().await;
        let offset = load_offset(&*self.alert_store).await.map_err(|e| {
            tracing::error!(error = %e, "cannot read the saved telegram update offset");
            "cannot read the update offset".to_string()
        })?;
        if offset.is_some_and(|next| update_id < next) {
            tracing::debug!(update_id, "telegram update delivered again; skipped");
            return Ok(false);
        }
        save_offset(&*self.alert_store, update_id + 1)
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "cannot save the telegram update offset");
                "cannot save the update offset".to_string()
            })?;
        Ok(true)
    }
}

/// Compares `given` with `expected` in time that depends on `expected`'s length only.
fn secret_matches(given: Option<&[u8]>, expected: &[u8]) -> bool {
    let Some(given) = given else {
        return false;
    };
    let mut difference = given.len() ^ expected.len();
    for (index, byte) in expected.iter().enumerate() {
        let other = given.get(index).copied().unwrap_or(!byte);
        difference |= usize::from(other ^ byte);
    }
    difference == 0 && !expected.is_empty()
}

fn error(status: StatusCode, error: &str, detail: &str) -> Response {
    let body = serde_json::json!({ "error": error, "detail": detail });
    (status, axum::Json(body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_comparison() {
        let expected = b"s3cret_token";
        assert!(secret_matches(Some(b"s3cret_token"), expected));
        assert!(!secret_matches(Some(b"s3cret_tokeN"), expected));
        assert!(!secret_matches(Some(b"s3cret_token_and_more"), expected));
        assert!(!secret_matches(Some(b"s3cret"), expected));
        assert!(!secret_matches(Some(b""), expected));
        assert!(!secret_matches(None, expected));
        assert!(!secret_matches(Some(b""), b""));
    }

    #[test]
    fn path_of_the_url() {
        let path = webhook_path("https://hub.example.com/telegram/webhook?x=1");
        assert_eq!(path.as_deref(), Some("/telegram/webhook"));
        assert_eq!(webhook_path("not a url"), None);
    }
}
