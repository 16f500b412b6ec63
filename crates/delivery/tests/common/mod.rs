//! Test support for delivery: a real SQLite store on a manual clock, sample notifications,
//! receivers, and local fakes of the Telegram Bot API and of a webhook that record every
//! request in arrival order and answer as scripted.
#![allow(dead_code)]

use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use hostpulse_config::{
    RateLimit, ReceiverConfig, ReceiverKind, Secret, TelegramSettings, WebhookSettings,
};
use hostpulse_core::{
    Alert, AlertState, Clock, DeliveryStatus, Labels, ManualClock, Notification,
    NotificationKind, Severity,
};
use hostpulse_delivery::Delivery;
use hostpulse_store::{AlertChanges, AlertStore, NotificationQuery, SqliteOptions, SqliteStore};

/// An hour-aligned start time of the virtual clock.
pub const T0: i64 = 1_699_999_200_000;
/// Secret part of every webhook URL (it must never appear in an error).
pub const HOOK_PATH: &str = "/hooks/SECRETHOOK";
/// Bot token of the Telegram receivers (a secret as well).
pub const BOT_TOKEN: &str = "123456:SECRET-BOT-TOKEN";

/// A store in a temporary directory and the manual clock it and delivery run on.
pub struct Harness {
    pub clock: ManualClock,
    pub store: Arc<SqliteStore>,
    _dir: tempfile::TempDir,
}

impl Harness {
    pub async fn new() -> Self {
        hostpulse_notify::install_crypto_provider();
        let dir = tempfile::tempdir().expect("tempdir");
        let clock = ManualClock::new(T0);
        let shared: Arc<dyn Clock> = Arc::new(clock.clone());
        let store = SqliteStore::open(SqliteOptions::new(dir.path().join("db")), shared)
            .await
            .expect("open store");
        Self {
            clock,
            store,
            _dir: dir,
        }
    }

    /// Delivery over this store and clock, driven by [`Delivery::deliver_now`].
    pub async fn start(&self, receivers: &[ReceiverConfig]) -> Arc<Delivery> {
        Delivery::start(
            self.store.clone(),
            Arc::new(self.clock.clone()),
            None,
            receivers,
            false,
        )
        .await
    }

    /// Appends notifications to the outbox; returns their ids.
    pub async fn seed(&self, notifications: Vec<Notification>) -> Vec<i64> {
        self.store
            .save_alert_changes(AlertChanges {
                notifications,
                ..Default::default()
            })
            .await
            .expect("seed")
    }

    /// Every notification, oldest first.
    pub async fn all(&self) -> Vec<Notification> {
        let page = self
            .store
            .notifications(NotificationQuery {
                limit: 500,
                ..Default::default()
            })
            .await
            .expect("notifications");
        let mut all = page.notifications;
        all.sort_by_key(|n| n.id);
        all
    }

    pub async fn get(&self, id: i64) -> Notification {
        self.all()
            .await
            .into_iter()
            .find(|n| n.id == id)
            .expect("notification")
    }

    /// Runs passes, moving the clock to each time delivery asks for, until nothing is left.
    pub async fn drain(&self, delivery: &Delivery) {
        for _ in 0..10_000 {
            match delivery.deliver_now().await {
                None => return,
                Some(at) => self.clock.set(at.max(self.clock.now_ms())),
            }
        }
        panic!("delivery never finished");
    }
}

/// One firing alert on `host`.
pub fn alert(host: &str, summary: &str) -> Alert {
    let labels = Labels::new();
    Alert {
        id: hostpulse_core::alert_fingerprint("high_cpu", host, &labels),
        rule: "high_cpu".into(),
        host: host.into(),
        labels,
        severity: Severity::Critical,
        state: AlertState::Firing,
        value: 91.2,
        threshold: Some(85.0),
        summary: summary.into(),
        description: "CPU is busy".into(),
        annotations: BTreeMap::new(),
        active_since_ms: T0 - 60_000,
        firing_since_ms: Some(T0),
        resolved_ms: None,
        last_eval_ms: T0,
        ack: None,
        dry_run: false,
    }
}

