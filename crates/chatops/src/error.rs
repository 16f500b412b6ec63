//! Errors of Bot API calls, classified by what the caller should do about them.

use std::time::Duration;

/// Why a Bot API call failed. Never contains the bot token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BotApiError {
    /// HTTP 409: another process polls this token, or a webhook is set.
    #[error("conflict (HTTP 409): {description}")]
    Conflict { description: String },
    /// HTTP 429: wait `retry_after` before the next call.
    #[error("rate limited (HTTP 429), retry after {retry_after:?}")]
    RateLimited { retry_after: Duration },
    /// HTTP 5xx: a temporary failure of the Bot API.
    #[error("server error (HTTP {status}): {description}")]
    Server { status: u16, description: String },
    /// Another 4xx: the request was refused and will be again.
    #[error("refused (HTTP {status}): {description}")]
    Refused { status: u16, description: String },
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
                retry_after: retry_after.unwrap_or(Duration::from_secs(1)),
            },
            500..=599 => Self::Server {
                status,
                description,
            },
            _ => Self::Refused {
                status,
                description,
            },
        }
    }
}
