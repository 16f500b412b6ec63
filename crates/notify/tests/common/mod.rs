//! Test support: local fake provider servers (Telegram Bot API, Slack, Teams, webhooks) that
//! answer as the documented APIs do, and sample notifications.
#![allow(dead_code)]

use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use hostpulse_core::{
    Alert, AlertState, DeliveryStatus, Labels, Notification, NotificationKind, Severity,
};

/// Which provider the fake server imitates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    Telegram,
    SlackWebhook,
    SlackBot,
    Teams,
    Webhook,
}

/// How the fake server answers the next requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    Ok,
    /// 429 with `retry_after` 7 (Telegram body) or `Retry-After: 7`.
    RateLimited,
    /// 400 with a description that echoes the request path.
    BadRequest,
    /// 502/503.
    ServerError,
    /// Answers after 3 s, longer than the client timeout.
    Slow,
}

/// One request the fake server received.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub path: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Recorded {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("JSON body")
    }
}

struct State {
    flavor: Flavor,
    scenario: Scenario,
    /// Answers for the next requests, in order, before `scenario` applies again.
    script: VecDeque<Scenario>,
    requests: Vec<Recorded>,
    next_id: i64,
}

/// A fake provider on 127.0.0.1 with a random port.
#[derive(Clone)]
pub struct FakeServer {
    pub addr: SocketAddr,
    state: Arc<Mutex<State>>,
}