/// A pending notification of `kind` for `receiver` about group `group` (one alert on it).
pub fn notification(receiver: &str, group: &str, kind: NotificationKind) -> Notification {
    let mut alert = alert(group, "avg(cpu) = 91.2 > 85");
    if kind == NotificationKind::Resolved {
        alert.state = AlertState::Resolved;
        alert.resolved_ms = Some(T0);
    }
    Notification {
        id: 0,
        receiver: receiver.into(),
        group_key: format!("route0{{host=\"{group}\"}}"),
        group_labels: Labels::from([("host".to_owned(), group.to_owned())]),
        kind,
        severity: Severity::Critical,
        alerts: vec![alert],
        created_ms: T0,
        status: DeliveryStatus::Pending,
        attempts: 0,
        last_error: None,
        escalation_step: None,
        provider_ids: Vec::new(),
    }
}

pub fn firing(receiver: &str, group: &str) -> Notification {
    notification(receiver, group, NotificationKind::Firing)
}

/// A firing notification with `count` alerts of long summaries (several Telegram parts).
pub fn huge(receiver: &str, count: usize) -> Notification {
    let mut n = firing(receiver, "fleet");
    n.alerts = (0..count)
        .map(|i| {
            alert(
                &format!("host-{i:04}"),
                &format!("disk {i} is filling up {}", "x".repeat(120)),
            )
        })
        .collect();
    n
}

/// A Telegram receiver posting to `chat_id` through the fake at `base`.
pub fn telegram(name: &str, base: &str, chat_id: &str, rate_limit: Option<RateLimit>) -> ReceiverConfig {
    ReceiverConfig {
        name: name.into(),
        kind: ReceiverKind::Telegram(TelegramSettings {
            bot_token: Secret::new(BOT_TOKEN),
            chat_id: chat_id.into(),
            message_thread_id: None,
            api_url: base.into(),
            silent_below: None,
            timeout: Duration::from_secs(5),
            template: None,
        }),
        rate_limit,
    }
}

/// A Telegram receiver with the default rate limit of its chat kind.
pub fn telegram_default(name: &str, base: &str, chat_id: &str) -> ReceiverConfig {
    let mut receiver = telegram(name, base, chat_id, None);
    receiver.rate_limit = RateLimit::default_for(&receiver.kind);
    receiver
}

/// A webhook receiver posting to `{base}{HOOK_PATH}`, unlimited.
pub fn webhook(name: &str, base: &str) -> ReceiverConfig {
    ReceiverConfig {
        name: name.into(),
        kind: ReceiverKind::Webhook(WebhookSettings {
            url: Secret::new(format!("{base}{HOOK_PATH}")),
            headers: BTreeMap::new(),
            hmac_secret: None,
            timeout: Duration::from_secs(5),
        }),
        rate_limit: None,
    }
}

/// How the fake answers one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Ok,
    /// 429 with `retry_after` (Telegram body) or `Retry-After` of this many seconds.
    RateLimited(u64),
    /// 400 whose text echoes the request path.
    BadRequest,
    /// 503.
    Unavailable,
}

/// Which API the fake imitates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    Telegram,
    Webhook,
}

/// One request the fake received, and how it answered.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub path: String,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub answer: Answer,
    /// The Telegram `message_id` of a successful answer.
    pub message_id: Option<i64>,
}

impl Recorded {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("JSON body")
    }

    pub fn idempotency_key(&self) -> String {
        self.headers
            .get("idempotency-key")
            .and_then(|v| v.to_str().ok())
            .expect("Idempotency-Key")
            .to_owned()
    }

    pub fn text(&self) -> String {
        self.json()["text"].as_str().expect("text").to_owned()
    }
}

struct FakeState {
    api: Api,
    script: VecDeque<Answer>,
    requests: Vec<Recorded>,
    next_message_id: i64,
}

/// A fake provider on 127.0.0.1.
#[derive(Clone)]
pub struct Fake {
    pub addr: SocketAddr,
    state: Arc<Mutex<FakeState>>,
}

