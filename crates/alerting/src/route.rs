//! The route stage: which routes (receivers and timing) an alert goes to. Routes are tried
//! in order; the first match wins unless it sets `continue`; no match → the default route.

use crate::config::{AlertingConfig, RouteMatch, RouteSettings};
use hostpulse_core::Alert;
use hostpulse_core::glob::glob_match;

use crate::AlertingError;
use crate::labels::{CompiledMatcher, HostGroups, all_match};

/// Name of the default route in group keys and API answers.
pub const DEFAULT_ROUTE: &str = "default";

/// One route ready to match, with its receivers resolved.
#[derive(Debug, Clone)]
pub struct Route {
    /// `route0`, `route1`, ... in configuration order, or `default`.
    pub name: String,
    /// Settings; `receivers` is never empty here.
    pub settings: RouteSettings,
    continue_matching: bool,
    condition: Condition,
}

#[derive(Debug, Clone, Default)]
struct Condition {
    spec: RouteMatch,
    matchers: Vec<CompiledMatcher>,
}

impl Condition {
    fn matches(&self, alert: &Alert, groups: &HostGroups) -> bool {
        let spec = &self.spec;
        spec.severity.is_none_or(|s| s == alert.severity)
            && spec
                .rule
                .as_deref()
                .is_none_or(|r| glob_match(r, &alert.rule))
            && spec
                .host
                .as_deref()
                .is_none_or(|h| glob_match(h, &alert.host))
            && spec
                .host_group
                .as_deref()
                .is_none_or(|g| groups.contains(g, &alert.host))
            && spec
                .labels
                .iter()
                .all(|(k, v)| alert.labels.get(k) == Some(v))
            && all_match(&self.matchers, alert)
    }
}

/// Every route of the configuration, the default route last.
#[derive(Debug, Clone)]
pub struct Router {
    routes: Vec<Route>,
}

impl Router {
    /// Compiles the routes of `config`; empty receiver lists mean every receiver.
    pub fn new(config: &AlertingConfig) -> Result<Self, AlertingError> {
        let all: Vec<String> = config
            .effective_receivers()
            .into_iter()
            .map(|r| r.name)
            .collect();
        let resolve = |settings: &RouteSettings| {
            let mut settings = settings.clone();
            if settings.receivers.is_empty() {
                settings.receivers = all.clone();
            }
            settings
        };
        let mut routes = Vec::with_capacity(config.routes.len() + 1);
        for (i, route) in config.routes.iter().enumerate() {
            routes.push(Route {
                name: format!("route{i}"),
                settings: resolve(&route.settings),
                continue_matching: route.continue_matching,
                condition: Condition {
                    spec: route.matcher.clone(),
                    matchers: CompiledMatcher::all(&route.matcher.matchers)?,
                },
            });
        }
        routes.push(Route {
            name: DEFAULT_ROUTE.into(),
            settings: resolve(&config.defaults),
            continue_matching: false,
            condition: Condition::default(),
        });
        Ok(Self { routes })
    }

    /// Indexes of the routes `alert` goes to (at least one).
    pub fn route_indexes(&self, alert: &Alert, groups: &HostGroups) -> Vec<usize> {
        let mut matched = Vec::new();
        let last = self.routes.len() - 1;
        for (i, route) in self.routes[..last].iter().enumerate() {
            if route.condition.matches(alert, groups) {
                matched.push(i);
                if !route.continue_matching {
                    return matched;
                }
            }
        }
        if matched.is_empty() {
            matched.push(last);
        }
        matched
    }

    /// The route at `index`.
    pub fn route(&self, index: usize) -> Option<&Route> {
        self.routes.get(index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RouteConfig;
    use crate::labels::tests::alert;
    use hostpulse_core::Severity;
    use std::collections::BTreeMap;

    fn route(matcher: RouteMatch, receivers: &[&str], continue_matching: bool) -> RouteConfig {
        RouteConfig {
            matcher,
            settings: RouteSettings {
                receivers: receivers.iter().map(|r| (*r).to_owned()).collect(),
                ..RouteSettings::default()
            },
            continue_matching,
        }
    }

    #[test]
    fn first_match_wins_unless_continue_and_default_catches_the_rest() {
        let config = AlertingConfig {
            routes: vec![
                route(
                    RouteMatch {
                        severity: Some(Severity::Critical),
                        ..RouteMatch::default()
                    },
                    &["pager"],
                    true,
                ),
                route(
                    RouteMatch {
                        host_group: Some("web".into()),
                        ..RouteMatch::default()
                    },
                    &["web"],
                    false,
                ),
                route(
                    RouteMatch {
                        rule: Some("high_*".into()),
                        ..RouteMatch::default()
                    },
                    &["cpu"],
                    false,
                ),
            ],
            ..AlertingConfig::default()
        };
        let router = Router::new(&config).unwrap();
        let groups = HostGroups::new(&BTreeMap::from([(
            "web".to_owned(),
            vec!["web-*".to_owned()],
        )]));
        let mut critical_web = alert("high_cpu", "web-1", &[], 0);
        critical_web.severity = Severity::Critical;
        assert_eq!(router.route_indexes(&critical_web, &groups), [0, 1]);
        assert_eq!(
            router.route_indexes(&alert("high_cpu", "db-1", &[], 0), &groups),
            [2]
        );
        let other = alert("disk_full", "db-1", &[], 0);
        let default = router.route_indexes(&other, &groups);
        assert_eq!(default, [3]);
        let settings = &router.route(3).unwrap().settings;
        assert_eq!(
            settings.receivers,
            ["log"],
            "default route goes to every receiver"
        );
    }

    #[test]
    fn label_conditions_must_all_hold() {
        let mut labels = BTreeMap::new();
        labels.insert("mount".to_owned(), "/".to_owned());
        let matchers = vec![hostpulse_core::matcher::parse_matcher("host!=web-9").unwrap()];
        let config = AlertingConfig {
            routes: vec![route(
                RouteMatch {
                    labels,
                    matchers,
                    ..RouteMatch::default()
                },
                &["log"],
                false,
            )],
            ..AlertingConfig::default()
        };
        let router = Router::new(&config).unwrap();
        let groups = HostGroups::default();
        assert_eq!(
            router.route_indexes(&alert("d", "web-1", &[("mount", "/")], 0), &groups),
            [0]
        );
        assert_eq!(
            router.route_indexes(&alert("d", "web-9", &[("mount", "/")], 0), &groups),
            [1]
        );
        assert_eq!(
            router.route_indexes(&alert("d", "web-1", &[("mount", "/var")], 0), &groups),
            [1]
        );
    }
}
