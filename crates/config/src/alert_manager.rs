//! Validated alert-manager settings: routes, receivers, escalation, inhibition and
//! maintenance windows, plus the small parsers they need (times, rate limits); label
//! matchers, globs and durations are `hostpulse_core`'s.

mod rate_limit;
mod receivers;
pub(crate) mod schedule;

use std::collections::BTreeMap;
use std::time::Duration;

use hostpulse_core::{Matcher, Severity};

pub use rate_limit::RateLimit;
pub(crate) use rate_limit::parse_rate_limit;
pub use receivers::{
    DEFAULT_SEND_TIMEOUT, EmailSettings, SLACK_API_URL, SlackSettings, SlackTarget, SmtpSettings,
    SmtpTls, TELEGRAM_API_URL, TeamsFormat, TeamsSettings, TelegramSettings, WebhookSettings,
};
pub use schedule::{MaintenanceSchedule, WeeklySchedule, parse_rfc3339_ms};

/// Name of the receiver used when no `receivers:` are configured.
pub const BUILTIN_RECEIVER: &str = "log";

/// How a route delivers and paces notifications; `alerting.defaults` is the default route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteSettings {
    /// Receiver names; empty means every receiver.
    pub receivers: Vec<String>,
    /// Labels (or pseudo-labels `host`, `rule`, `severity`) whose values form an alert group.
    pub group_by: Vec<String>,
    /// How long a new group waits for more alerts before its first notification.
    pub group_wait: Duration,
    /// Least time between notifications of a group about new or resolved alerts.
    pub group_interval: Duration,
    /// Reminder interval while a group keeps firing unacknowledged alerts.
    pub repeat_interval: Duration,
    /// Whether a notification is sent when alerts resolve.
    pub send_resolved: bool,
    /// Steps applied to alerts that stay firing and unacknowledged, in ascending `after`.
    pub escalation: Vec<EscalationStep>,
}

impl Default for RouteSettings {
    fn default() -> Self {
        Self {
            receivers: Vec::new(),
            group_by: vec!["rule".into(), "host".into()],
            group_wait: Duration::from_secs(10),
            group_interval: Duration::from_secs(60),
            repeat_interval: Duration::from_secs(4 * 3_600),
            send_resolved: true,
            escalation: Vec::new(),
        }
    }
}

/// One escalation step: after an alert has fired unacknowledged for `after`, notify again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EscalationStep {
    /// Measured from the moment the alert started firing.
    pub after: Duration,
    /// Severity the notification carries; `None` keeps the alert's own.
    pub severity: Option<Severity>,
    /// Receivers of this step; empty means the route's receivers.
    pub receivers: Vec<String>,
}

/// Conditions a route matches on; every set condition must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RouteMatch {
    pub severity: Option<Severity>,
    /// Rule name or glob.
    pub rule: Option<String>,
    /// Host name or glob.
    pub host: Option<String>,
    /// Name of a host group from `host_groups:`.
    pub host_group: Option<String>,
    /// Exact label values.
    pub labels: BTreeMap<String, String>,
    /// Further label matchers (`name op "value"`).
    pub matchers: Vec<Matcher>,
}

/// One route: alerts matching `matcher` go to its receivers with its timing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteConfig {
    pub matcher: RouteMatch,
    /// Settings, with unset keys taken from `alerting.defaults`.
    pub settings: RouteSettings,
    /// Keep trying later routes after this one matched.
    pub continue_matching: bool,
}

/// What a receiver does with a notification. One variant per `type:`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReceiverKind {
    /// Writes each notification to the hub's log.
    Log,
    Telegram(TelegramSettings),
    Slack(SlackSettings),
    Teams(TeamsSettings),
    Email(EmailSettings),
    Webhook(WebhookSettings),
}

impl ReceiverKind {
    /// The `type:` value naming this kind.
    pub fn type_name(&self) -> &'static str {
        match self {
            ReceiverKind::Log => "log",
            ReceiverKind::Telegram(_) => "telegram",
            ReceiverKind::Slack(_) => "slack",
            ReceiverKind::Teams(_) => "teams",
            ReceiverKind::Email(_) => "email",
            ReceiverKind::Webhook(_) => "webhook",
        }
    }
}

/// One named receiver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiverConfig {
    pub name: String,
    pub kind: ReceiverKind,
    /// Most messages this receiver is sent per period; `None` = unlimited.
    pub rate_limit: Option<RateLimit>,
    /// When delivery gives up on one notification and dead-letters it.
    pub retry: RetryLimits,
}

/// How long delivery keeps retrying one notification after temporary failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryLimits {
    /// Attempts after which a failing notification is dead-lettered.
    pub max_attempts: u32,
    /// Age (since the notification was created) after which a failing one is dead-lettered.
    pub max_age: Duration,
}

impl RetryLimits {
    pub const DEFAULT_MAX_ATTEMPTS: u32 = 10;
    pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(3_600);
}

impl Default for RetryLimits {
    fn default() -> Self {
        Self {
            max_attempts: Self::DEFAULT_MAX_ATTEMPTS,
            max_age: Self::DEFAULT_MAX_AGE,
        }
    }
}

/// Mutes target alerts while a matching source alert fires with equal `equal` labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InhibitRule {
    pub name: String,
    pub source: Vec<Matcher>,
    pub target: Vec<Matcher>,
    pub equal: Vec<String>,
}

/// A maintenance window: alerts of matching hosts are muted while it is open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaintenanceWindow {
    pub name: String,
    /// Host names or globs.
    pub hosts: Vec<String>,
    /// Host group names.
    pub groups: Vec<String>,
    pub schedule: MaintenanceSchedule,
    pub comment: String,
}
