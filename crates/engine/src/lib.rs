//! The alert engine at run time: keeps recent samples of the metrics rules use, evaluates
//! rules when data arrives and on a timer, runs the alert lifecycle and the alert manager
//! pipeline, persists every change and hands notifications to their receivers.

mod api_types;

pub use api_types::*;

use hostpulse_core::{Alert, Silence};
use hostpulse_proto::IngestBatch;
use std::sync::Arc;

/// The running engine. Cheap to share behind an `Arc`.
pub struct Engine {
    _private: (),
}

impl Engine {
    /// Samples of `batch` that rules need, taken before the batch is stored.
    pub fn observe_batch(&self, host: &str, batch: &IngestBatch) -> Observation {
        let _ = (host, batch);
        Observation::default()
    }

    /// Applies an observation once its batch is durably stored; evaluates that host soon.
    pub fn commit_observation(&self, observation: Observation) {
        let _ = observation;
    }

    /// Alerts currently pending or firing, newest first.
    pub fn active_alerts(&self) -> Vec<Alert> {
        Vec::new()
    }

    /// Acknowledges an alert: stops its reminders and escalation.
    pub async fn ack(&self, id: &str, by: &str, comment: &str) -> Result<Alert, EngineError> {
        let _ = (by, comment);
        Err(EngineError::NotFound(format!("no active alert {id:?}")))
    }

    /// Every silence that has not expired yet (active or scheduled).
    pub async fn silences(&self) -> Result<Vec<Silence>, EngineError> {
        Ok(Vec::new())
    }

    /// Creates a silence.
    pub async fn add_silence(&self, silence: NewSilence) -> Result<Silence, EngineError> {
        let _ = silence;
        Err(EngineError::Unavailable("alerting is not running".into()))
    }

    /// Expires a silence now; `NotFound` if unknown or already expired.
    pub async fn expire_silence(&self, id: &str) -> Result<Silence, EngineError> {
        Err(EngineError::NotFound(format!("no silence {id:?}")))
    }

    /// Every loaded rule with its current state.
    pub fn rules(&self) -> Vec<RuleStatus> {
        Vec::new()
    }

    /// Reloads rules from the configuration; on error the old rules keep running.
    pub async fn reload(&self) -> Result<ReloadReport, EngineError> {
        Err(EngineError::Unavailable("alerting is not running".into()))
    }

    /// Replays stored history through the rules in `rules_yaml` (a rule file's text).
    pub async fn backtest(&self, request: BacktestRequest) -> Result<BacktestReport, EngineError> {
        let _ = request;
        Err(EngineError::Unavailable("alerting is not running".into()))
    }
}

/// Keeps the type used in signatures above referenced for shared ownership.
pub type SharedEngine = Arc<Engine>;
