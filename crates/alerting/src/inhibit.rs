//! Inhibition: a firing source alert mutes target alerts that share the `equal` labels.
//! The built-in rule lets a firing `host_down` alert mute the other alerts of its host.

use std::collections::HashMap;

use crate::config::InhibitRule;
use hostpulse_core::{Alert, AlertState, MatchOp, Matcher};

use crate::AlertingError;
use crate::labels::{CompiledMatcher, all_match, label_value};
use crate::mute::MuteReason;

/// Rule name the host-down alert has.
pub const HOST_DOWN_RULE: &str = "host_down";

/// An inhibition rule with compiled matchers.
#[derive(Debug, Clone)]
pub(crate) struct CompiledInhibit {
    name: String,
    source: Vec<CompiledMatcher>,
    target: Vec<CompiledMatcher>,
    equal: Vec<String>,
}

impl CompiledInhibit {
    pub(crate) fn new(rule: &InhibitRule) -> Result<Self, AlertingError> {
        Ok(Self {
            name: rule.name.clone(),
            source: CompiledMatcher::all(&rule.source)?,
            target: CompiledMatcher::all(&rule.target)?,
            equal: rule.equal.clone(),
        })
    }

    /// `rule="host_down"` mutes `rule!="host_down"` of the same host.
    pub(crate) fn host_down() -> Result<Self, AlertingError> {
        let rule = |op| Matcher {
            name: "rule".into(),
            op,
            value: HOST_DOWN_RULE.into(),
        };
        Self::new(&InhibitRule {
            name: HOST_DOWN_RULE.into(),
            source: vec![rule(MatchOp::Eq)],
            target: vec![rule(MatchOp::NotEq)],
            equal: vec!["host".into()],
        })
    }

    fn key(&self, alert: &Alert) -> Vec<String> {
        self.equal
            .iter()
            .map(|name| label_value(alert, name).unwrap_or("").to_owned())
            .collect()
    }
}

/// Ids of firing source alerts by their `equal` label values.
type SourcesByKey = HashMap<Vec<String>, Vec<String>>;

/// The firing sources of every inhibition rule, indexed by their `equal` label values.
#[derive(Debug, Default)]
pub(crate) struct InhibitIndex {
    rules: Vec<(CompiledInhibit, SourcesByKey)>,
}

impl InhibitIndex {
    /// Indexes the firing alerts of `alerts` that match a rule's source.
    pub(crate) fn build(rules: &[CompiledInhibit], alerts: &[Alert]) -> Self {
        let firing: Vec<&Alert> = alerts
            .iter()
            .filter(|a| a.state == AlertState::Firing)
            .collect();
        let rules = rules
            .iter()
            .filter_map(|rule| {
                let mut sources = SourcesByKey::new();
                for alert in firing.iter().filter(|a| all_match(&rule.source, a)) {
                    sources
                        .entry(rule.key(alert))
                        .or_default()
                        .push(alert.id.clone());
                }
                (!sources.is_empty()).then(|| (rule.clone(), sources))
            })
            .collect();
        Self { rules }
    }

    /// The first rule and source alert inhibiting `alert`; an alert never inhibits itself.
    pub(crate) fn inhibited_by(&self, alert: &Alert) -> Option<MuteReason> {
        self.rules.iter().find_map(|(rule, sources)| {
            if !all_match(&rule.target, alert) {
                return None;
            }
            let ids = sources.get(&rule.key(alert))?;
            let by = ids.iter().find(|id| **id != alert.id)?;
            Some(MuteReason::Inhibited {
                rule: rule.name.clone(),
                by: by.clone(),
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::tests::alert;
    use hostpulse_core::matcher::parse_matcher;

    #[test]
    fn host_down_mutes_same_host_only_while_firing() {
        let rules = [CompiledInhibit::host_down().unwrap()];
        let down = alert(HOST_DOWN_RULE, "web-1", &[], 0);
        let cpu = alert("high_cpu", "web-1", &[], 0);
        let other_host = alert("high_cpu", "web-2", &[], 0);
        let index = InhibitIndex::build(&rules, &[down.clone(), cpu.clone(), other_host.clone()]);
        assert_eq!(
            index.inhibited_by(&cpu),
            Some(MuteReason::Inhibited {
                rule: HOST_DOWN_RULE.into(),
                by: down.id.clone()
            })
        );
        assert_eq!(index.inhibited_by(&other_host), None);
        assert_eq!(index.inhibited_by(&down), None, "source is not a target");
        let mut resolved = down;
        resolved.state = AlertState::Resolved;
        let index = InhibitIndex::build(&rules, &[resolved, cpu.clone()]);
        assert_eq!(index.inhibited_by(&cpu), None);
    }

    #[test]
    fn custom_rule_needs_equal_labels_and_never_self_inhibits() {
        let rule = InhibitRule {
            name: "full-mutes-forecast".into(),
            source: vec![parse_matcher("rule=~\"disk_.*\"").unwrap()],
            target: vec![parse_matcher("rule=~\"disk_.*\"").unwrap()],
            equal: vec!["host".into(), "mount".into()],
        };
        let rules = [CompiledInhibit::new(&rule).unwrap()];
        let full = alert("disk_full", "db-1", &[("mount", "/")], 0);
        let soon = alert("disk_soon", "db-1", &[("mount", "/")], 0);
        let other_mount = alert("disk_soon", "db-1", &[("mount", "/var")], 0);
        let index = InhibitIndex::build(&rules, &[full.clone(), other_mount.clone()]);
        assert!(index.inhibited_by(&soon).is_some());
        assert_eq!(
            index.inhibited_by(&full),
            None,
            "only source with its key is itself"
        );
        assert_eq!(index.inhibited_by(&other_mount), None);
    }
}
