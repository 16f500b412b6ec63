//! Label lookup with the pseudo-labels `host`, `rule` and `severity`, compiled label
//! matchers, and host-group membership.

use std::collections::BTreeMap;

use hostpulse_core::glob::glob_match;
use hostpulse_core::{Alert, MatchOp, Matcher};
use regex::Regex;

use crate::AlertingError;

/// The value of label `name` on `alert`; `host`, `rule` and `severity` are the alert's own.
pub fn label_value<'a>(alert: &'a Alert, name: &str) -> Option<&'a str> {
    match name {
        "host" => Some(&alert.host),
        "rule" => Some(&alert.rule),
        "severity" => Some(alert.severity.as_str()),
        _ => alert.labels.get(name).map(String::as_str),
    }
}

/// A label matcher ready to run: regular expressions are compiled once, anchored.
#[derive(Debug, Clone)]
pub struct CompiledMatcher {
    name: String,
    test: Test,
}

#[derive(Debug, Clone)]
enum Test {
    Equal(String, bool),
    Regex(Regex, bool),
}

impl CompiledMatcher {
    /// Compiles `matcher`; fails only on an invalid regular expression.
    pub fn new(matcher: &Matcher) -> Result<Self, AlertingError> {
        let test = match matcher.op {
            MatchOp::Eq => Test::Equal(matcher.value.clone(), true),
            MatchOp::NotEq => Test::Equal(matcher.value.clone(), false),
            MatchOp::Regex | MatchOp::NotRegex => {
                let regex = Regex::new(&format!("^(?:{})$", matcher.value))
                    .map_err(|e| AlertingError::Regex(format!("{}: {e}", matcher.value)))?;
                Test::Regex(regex, matcher.op == MatchOp::Regex)
            }
        };
        Ok(Self {
            name: matcher.name.clone(),
            test,
        })
    }

    /// Compiles every matcher of a list.
    pub fn all(matchers: &[Matcher]) -> Result<Vec<Self>, AlertingError> {
        matchers.iter().map(Self::new).collect()
    }

    /// Whether `alert` satisfies the matcher; a missing label counts as the empty string.
    pub fn matches(&self, alert: &Alert) -> bool {
        let value = label_value(alert, &self.name).unwrap_or("");
        match &self.test {
            Test::Equal(expected, wanted) => (value == expected) == *wanted,
            Test::Regex(regex, wanted) => regex.is_match(value) == *wanted,
        }
    }
}

/// Whether every matcher of a list holds for `alert`.
pub fn all_match(matchers: &[CompiledMatcher], alert: &Alert) -> bool {
    matchers.iter().all(|m| m.matches(alert))
}

/// Named host groups: group name → host names or globs.
#[derive(Debug, Clone, Default)]
pub struct HostGroups {
    groups: BTreeMap<String, Vec<String>>,
}

impl HostGroups {
    /// Host groups from the configuration's `host_groups` map: group name → host names or
    /// globs (`*`, `?`) of its members.
    pub fn new(groups: &BTreeMap<String, Vec<String>>) -> Self {
        Self {
            groups: groups.clone(),
        }
    }

    /// Whether `host` belongs to `group` (an unknown group has no members).
    pub fn contains(&self, group: &str, host: &str) -> bool {
        self.groups
            .get(group)
            .is_some_and(|members| members.iter().any(|m| glob_match(m, host)))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use hostpulse_core::{AlertState, Labels, Severity, alert_fingerprint};

    /// A firing alert for tests, firing since `since_ms`.
    pub(crate) fn alert(rule: &str, host: &str, labels: &[(&str, &str)], since_ms: i64) -> Alert {
        let labels: Labels = labels
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Alert {
            id: alert_fingerprint(rule, host, &labels),
            rule: rule.into(),
            host: host.into(),
            labels,
            severity: Severity::Warning,
            state: AlertState::Firing,
            value: 1.0,
            threshold: None,
            summary: String::new(),
            description: String::new(),
            annotations: BTreeMap::new(),
            active_since_ms: since_ms,
            firing_since_ms: Some(since_ms),
            resolved_ms: None,
            last_eval_ms: since_ms,
            ack: None,
            dry_run: false,
        }
    }

    fn matcher(text: &str) -> CompiledMatcher {
        CompiledMatcher::new(&hostpulse_core::matcher::parse_matcher(text).unwrap()).unwrap()
    }

    #[test]
    fn matchers_see_labels_and_pseudo_labels() {
        let a = alert("disk_full", "web-1", &[("mount", "/var")], 0);
        assert!(matcher("host=web-1").matches(&a));
        assert!(matcher("rule!=high_cpu").matches(&a));
        assert!(matcher("severity=warning").matches(&a));
        assert!(matcher(r#"mount=~"/v.*""#).matches(&a));
        assert!(!matcher(r#"mount=~"/v""#).matches(&a), "regex is anchored");
        assert!(matcher(r#"mount!~"/boot""#).matches(&a));
        assert!(matcher(r#"iface="""#).matches(&a), "missing label is empty");
    }

    #[test]
    fn host_groups_match_globs() {
        let mut map = BTreeMap::new();
        map.insert(
            "web".to_owned(),
            vec!["web-*".to_owned(), "edge".to_owned()],
        );
        let groups = HostGroups::new(&map);
        assert!(groups.contains("web", "web-3") && groups.contains("web", "edge"));
        assert!(!groups.contains("web", "db-1") && !groups.contains("db", "web-1"));
    }
}
