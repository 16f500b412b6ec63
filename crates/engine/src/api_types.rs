//! Types the API and CLI exchange with the engine.

use hostpulse_core::{Matcher, Severity};
use serde::{Deserialize, Serialize};

/// Why an engine call failed.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The alert, silence or host the call names does not exist (the API answers 404).
    #[error("{0}")]
    NotFound(String),
    /// The request or the configuration it loads is wrong: a bad silence, a rule file
    /// that does not compile, a backtest range out of bounds (the API answers 400).
    #[error("{0}")]
    Invalid(String),
    /// The engine cannot serve the call right now (the API answers 503).
    #[error("{0}")]
    Unavailable(String),
    /// The call does not fit the current state, e.g. acknowledging a pending alert.
    #[error("{0}")]
    Conflict(String),
    /// Reading or writing the store failed.
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
    /// Label matchers an alert must all satisfy to be silenced; at least one.
    pub matchers: Vec<Matcher>,
    /// Start, Unix ms; default now.
    #[serde(default)]
    pub starts_ms: Option<i64>,
    /// End, Unix ms: after the start and in the future, at most one year after the start.
    pub ends_ms: i64,
    /// Who created it, as audit records name people (by default the caller's token or
    /// Telegram user); must not be blank.
    pub author: String,
    /// Why the silence exists; may be empty.
    #[serde(default)]
    pub comment: String,
}

/// A rule and its state, for `GET /api/v1/rules`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleStatus {
    /// The rule's unique name.
    pub name: String,
    /// The condition expression as written.
    pub expr: String,
    /// The clear (resolve) expression as written; `None` when the rule resolves when its
    /// condition stops holding.
    pub clear: Option<String>,
    /// How long (ms) the condition must hold before an alert fires; 0 fires at once.
    pub for_ms: i64,
    /// Severity of the rule's alerts.
    pub severity: Severity,
    /// The rule's free-text description; may be empty.
    pub description: String,
    /// File the rule came from; `None` for inline and built-in rules.
    pub source: Option<String>,
    /// Part of the built-in rule set (possibly replaced by a configured rule of this name).
    pub builtin: bool,
    /// Alerts are recorded but never notified.
    pub dry_run: bool,
    /// Alert instances of the rule now pending (condition holds, `for` not yet reached).
    pub pending: u32,
    /// Alert instances of the rule now firing.
    pub firing: u32,
    /// When the rule was last evaluated for any host, Unix ms; `None` before its first
    /// evaluation.
    pub last_eval_ms: Option<i64>,
    /// The error of the rule's last evaluation. Evaluating a compiled rule cannot fail
    /// (missing data reads as no instance), so the engine reports `None`.
    pub last_error: Option<String>,
}

/// Outcome of a rules reload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReloadReport {
    /// Number of enabled rules now in force, built-in ones included.
    pub rules: usize,
    /// The rule files read, as configured under `rule_files`.
    pub files: Vec<String>,
}

/// A backtest to run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BacktestRequest {
    /// Text of a rule file (a top-level `rules:` list).
    pub rules_yaml: String,
    /// Replay for this host only; `None` replays every host the store knows.
    pub host: Option<String>,
    /// Start of the replayed range, Unix ms.
    pub from_ms: i64,
    /// End of the replayed range, Unix ms: after `from_ms`, at most 90 days later.
    pub to_ms: i64,
}

/// One period during which a rule would have fired for one host and label set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BacktestFiring {
    /// The alert's labels: the series' labels plus the rule's own.
    pub labels: hostpulse_core::Labels,
    /// Evaluation step at which it would have started firing, Unix ms.
    pub from_ms: i64,
    /// `None` if still firing at the end of the range.
    pub to_ms: Option<i64>,
    /// Highest value the rule compared (the alert's value) seen while firing.
    pub peak_value: f64,
}

/// Per rule and host: how often and for how long it would have fired.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BacktestRuleHost {
    /// Name of the rule.
    pub rule: String,
    /// Host it was replayed for.
    pub host: String,
    /// Every firing period, sorted by start; empty when it would never have fired.
    pub firings: Vec<BacktestFiring>,
    /// Sum of the firing periods in ms, open ones counted up to the end of the range.
    pub total_firing_ms: i64,
}

/// Result of a backtest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BacktestReport {
    /// Start of the replayed range, Unix ms (as requested).
    pub from_ms: i64,
    /// End of the replayed range, Unix ms (as requested).
    pub to_ms: i64,
    /// Time between two evaluation steps, ms: at least 5s, longer for long ranges so that
    /// there are at most 20,000 steps.
    pub step_ms: i64,
    /// One entry per rule and host the rule applies to.
    pub results: Vec<BacktestRuleHost>,
}

/// Figures of the last evaluation cycle.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CycleStats {
    /// Evaluation time (clock), Unix ms.
    pub at_ms: i64,
    /// Hosts evaluated in the cycle.
    pub hosts: usize,
    /// Rule instances evaluated (one per rule, host and label set).
    pub instances: usize,
    /// Notifications the alert manager queued in the cycle (after routing, grouping,
    /// silences and inhibition).
    pub notifications: usize,
    /// Wall time of the cycle, microseconds.
    pub wall_us: u64,
}
