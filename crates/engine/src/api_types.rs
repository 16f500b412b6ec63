//! Types the API and CLI exchange with the engine.

use hostpulse_core::{Matcher, Severity};
use serde::{Deserialize, Serialize};

/// Why an engine call failed.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Unavailable(String),
    /// The call does not fit the current state, e.g. acknowledging a pending alert.
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Store(#[from] hostpulse_store::StoreError),
}

/// Samples of one batch that rule evaluation needs (opaque to callers).
#[derive(Debug, Default)]
pub struct Observation {
    pub(crate) host: String,
    pub(crate) extract: crate::window::Extract,
}

/// A silence to create.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewSilence {
    pub matchers: Vec<Matcher>,
    /// Start, Unix ms; default now.
    #[serde(default)]
    pub starts_ms: Option<i64>,
    pub ends_ms: i64,
    pub author: String,
    #[serde(default)]
    pub comment: String,
}

/// A rule and its state, for `GET /api/v1/rules`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleStatus {
    pub name: String,
    pub expr: String,
    pub clear: Option<String>,
    pub for_ms: i64,
    pub severity: Severity,
    pub description: String,
    /// File the rule came from; `None` for inline and built-in rules.
    pub source: Option<String>,
    pub builtin: bool,
    pub dry_run: bool,
    pub pending: u32,
    pub firing: u32,
    pub last_eval_ms: Option<i64>,
    pub last_error: Option<String>,
}

/// Outcome of a rules reload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReloadReport {
    pub rules: usize,
    pub files: Vec<String>,
}

/// A backtest to run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BacktestRequest {
    /// Text of a rule file (a top-level `rules:` list).
    pub rules_yaml: String,
    pub host: Option<String>,
    pub from_ms: i64,
    pub to_ms: i64,
}

/// One period during which a rule would have fired for one host and label set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BacktestFiring {
    pub labels: hostpulse_core::Labels,
    pub from_ms: i64,
    /// `None` if still firing at the end of the range.
    pub to_ms: Option<i64>,
    pub peak_value: f64,
}

/// Per rule and host: how often and for how long it would have fired.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BacktestRuleHost {
    pub rule: String,
    pub host: String,
    pub firings: Vec<BacktestFiring>,
    pub total_firing_ms: i64,
}

/// Result of a backtest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BacktestReport {
    pub from_ms: i64,
    pub to_ms: i64,
    pub step_ms: i64,
    pub results: Vec<BacktestRuleHost>,
}

/// Figures of the last evaluation cycle.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CycleStats {
    /// Evaluation time (clock), Unix ms.
    pub at_ms: i64,
    pub hosts: usize,
    /// Rule instances evaluated (one per rule, host and label set).
    pub instances: usize,
    pub notifications: usize,
    /// Wall time of the cycle, microseconds.
    pub wall_us: u64,
}
