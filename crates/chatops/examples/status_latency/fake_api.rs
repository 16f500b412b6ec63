//! A minimal Bot API on loopback that records when `getUpdates` hands out each update and
//! when each `sendMessage` arrives.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::routing::post;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// What the fake saw.
#[derive(Default)]
pub struct Log {
    updates: Vec<Value>,
    /// update id → when a `getUpdates` answer first carried it.
    pub delivered: Vec<(i64, Instant)>,
    /// (chat id, arrival, text length in characters) of every `sendMessage`.
    pub sends: Vec<(i64, Instant, usize)>,
}

/// The fake Bot API; clones share one log.
#[derive(Clone, Default)]
pub struct FakeApi {
    log: Arc<Mutex<Log>>,
    queued: Arc<Notify>,
}

impl FakeApi {
    /// Serves the fake on a free loopback port; returns its base URL.
    pub async fn serve(&self) -> std::io::Result<String> {
        let app = Router::new()
            .route("/{bot}/{method}", post(handle))
            .with_state(self.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, app).await {
                eprintln!("fake Bot API stopped: {error}");
            }
        });
        Ok(format!("http://{addr}"))
    }

    /// The log, even if a handler panicked while holding it.
    pub fn log(&self) -> MutexGuard<'_, Log> {
        self.log
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Queues a private text message from `user_id` for the next `getUpdates`.
    pub fn queue_message(&self, update_id: i64, user_id: i64, text: &str) {
        self.log().updates.push(json!({
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "from": {"id": user_id, "is_bot": false, "first_name": "u"},
                "chat": {"id": user_id, "type": "private"},
                "text": text,
            }
        }));
        self.queued.notify_waiters();
    }

    /// Arrival times of the messages sent to `chat_id`.
    pub fn sends_to(&self, chat_id: i64) -> Vec<(Instant, usize)> {
        let log = self.log();
        let sends = log.sends.iter().filter(|(chat, _, _)| *chat == chat_id);
        sends.map(|(_, at, chars)| (*at, *chars)).collect()
    }

    /// When update `update_id` was handed out.
    pub fn delivered_at(&self, update_id: i64) -> Option<Instant> {
        let log = self.log();
        let found = log.delivered.iter().find(|(id, _)| *id == update_id);
        found.map(|(_, at)| *at)
    }

    async fn get_updates(&self, body: &Value) -> Value {
        let offset = body["offset"].as_i64().unwrap_or(0);
        let timeout = Duration::from_secs(body["timeout"].as_u64().unwrap_or(0));
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.queued.notified();
            let pending = self.take_pending(offset);
            if !pending.is_empty() || tokio::time::timeout_at(deadline, notified).await.is_err() {
                return Value::Array(pending);
            }
        }
    }

    fn take_pending(&self, offset: i64) -> Vec<Value> {
        let now = Instant::now();
        let mut log = self.log();
        let pending: Vec<Value> = log
            .updates
            .iter()
            .filter(|u| u["update_id"].as_i64().unwrap_or(0) >= offset)
            .cloned()
            .collect();
        for update in &pending {
            let id = update["update_id"].as_i64().unwrap_or(0);
            if !log.delivered.iter().any(|(seen, _)| *seen == id) {
                log.delivered.push((id, now));
            }
        }
        pending
    }
}

async fn handle(
    State(fake): State<FakeApi>,
    Path((_bot, method)): Path<(String, String)>,
    body: Bytes,
) -> axum::Json<Value> {
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let result = match method.as_str() {
        "getUpdates" => fake.get_updates(&body).await,
        "getMe" => json!({"id": 1, "is_bot": true, "first_name": "hp", "username": "hp_bot"}),
        "sendMessage" => {
            let chat = body["chat_id"].as_i64().unwrap_or(0);
            let chars = body["text"].as_str().map_or(0, |t| t.chars().count());
            fake.log().sends.push((chat, Instant::now(), chars));
            json!({"message_id": 1, "chat": {"id": chat, "type": "private"}})
        }
        _ => json!(true),
    };
    axum::Json(json!({"ok": true, "result": result}))
}
