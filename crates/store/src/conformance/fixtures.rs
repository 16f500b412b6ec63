//! Values the checks store: batches, alerts, notifications, silences, range queries.

use super::T0;
use crate::RangeQuery;
use hostpulse_core::{
    Alert, AlertState, DeliveryStatus, Labels, MatchOp, Matcher, Notification, NotificationKind,
    Sample, Severity, Silence, alert_fingerprint,
};
use hostpulse_proto::{AgentIdentity, Frame, IngestBatch, PROTOCOL_VERSION};

/// Registers a check function under its own name.
macro_rules! case {
    ($name:ident) => {
        $crate::conformance::Case {
            name: stringify!($name),
            run: |ctx| Box::pin($name(ctx)),
        }
    };
}
pub(crate) use case;

/// A batch of `web-1` with one frame per `(ts_ms, samples)`.
pub fn batch(seq: u64, frames: Vec<(i64, Vec<Sample>)>) -> IngestBatch {
    IngestBatch {
        version: PROTOCOL_VERSION,
        agent: AgentIdentity {
            hostname: "web-1".into(),
            display_name: None,
            agent_version: "0.1.0".into(),
            interval_ms: 5_000,
            instance_id: "conformance-instance".into(),
            run_id: "conformance-run".into(),
            previous_run_id: None,
        },
        seq,
        facts: None,
        frames: frames
            .into_iter()
            .map(|(ts_ms, samples)| Frame {
                ts_ms,
                samples,
                ..Frame::default()
            })
            .collect(),
    }
}

/// `cpu.usage_percent{cpu=core}`.
pub fn cpu(core: &str, value: f64) -> Sample {
    Sample::new("cpu.usage_percent", value).with_label("cpu", core)
}

/// A range read of `cpu.usage_percent` of `web-1`.
pub fn range(start_ms: i64, end_ms: i64, step_ms: i64) -> RangeQuery {
    RangeQuery {
        host: "web-1".into(),
        metric: "cpu.usage_percent".into(),
        labels: Labels::new(),
        start_ms,
        end_ms,
        step_ms,
    }
}

/// A firing alert of `rule` on `host`.
pub fn alert(rule: &str, host: &str, at_ms: i64) -> Alert {
    let labels = Labels::new();
    Alert {
        id: alert_fingerprint(rule, host, &labels),
        rule: rule.into(),
        host: host.into(),
        labels,
        severity: Severity::Warning,
        state: AlertState::Firing,
        value: 91.5,
        threshold: Some(85.0),
        summary: format!("{rule} on {host}"),
        description: String::new(),
        annotations: Default::default(),
        active_since_ms: at_ms,
        firing_since_ms: Some(at_ms),
        resolved_ms: None,
        last_eval_ms: at_ms,
        ack: None,
        dry_run: false,
    }
}

/// A pending firing notification of `receiver` for `group`.
pub fn notification(receiver: &str, group: &str, at_ms: i64) -> Notification {
    Notification {
        id: 0,
        receiver: receiver.into(),
        group_key: group.into(),
        group_labels: Labels::new(),
        kind: NotificationKind::Firing,
        severity: Severity::Warning,
        alerts: vec![alert("high_cpu", "web-1", at_ms)],
        created_ms: at_ms,
        status: DeliveryStatus::Pending,
        attempts: 0,
        last_error: None,
        escalation_step: None,
        provider_ids: Vec::new(),
    }
}

/// A silence of `host=web-1` over `[starts_ms, ends_ms)`.
pub fn silence(id: &str, starts_ms: i64, ends_ms: i64) -> Silence {
    Silence {
        id: id.into(),
        matchers: vec![Matcher {
            name: "host".into(),
            op: MatchOp::Eq,
            value: "web-1".into(),
        }],
        starts_ms,
        ends_ms,
        author: "admin".into(),
        comment: "deploy".into(),
        created_ms: starts_ms.min(T0),
    }
}
