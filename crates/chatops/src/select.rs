//! Host arguments: an agent name, a reported hostname or display name, a host group from the
//! rules configuration, or a glob (`web-*`) — tried in that order, so an exact agent name
//! always means that one agent even when another host reports it as its hostname.

use hostpulse_core::glob::{glob_match, is_glob};
use hostpulse_service::host_names::{NameMatch, exact_host};
use hostpulse_store::HostState;
use std::collections::BTreeMap;

/// Names of the `hosts` that `wanted` selects, sorted; every host when `wanted` is `None`.
pub fn select_hosts(
    hosts: &[HostState],
    wanted: Option<&str>,
    groups: &BTreeMap<String, Vec<String>>,
) -> Vec<String> {
    let mut names = match wanted {
        None => hosts.iter().map(|host| host.name.clone()).collect(),
        Some(wanted) => match exact_host(hosts, wanted) {
            NameMatch::Agent(name) => vec![name],
            NameMatch::Other(names) => names,
            NameMatch::None => match groups.get(wanted) {
                Some(members) => members
                    .iter()
                    .flat_map(|member| by_name_or_glob(hosts, member))
                    .collect(),
                None => by_name_or_glob(hosts, wanted),
            },
        },
    };
    names.sort();
    names.dedup();
    names
}

/// A group member: an exact name (same order as above) or a glob over every name of a host.
fn by_name_or_glob(hosts: &[HostState], pattern: &str) -> Vec<String> {
    if !is_glob(pattern) {
        return match exact_host(hosts, pattern) {
            NameMatch::Agent(name) => vec![name],
            NameMatch::Other(names) => names,
            NameMatch::None => Vec::new(),
        };
    }
    hosts
        .iter()
        .filter(|host| {
            let facts = host.facts.as_ref();
            let mut names = std::iter::once(host.name.as_str())
                .chain(facts.map(|f| f.hostname.as_str()))
                .chain(facts.and_then(|f| f.display_name.as_deref()));
            names.any(|name| glob_match(pattern, name))
        })
        .map(|host| host.name.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(name: &str) -> HostState {
        reporting(name, None)
    }

    fn reporting(name: &str, hostname: Option<&str>) -> HostState {
        HostState {
            name: name.into(),
            facts: hostname.map(|hostname| hostpulse_core::HostFacts {
                hostname: hostname.into(),
                ..Default::default()
            }),
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

    #[test]
    fn an_agent_name_wins_over_another_hosts_hostname() {
        let hosts = vec![reporting("vm", Some("vm")), reporting("box", Some("vm"))];
        let groups = BTreeMap::from([("vm-group".to_string(), vec!["vm".to_string()])]);
        assert_eq!(select_hosts(&hosts, Some("vm"), &groups), ["vm"]);
        assert_eq!(select_hosts(&hosts, Some("vm-group"), &groups), ["vm"]);
        assert_eq!(select_hosts(&hosts, Some("v*"), &groups), ["box", "vm"]);
        let shared = vec![
            reporting("a", Some("ubuntu")),
            reporting("b", Some("ubuntu")),
        ];
        assert_eq!(select_hosts(&shared, Some("ubuntu"), &groups), ["a", "b"]);
    }
}