impl Fake {
    /// A fake on a free port; Telegram message ids start at `first_message_id`.
    pub async fn start(api: Api, first_message_id: i64) -> Self {
        Self::start_on("127.0.0.1:0".parse().expect("addr"), api, first_message_id).await
    }

    /// A fake on `addr` (retrying while the port is still being released).
    pub async fn start_on(addr: SocketAddr, api: Api, first_message_id: i64) -> Self {
        let state = Arc::new(Mutex::new(FakeState {
            api,
            script: VecDeque::new(),
            requests: Vec::new(),
            next_message_id: first_message_id,
        }));
        let shared = state.clone();
        let app = axum::Router::new().fallback(move |uri: Uri, headers: HeaderMap, body: Bytes| {
            let state = shared.clone();
            async move { answer(&state, uri, headers, body) }
        });
        let listener = bind(addr).await;
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { addr, state }
    }

    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Answers the next requests as listed, then `Ok`.
    pub fn script(&self, answers: &[Answer]) {
        self.state.lock().expect("lock").script = answers.iter().copied().collect();
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.state.lock().expect("lock").requests.clone()
    }

    /// The requests answered with success.
    pub fn delivered(&self) -> Vec<Recorded> {
        self.requests()
            .into_iter()
            .filter(|r| r.answer == Answer::Ok)
            .collect()
    }
}

async fn bind(addr: SocketAddr) -> tokio::net::TcpListener {
    let mut last_error = None;
    for _ in 0..50 {
        match tokio::net::TcpListener::bind(addr).await {
            Ok(listener) => return listener,
            Err(e) => last_error = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("cannot bind {addr}: {last_error:?}");
}

/// A loopback address nothing listens on (any more).
pub async fn closed_address() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    listener.local_addr().expect("addr")
}

fn answer(state: &Mutex<FakeState>, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let path = uri.path().to_owned();
    let mut s = state.lock().expect("lock");
    let answer = s.script.pop_front().unwrap_or(Answer::Ok);
    let message_id = (answer == Answer::Ok && s.api == Api::Telegram).then(|| {
        s.next_message_id += 1;
        s.next_message_id - 1
    });
    s.requests.push(Recorded {
        path: path.clone(),
        headers,
        body,
        answer,
        message_id,
    });
    match s.api {
        Api::Telegram => telegram_answer(answer, &path, message_id),
        Api::Webhook => webhook_answer(answer, &path),
    }
}

fn json(status: StatusCode, value: serde_json::Value) -> Response {
    (status, [("content-type", "application/json")], value.to_string()).into_response()
}

/// The Bot API's `sendMessage` replies.
fn telegram_answer(answer: Answer, path: &str, message_id: Option<i64>) -> Response {
    match answer {
        Answer::Ok => json(
            StatusCode::OK,
            serde_json::json!({ "ok": true, "result": { "message_id": message_id, "chat": { "id": 1 } } }),
        ),
        Answer::RateLimited(secs) => json(
            StatusCode::TOO_MANY_REQUESTS,
            serde_json::json!({ "ok": false, "error_code": 429,
                "description": format!("Too Many Requests: retry after {secs}"),
                "parameters": { "retry_after": secs } }),
        ),
        Answer::BadRequest => json(
            StatusCode::BAD_REQUEST,
            serde_json::json!({ "ok": false, "error_code": 400,
                "description": format!("Bad Request: chat not found ({path})") }),
        ),
        Answer::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "unavailable").into_response(),
    }
}

fn webhook_answer(answer: Answer, path: &str) -> Response {
    match answer {
        Answer::Ok => (StatusCode::OK, "").into_response(),
        Answer::RateLimited(secs) => (
            StatusCode::TOO_MANY_REQUESTS,
            [("retry-after", secs.to_string())],
            "slow down",
        )
            .into_response(),
        Answer::BadRequest => {
            (StatusCode::BAD_REQUEST, format!("unknown route {path}")).into_response()
        }
        Answer::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "unavailable").into_response(),
    }
}
