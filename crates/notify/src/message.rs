//! What every channel says about a notification: status, severity, hosts, values, since when,
//! a dashboard link and how to acknowledge; plus user templates rendered with minijinja.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use hostpulse_core::{Alert, AlertState, Notification, NotificationKind, Severity};
use serde::Serialize;

use crate::SendError;

/// Delivery context the message needs beyond the notification itself.
#[derive(Clone, Default)]
pub struct MessageContext {
    /// Base URL of the hub's dashboard, for links.
    pub external_url: Option<String>,
    /// Provider id of the message a resolved notification replies to / threads under
    /// (Telegram message_id, Slack ts, e-mail Message-ID).
    pub reply_to: Option<String>,
    /// Provider ids of parts delivered by an earlier attempt; those parts are not sent again.
    pub parts_sent: Vec<String>,
    /// Told after each part is delivered, before the next is sent.
    pub progress: Option<Arc<dyn Progress>>,
}

impl fmt::Debug for MessageContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MessageContext")
            .field("external_url", &self.external_url)
            .field("reply_to", &self.reply_to)
            .field("parts_sent", &self.parts_sent)
            .field("progress", &self.progress.as_ref().map(|_| "Progress"))
            .finish()
    }
}

/// Durable record of parts as they are delivered.
#[async_trait]
pub trait Progress: Send + Sync {
    /// `provider_ids` = every part delivered so far (earlier attempts' included). An error stops the send with
    /// SendError::Retry (the part is delivered but could not be recorded; the reason says so).
    async fn part_sent(&self, provider_ids: &[String]) -> Result<(), String>;
}

/// One alert as shown in a message.
#[derive(Debug, Clone, Serialize)]
pub struct AlertLine {
    /// The alert's fingerprint (16 hex digits), as `hostpulse ack` takes it.
    pub id: String,
    /// Name of the rule that fired.
    pub rule: String,
    /// Host the alert is about.
    pub host: String,
    /// The host's first IP address (its `host_ip` annotation); `None` when the agent sent none.
    pub host_ip: Option<String>,
    /// The alert's own severity (the notification's may be higher after escalation).
    pub severity: Severity,
    /// What is wrong; for a resolved alert, the value it resolved at (see [`current_summary`]).
    pub summary: String,
    /// The rule's description; empty when the rule has none.
    pub description: String,
    /// `value 91.2 (threshold 85)` or `value 91.2 (baseline 40)`.
    pub value: String,
    /// RFC 3339 UTC time the alert started firing (or became active).
    pub since: String,
    /// Whether the alert is resolved.
    pub resolved: bool,
    /// RFC 3339 UTC time the alert resolved, when it has.
    pub resolved_at: Option<String>,
}

/// Channel-neutral content of a notification; also the context of user templates.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// `FIRING`, `RESOLVED`, `REMINDER`, `ESCALATION` or `TEST`.
    pub status: &'static str,
    /// The notification's severity: the highest of its alerts, raised by escalation.
    pub severity: Severity,
    /// Whether this is a resolved notification (the group's alerts resolved).
    pub resolved: bool,
    /// One line, e.g. `[FIRING] critical: high_cpu on web-1`.
    pub title: String,
    /// Name of the receiver the message is for.
    pub receiver: String,
    /// Identity of the alert group, e.g. `route0{host="web-1",rule="high_cpu"}`.
    pub group_key: String,
    /// The group's alerts, in the notification's order.
    pub alerts: Vec<AlertLine>,
    /// The dashboard's alerts page (`<external_url>/alerts`); `None` without an external URL.
    pub link: Option<String>,
    /// How to acknowledge, e.g. `hostpulse ack 0123abcd`.
    pub ack_hint: Option<String>,
}

impl Summary {
    /// Summarises a notification.
    pub fn new(n: &Notification, ctx: &MessageContext) -> Self {
        let resolved = n.kind == NotificationKind::Resolved;
        let status = match n.kind {
            NotificationKind::Firing => "FIRING",
            NotificationKind::Repeat => "REMINDER",
            NotificationKind::Escalation => "ESCALATION",
            NotificationKind::Resolved => "RESOLVED",
            NotificationKind::Test => "TEST",
        };
        let alerts: Vec<AlertLine> = n.alerts.iter().map(alert_line).collect();
        let title = title(status, n.severity, &n.alerts);
        let link = ctx
            .external_url
            .as_deref()
            .map(|url| format!("{}/alerts", url.trim_end_matches('/')));
        let ack_hint = (!resolved && n.kind != NotificationKind::Test)
            .then(|| alerts.first().map(|a| format!("hostpulse ack {}", a.id)))
            .flatten();
        Self {
            status,
            severity: n.severity,
            resolved,
            title,
            receiver: n.receiver.clone(),
            group_key: n.group_key.clone(),
            alerts,
            link,
            ack_hint,
        }
    }

