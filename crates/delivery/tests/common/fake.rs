//! Local fakes of the Telegram Bot API (`sendMessage`) and of a webhook: they record every
//! request in arrival order and answer as scripted, then with success.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

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
    (
        status,
        [("content-type", "application/json")],
        value.to_string(),
    )
        .into_response()
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
