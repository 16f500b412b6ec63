//! Which host a name means, and the names two hosts share. A host is known by its agent
//! name (the key alerts and the API use), its reported hostname and its display name; an
//! exact agent name wins over the other two, so one agent named `vm` and another host whose
//! hostname is `vm` are never confused.

use hostpulse_store::HostState;
use serde::Serialize;
use std::collections::BTreeMap;

/// How a host carries a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NameKind {
    /// The name the agent pushes as; the host's key.
    Agent,
    /// The hostname the agent reported.
    Hostname,
    /// The configured display name.
    DisplayName,
}

impl NameKind {
    /// Words for messages: `agent name`, `hostname`, `display name`.
    pub fn describe(self) -> &'static str {
        match self {
            NameKind::Agent => "agent name",
            NameKind::Hostname => "hostname",
            NameKind::DisplayName => "display name",
        }
    }
}

/// The hosts an exact name means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameMatch {
    /// The agent of that name.
    Agent(String),
    /// No agent has the name; these agents report it as hostname or display name.
    Other(Vec<String>),
    /// No host has the name.
    None,
}

/// The host(s) `wanted` names exactly: the agent of that name, else every host reporting it
/// as hostname or display name.
pub fn exact_host(hosts: &[HostState], wanted: &str) -> NameMatch {
    if let Some(host) = hosts.iter().find(|h| h.name == wanted) {
        return NameMatch::Agent(host.name.clone());
    }
    let mut others: Vec<String> = hosts
        .iter()
        .filter(|host| {
            names_of(host)
                .iter()
                .any(|(name, kind)| *kind != NameKind::Agent && *name == wanted)
        })
        .map(|host| host.name.clone())
        .collect();
    others.sort();
    if others.is_empty() {
        NameMatch::None
    } else {
        NameMatch::Other(others)
    }
}

/// A name this host shares with another host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NameCollision {
    /// The shared name.
    pub name: String,
    /// How this host carries it.
    pub kind: NameKind,
    /// The other host (its agent name) and how it carries the name.
    pub other_host: String,
    /// How the other host carries it.
    pub other_kind: NameKind,
    /// The host that name selects (an agent name wins); `None` when it selects several.
    pub resolves_to: Option<String>,
}

/// Every host's collisions, by agent name; hosts without any are left out.
pub fn name_collisions(hosts: &[HostState]) -> BTreeMap<String, Vec<NameCollision>> {
    let mut holders: BTreeMap<&str, Vec<(&str, NameKind)>> = BTreeMap::new();
    for host in hosts {
        for (name, kind) in names_of(host) {
            holders.entry(name).or_default().push((&host.name, kind));
        }
    }
    let mut out: BTreeMap<String, Vec<NameCollision>> = BTreeMap::new();
    for (name, holders) in holders {
        if holders.iter().all(|(host, _)| *host == holders[0].0) {
            continue;
        }
        let resolves_to = match exact_host(hosts, name) {
            NameMatch::Agent(agent) => Some(agent),
            NameMatch::Other(agents) if agents.len() == 1 => agents.into_iter().next(),
            _ => None,
        };
        for (host, kind) in &holders {
            for (other_host, other_kind) in holders.iter().filter(|(h, _)| h != host) {
                out.entry(host.to_string())
                    .or_default()
                    .push(NameCollision {
                        name: name.to_string(),
                        kind: *kind,
                        other_host: other_host.to_string(),
                        other_kind: *other_kind,
                        resolves_to: resolves_to.clone(),
                    });
            }
        }
    }
    out
}

/// A host's distinct names with how it carries each (agent name first).
fn names_of(host: &HostState) -> Vec<(&str, NameKind)> {
    let mut names = vec![(host.name.as_str(), NameKind::Agent)];
    if let Some(facts) = &host.facts {
        let reported = [
            Some((facts.hostname.as_str(), NameKind::Hostname)),
            facts
                .display_name
                .as_deref()
                .map(|name| (name, NameKind::DisplayName)),
        ];
        for (name, kind) in reported.into_iter().flatten() {
            if !name.is_empty() && names.iter().all(|(known, _)| *known != name) {
                names.push((name, kind));
            }
        }
    }
    names
}

#[cfg(test)]
mod tests;
