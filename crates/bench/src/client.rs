//! Blocking HTTP calls to the hub: registering agents with the admin token and pushing
//! gzipped batches with an agent token over a kept-alive connection.

use hostpulse_proto::IngestReply;
use serde::Deserialize;
use std::time::Duration;

/// Why a call to the hub failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The hub could not be reached (refused, reset, timed out).
    #[error("cannot reach the hub: {0}")]
    Transport(#[from] ureq::Error),
    /// The hub answered with a status other than 2xx.
    #[error("hub answered {status}: {body}")]
    Status {
        /// The HTTP status.
        status: u16,
        /// The body of the answer.
        body: String,
    },
    /// The hub's 2xx answer is not the JSON expected.
    #[error("unexpected reply from the hub: {0}")]
    Reply(#[from] serde_json::Error),
}

/// Result of one push, as the load generator counts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushResult {
    /// Stored; the hub acknowledged this many samples.
    Acked {
        /// Samples the hub stored from the batch.
        samples: u64,
    },
    /// The hub had already stored this sequence number.
    Duplicate,
    /// The hub answered with an error status.
    Status(u16),
    /// No answer: connection refused, reset or timed out.
    Transport(String),
}

fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .max_idle_connections_per_host(2)
        .build()
        .into()
}

#[derive(Deserialize)]
struct CreatedAgent {
    token: String,
}

/// Registers agent `name` through `POST /api/v1/agents`; returns its token.
pub fn register_agent(hub_url: &str, admin_token: &str, name: &str) -> Result<String, ClientError> {
    let url = format!("{}/api/v1/agents", hub_url.trim_end_matches('/'));
    let mut response = agent(Duration::from_secs(30))
        .post(&url)
        .header("Authorization", &format!("Bearer {admin_token}"))
        .header("Content-Type", "application/json")
        .send(serde_json::json!({ "name": name }).to_string())?;
    let status = response.status().as_u16();
    let body = response.body_mut().read_to_string()?;
    if status != 201 {
        return Err(ClientError::Status { status, body });
    }
    Ok(serde_json::from_str::<CreatedAgent>(&body)?.token)
}

/// One simulated agent's connection to the ingest endpoint.
pub struct IngestClient {
    agent: ureq::Agent,
    url: String,
    authorization: String,
}

impl IngestClient {
    /// A client pushing to `hub_url` with `token`.
    pub fn new(hub_url: &str, token: &str, timeout: Duration) -> Self {
        Self {
            agent: agent(timeout),
            url: format!("{}/api/v1/ingest", hub_url.trim_end_matches('/')),
            authorization: format!("Bearer {token}"),
        }
    }

    /// Pushes one gzipped batch and waits for the hub's answer.
    pub fn push(&self, body: &[u8]) -> PushResult {
        let sent = self
            .agent
            .post(&self.url)
            .header("Authorization", &self.authorization)
            .header("Content-Type", "application/json")
            .header("Content-Encoding", "gzip")
            .send(body);
        let mut response = match sent {
            Ok(response) => response,
            Err(error) => return PushResult::Transport(transport_kind(&error)),
        };
        let status = response.status().as_u16();
        let reply = response.body_mut().read_to_vec();
        match (status, reply) {
            (200, Ok(reply)) => match serde_json::from_slice::<IngestReply>(&reply) {
                Ok(r) if r.duplicate => PushResult::Duplicate,
                Ok(r) => PushResult::Acked { samples: r.samples },
                Err(_) => PushResult::Transport("unreadable reply".into()),
            },
            (200, Err(error)) => PushResult::Transport(transport_kind(&error)),
            (status, _) => PushResult::Status(status),
        }
    }
}

/// A short, stable name for a transport failure (used as an error-count key).
fn transport_kind(error: &ureq::Error) -> String {
    match error {
        ureq::Error::Io(io) => format!("io: {:?}", io.kind()),
        ureq::Error::Timeout(_) => "timeout".into(),
        ureq::Error::ConnectionFailed => "connection failed".into(),
        other => {
            let text = other.to_string();
            text.chars().take(60).collect()
        }
    }
}

/// A connection to a Prometheus remote-write receiver (`/api/v1/write`), the peer.
pub struct RemoteWriteClient {
    agent: ureq::Agent,
    url: String,
}

impl RemoteWriteClient {
    /// A client writing to the Prometheus server at `base_url`.
    pub fn new(base_url: &str, timeout: Duration) -> Self {
        Self {
            agent: agent(timeout),
            url: format!("{}/api/v1/write", base_url.trim_end_matches('/')),
        }
    }

    /// Pushes one snappy-compressed `WriteRequest` holding `samples` samples.
    pub fn push(&self, body: &[u8], samples: u64) -> PushResult {
        let sent = self
            .agent
            .post(&self.url)
            .header("Content-Type", "application/x-protobuf")
            .header("Content-Encoding", "snappy")
            .header("X-Prometheus-Remote-Write-Version", "0.1.0")
            .send(body);
        let mut response = match sent {
            Ok(response) => response,
            Err(error) => return PushResult::Transport(transport_kind(&error)),
        };
        let status = response.status().as_u16();
        let _ = response.body_mut().read_to_vec();
        if (200..300).contains(&status) {
            PushResult::Acked { samples }
        } else {
            PushResult::Status(status)
        }
    }
}
