//! Containers of the host's engine (Docker, or podman's Docker-compatible service), spoken
//! to over its local socket by a minimal blocking HTTP/1.1 client ([`client`]): the
//! `containers` collector family ([`ContainersCollector`]) and the calls the command
//! channel makes (list, inspect, logs, start, stop, restart, prune; see [`api`]).

pub mod api;
pub mod client;
pub mod endpoint;
mod family;
pub mod http;
mod metrics;
pub mod parse;

pub use api::validate_name;
pub use client::{Client, Endpoint};
pub use endpoint::{Resolved, resolve};
pub use family::ContainersCollector;

use std::time::Duration;

/// Timeout of each connect, write and read of an engine call.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(5);

/// Default of `containers.stats_interval`: stats (and a full re-inspect) at most this often.
pub const DEFAULT_STATS_INTERVAL_MS: u64 = 10_000;

/// Why an engine call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContainerError {
    /// Connecting, writing or reading failed (engine down, socket missing, timeout).
    #[error("{0}")]
    Io(String),
    /// The reply is not well-formed HTTP/1.1 or is larger than its cap.
    #[error("bad reply: {0}")]
    Http(String),
    /// The engine answered with an error status (404: no such container).
    #[error("engine answered {status}: {message}")]
    Status {
        /// The HTTP status.
        status: u16,
        /// The engine's message.
        message: String,
    },
    /// A reply's JSON does not have the expected shape.
    #[error("unexpected reply: {0}")]
    Parse(String),
    /// A container name that is not `[A-Za-z0-9][A-Za-z0-9_.-]*` of at most 128 bytes.
    #[error("invalid container name {0:?}")]
    BadName(String),
}

impl ContainerError {
    /// The same error with `what` (the request) in front of an I/O or HTTP message.
    pub fn context(self, what: &str) -> Self {
        match self {
            ContainerError::Io(m) => ContainerError::Io(format!("{what}: {m}")),
            ContainerError::Http(m) => ContainerError::Http(format!("{what}: {m}")),
            other => other,
        }
    }
}

/// The `containers` family's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainersConfig {
    /// The engine, already resolved (see [`resolve`]); `None` turns the family off.
    pub endpoint: Option<Endpoint>,
    /// Stats and full re-inspects run at most this often, milliseconds.
    pub stats_interval_ms: u64,
}

impl Default for ContainersConfig {
    fn default() -> Self {
        Self {
            endpoint: None,
            stats_interval_ms: DEFAULT_STATS_INTERVAL_MS,
        }
    }
}

impl ContainersConfig {
    /// The family these settings describe.
    pub fn build(&self) -> ContainersCollector {
        let client = self.endpoint.clone().map(|e| Client::new(e, CALL_TIMEOUT));
        ContainersCollector::new(client, self.stats_interval_ms)
    }
}

/// Whether [`configure`] has logged its line in this process.
static LOGGED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The family's settings from the configured endpoint (already checked by the
/// configuration) and stats interval: resolves the engine (see [`resolve`]) and, when the
/// family is `enabled`, logs one INFO line (the first call of the process only) saying which engine is used or that the
/// family is off for want of one.
pub fn configure(
    endpoint: Option<&str>,
    stats_interval: Duration,
    enabled: bool,
) -> ContainersConfig {
    let configured = endpoint.and_then(|text| match Endpoint::parse(text) {
        Ok(endpoint) => Some(endpoint),
        Err(why) => {
            tracing::warn!(%why, "containers.endpoint ignored");
            None
        }
    });
    let resolved = resolve(configured.as_ref());
    // Once per process, however many parts (collector, command channel) ask.
    if enabled && !LOGGED.swap(true, std::sync::atomic::Ordering::Relaxed) {
        if let Some(why) = &resolved.ignored {
            tracing::warn!(%why, "DOCKER_HOST ignored");
        }
        match &resolved.endpoint {
            Some(e) => {
                tracing::info!(endpoint = %e, source = resolved.source, "containers: engine endpoint")
            }
            None => tracing::info!(
                tried = "containers.endpoint, DOCKER_HOST, /var/run/docker.sock, /run/podman/podman.sock",
                "containers family off: no container engine endpoint"
            ),
        }
    }
    ContainersConfig {
        endpoint: resolved.endpoint,
        stats_interval_ms: u64::try_from(stats_interval.as_millis()).unwrap_or(u64::MAX),
    }
}