impl FakeServer {
    pub async fn start(flavor: Flavor) -> Self {
        let state = Arc::new(Mutex::new(State {
            flavor,
            scenario: Scenario::Ok,
            script: VecDeque::new(),
            requests: Vec::new(),
            next_id: 100,
        }));
        let shared = state.clone();
        let app = axum::Router::new().fallback(move |uri: Uri, headers: HeaderMap, body: Bytes| {
            let state = shared.clone();
            async move { answer(state, uri, headers, body).await }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { addr, state }
    }

    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn set(&self, scenario: Scenario) {
        self.state.lock().expect("lock").scenario = scenario;
    }

    /// Answers the next requests as listed, one each, then as set by [`FakeServer::set`].
    pub fn script(&self, answers: &[Scenario]) {
        self.state.lock().expect("lock").script = answers.iter().copied().collect();
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.state.lock().expect("lock").requests.clone()
    }
}

async fn answer(state: Arc<Mutex<State>>, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let path = uri.path().to_owned();
    let (flavor, scenario, id) = {
        let mut s = state.lock().expect("lock");
        s.requests.push(Recorded {
            path: path.clone(),
            headers,
            body,
        });
        s.next_id += 1;
        let scenario = s.script.pop_front().unwrap_or(s.scenario);
        (s.flavor, scenario, s.next_id)
    };
    if scenario == Scenario::Slow {
        tokio::time::sleep(Duration::from_secs(3)).await;
    }
    match flavor {
        Flavor::Telegram => telegram(scenario, &path, id),
        Flavor::SlackWebhook => slack_webhook(scenario, &path),
        Flavor::SlackBot => slack_bot(scenario, id),
        Flavor::Teams => teams(scenario, &path),
        Flavor::Webhook => webhook(scenario, &path),
    }
}

fn json(status: StatusCode, value: serde_json::Value) -> Response {
    (
        status,
        [("content-type", "application/json")],
        value.to_string(),
    )
        .into_response()
}

fn retry_after_7(status: StatusCode, body: &str) -> Response {
    (status, [("retry-after", "7")], body.to_owned()).into_response()
}

/// The Bot API: `{"ok":true,"result":{...}}` or `{"ok":false,"error_code",...}`.
fn telegram(scenario: Scenario, path: &str, id: i64) -> Response {
    match scenario {
        Scenario::Ok | Scenario::Slow => json(
            StatusCode::OK,
            serde_json::json!({ "ok": true, "result": { "message_id": id, "chat": { "id": -100 } } }),
        ),
        Scenario::RateLimited => json(
            StatusCode::TOO_MANY_REQUESTS,
            serde_json::json!({ "ok": false, "error_code": 429,
                "description": "Too Many Requests: retry after 7", "parameters": { "retry_after": 7 } }),
        ),
        Scenario::BadRequest => json(
            StatusCode::BAD_REQUEST,
            serde_json::json!({ "ok": false, "error_code": 400,
                "description": format!("Bad Request: chat not found ({path})") }),
        ),
        Scenario::ServerError => (StatusCode::BAD_GATEWAY, "Bad Gateway").into_response(),
    }
}

/// Incoming webhooks answer `ok`, or plain-text errors.
fn slack_webhook(scenario: Scenario, path: &str) -> Response {
    match scenario {
        Scenario::Ok | Scenario::Slow => (StatusCode::OK, "ok").into_response(),
        Scenario::RateLimited => retry_after_7(StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
        Scenario::BadRequest => (
            StatusCode::BAD_REQUEST,
            format!("invalid_payload for {path}"),
        )
            .into_response(),
        Scenario::ServerError => {
            (StatusCode::INTERNAL_SERVER_ERROR, "internal_error").into_response()
        }
    }
}

/// `chat.postMessage`: HTTP 200 with `ok: false` for most errors, 429 when rate limited.
fn slack_bot(scenario: Scenario, id: i64) -> Response {
    match scenario {
        Scenario::Ok | Scenario::Slow => json(
            StatusCode::OK,
            serde_json::json!({ "ok": true, "channel": "C1", "ts": format!("1700000000.{id}") }),
        ),
        Scenario::RateLimited => retry_after_7(
            StatusCode::TOO_MANY_REQUESTS,
            "{\"ok\":false,\"error\":\"ratelimited\"}",
        ),
        Scenario::BadRequest => json(
            StatusCode::OK,
            serde_json::json!({ "ok": false, "error": "channel_not_found" }),
        ),
        Scenario::ServerError => (StatusCode::SERVICE_UNAVAILABLE, "unavailable").into_response(),
    }
}

/// Workflows webhooks answer 202 Accepted.
fn teams(scenario: Scenario, path: &str) -> Response {
    match scenario {
        Scenario::Ok | Scenario::Slow => (StatusCode::ACCEPTED, "").into_response(),
        Scenario::RateLimited => retry_after_7(StatusCode::TOO_MANY_REQUESTS, "Too many requests"),
        Scenario::BadRequest => json(
            StatusCode::BAD_REQUEST,
            serde_json::json!({ "error": { "code": "InvalidRequestContent",
                "message": format!("The request content is not valid for {path}") } }),
        ),
        Scenario::ServerError => (StatusCode::BAD_GATEWAY, "Bad Gateway").into_response(),
    }
}

fn webhook(scenario: Scenario, path: &str) -> Response {
    match scenario {
        Scenario::Ok | Scenario::Slow => (StatusCode::OK, "").into_response(),
        Scenario::RateLimited => retry_after_7(StatusCode::TOO_MANY_REQUESTS, "slow down"),
        Scenario::BadRequest => {
            (StatusCode::BAD_REQUEST, format!("unknown route {path}")).into_response()
        }
        Scenario::ServerError => (StatusCode::SERVICE_UNAVAILABLE, "unavailable").into_response(),
    }
}

/// A loopback address nothing listens on.
pub async fn refused_address() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    listener.local_addr().expect("addr")
}

/// An alert of rule `rule` on `host`.
pub fn alert(rule: &str, host: &str, state: AlertState, summary: &str) -> Alert {
    let mut annotations = BTreeMap::new();
    annotations.insert("host_ip".to_owned(), "10.0.0.7".to_owned());
    Alert {
        id: hostpulse_core::alert_fingerprint(rule, host, &Labels::new()),
        rule: rule.into(),
        host: host.into(),
        labels: Labels::from([("mount".to_owned(), "/".to_owned())]),
        severity: Severity::Critical,
        state,
        value: 91.234,
        threshold: Some(85.0),
        summary: summary.into(),
        description: "CPU is busy".into(),
        annotations,
        active_since_ms: 1_700_000_000_000,
        firing_since_ms: Some(1_700_000_060_000),
        resolved_ms: (state == AlertState::Resolved).then_some(1_700_000_900_000),
        last_eval_ms: 1_700_000_900_000,
        ack: None,
        dry_run: false,
    }
}

/// A notification of `kind` about `alerts`.
pub fn notification(kind: NotificationKind, alerts: Vec<Alert>) -> Notification {
    Notification {
        id: 1,
        receiver: "ops".into(),
        group_key: "route0{host=\"web-1\",rule=\"high_cpu\"}".into(),
        group_labels: Labels::from([("host".to_owned(), "web-1".to_owned())]),
        kind,
        severity: Severity::Critical,
        alerts,
        created_ms: 1_700_000_100_000,
        status: DeliveryStatus::Pending,
        attempts: 0,
        last_error: None,
        escalation_step: None,
        provider_ids: Vec::new(),
    }
}

/// One firing high-CPU alert on web-1.
pub fn firing() -> Notification {
    notification(
        NotificationKind::Firing,
        vec![alert(
            "high_cpu",
            "web-1",
            AlertState::Firing,
            "avg(cpu) = 91.2 > 85 <&>",
        )],
    )
}

/// The same alert, resolved.
pub fn resolved() -> Notification {
    notification(
        NotificationKind::Resolved,
        vec![alert(
            "high_cpu",
            "web-1",
            AlertState::Resolved,
            "avg(cpu) = 40 < 85",
        )],
    )
}

/// `count` alerts with long summaries: larger than every provider's message limit.
pub fn huge(count: usize) -> Notification {
    let alerts = (0..count)
        .map(|i| {
            let summary = format!("disk {i} is filling up {}", "x".repeat(120));
            alert(
                "disk_full",
                &format!("host-{i:04}"),
                AlertState::Firing,
                &summary,
            )
        })
        .collect();
    notification(NotificationKind::Firing, alerts)
}
