//! The alert manager: a pipeline of small stages from active alerts to notification records.
//!
//! mute (silences, maintenance windows, inhibition) → route → group → dedup / repeat
//! (pure over the [`NotificationLog`]) → escalation → record. Time is always passed in.

mod config;
mod dedup;
mod escalation;
mod inhibit;
mod labels;
mod log;
mod maintenance;
mod manager;
mod mute;
mod record;
mod route;

pub use config::{
    AlertingConfig, EscalationStep, InhibitRule, RouteConfig, RouteMatch, RouteSettings,
};
pub use escalation::due_step;
pub use inhibit::HOST_DOWN_RULE;
pub use labels::{CompiledMatcher, HostGroups, label_value};
pub use log::{EscalationEntry, LOG_NAMESPACE, LogEntry, NotificationLog};
pub use maintenance::{MaintenanceSchedule, MaintenanceWindow, WEEKDAYS, WeeklySchedule};
pub use manager::{AlertManager, Routing};
pub use mute::MuteReason;
pub use record::{DRY_RUN_PREFIX, group_key};
pub use route::{DEFAULT_ROUTE, Route, Router};

/// Errors of the alert manager.
#[derive(Debug, thiserror::Error)]
pub enum AlertingError {
    /// A label matcher's regular expression does not compile.
    #[error("invalid regular expression {0}")]
    Regex(String),
    /// Stored notification-log state cannot be read or written.
    #[error("notification log state: {0}")]
    State(String),
}
