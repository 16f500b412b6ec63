//! Checks silence matchers against what the hub knows now — label names and values of the
//! current series and alerts, agent names and rule names — and words a warning, with a
//! "did you mean", for each matcher that matches nothing. The grammar itself is
//! `hostpulse_core::matcher::parse_matcher`.

use hostpulse_config_core::closest;
use hostpulse_core::matcher::format_matcher;
use hostpulse_core::{MatchOp, Matcher, Severity};
use hostpulse_engine::Engine;
use hostpulse_store::{Store, StoreError};
use std::collections::{BTreeMap, BTreeSet};

/// The labels every alert has besides its series labels.
const PSEUDO_LABELS: [&str; 3] = ["host", "rule", "severity"];

/// Names a matcher can meet today.
#[derive(Debug, Clone, Default)]
pub struct KnownNames {
    /// Label name → values seen on current series and active alerts.
    pub labels: BTreeMap<String, BTreeSet<String>>,
    /// Agent names (what alerts carry as `host`).
    pub agents: BTreeSet<String>,
    /// Reported hostname or display name → the agents reporting it.
    pub other_names: BTreeMap<String, BTreeSet<String>>,
    /// Rule names; `None` when the alert engine is not running.
    pub rules: Option<BTreeSet<String>>,
}

impl KnownNames {
    /// Reads the hosts, their newest series and, with the engine, its rules and alerts.
    pub async fn gather(store: &dyn Store, engine: Option<&Engine>) -> Result<Self, StoreError> {
        let mut known = KnownNames::default();
        for host in store.hosts().await? {
            if let Some(facts) = &host.facts {
                for name in std::iter::once(&facts.hostname).chain(&facts.display_name) {
                    known.add_other_name(name, &host.name);
                }
            }
            if let Some(latest) = store.latest(&host.name).await? {
                for sample in &latest.samples {
                    known.add_labels(&sample.labels);
                }
            }
            known.agents.insert(host.name);
        }
        if let Some(engine) = engine {
            for alert in engine.active_alerts() {
                known.add_labels(&alert.labels);
            }
            known.rules = Some(engine.rules().into_iter().map(|r| r.name).collect());
        }
        Ok(known)
    }

    fn add_labels(&mut self, labels: &BTreeMap<String, String>) {
        for (name, value) in labels {
            let values = self.labels.entry(name.clone()).or_default();
            values.insert(value.clone());
        }
    }

    fn add_other_name(&mut self, name: &str, agent: &str) {
        if !name.is_empty() && name != agent {
            let agents = self.other_names.entry(name.to_string()).or_default();
            agents.insert(agent.to_string());
        }
    }

    /// One warning per matcher that names a label, host, rule or value nothing has now.
    pub fn warnings(&self, matchers: &[Matcher]) -> Vec<String> {
        matchers.iter().filter_map(|m| self.warning(m)).collect()
    }

    fn warning(&self, matcher: &Matcher) -> Option<String> {
        match matcher.name.as_str() {
            "host" => self.host_warning(matcher),
            "rule" => {
                let rules = self.rules.as_ref()?;
                value_warning(matcher, "rule", rules)
            }
            "severity" => {
                let severities = [Severity::Info, Severity::Warning, Severity::Critical]
                    .map(|s| s.as_str().to_string());
                value_warning(matcher, "severity", &BTreeSet::from(severities))
            }
            name => match self.labels.get(name) {
                Some(values) => value_warning(matcher, "series", values),
                None => Some(self.unknown_label(name)),
            },
        }
    }

    fn unknown_label(&self, name: &str) -> String {
        let names: Vec<&str> = PSEUDO_LABELS
            .into_iter()
            .chain(self.labels.keys().map(String::as_str))
            .collect();
        format!(
            "no current series or alert has the label {name:?}{}",
            did_you_mean(closest(name, &names).map(|n| format!("{n:?}")))
        )
    }

    fn host_warning(&self, matcher: &Matcher) -> Option<String> {
        let is_eq = matches!(matcher.op, MatchOp::Eq | MatchOp::NotEq);
        let other = is_eq && !self.agents.contains(&matcher.value);
        if let Some(agents) = self.other_names.get(&matcher.value).filter(|_| other) {
            return Some(other_name_warning(matcher, agents));
        }
        value_warning(matcher, "host", &self.agents)
    }
}

/// `host=vm` where `vm` is only the hostname of agent `box`: alerts carry `box`.
fn other_name_warning(matcher: &Matcher, agents: &BTreeSet<String>) -> String {
    let names: Vec<String> = agents.iter().map(|a| format!("{a:?}")).collect();
    let suggestion = match agents.iter().next() {
        Some(agent) if agents.len() == 1 => format!(
            "; did you mean {}?",
            format_matcher(&Matcher {
                value: agent.clone(),
                ..matcher.clone()
            })
        ),
        _ => String::new(),
    };
    format!(
        "no agent is named {:?}: it is the hostname of {}, and alerts carry the agent's \
         name{suggestion}",
        matcher.value,
        names.join(", ")
    )
}

/// A warning when `matcher` on `what` (host, rule, severity or a series label) can match
/// none of the `known` values (`=`, `=~`) or excludes a value that does not exist (`!=`).
fn value_warning(matcher: &Matcher, what: &str, known: &BTreeSet<String>) -> Option<String> {
    let text = format_matcher(matcher);
    match matcher.op {
        MatchOp::Eq | MatchOp::NotEq if known.contains(&matcher.value) => None,
        MatchOp::Eq | MatchOp::NotEq => {
            let candidates: Vec<&str> = known.iter().map(String::as_str).collect();
            let near = closest(&matcher.value, &candidates).map(|value| {
                format_matcher(&Matcher {
                    value: value.to_string(),
                    ..matcher.clone()
                })
            });
            Some(format!(
                "{text}: {}{}",
                nothing_named(what, &matcher.value),
                did_you_mean(near)
            ))
        }
        MatchOp::Regex => {
            let regex = regex::Regex::new(&format!("^(?:{})$", matcher.value)).ok()?;
            let none = !known.iter().any(|value| regex.is_match(value));
            none.then(|| format!("{text} matches no current {what}"))
        }
        MatchOp::NotRegex => None,
    }
}

fn nothing_named(what: &str, value: &str) -> String {
    match what {
        "series" => format!("no current series has the value {value:?}"),
        "host" => format!("no agent is named {value:?}"),
        other => format!("no {other} is named {value:?}"),
    }
}

fn did_you_mean(suggestion: Option<String>) -> String {
    suggestion.map_or_else(String::new, |s| format!("; did you mean {s}?"))
}

#[cfg(test)]
mod tests;
