//! HTTP(S) delivery of one encoded batch to the hub, and classification of its reply.

use crate::backoff::parse_retry_after;
use hostpulse_proto::{IngestReply, UNSUPPORTED_VERSION, VersionRange};
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;
use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig};

/// Path of the ingest endpoint under the hub URL.
pub const INGEST_PATH: &str = "/api/v1/ingest";

/// Connection read and write buffers (ureq's default is 128 KiB each; batches are small).
const IO_BUFFER_BYTES: usize = 16 * 1024;

/// How long the plain-HTTP check of an https hub URL may take after a failed push.
const PLAIN_HTTP_PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// Largest reply header accepted from the hub.
const MAX_REPLY_HEADER_BYTES: usize = 8 * 1024;

/// Largest reply body read from the hub.
const MAX_REPLY_BYTES: u64 = 64 * 1024;

/// Where and how to push. `Debug` never shows the token.
#[derive(Clone)]
pub struct PushConfig {
    /// Base URL of the hub, without a trailing slash.
    pub hub_url: String,
    /// The host's ingest token, sent as a bearer token.
    pub token: String,
    /// Timeout of one request.
    pub timeout: Duration,
    /// PEM file with the CA certificate(s) to trust for the hub (instead of the built-in roots).
    pub ca_file: Option<PathBuf>,
    /// Accept any certificate: for testing only, warned about at start.
    pub insecure_skip_verify: bool,
}

impl fmt::Debug for PushConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PushConfig")
            .field("hub_url", &self.hub_url)
            .field("token", &"<redacted>")
            .field("timeout", &self.timeout)
            .field("ca_file", &self.ca_file)
            .field("insecure_skip_verify", &self.insecure_skip_verify)
            .finish()
    }
}

/// Why a pusher could not be built.
#[derive(Debug, thiserror::Error)]
pub enum PushSetupError {
    /// The hub URL has another scheme (or none).
    #[error("hub URL {0:?} must start with http:// or https://")]
    BadUrl(String),
    /// The CA file could not be read.
    #[error("reading CA file {path}: {source}")]
    CaFile {
        /// The CA file.
        path: PathBuf,
        /// What the read reported.
        #[source]
        source: std::io::Error,
    },
    /// The CA file holds no certificate.
    #[error("CA file {0} holds no PEM certificate")]
    NoCertificate(PathBuf),
    /// A certificate of the CA file does not parse.
    #[error("CA file {path}: {source}")]
    Pem {
        /// The CA file.
        path: PathBuf,
        /// What the PEM parser reported.
        #[source]
        source: ureq::Error,
    },
}

/// What became of one push.
#[derive(Debug, Clone, PartialEq)]
pub enum PushOutcome {
    /// 2xx: the hub has the batch (its reply, when parsable).
    Acknowledged(Option<IngestReply>),
    /// 426 (`unsupported_version`): the hub cannot read this protocol version; keep the
    /// batch for a hub that can, and back off. `hub` is the range the hub reads.
    UnsupportedVersion {
        /// The hub's reason.
        reason: String,
        /// The protocol versions the hub reads, when it said.
        hub: Option<VersionRange>,
    },
    /// 401/403: the token is wrong or revoked; keep the batch and back off.
    Unauthorized {
        /// The HTTP status.
        status: u16,
    },
    /// 400/413/422: the hub will never take this batch; drop it.
    Refused {
        /// The HTTP status.
        status: u16,
        /// The hub's reason.
        reason: String,
    },
    /// 409: another live agent process sends on this token (or as this instance); keep the
    /// batch and try again later, when the other one may have stopped.
    Conflict {
        /// The hub's reason.
        reason: String,
    },
    /// The hub could not be reached (connection refused, reset, name not found): try again
    /// soon, a failed connect costs the hub nothing.
    Unreachable {
        /// What the connection attempt reported.
        reason: String,
    },
    /// 429, 5xx, other statuses and timeouts: try again later, after `retry_after` if given.
    RetryLater {
        /// The status or error seen.
        reason: String,
        /// The hub's `Retry-After`, if any.
        retry_after: Option<Duration>,
    },
}

/// A reusable HTTP client bound to one hub and token.
pub struct Pusher {
    agent: ureq::Agent,
    url: String,
    authorization: String,
}

impl fmt::Debug for Pusher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pusher").field("url", &self.url).finish()
    }
}

