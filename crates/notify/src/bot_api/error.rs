//! Errors of Bot API calls, classified by what the caller should do about them, and their
//! retry class as a notification delivery outcome.

use std::time::Duration;

use crate::SendError;

/// How long to wait after a 429 that named no `retry_after`.
pub const DEFAULT_RATE_LIMIT_WAIT: Duration = Duration::from_secs(1);

/// Why a Bot API call failed. Never contains the bot token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BotApiError {
    /// HTTP 409: another process polls this token, or a webhook is set.
    #[error("conflict (HTTP 409): {description}")]
    Conflict {
        /// The Bot API's description, redacted.
        description: String,
    },
    /// HTTP 429: wait before the next call.
    #[error("rate limited (HTTP 429), retry after {:?}", .retry_after.unwrap_or(DEFAULT_RATE_LIMIT_WAIT))]
    RateLimited {
        /// `parameters.retry_after`, else the `Retry-After` header, when the answer had one.
        retry_after: Option<Duration>,
        /// The Bot API's description, redacted.
        description: String,
    },
    /// HTTP 5xx: a temporary failure of the Bot API.
    #[error("server error (HTTP {status}): {description}")]
    Server {
        /// The HTTP status.
        status: u16,
        /// The description or body, redacted.
        description: String,
        /// The `Retry-After` header, when the answer had one.
        retry_after: Option<Duration>,
    },
    /// Another 4xx (a too long message, a bad chat id, a bad token...), or a 2xx that is not
    /// a Bot API answer: the request was refused and will be again.
    #[error("refused (HTTP {status}): {description}")]
    Refused {
        /// The HTTP status (400 for a 2xx answer with `ok: false`).
        status: u16,
        /// The description or body, redacted.
        description: String,
    },
    /// The request did not complete (connection, timeout, unreadable answer).
    #[error("network error: {0}")]
    Network(String),
}

impl BotApiError {
    /// Classifies a failed answer by its status code.
    pub fn from_status(status: u16, description: String, retry_after: Option<Duration>) -> Self {
        match status {
            409 => Self::Conflict { description },
            429 => Self::RateLimited {
                retry_after,
                description,
            },
            500..=599 => Self::Server {
                status,
                description,
                retry_after,
            },
            _ => Self::Refused {
                status,
                description,
            },
        }
    }

    /// How long a rate limit asks to wait ([`DEFAULT_RATE_LIMIT_WAIT`] when it named no
    /// time); `None` for other errors.
    pub fn rate_limit_wait(&self) -> Option<Duration> {
        match self {
            Self::RateLimited { retry_after, .. } => {
                Some(retry_after.unwrap_or(DEFAULT_RATE_LIMIT_WAIT))
            }
            _ => None,
        }
    }

    /// The delivery outcome of a failed notification: transport failures, 408, 429 and 5xx
    /// retry (with the provider's wait), every other status is permanent.
    pub fn to_send_error(&self) -> SendError {
        let (status, description, retry_after) = match self {
            Self::Network(reason) => {
                return SendError::Retry {
                    reason: reason.clone(),
                    retry_after: None,
                };
            }
            Self::Conflict { description } => (409, description, None),
            Self::RateLimited {
                retry_after,
                description,
            } => (429, description, *retry_after),
            Self::Server {
                status,
                description,
                retry_after,
            } => (*status, description, *retry_after),
            Self::Refused {
                status,
                description,
            } => (*status, description, None),
        };
        crate::http::classify(status, retry_after, description).unwrap_or(SendError::Permanent {
            reason: description.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_kinds_and_retry_classes() {
        let error = |status| BotApiError::from_status(status, "x".into(), None);
        assert!(matches!(error(409), BotApiError::Conflict { .. }));
        assert_eq!(error(429).rate_limit_wait(), Some(DEFAULT_RATE_LIMIT_WAIT));
        assert!(matches!(
            error(502),
            BotApiError::Server { status: 502, .. }
        ));
        assert!(matches!(
            error(400),
            BotApiError::Refused { status: 400, .. }
        ));
        for retry in [408, 429, 500, 503] {
            assert!(error(retry).to_send_error().is_retry(), "{retry}");
        }
        for permanent in [400, 401, 403, 404, 409] {
            assert!(!error(permanent).to_send_error().is_retry(), "{permanent}");
        }
        let limited = BotApiError::from_status(429, "slow".into(), Some(Duration::from_secs(7)));
        assert_eq!(
            limited.to_send_error(),
            SendError::Retry {
                reason: "HTTP 429: slow".into(),
                retry_after: Some(Duration::from_secs(7)),
            }
        );
        assert!(
            BotApiError::Network("down".into())
                .to_send_error()
                .is_retry()
        );
    }
}
