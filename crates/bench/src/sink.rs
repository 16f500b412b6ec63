//! A fast webhook receiver for the delivery benchmark: answers every POST with 200 `{}`,
//! counts requests and distinct deliveries, and serves the counts at `GET /stats`.
//!
//! A delivery is identified by its `Idempotency-Key` header (hostpulse) or, without one,
//! by the Alertmanager body's `groupKey` plus the sorted fingerprints of its alerts.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

/// Path the benchmark's receivers post to.
pub const HOOK_PATH: &str = "/hook";
/// Path of the counters.
pub const STATS_PATH: &str = "/stats";

/// The sink's counters, as served at `GET /stats`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SinkStats {
    /// Webhook requests received.
    pub requests: u64,
    /// Distinct deliveries among them.
    pub distinct: u64,
    /// Arrival of the first request, milliseconds since the Unix epoch.
    pub first_ms: Option<i64>,
    /// Arrival of the latest request, milliseconds since the Unix epoch.
    pub last_ms: Option<i64>,
}

/// Shared state of a running sink.
#[derive(Debug, Default)]
pub struct Sink {
    inner: Mutex<Counts>,
}

#[derive(Debug, Default)]
struct Counts {
    stats: SinkStats,
    keys: HashSet<String>,
}

impl Sink {
    /// Counts one request carrying delivery `key`, arrived at `at_ms`.
    pub fn record(&self, key: String, at_ms: i64) {
        let mut counts = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let stats = &mut counts.stats;
        stats.requests += 1;
        stats.first_ms.get_or_insert(at_ms);
        stats.last_ms = Some(stats.last_ms.map_or(at_ms, |last| last.max(at_ms)));
        if counts.keys.insert(key) {
            counts.stats.distinct += 1;
        }
    }

    /// The counters now.
    pub fn stats(&self) -> SinkStats {
        let counts = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        counts.stats.clone()
    }
}

/// Milliseconds since the Unix epoch now.
pub fn epoch_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

#[derive(Deserialize)]
struct AlertmanagerBody {
    #[serde(rename = "groupKey", default)]
    group_key: String,
    #[serde(default)]
    alerts: Vec<AlertmanagerAlert>,
}

#[derive(Deserialize)]
struct AlertmanagerAlert {
    #[serde(default)]
    fingerprint: String,
}

/// The key identifying one delivery: the `Idempotency-Key` header if present, else the
/// Alertmanager `groupKey` and sorted alert fingerprints, else the whole body.
pub fn delivery_key(headers: &HeaderMap, body: &[u8]) -> String {
    if let Some(key) = headers.get("idempotency-key").and_then(|v| v.to_str().ok()) {
        return format!("key:{key}");
    }
    match serde_json::from_slice::<AlertmanagerBody>(body) {
        Ok(payload) => {
            let mut prints: Vec<String> =
                payload.alerts.into_iter().map(|a| a.fingerprint).collect();
            prints.sort_unstable();
            format!("group:{}|{}", payload.group_key, prints.join(","))
        }
        Err(_) => format!("body:{}", String::from_utf8_lossy(body)),
    }
}

async fn receive(
    State(sink): State<Arc<Sink>>,
    headers: HeaderMap,
    body: Bytes,
) -> impl IntoResponse {
    let at_ms = epoch_ms();
    sink.record(delivery_key(&headers, &body), at_ms);
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        "{}",
    )
}

async fn stats(State(sink): State<Arc<Sink>>) -> impl IntoResponse {
    let body = serde_json::to_string(&sink.stats()).unwrap_or_else(|_| "{}".into());
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
}

/// The sink's routes: `POST /hook` (and `POST /`) count, `GET /stats` reports.
pub fn router(sink: Arc<Sink>) -> Router {
    Router::new()
        .route(HOOK_PATH, post(receive))
        .route("/", post(receive))
        .route(STATS_PATH, get(stats))
        .with_state(sink)
}

/// Serves the sink on `listener` until the process ends.
pub async fn serve(listener: tokio::net::TcpListener, sink: Arc<Sink>) -> std::io::Result<()> {
    axum::serve(listener, router(sink)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_idempotency_key_header_wins_over_the_body() {
        let mut headers = HeaderMap::new();
        headers.insert("Idempotency-Key", "abc".parse().unwrap());
        assert_eq!(delivery_key(&headers, b"{\"groupKey\":\"g\"}"), "key:abc");
    }

    #[test]
    fn alertmanager_bodies_are_keyed_by_group_and_sorted_fingerprints() {
        let a =
            br#"{"groupKey":"{}:{x=\"1\"}","alerts":[{"fingerprint":"f2"},{"fingerprint":"f1"}]}"#;
        let b =
            br#"{"groupKey":"{}:{x=\"1\"}","alerts":[{"fingerprint":"f1"},{"fingerprint":"f2"}]}"#;
        let none = HeaderMap::new();
        assert_eq!(delivery_key(&none, a), delivery_key(&none, b));
        assert_eq!(delivery_key(&none, a), "group:{}:{x=\"1\"}|f1,f2");
        assert_ne!(delivery_key(&none, b"not json"), delivery_key(&none, a));
    }

    #[test]
    fn counts_requests_distinct_keys_and_the_time_span() {
        let sink = Sink::default();
        assert_eq!(sink.stats(), SinkStats::default());
        sink.record("a".into(), 200);
        sink.record("b".into(), 100);
        sink.record("a".into(), 300);
        let stats = sink.stats();
        assert_eq!((stats.requests, stats.distinct), (3, 2));
        assert_eq!((stats.first_ms, stats.last_ms), (Some(200), Some(300)));
    }

    #[tokio::test]
    async fn serves_posts_and_stats_over_http() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(serve(listener, Arc::new(Sink::default())));
        let stats = tokio::task::spawn_blocking(move || {
            for key in ["k1", "k2", "k1"] {
                let mut reply = ureq::post(&format!("{url}{HOOK_PATH}"))
                    .header("Idempotency-Key", key)
                    .send("{}")
                    .unwrap();
                assert_eq!(reply.body_mut().read_to_string().unwrap(), "{}");
            }
            let text = ureq::get(&format!("{url}{STATS_PATH}"))
                .call()
                .unwrap()
                .body_mut()
                .read_to_string()
                .unwrap();
            serde_json::from_str::<SinkStats>(&text).unwrap()
        })
        .await
        .unwrap();
        assert_eq!((stats.requests, stats.distinct), (3, 2));
        assert!(stats.first_ms.is_some() && stats.first_ms <= stats.last_ms);
    }
}
