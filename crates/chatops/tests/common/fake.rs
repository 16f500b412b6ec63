//! A fake Telegram Bot API on loopback: queues updates for long polling, records calls and
//! answers scripted failures.
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    reason = "test support: the fake Bot API stops the test loudly on a request it cannot serve"
)]

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Notify, Semaphore};

pub const TOKEN: &str = "123456:SECRET-TOKEN-abc";

#[derive(Clone, Default)]
pub struct FakeApi {
    pub inner: Arc<Inner>,
}

#[derive(Default)]
pub struct Inner {
    updates: Mutex<Vec<Value>>,
    queued: Notify,
    calls: Mutex<Vec<(String, Value)>>,
    /// Raw request bodies (multipart uploads are not JSON).
    raw: Mutex<Vec<(String, Bytes)>>,
    /// Scripted answers of the next getUpdates calls: (status, body).
    script: Mutex<VecDeque<(u16, Value)>>,
    /// When set, every sendMessage waits for a permit after it is recorded.
    send_gate: Mutex<Option<Arc<Semaphore>>>,
}

impl FakeApi {
    pub async fn serve() -> (Self, String) {
        let fake = FakeApi::default();
        let app = Router::new()
            .route("/{bot}/{method}", post(handle))
            .with_state(fake.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (fake, format!("http://{addr}"))
    }

    pub fn queue(&self, update: Value) {
        self.inner.updates.lock().unwrap().push(update);
        self.inner.queued.notify_waiters();
    }

    pub fn script(&self, status: u16, body: Value) {
        self.inner.script.lock().unwrap().push_back((status, body));
    }

    pub fn hold_sends(&self) -> Arc<Semaphore> {
        let gate = Arc::new(Semaphore::new(0));
        *self.inner.send_gate.lock().unwrap() = Some(gate.clone());
        gate
    }

    pub fn calls(&self, method: &str) -> Vec<Value> {
        let calls = self.inner.calls.lock().unwrap();
        calls
            .iter()
            .filter(|(m, _)| m == method)
            .map(|(_, b)| b.clone())
            .collect()
    }

    /// Raw bodies of the calls of `method`, in order.
    pub fn raw_bodies(&self, method: &str) -> Vec<Bytes> {
        let raw = self.inner.raw.lock().unwrap();
        raw.iter()
            .filter(|(m, _)| m == method)
            .map(|(_, b)| b.clone())
            .collect()
    }

    /// Texts sent to `chat_id`, in order.
    pub fn sent_to(&self, chat_id: i64) -> Vec<String> {
        self.calls("sendMessage")
            .into_iter()
            .filter(|b| b["chat_id"] == json!(chat_id))
            .map(|b| b["text"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    /// Waits until `method` was called `count` times (fails after 20 s).
    pub async fn wait_calls(&self, method: &str, count: usize) -> Vec<Value> {
        for _ in 0..2000 {
            let calls = self.calls(method);
            if calls.len() >= count {
                return calls;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!(
            "{method} was not called {count} times: {:?}",
            self.calls(method)
        );
    }

    /// Waits until `chat_id` received `count` messages (fails after 20 s).
    pub async fn wait_sent(&self, chat_id: i64, count: usize) -> Vec<String> {
        for _ in 0..2000 {
            let sent = self.sent_to(chat_id);
            if sent.len() >= count {
                return sent;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!(
            "chat {chat_id} did not get {count} messages: {:?}",
            self.sent_to(chat_id)
        );
    }
}

async fn handle(
    State(fake): State<FakeApi>,
    Path((bot, method)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    assert_eq!(bot, format!("bot{TOKEN}"));
    fake.inner
        .raw
        .lock()
        .unwrap()
        .push((method.clone(), body.clone()));
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    fake.inner
        .calls
        .lock()
        .unwrap()
        .push((method.clone(), body.clone()));
    match method.as_str() {
        "getUpdates" => get_updates(&fake, &body).await,
        "getMe" => {
            ok(json!({"id": 1, "is_bot": true, "first_name": "hp", "username": "hostpulse_bot"}))
        }
        "sendMessage" => {
            let gate = fake.inner.send_gate.lock().unwrap().clone();
            if let Some(gate) = gate {
                gate.acquire().await.unwrap().forget();
            }
            ok(json!({"message_id": 1, "chat": {"id": body["chat_id"], "type": "private"}}))
        }
        _ => ok(json!(true)),
    }
}

async fn get_updates(fake: &FakeApi, body: &Value) -> Response {
    let scripted = fake.inner.script.lock().unwrap().pop_front();
    if let Some((status, answer)) = scripted {
        return (StatusCode::from_u16(status).unwrap(), axum::Json(answer)).into_response();
    }
    let offset = body["offset"].as_i64().unwrap_or(0);
    let timeout = Duration::from_secs(body["timeout"].as_u64().unwrap_or(0));
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let notified = fake.inner.queued.notified();
        let pending: Vec<Value> = fake
            .inner
            .updates
            .lock()
            .unwrap()
            .iter()
            .filter(|u| u["update_id"].as_i64().unwrap() >= offset)
            .cloned()
            .collect();
        if !pending.is_empty() {
            return ok(Value::Array(pending));
        }
        if tokio::time::timeout_at(deadline, notified).await.is_err() {
            return ok(json!([]));
        }
    }
}

fn ok(result: Value) -> Response {
    axum::Json(json!({"ok": true, "result": result})).into_response()
}

pub fn failure(code: u16, description: &str, retry_after: Option<u64>) -> Value {
    let mut body = json!({"ok": false, "error_code": code, "description": description});
    if let Some(seconds) = retry_after {
        body["parameters"] = json!({"retry_after": seconds});
    }
    body
}

/// A private-chat text message from `user_id`.
pub fn message(update_id: i64, user_id: i64, text: &str) -> Value {
    json!({
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "from": {"id": user_id, "is_bot": false, "first_name": "u", "username": format!("u{user_id}")},
            "chat": {"id": user_id, "type": "private"},
            "text": text,
        }
    })
}

/// A press by `user_id` on a button with `data` under message `message_id` of a private chat.
pub fn button_press(update_id: i64, user_id: i64, message_id: i64, data: &str) -> Value {
    json!({
        "update_id": update_id,
        "callback_query": {
            "id": format!("press-{update_id}"),
            "from": {"id": user_id, "is_bot": false, "first_name": "u", "username": format!("u{user_id}")},
            "message": {
                "message_id": message_id,
                "chat": {"id": user_id, "type": "private"},
                "text": "history",
            },
            "data": data,
        }
    })
}
