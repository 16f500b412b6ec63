//! Name resolution and collisions over fake hosts.

use super::*;
use hostpulse_core::HostFacts;

fn host(agent: &str, hostname: &str) -> HostState {
    HostState {
        name: agent.into(),
        facts: Some(HostFacts {
            hostname: hostname.into(),
            ..HostFacts::default()
        }),
        first_seen_ms: 0,
        last_seen_ms: 0,
        interval_ms: 5000,
        last_seq: 0,
        collector_errors: vec![],
    }
}

#[test]
fn an_exact_agent_name_wins_over_a_hostname() {
    let hosts = [
        host("vm", "vm"),
        host("box", "vm"),
        host("db-1", "db.local"),
    ];
    assert_eq!(exact_host(&hosts, "vm"), NameMatch::Agent("vm".into()));
    assert_eq!(
        exact_host(&hosts, "db.local"),
        NameMatch::Other(vec!["db-1".into()])
    );
    assert_eq!(exact_host(&hosts, "nope"), NameMatch::None);
    let shared = [host("a", "ubuntu"), host("b", "ubuntu")];
    assert_eq!(
        exact_host(&shared, "ubuntu"),
        NameMatch::Other(vec!["a".into(), "b".into()])
    );
}

#[test]
fn collisions_are_listed_on_both_hosts() {
    let hosts = [host("vm", "vm"), host("box", "vm"), host("db-1", "db-1")];
    let collisions = name_collisions(&hosts);
    assert_eq!(collisions.len(), 2, "{collisions:?}");
    assert!(
        !collisions.contains_key("db-1"),
        "own hostname is no collision"
    );
    let on_vm = &collisions["vm"][0];
    assert_eq!(
        (
            on_vm.name.as_str(),
            on_vm.kind,
            on_vm.other_host.as_str(),
            on_vm.other_kind
        ),
        ("vm", NameKind::Agent, "box", NameKind::Hostname)
    );
    let on_box = &collisions["box"][0];
    assert_eq!(
        (on_box.kind, on_box.other_host.as_str()),
        (NameKind::Hostname, "vm")
    );
    assert_eq!(on_box.resolves_to.as_deref(), Some("vm"));

    let shared = name_collisions(&[host("a", "ubuntu"), host("b", "ubuntu")]);
    assert_eq!(shared["a"][0].resolves_to, None, "ambiguous");
}
