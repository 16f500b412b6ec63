//! Delivery outcomes: success with the provider's message id, retryable and permanent errors.

use std::time::Duration;

/// A successful delivery.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Delivered {
    /// The provider's id of the first message (kept), e.g. a Telegram `message_id`, a Slack
    /// `ts` or an e-mail `Message-ID`.
    pub provider_id: Option<String>,
    /// Provider ids of all parts, earlier attempts' included (empty where the provider returns
    /// none).
    pub provider_ids: Vec<String>,
}

/// Why a delivery failed; the reason is already redacted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Worth trying again (rate limit, timeout, connection error, 408, 429, 5xx).
    #[error("temporary failure: {reason}")]
    Retry {
        /// What failed, e.g. `HTTP 429 Too Many Requests` or a connection error (redacted).
        reason: String,
        /// How long the provider asked to wait (`retry_after`, `Retry-After`).
        retry_after: Option<Duration>,
    },
    /// Will fail again unchanged (4xx other than 408/429, rejected content).
    #[error("permanent failure: {reason}")]
    Permanent {
        /// What the receiver refused and why, e.g. `HTTP 400: chat not found` (redacted).
        reason: String,
    },
}

impl SendError {
    /// True for [`SendError::Retry`].
    pub fn is_retry(&self) -> bool {
        matches!(self, SendError::Retry { .. })
    }

    /// The redacted reason.
    pub fn reason(&self) -> &str {
        match self {
            SendError::Retry { reason, .. } | SendError::Permanent { reason } => reason,
        }
    }
}

/// A receiver cannot be set up.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    /// The HTTP client (TLS setup, proxy, timeouts) of a Telegram, Slack, Teams or webhook
    /// receiver could not be built.
    #[error("receiver {receiver:?}: cannot create the HTTP client: {reason}")]
    HttpClient {
        /// Name of the receiver being set up.
        receiver: String,
        /// The client builder's error.
        reason: String,
    },
    /// An e-mail receiver cannot be set up: a `from`/`to` address does not parse, or the SMTP
    /// transport (host, TLS) cannot be built.
    #[error("receiver {receiver:?}: {reason}")]
    Smtp {
        /// Name of the receiver being set up.
        receiver: String,
        /// Which address or transport setting is wrong, and why.
        reason: String,
    },
    /// The extra CA certificate file of an e-mail receiver could not be read or parsed.
    #[error("receiver {receiver:?}: cannot read {path}: {reason}")]
    CaFile {
        /// Name of the receiver being set up.
        receiver: String,
        /// The configured CA file path.
        path: String,
        /// The I/O or PEM parsing error.
        reason: String,
    },
}
