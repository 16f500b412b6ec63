//! The alert manager's settings: routes and the default route, escalation steps,
//! inhibition rules, maintenance windows and the receivers notifications go to.

use std::collections::BTreeMap;
use std::time::Duration;

use hostpulse_core::{Matcher, Severity};
use hostpulse_notify::ReceiverConfig;

use crate::maintenance::MaintenanceWindow;

/// Settings of the alert manager: timing, receivers, routes, inhibition and maintenance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertingConfig {
    /// How often every rule is evaluated on a timer (ingest also triggers evaluation).
    pub evaluation_interval: Duration,
    /// Global dry run: everything is evaluated and recorded, nothing is sent.
    pub dry_run: bool,
    /// How long alert history (transitions and notifications) is kept.
    pub history_retention: Duration,
    /// A firing `host_down` alert mutes the other alerts of its host.
    pub inhibit_host_down: bool,
    /// After a start, how long a host's alerts keep their state while its agent catches up
    /// (at least 3 × the host's interval).
    pub restart_grace: Duration,
    /// The default route: alerts no route matches, and unset route keys.
    pub defaults: RouteSettings,
    /// Receivers as configured; see [`AlertingConfig::effective_receivers`].
    pub receivers: Vec<ReceiverConfig>,
    /// Routes, tried in order.
    pub routes: Vec<RouteConfig>,
    /// Inhibition rules (besides the built-in `host_down` one).
    pub inhibit_rules: Vec<InhibitRule>,
    /// Maintenance windows.
    pub maintenance: Vec<MaintenanceWindow>,
}

impl Default for AlertingConfig {
    fn default() -> Self {
        Self {
            evaluation_interval: Duration::from_secs(5),
            dry_run: false,
            history_retention: Duration::from_secs(90 * 86_400),
            inhibit_host_down: true,
            restart_grace: Duration::from_secs(60),
            defaults: RouteSettings::default(),
            receivers: Vec::new(),
            routes: Vec::new(),
            inhibit_rules: Vec::new(),
            maintenance: Vec::new(),
        }
    }
}

impl AlertingConfig {
    /// The configured receivers, or the built-in `log` receiver when none are configured.
    pub fn effective_receivers(&self) -> Vec<ReceiverConfig> {
        if self.receivers.is_empty() {
            vec![ReceiverConfig::builtin()]
        } else {
            self.receivers.clone()
        }
    }
}

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
    /// Exact severity.
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
    /// Which alerts the route takes.
    pub matcher: RouteMatch,
    /// Settings, with unset keys taken from `alerting.defaults`.
    pub settings: RouteSettings,
    /// Keep trying later routes after this one matched.
    pub continue_matching: bool,
}

/// Mutes target alerts while a matching source alert fires with equal `equal` labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InhibitRule {
    /// Unique name, shown as the mute reason.
    pub name: String,
    /// Matchers of the muting (source) alert.
    pub source: Vec<Matcher>,
    /// Matchers of the muted (target) alerts.
    pub target: Vec<Matcher>,
    /// Labels whose values must be equal in source and target.
    pub equal: Vec<String>,
}
