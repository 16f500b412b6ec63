//! Alert domain types shared by rules, the alert manager, the store and the API:
//! alert instances, lifecycle transitions, acknowledgements, silences and notifications.

use crate::metric::Labels;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// How urgent an alert is; ordered from least to most urgent.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth knowing, no action needed (e.g. a host rebooted).
    Info,
    /// Needs attention soon; the default for rules that name no severity.
    #[default]
    Warning,
    /// Needs action now; routes may page on it and escalation may raise alerts to it.
    Critical,
}

impl Severity {
    /// Lowercase name as written in configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }

    /// Parses `info`, `warning` or `critical`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "critical" => Some(Severity::Critical),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Lifecycle state of one alert instance (inactive instances are not kept).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertState {
    /// Condition holds, but not yet for the rule's `for` duration.
    Pending,
    /// Condition held long enough; notifications flow.
    Firing,
    /// Was firing, and the clear condition held for the clear duration.
    Resolved,
}

impl AlertState {
    /// Lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            AlertState::Pending => "pending",
            AlertState::Firing => "firing",
            AlertState::Resolved => "resolved",
        }
    }
}

/// Who acknowledged an alert, when and why. Acknowledged alerts get no reminders or escalation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ack {
    /// Who acknowledged: a CLI/API user name or the chat user who pressed "Ack".
    pub by: String,
    /// When the acknowledgement was made, Unix epoch milliseconds.
    pub at_ms: i64,
    /// Free-text reason given with the acknowledgement; empty when none was given.
    #[serde(default)]
    pub comment: String,
}

/// One alert instance: a rule firing (or about to) for one host and label set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// Stable fingerprint of (rule, host, labels), hex.
    pub id: String,
    /// Name of the rule that produced the alert, as written in the rules file.
    pub rule: String,
    /// Name of the host the alert is about, as the hub knows it from its agent.
    pub host: String,
    /// Series labels (e.g. `mount`) plus the rule's own labels.
    pub labels: Labels,
    /// Severity from the rule, refreshed on every evaluation.
    pub severity: Severity,
    /// Where the instance is in its lifecycle.
    pub state: AlertState,
    /// Value that made the condition hold (or the latest value while pending/firing).
    pub value: f64,
    /// Threshold compared against, when the condition is a plain comparison.
    pub threshold: Option<f64>,
    /// One line saying what is wrong, e.g. `avg(cpu.usage_percent, 1m) = 91.2 > 85`.
    pub summary: String,
    /// The rule's description.
    #[serde(default)]
    pub description: String,
    /// Extra facts: `host_ip`, `hostname`, `baseline`, `forecast`, `dashboard_url`, ...
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    /// When the condition started to hold.
    pub active_since_ms: i64,
    /// When the alert became firing, Unix epoch milliseconds; `None` while still pending.
    pub firing_since_ms: Option<i64>,
    /// When the alert resolved, Unix epoch milliseconds; `None` unless the state is resolved.
    pub resolved_ms: Option<i64>,
    /// When the rule was last evaluated for this instance, Unix epoch milliseconds.
    pub last_eval_ms: i64,
    /// The acknowledgement, if someone acknowledged the alert; `None` while unacknowledged.
    pub ack: Option<Ack>,
    /// Evaluated and recorded, but never sent.
    #[serde(default)]
    pub dry_run: bool,
}

/// Computes the fingerprint of an alert instance: 16 hex digits of FNV-1a over its identity.
pub fn alert_fingerprint(rule: &str, host: &str, labels: &Labels) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for b in bytes.iter().chain(std::iter::once(&0xff)) {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    };
    feed(rule.as_bytes());
    feed(host.as_bytes());
    for (k, v) in labels {
        feed(k.as_bytes());
        feed(v.as_bytes());
    }
    format!("{hash:016x}")
}

