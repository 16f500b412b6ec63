//! The hub's HTTP server: an accept loop over hyper's HTTP/1 connections with a header
//! read timeout (from the head's first byte), a body read timeout per request, an idle
//! timeout between requests, a cap on open connections and a per-peer quota of
//! connections that have not shown a valid token; graceful shutdown on a signal.

mod activity;
mod connection;
mod deadline;
mod registry;

pub use deadline::BodyTimeout;

use crate::state::AppState;
use axum::Router;
use hyper_util::server::graceful::GracefulShutdown;
use registry::Registry;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// Connection limits and timeouts of the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerLimits {
    /// A request head must be complete this long after its first byte.
    pub header_read_timeout: Duration,
    /// A request body must be complete this long after its head.
    pub body_read_timeout: Duration,
    /// A connection with no request in progress and no bytes moving is closed after this.
    pub idle_timeout: Duration,
    /// Most open connections; beyond it the oldest unauthenticated one is closed, or the
    /// new one when every open connection has shown a valid token.
    pub max_connections: usize,
    /// Connections of one peer address that have not shown a valid token, beyond which
    /// such requests are answered 429.
    pub max_unauthenticated_per_peer: usize,
}

impl Default for ServerLimits {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(30),
            max_connections: 512,
            max_unauthenticated_per_peer: 16,
        }
    }
}

/// How long open connections may finish their requests once shutdown begins.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);
/// Pause after a failed accept (e.g. out of file descriptors) before the next one.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// What every connection task shares.
struct Shared {
    app: Router,
    state: AppState,
    limits: ServerLimits,
    registry: Arc<Registry>,
}

/// Serves `app` on `listener` until `shutdown` resolves, then lets open requests finish
/// (bounded) and returns.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    state: AppState,
    limits: ServerLimits,
    shutdown: impl Future<Output = ()>,
) {
    let registry = Registry::new(limits.max_connections, limits.max_unauthenticated_per_peer);
    let shared = Arc::new(Shared {
        app,
        state,
        limits,
        registry,
    });
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => connection::spawn(&shared, stream, peer, graceful.watcher()),
                Err(error) => {
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                }
            },
        }
    }
    drop(listener);
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("open connections did not finish within {SHUTDOWN_GRACE:?}; closing them");
    }
}
