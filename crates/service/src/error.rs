//! Why an operation failed, in domain terms; front-ends map these to their own answers
//! (HTTP status, chat text).

use crate::action::Action;
use hostpulse_core::Role;
use hostpulse_delivery::DeliveryError;
use hostpulse_engine::EngineError;
use hostpulse_store::StoreError;

/// Every way an operation can fail.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The actor's role is below the one the action needs; nothing was done or recorded.
    #[error("{} needs the {} role", action.name(), needed.as_str())]
    Forbidden {
        /// What was refused.
        action: Action,
        /// The role it needs.
        needed: Role,
    },
    /// What the operation names does not exist (or no longer applies).
    #[error("{0}")]
    NotFound(String),
    /// The request is malformed or out of bounds.
    #[error("{0}")]
    Invalid(String),
    /// The request does not fit the current state, e.g. acknowledging a pending alert.
    #[error("{0}")]
    Conflict(String),
    /// The part of the hub the operation needs is not running.
    #[error("{0}")]
    Unavailable(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ServiceError {
    /// `Unavailable` because alerting is not running.
    pub(crate) fn alerting_off() -> Self {
        ServiceError::Unavailable("alerting is not running on this hub".into())
    }
}

impl From<EngineError> for ServiceError {
    fn from(err: EngineError) -> Self {
        match err {
            EngineError::NotFound(what) => ServiceError::NotFound(what),
            EngineError::Invalid(why) => ServiceError::Invalid(why),
            EngineError::Unavailable(why) => ServiceError::Unavailable(why),
            EngineError::Conflict(why) => ServiceError::Conflict(why),
            EngineError::Store(store) => ServiceError::Store(store),
        }
    }
}

impl From<DeliveryError> for ServiceError {
    fn from(err: DeliveryError) -> Self {
        match err {
            DeliveryError::UnknownReceiver(_) | DeliveryError::UnknownNotification(_) => {
                ServiceError::NotFound(err.to_string())
            }
            DeliveryError::Invalid(why) => ServiceError::Conflict(why),
            DeliveryError::Store(store) => ServiceError::Store(store),
        }
    }
}

/// Why a batch was not ingested.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The batch breaks the protocol's semantic limits (times, names, counts).
    #[error("{0}")]
    Invalid(String),
    /// The store refused or failed it (instance rules, limits, I/O).
    #[error(transparent)]
    Store(#[from] StoreError),
}