    /// The default plain-text message.
    pub fn plain_text(&self) -> String {
        let mut out = format!("{}\n", self.title);
        for alert in &self.alerts {
            out.push_str(&format!("\n{}\n", alert.headline()));
            for line in alert.detail_lines() {
                out.push_str(&format!("  {line}\n"));
            }
        }
        out.push_str(&self.footer_lines().join("\n"));
        out
    }

    /// Link and acknowledgement lines.
    pub fn footer_lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if let Some(link) = &self.link {
            lines.push(format!("Dashboard: {link}"));
        }
        if let Some(hint) = &self.ack_hint {
            lines.push(format!(
                "Acknowledge: {hint} (or silence it in the dashboard)"
            ));
        }
        lines
    }

    /// Renders a user template with this summary as context.
    pub fn render(&self, template: &str) -> Result<String, SendError> {
        let env = minijinja::Environment::new();
        env.render_str(template, self)
            .map_err(|error| SendError::Permanent {
                reason: format!("template error: {error}"),
            })
    }

    /// The user template's text, or the default plain text.
    pub fn text_or_template(&self, template: Option<&str>) -> Result<String, SendError> {
        match template {
            Some(template) => self.render(template),
            None => Ok(self.plain_text()),
        }
    }
}

impl AlertLine {
    /// `rule on host (ip)`.
    pub fn headline(&self) -> String {
        match &self.host_ip {
            Some(ip) => format!("{} on {} ({ip})", self.rule, self.host),
            None => format!("{} on {}", self.rule, self.host),
        }
    }

    /// Summary, value and since lines; for a resolved alert, the value it resolved at and
    /// when it fired and resolved.
    pub fn detail_lines(&self) -> Vec<String> {
        let mut lines = match &self.resolved_at {
            Some(at) if self.resolved => vec![
                self.summary.clone(),
                format!("Was firing since {}, resolved at {at}", self.since),
            ],
            _ => vec![
                self.summary.clone(),
                self.value.clone(),
                format!("Since {}", self.since),
            ],
        };
        lines.retain(|line| !line.is_empty());
        lines
    }
}

fn title(status: &str, severity: Severity, alerts: &[Alert]) -> String {
    match alerts {
        [one] => format!("[{status}] {severity}: {} on {}", one.rule, one.host),
        [first, ..] => format!(
            "[{status}] {severity}: {} alerts ({} on {}, ...)",
            alerts.len(),
            first.rule,
            first.host
        ),
        [] => format!("[{status}] {severity}"),
    }
}

fn alert_line(alert: &Alert) -> AlertLine {
    let since_ms = alert.firing_since_ms.unwrap_or(alert.active_since_ms);
    let resolved = alert.state == AlertState::Resolved;
    AlertLine {
        id: alert.id.clone(),
        rule: alert.rule.clone(),
        host: alert.host.clone(),
        host_ip: alert.annotations.get("host_ip").cloned(),
        severity: alert.severity,
        summary: current_summary(alert),
        description: alert.description.clone(),
        value: value_text(alert),
        since: rfc3339(since_ms),
        resolved,
        resolved_at: alert.resolved_ms.filter(|_| resolved).map(rfc3339),
    }
}

/// `value 91.2 (threshold 85)`, `value 91.2 (baseline 40)` or `value 91.2`.
fn value_text(alert: &Alert) -> String {
    let mut value = format!("value {}", number(alert.value));
    if let Some(threshold) = alert.threshold {
        value.push_str(&format!(" (threshold {})", number(threshold)));
    } else if let Some(baseline) = alert.annotations.get("baseline") {
        value.push_str(&format!(" (baseline {baseline})"));
    }
    value
}

/// What an alert says now: its summary while pending or firing; once resolved, the value it
/// resolved at (`Resolved with value 40.5 (threshold 85)`) — the summary it keeps is that
/// of the last firing evaluation, a condition that no longer holds.
pub fn current_summary(alert: &Alert) -> String {
    if alert.state == AlertState::Resolved {
        let value = value_text(alert);
        format!("Resolved with {value}")
    } else {
        alert.summary.clone()
    }
}

fn number(value: f64) -> String {
    let rounded = (value * 100.0).round() / 100.0;
    format!("{rounded}")
}

/// Formats Unix milliseconds as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn rfc3339(ms: i64) -> String {
    hostpulse_core::utc_datetime(ms)
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_rfc3339() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_709_210_096_000), "2024-02-29T12:34:56Z");
    }
}
