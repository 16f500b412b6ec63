//! The one HTTP client setup of the hub (rustls with the ring provider and the platform's
//! certificate verifier, no redirects) and the status → retry class table of every HTTP channel.

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};
use rustls_platform_verifier::BuilderVerifierExt;

use crate::{Redactor, SendError};

/// Time allowed to open a connection.
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest provider reason kept in an error, in characters.
const MAX_REASON_CHARS: usize = 300;

/// The TLS client configuration could not be built (the platform's certificate store).
#[derive(Debug, thiserror::Error)]
#[error("cannot set up TLS: {0}")]
pub struct TlsError(#[from] rustls::Error);

/// rustls with the ring provider (chosen here, not process-wide), TLS 1.2 and 1.3, the
/// platform's certificate verifier and ALPN for HTTP/2 and HTTP/1.1.
fn tls_config() -> Result<rustls::ClientConfig, TlsError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_platform_verifier()?
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// The builder every HTTP client of the hub starts from: the TLS setup above, redirects not
/// followed (they would leak a webhook URL to another host), the `hostpulse/<version>` user
/// agent. Callers add their timeouts.
pub fn client_builder() -> Result<reqwest::ClientBuilder, TlsError> {
    Ok(reqwest::Client::builder()
        .tls_backend_preconfigured(tls_config()?)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("hostpulse/", env!("CARGO_PKG_VERSION"))))
}

/// A client with connect and total timeouts.
pub(crate) fn client(timeout: Duration) -> Result<reqwest::Client, String> {
    client_builder()
        .map_err(|e| e.to_string())?
        .connect_timeout(CONNECT_TIMEOUT.min(timeout))
        .timeout(timeout)
        .build()
        .map_err(|e| e.to_string())
}

/// A reply: status, headers and body text.
pub(crate) struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

/// Sends a request; transport failures (timeout, refused connection) are retryable.
pub(crate) async fn send(
    request: reqwest::RequestBuilder,
    redactor: &Redactor,
) -> Result<Reply, SendError> {
    let response = request
        .send()
        .await
        .map_err(|e| transport_error(e, redactor))?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response
        .text()
        .await
        .map_err(|e| transport_error(e, redactor))?;
    Ok(Reply {
        status,
        headers,
        body,
    })
}

/// What went wrong with an HTTP request, with its causes, without the URL (which may hold a
/// secret) — not yet redacted.
pub fn transport_error_text(error: reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "connection failed"
    } else {
        "request failed"
    };
    let error = error.without_url();
    let mut detail = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        detail.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    format!("{kind}: {detail}")
}

fn transport_error(error: reqwest::Error, redactor: &Redactor) -> SendError {
    SendError::Retry {
        reason: redactor.redact(&transport_error_text(error)),
        retry_after: None,
    }
}

/// The retry class of an HTTP status: 2xx is success (`None`); 408, 429 and 5xx retry;
/// every other status is permanent.
pub fn classify(status: u16, retry_after: Option<Duration>, reason: &str) -> Option<SendError> {
    let reason = format!("HTTP {status}: {}", shorten(reason));
    match status {
        200..=299 => None,
        408 | 429 | 500..=599 => Some(SendError::Retry {
            reason,
            retry_after,
        }),
        _ => Some(SendError::Permanent { reason }),
    }
}

/// Classifies a reply by status, honouring `Retry-After` (seconds), with a redacted reason.
pub(crate) fn check(reply: &Reply, redactor: &Redactor) -> Result<(), SendError> {
    match classify(
        reply.status,
        retry_after_header(&reply.headers),
        &reply.body,
    ) {
        None => Ok(()),
        Some(error) => Err(redact_error(error, redactor)),
    }
}

/// `Retry-After` in seconds (HTTP dates are not used by these providers).
pub(crate) fn retry_after_header(headers: &HeaderMap) -> Option<Duration> {
    let text = headers.get(RETRY_AFTER)?.to_str().ok()?;
    text.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// The same error with its reason passed through the redactor.
pub(crate) fn redact_error(error: SendError, redactor: &Redactor) -> SendError {
    match error {
        SendError::Retry {
            reason,
            retry_after,
        } => SendError::Retry {
            reason: redactor.redact(&reason),
            retry_after,
        },
        SendError::Permanent { reason } => SendError::Permanent {
            reason: redactor.redact(&reason),
        },
    }
}

fn shorten(text: &str) -> String {
    let text = text.trim();
    if text.chars().count() <= MAX_REASON_CHARS {
        return text.to_owned();
    }
    let cut: String = text.chars().take(MAX_REASON_CHARS).collect();
    format!("{cut}...")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_table() {
        assert!(classify(200, None, "").is_none());
        assert!(classify(202, None, "").is_none());
        for retry in [408, 429, 500, 502, 503, 504] {
            assert!(
                classify(retry, None, "x").is_some_and(|e| e.is_retry()),
                "{retry}"
            );
        }
        for permanent in [400, 401, 403, 404, 410, 413] {
            assert!(classify(permanent, None, "x").is_some_and(|e| !e.is_retry()));
        }
    }
}