impl Pusher {
    /// Builds the client; fails on a malformed URL or an unusable CA file.
    pub fn new(config: &PushConfig) -> Result<Self, PushSetupError> {
        let base = config.hub_url.trim_end_matches('/');
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(PushSetupError::BadUrl(config.hub_url.clone()));
        }
        if config.insecure_skip_verify {
            tracing::warn!("TLS certificate verification is DISABLED (insecure_skip_verify)");
        }
        let agent_config = ureq::Agent::config_builder()
            .timeout_global(Some(config.timeout))
            .http_status_as_error(false)
            .max_idle_connections(1)
            .max_idle_connections_per_host(1)
            .input_buffer_size(IO_BUFFER_BYTES)
            .output_buffer_size(IO_BUFFER_BYTES)
            .max_response_header_size(MAX_REPLY_HEADER_BYTES)
            .user_agent(concat!("hostpulse-agent/", env!("CARGO_PKG_VERSION")))
            .tls_config(tls_config(config)?)
            .build();
        Ok(Self {
            agent: agent_config.into(),
            url: format!("{base}{INGEST_PATH}"),
            authorization: format!("Bearer {}", config.token),
        })
    }

    /// Why the hub could not be reached; an https URL on a plain-HTTP port is said so.
    fn unreachable_reason(&self, error: &ureq::Error) -> String {
        let base = self.url.strip_suffix(INGEST_PATH).unwrap_or(&self.url);
        hostpulse_config_core::plain_http_advice(base, PLAIN_HTTP_PROBE_TIMEOUT)
            .unwrap_or_else(|| error.to_string())
    }

    /// The full ingest URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The same HTTP client (TLS, connection pool, user agent) for the hub's other agent
    /// endpoints, with the hub's base URL and the `Authorization` header value.
    pub fn client(&self) -> (ureq::Agent, String, String) {
        let base = self.url.strip_suffix(INGEST_PATH).unwrap_or(&self.url);
        (
            self.agent.clone(),
            base.to_owned(),
            self.authorization.clone(),
        )
    }

    /// POSTs one gzip-encoded batch and classifies the reply.
    pub fn push(&self, body: &[u8]) -> PushOutcome {
        let sent = self
            .agent
            .post(&self.url)
            .header("Authorization", &self.authorization)
            .header("Content-Type", "application/json")
            .header("Content-Encoding", "gzip")
            .send(body);
        let mut response = match sent {
            Ok(response) => response,
            Err(ureq::Error::Timeout(timeout)) => {
                return PushOutcome::RetryLater {
                    reason: format!("no answer from the hub in time ({timeout})"),
                    retry_after: None,
                };
            }
            Err(e) => {
                return PushOutcome::Unreachable {
                    reason: self.unreachable_reason(&e),
                };
            }
        };
        let status = response.status().as_u16();
        let retry_after = retry_after_of(&response);
        let reply = response
            .body_mut()
            .with_config()
            .limit(MAX_REPLY_BYTES)
            .read_to_vec()
            .unwrap_or_default();
        classify(status, &reply, retry_after)
    }
}

/// Maps a status and reply body to an outcome.
pub fn classify(status: u16, reply: &[u8], retry_after: Option<Duration>) -> PushOutcome {
    let refusal = HubError::parse(reply);
    if status == 426
        || refusal
            .as_ref()
            .is_some_and(|e| e.error == UNSUPPORTED_VERSION)
    {
        return PushOutcome::UnsupportedVersion {
            reason: format!("hub answered {status}: {}", error_text(reply)),
            hub: refusal.and_then(|e| e.versions),
        };
    }
    match status {
        200..=299 => PushOutcome::Acknowledged(serde_json::from_slice(reply).ok()),
        401 | 403 => PushOutcome::Unauthorized { status },
        400 | 413 | 422 => PushOutcome::Refused {
            status,
            reason: error_text(reply),
        },
        409 => PushOutcome::Conflict {
            reason: error_text(reply),
        },
        _ => PushOutcome::RetryLater {
            reason: format!("hub answered {status}: {}", error_text(reply)),
            retry_after,
        },
    }
}

/// The hub's JSON error body: `{"error", "detail"}`, plus `versions` on a version refusal.
#[derive(serde::Deserialize)]
struct HubError {
    #[serde(default)]
    error: String,
    #[serde(default)]
    detail: String,
    #[serde(default)]
    versions: Option<VersionRange>,
}

impl HubError {
    fn parse(reply: &[u8]) -> Option<Self> {
        serde_json::from_slice(reply).ok()
    }
}

/// The hub's `{"error","detail"}` as one line, or the start of a non-JSON body.
fn error_text(reply: &[u8]) -> String {
    match HubError::parse(reply) {
        Some(e) if e.detail.is_empty() => e.error,
        Some(e) => format!("{}: {}", e.error, e.detail),
        None => String::from_utf8_lossy(&reply[..reply.len().min(200)]).into_owned(),
    }
}

fn tls_config(config: &PushConfig) -> Result<TlsConfig, PushSetupError> {
    let mut builder = TlsConfig::builder().disable_verification(config.insecure_skip_verify);
    if let Some(path) = &config.ca_file {
        builder = builder.root_certs(RootCerts::new_with_certs(&read_ca_file(path)?));
    }
    Ok(builder.build())
}

fn read_ca_file(path: &PathBuf) -> Result<Vec<Certificate<'static>>, PushSetupError> {
    let pem = std::fs::read(path).map_err(|source| PushSetupError::CaFile {
        path: path.clone(),
        source,
    })?;
    let mut certs = Vec::new();
    for item in ureq::tls::parse_pem(&pem) {
        match item {
            Ok(PemItem::Certificate(cert)) => certs.push(cert),
            Ok(_) => {}
            Err(source) => {
                return Err(PushSetupError::Pem {
                    path: path.clone(),
                    source,
                });
            }
        }
    }
    if certs.is_empty() {
        return Err(PushSetupError::NoCertificate(path.clone()));
    }
    Ok(certs)
}

/// The `Retry-After` of a hub answer (seconds or an HTTP date), if it has one.
pub(crate) fn retry_after_of<B>(response: &ureq::http::Response<B>) -> Option<std::time::Duration> {
    response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_retry_after(v, jiff::Timestamp::now()))
}

#[cfg(test)]
mod tests;
