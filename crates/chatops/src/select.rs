//! Host arguments: an exact name, a glob (`web-*`) or a host group from the rules configuration.

use hostpulse_rules::glob_match;
use hostpulse_store::HostState;
use std::collections::BTreeMap;

/// Whether `text` is a glob rather than a name.
pub fn is_glob(text: &str) -> bool {
    text.contains(['*', '?'])
}

/// Names of the `hosts` that `wanted` selects, sorted; every host when `wanted` is `None`.
pub fn select_hosts(
    hosts: &[HostState],
    wanted: Option<&str>,
    groups: &BTreeMap<String, Vec<String>>,
) -> Vec<String> {
    let mut names: Vec<String> = hosts
        .iter()
        .filter(|host| match wanted {
            None => true,
            Some(wanted) => host_matches(host, wanted, groups),
        })
        .map(|host| host.name.clone())
        .collect();
    names.sort();
    names
}

fn host_matches(host: &HostState, wanted: &str, groups: &BTreeMap<String, Vec<String>>) -> bool {
    if let Some(members) = groups.get(wanted) {
        return members.iter().any(|m| name_matches(host, m));
    }
    name_matches(host, wanted)
}

fn name_matches(host: &HostState, pattern: &str) -> bool {
    let facts = host.facts.as_ref();
    let names = std::iter::once(host.name.as_str())
        .chain(facts.map(|f| f.hostname.as_str()))
        .chain(facts.and_then(|f| f.display_name.as_deref()));
    let mut names = names;
    if is_glob(pattern) {
        names.any(|n| glob_match(pattern, n))
    } else {
        names.any(|n| n == pattern)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(name: &str) -> HostState {
        HostState {
            name: name.into(),
            facts: None,
            first_seen_ms: 0,
            last_seen_ms: 0,
            interval_ms: 5000,
            last_seq: 0,
            collector_errors: vec![],
        }
    }

    #[test]
    fn names_globs_and_groups() {
        let hosts = vec![host("web-2"), host("web-1"), host("db-1")];
        let groups = BTreeMap::from([("front".to_string(), vec!["web-1".to_string()])]);
        assert_eq!(select_hosts(&hosts, None, &groups).len(), 3);
        assert_eq!(
            select_hosts(&hosts, Some("web-*"), &groups),
            ["web-1", "web-2"]
        );
        assert_eq!(select_hosts(&hosts, Some("db-1"), &groups), ["db-1"]);
        assert_eq!(select_hosts(&hosts, Some("front"), &groups), ["web-1"]);
        assert!(select_hosts(&hosts, Some("web"), &groups).is_empty());
    }
}