/// A recorded lifecycle change of an alert (the alert history).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertTransition {
    /// Fingerprint of the alert instance that changed (see [`Alert::id`]).
    pub alert_id: String,
    /// Name of the rule that produced the alert.
    pub rule: String,
    /// Host the alert is about.
    pub host: String,
    /// The alert's labels at the time of the change.
    pub labels: Labels,
    /// The alert's severity at the time of the change.
    pub severity: Severity,
    /// `None` when the alert instance is new.
    pub from: Option<AlertState>,
    /// State the alert entered.
    pub to: AlertState,
    /// When the change happened (the evaluation time), Unix epoch milliseconds.
    pub at_ms: i64,
    /// The evaluated value at the time of the change.
    pub value: f64,
    /// The alert's one-line summary at the time of the change; empty in old records.
    #[serde(default)]
    pub summary: String,
}

/// How a label matcher compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MatchOp {
    /// `=`: the label's value equals the matcher's value exactly.
    #[serde(rename = "=")]
    Eq,
    /// `!=`: the label's value differs from the matcher's value (a missing label is `""`).
    #[serde(rename = "!=")]
    NotEq,
    /// `=~`: the whole label value matches the matcher's regular expression.
    #[serde(rename = "=~")]
    Regex,
    /// `!~`: the whole label value does not match the matcher's regular expression.
    #[serde(rename = "!~")]
    NotRegex,
}

/// One label matcher: `name op value`. The pseudo-labels `host`, `rule` and `severity`
/// match the alert's host, rule name and severity.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Matcher {
    /// Label name to look up on the alert, or one of the pseudo-labels.
    pub name: String,
    /// How the label's value is compared with `value`.
    pub op: MatchOp,
    /// Literal value for `=`/`!=`, regular expression for `=~`/`!~`.
    pub value: String,
}

/// A silence: alerts matching every matcher are muted between `starts_ms` and `ends_ms`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Silence {
    /// Identifier assigned when the silence was created; used to expire or show it.
    pub id: String,
    /// Every matcher must match for an alert to be muted; never empty once validated.
    pub matchers: Vec<Matcher>,
    /// Start of the muted window (inclusive), Unix epoch milliseconds.
    pub starts_ms: i64,
    /// End of the muted window (exclusive), Unix epoch milliseconds.
    pub ends_ms: i64,
    /// Who created the silence (CLI/API user or chat user).
    pub author: String,
    /// Why the silence exists; empty when none was given.
    #[serde(default)]
    pub comment: String,
    /// When the silence was created, Unix epoch milliseconds.
    pub created_ms: i64,
}

impl Silence {
    /// Whether the silence is in force at `now_ms`.
    pub fn is_active(&self, now_ms: i64) -> bool {
        self.starts_ms <= now_ms && now_ms < self.ends_ms
    }
}

/// Why a notification was produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// First notice of new firing alerts (or new alerts joining a group).
    Firing,
    /// Reminder after the repeat interval while still firing and not acknowledged.
    Repeat,
    /// An escalation step fired for unacknowledged alerts.
    Escalation,
    /// Alerts of the group resolved.
    Resolved,
    /// A test message (`hostpulse notify test`).
    Test,
}

/// Delivery state of a notification in the outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Waiting for (another) delivery attempt.
    Pending,
    /// An attempt is under way (or was, when the hub stopped: its outcome is unknown).
    Sending,
    /// Delivered to the receiver.
    Sent,
    /// Dry run: recorded as "would notify", never sent.
    DryRun,
    /// Permanently refused by the receiver (dead letter).
    Dead,
}

/// One message for one receiver about one alert group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notification {
    /// Outbox id, assigned by the store (0 before it is stored).
    pub id: i64,
    /// Name of the receiver (from the routing configuration) the message is for.
    pub receiver: String,
    /// Identity of the alert group, e.g. `route0{host="web-1",rule="high_cpu"}`.
    pub group_key: String,
    /// The labels the route groups by, with this group's values.
    pub group_labels: Labels,
    /// Why the notification was produced.
    pub kind: NotificationKind,
    /// Highest severity among the alerts (escalation may raise it).
    pub severity: Severity,
    /// The alerts as they were when the notification was made.
    pub alerts: Vec<Alert>,
    /// When the alert manager made the notification, Unix epoch milliseconds.
    pub created_ms: i64,
    /// Where the notification is in the outbox.
    pub status: DeliveryStatus,
    /// Delivery attempts made so far (0 until the first attempt).
    #[serde(default)]
    pub attempts: u32,
    /// Error of the latest failed attempt; `None` before any attempt failed.
    #[serde(default)]
    pub last_error: Option<String>,
    /// Escalation step that produced it, if any (1-based).
    #[serde(default)]
    pub escalation_step: Option<u32>,
    /// Provider ids of the messages (parts) delivered so far, e.g. Telegram `message_id`s.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub provider_ids: Vec<String>,
}

