//! The `server:` section: connection timeouts and caps of the hub's HTTP server, and the
//! size caps of query answers.

use std::time::Duration;

use serde::Deserialize;

use crate::scalar::Scalar;
use crate::validate::{Validator, join};

/// Limits of the HTTP server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    /// A request head must be complete this long after its first byte.
    pub header_read_timeout: Duration,
    /// A request body must be complete this long after its head.
    pub body_read_timeout: Duration,
    /// A connection with nothing in progress is closed after this long.
    pub idle_timeout: Duration,
    /// Most open connections.
    pub max_connections: usize,
    /// Open connections of one peer address without a valid token before 429.
    pub max_unauthenticated_per_peer: usize,
    /// Most series in one `query_range` answer.
    pub max_series_per_query: usize,
    /// Most points over all series of one `query_range` answer.
    pub max_points_per_query: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(30),
            max_connections: 512,
            max_unauthenticated_per_peer: 16,
            max_series_per_query: 1_000,
            max_points_per_query: 250_000,
        }
    }
}

/// The `server:` section as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawServer {
    header_read_timeout: Option<Scalar>,
    body_read_timeout: Option<Scalar>,
    idle_timeout: Option<Scalar>,
    max_connections: Option<Scalar>,
    max_unauthenticated_per_peer: Option<Scalar>,
    max_series_per_query: Option<Scalar>,
    max_points_per_query: Option<Scalar>,
}

impl RawServer {
    pub(crate) fn validate(self, v: &mut Validator, path: &str) -> ServerConfig {
        let d = ServerConfig::default();
        let second = Duration::from_secs(1);
        ServerConfig {
            header_read_timeout: v.duration(
                &join(path, "header_read_timeout"),
                self.header_read_timeout,
                d.header_read_timeout,
                second,
            ),
            body_read_timeout: v.duration(
                &join(path, "body_read_timeout"),
                self.body_read_timeout,
                d.body_read_timeout,
                second,
            ),
            idle_timeout: v.duration(
                &join(path, "idle_timeout"),
                self.idle_timeout,
                d.idle_timeout,
                second,
            ),
            max_connections: v.count(
                &join(path, "max_connections"),
                self.max_connections,
                d.max_connections,
                1..=1_000_000,
            ),
            max_unauthenticated_per_peer: v.count(
                &join(path, "max_unauthenticated_per_peer"),
                self.max_unauthenticated_per_peer,
                d.max_unauthenticated_per_peer,
                1..=1_000_000,
            ),
            max_series_per_query: v.count(
                &join(path, "max_series_per_query"),
                self.max_series_per_query,
                d.max_series_per_query,
                1..=1_000_000,
            ),
            max_points_per_query: v.count(
                &join(path, "max_points_per_query"),
                self.max_points_per_query,
                d.max_points_per_query,
                1_000..=100_000_000,
            ),
        }
    }
}
