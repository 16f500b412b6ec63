//! Routes and the default route (`alerting.defaults`): matching, receivers, timing, escalation.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use hostpulse_core::Severity;
use serde::Deserialize;

use super::label_names;
use crate::scalar::Scalar;
use crate::validate::{Validator, join};
use hostpulse_alerting::{EscalationStep, RouteConfig, RouteMatch, RouteSettings};
use hostpulse_core::duration::format_duration;
use hostpulse_core::matcher::parse_matcher;

/// Route settings as written, shared by `alerting.defaults` and each route.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRouteSettings {
    receivers: Option<Vec<Scalar>>,
    group_by: Option<Vec<Scalar>>,
    group_wait: Option<Scalar>,
    group_interval: Option<Scalar>,
    repeat_interval: Option<Scalar>,
    send_resolved: Option<Scalar>,
    escalation: Option<Vec<RawEscalation>>,
}

/// One route as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRoute {
    r#match: Option<RawRouteMatch>,
    r#continue: Option<Scalar>,
    receivers: Option<Vec<Scalar>>,
    group_by: Option<Vec<Scalar>>,
    group_wait: Option<Scalar>,
    group_interval: Option<Scalar>,
    repeat_interval: Option<Scalar>,
    send_resolved: Option<Scalar>,
    escalation: Option<Vec<RawEscalation>>,
}

/// The `match:` of a route as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRouteMatch {
    severity: Option<Scalar>,
    rule: Option<Scalar>,
    host: Option<Scalar>,
    host_group: Option<Scalar>,
    labels: Option<BTreeMap<String, Scalar>>,
    matchers: Option<Vec<Scalar>>,
}

/// One escalation step as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawEscalation {
    after: Option<Scalar>,
    severity: Option<Scalar>,
    receivers: Option<Vec<Scalar>>,
}

impl RawRouteSettings {
    pub(crate) fn validate(
        self,
        v: &mut Validator,
        path: &str,
        base: &RouteSettings,
        known: &BTreeSet<String>,
    ) -> RouteSettings {
        let receivers = match self.receivers {
            Some(raw) => receiver_refs(v, &join(path, "receivers"), raw, known),
            None => base.receivers.clone(),
        };
        RouteSettings {
            receivers,
            group_by: match self.group_by {
                Some(raw) => label_names(v, &join(path, "group_by"), raw),
                None => base.group_by.clone(),
            },
            group_wait: v.duration(
                &join(path, "group_wait"),
                self.group_wait,
                base.group_wait,
                Duration::ZERO,
            ),
            group_interval: v.duration(
                &join(path, "group_interval"),
                self.group_interval,
                base.group_interval,
                Duration::from_secs(1),
            ),
            repeat_interval: v.duration(
                &join(path, "repeat_interval"),
                self.repeat_interval,
                base.repeat_interval,
                Duration::from_secs(60),
            ),
            send_resolved: v.boolean(
                &join(path, "send_resolved"),
                self.send_resolved,
                base.send_resolved,
            ),
            escalation: match self.escalation {
                Some(raw) => escalation(v, &join(path, "escalation"), raw, known),
                None => base.escalation.clone(),
            },
        }
    }
}

impl RawRoute {
    pub(crate) fn validate(
        self,
        v: &mut Validator,
        path: &str,
        defaults: &RouteSettings,
        known: &BTreeSet<String>,
    ) -> RouteConfig {
        let settings = RawRouteSettings {
            receivers: self.receivers,
            group_by: self.group_by,
            group_wait: self.group_wait,
            group_interval: self.group_interval,
            repeat_interval: self.repeat_interval,
            send_resolved: self.send_resolved,
            escalation: self.escalation,
        };
        RouteConfig {
            matcher: self
                .r#match
                .map(|m| m.validate(v, &join(path, "match")))
                .unwrap_or_default(),
            settings: settings.validate(v, path, defaults, known),
            continue_matching: v.boolean(&join(path, "continue"), self.r#continue, false),
        }
    }
}

impl RawRouteMatch {
    fn validate(self, v: &mut Validator, path: &str) -> RouteMatch {
        let severity = self.severity.and_then(|raw| {
            v.parse_or(&join(path, "severity"), Some(raw), None, |text| {
                parse_severity(text).map(Some)
            })
        });
        let text = |raw: Option<Scalar>| raw.map(|s| s.text().to_owned()).filter(|s| !s.is_empty());
        let matchers = self.matchers.unwrap_or_default().into_iter().enumerate();
        RouteMatch {
            severity,
            rule: text(self.rule),
            host: text(self.host),
            host_group: text(self.host_group),
            labels: self
                .labels
                .unwrap_or_default()
                .into_iter()
                .map(|(name, value)| (name, value.into_string()))
                .collect(),
            matchers: matchers
                .filter_map(|(i, raw)| {
                    let item = format!("{}[{i}]", join(path, "matchers"));
                    v.parse_or(&item, Some(raw), None, |t| {
                        parse_matcher(t).map(Some).map_err(|e| e.to_string())
                    })
                })
                .collect(),
        }
    }
}

fn parse_severity(text: &str) -> Result<Severity, String> {
    Severity::parse(&text.to_ascii_lowercase())
        .ok_or_else(|| format!("{text:?} is not a severity (use info, warning or critical)"))
}

fn receiver_refs(
    v: &mut Validator,
    path: &str,
    raw: Vec<Scalar>,
    known: &BTreeSet<String>,
) -> Vec<String> {
    let mut names = Vec::new();
    for (i, name) in raw.into_iter().enumerate() {
        let name = name.text().to_owned();
        if known.contains(&name) {
            names.push(name);
        } else {
            let list: Vec<&str> = known.iter().map(String::as_str).collect();
            let message = format!("unknown receiver {name:?}; receivers: {}", list.join(", "));
            v.error(&format!("{path}[{i}]"), message);
        }
    }
    names
}

fn escalation(
    v: &mut Validator,
    path: &str,
    raw: Vec<RawEscalation>,
    known: &BTreeSet<String>,
) -> Vec<EscalationStep> {
    let mut steps: Vec<EscalationStep> = Vec::new();
    for (i, step) in raw.into_iter().enumerate() {
        let step_path = format!("{path}[{i}]");
        let after_path = join(&step_path, "after");
        if step.after.is_none() {
            v.error(&after_path, "is required (e.g. after: 15m)");
        }
        let after = v.duration(
            &after_path,
            step.after,
            Duration::ZERO,
            Duration::from_secs(1),
        );
        let severity = step.severity.and_then(|raw| {
            v.parse_or(&join(&step_path, "severity"), Some(raw), None, |t| {
                parse_severity(t).map(Some)
            })
        });
        let receivers = step
            .receivers
            .map(|raw| receiver_refs(v, &join(&step_path, "receivers"), raw, known))
            .unwrap_or_default();
        if let Some(previous) = steps
            .last()
            .filter(|p| after <= p.after && v.is_clean(&after_path))
        {
            let message = format!(
                "steps must be in ascending order: {} is not after the previous step's {}",
                format_duration(after),
                format_duration(previous.after)
            );
            v.error(&after_path, message);
        }
        steps.push(EscalationStep {
            after,
            severity,
            receivers,
        });
    }
    steps
}
