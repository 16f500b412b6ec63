//! One client connection: hyper's HTTP/1 state machine over a watched socket, a watchdog
//! for slow heads and idleness, and the per-request checks (peer quota, body deadline).

use super::Shared;
use super::activity::{ConnClock, Watched};
use super::deadline::DeadlineBody;
use super::registry::Ticket;
use crate::auth::has_valid_token;
use crate::error::ApiError;
use axum::body::Body;
use axum::http::header::CONNECTION;
use axum::http::{HeaderValue, Request, Response};
use axum::response::IntoResponse;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::server::graceful::Watcher;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use tower::ServiceExt;

/// Registers and serves a freshly accepted connection, or closes it at the cap.
pub(super) fn spawn(shared: &Arc<Shared>, stream: TcpStream, peer: SocketAddr, watcher: Watcher) {
    let Some(ticket) = shared.registry.admit(peer.ip()) else {
        // Debug only: a flood of connections must not become a flood of log lines.
        tracing::debug!(%peer, "connection refused: every open connection has shown a valid token (server.max_connections)");
        return;
    };
    let shared = shared.clone();
    tokio::spawn(run(shared, stream, peer, Arc::new(ticket), watcher));
}

async fn run(
    shared: Arc<Shared>,
    stream: TcpStream,
    peer: SocketAddr,
    ticket: Arc<Ticket>,
    watcher: Watcher,
) {
    let _ = stream.set_nodelay(true);
    let clock = ConnClock::new();
    let service = RequestService {
        shared: shared.clone(),
        ticket: ticket.clone(),
        clock: clock.clone(),
    };
    let mut builder = http1::Builder::new();
    // Heads and idleness are timed by the watchdog, from the head's first byte.
    builder.header_read_timeout(None).keep_alive(true);
    let connection = builder.serve_connection(Watched::new(stream, clock.clone()), service);
    tokio::select! {
        result = watcher.watch(connection) => {
            if let Err(error) = result {
                tracing::debug!(%peer, %error, "connection ended with an error");
            }
        }
        () = ticket.closed() => {
            tracing::debug!(%peer, "closed an unauthenticated connection to make room (server.max_connections)");
        }
        reason = watchdog(&clock, &shared) => {
            tracing::debug!(%peer, reason, "connection closed");
        }
    }
}

/// Resolves when the connection must be closed: a head arriving too slowly, or idleness.
async fn watchdog(clock: &ConnClock, shared: &Shared) -> &'static str {
    let limits = &shared.limits;
    let header_ms = millis(limits.header_read_timeout);
    let idle_ms = millis(limits.idle_timeout);
    let tick = (limits.header_read_timeout.min(limits.idle_timeout) / 4)
        .clamp(Duration::from_millis(50), Duration::from_secs(1));
    loop {
        tokio::time::sleep(tick).await;
        if clock.pending_head_ms().is_some_and(|ms| ms > header_ms) {
            return "request head not received within server.header_read_timeout";
        }
        if clock.idle_ms().is_some_and(|ms| ms > idle_ms) {
            return "idle for server.idle_timeout";
        }
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// Serves the requests of one connection through the router.
#[derive(Clone)]
struct RequestService {
    shared: Arc<Shared>,
    ticket: Arc<Ticket>,
    clock: Arc<ConnClock>,
}

impl hyper::service::Service<Request<Incoming>> for RequestService {
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, Infallible>> + Send>>;

    fn call(&self, request: Request<Incoming>) -> Self::Future {
        self.clock.request_started();
        let this = self.clone();
        Box::pin(async move {
            let response = this.handle(request).await;
            this.clock.request_finished();
            Ok(response)
        })
    }
}

impl RequestService {
    async fn handle(&self, request: Request<Incoming>) -> Response<Body> {
        let (parts, body) = request.into_parts();
        if !self.ticket.is_authenticated() {
            if has_valid_token(&parts, &self.shared.state).await {
                self.ticket.authenticate();
            } else if self.ticket.over_peer_quota() {
                return self.over_quota();
            }
        }
        let body = Body::new(DeadlineBody::new(
            body,
            self.shared.limits.body_read_timeout,
        ));
        let request = Request::from_parts(parts, body);
        match self.shared.app.clone().oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        }
    }

    /// 429 for a request without a valid token from a peer over its quota; the
    /// connection is closed after the answer.
    fn over_quota(&self) -> Response<Body> {
        let limit = self.shared.limits.max_unauthenticated_per_peer;
        let error = ApiError::TooManyRequests {
            detail: format!(
                "{} has more than {limit} open connections without a valid token \
                 (server.max_unauthenticated_per_peer); send a valid token or close connections",
                self.ticket.peer()
            ),
            retry_after_secs: 1,
        };
        let mut response = error.into_response();
        response
            .headers_mut()
            .insert(CONNECTION, HeaderValue::from_static("close"));
        response
    }
}