impl Notification {
    /// A key unique to this notification and stable across attempts and restarts: the
    /// webhook `Idempotency-Key` and the e-mail `Message-ID` are derived from it.
    pub fn idempotency_key(&self) -> String {
        let created = self.created_ms.to_le_bytes();
        let id = self.id.to_le_bytes();
        let parts: [&[u8]; 4] = [
            &created,
            &id,
            self.receiver.as_bytes(),
            self.group_key.as_bytes(),
        ];
        let a = fnv1a(0xcbf2_9ce4_8422_2325, &parts);
        let b = fnv1a(0x6c62_272e_07bb_0142, &parts);
        format!("{a:016x}{b:016x}")
    }
}

/// 64-bit FNV-1a over `parts`, each followed by a separator byte.
fn fnv1a(seed: u64, parts: &[&[u8]]) -> u64 {
    let mut hash = seed;
    for part in parts {
        for b in part.iter().chain(std::iter::once(&0xff)) {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idempotency_key_is_stable_and_unique_per_notification() {
        let n = Notification {
            id: 7,
            receiver: "ops".into(),
            group_key: "route0{}".into(),
            group_labels: Labels::new(),
            kind: NotificationKind::Firing,
            severity: Severity::Warning,
            alerts: Vec::new(),
            created_ms: 1_700_000_000_000,
            status: DeliveryStatus::Pending,
            attempts: 0,
            last_error: None,
            escalation_step: None,
            provider_ids: Vec::new(),
        };
        let key = n.idempotency_key();
        assert_eq!(key.len(), 32);
        assert_eq!(key, n.clone().idempotency_key());
        let mut retried = n.clone();
        retried.attempts = 3;
        retried.status = DeliveryStatus::Sending;
        assert_eq!(
            key,
            retried.idempotency_key(),
            "attempts do not change the key"
        );
        for change in [
            |n: &mut Notification| n.id = 8,
            |n: &mut Notification| n.created_ms += 1,
            |n: &mut Notification| n.receiver = "ops2".into(),
            |n: &mut Notification| n.group_key = "route1{}".into(),
        ] {
            let mut other = n.clone();
            change(&mut other);
            assert_ne!(key, other.idempotency_key());
        }
    }

    #[test]
    fn fingerprint_is_stable_and_label_sensitive() {
        let mut labels = Labels::new();
        labels.insert("mount".into(), "/".into());
        let a = alert_fingerprint("disk_full", "web-1", &labels);
        assert_eq!(a, alert_fingerprint("disk_full", "web-1", &labels));
        assert_eq!(a.len(), 16);
        labels.insert("mount".into(), "/var".into());
        assert_ne!(a, alert_fingerprint("disk_full", "web-1", &labels));
        assert_ne!(
            alert_fingerprint("ab", "c", &Labels::new()),
            alert_fingerprint("a", "bc", &Labels::new())
        );
    }

    #[test]
    fn severity_orders_and_parses() {
        assert!(Severity::Critical > Severity::Warning && Severity::Warning > Severity::Info);
        assert_eq!(Severity::parse("critical"), Some(Severity::Critical));
        assert_eq!(Severity::parse("loud"), None);
    }

    #[test]
    fn silence_window_is_half_open() {
        let s = Silence {
            id: "s1".into(),
            matchers: vec![],
            starts_ms: 10,
            ends_ms: 20,
            author: "a".into(),
            comment: String::new(),
            created_ms: 0,
        };
        assert!(!s.is_active(9) && s.is_active(10) && s.is_active(19) && !s.is_active(20));
    }
}
