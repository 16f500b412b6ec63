//! The `local_agent:` section: the agent that `hostpulse up` runs inside the hub process.

use serde::Deserialize;

use crate::collect::{CollectSettings, RawCollect, RawPaths};
use crate::scalar::Scalar;
use crate::validate::{Validator, join};
use hostpulse_agent_config::actions::{ActionsConfig, RawActions};
use hostpulse_agent_config::containers::RawContainers;
use hostpulse_agent_config::families::RawFamilies;

/// Longest accepted host name, in characters.
const MAX_NAME_CHARS: usize = 253;

/// The in-process agent that monitors the hub's own host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalAgentConfig {
    /// Whether `hostpulse up` collects this host's vitals.
    pub enabled: bool,
    /// Host name to report; `None` means the machine's hostname.
    pub name: Option<String>,
    /// Sampling intervals, top-process size, enabled collector families and kernel paths,
    /// the same settings as an agent's (`local_agent.interval`, `local_agent.paths.proc`, ...).
    pub collect: CollectSettings,
    /// What the hub may run on its own host through this agent (`local_agent.actions`),
    /// the same settings as an agent's `actions:`.
    pub actions: ActionsConfig,
}

impl Default for LocalAgentConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            name: None,
            collect: CollectSettings::default(),
            actions: ActionsConfig::default(),
        }
    }
}

/// The `local_agent:` section as written; collection keys sit directly in it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawLocalAgent {
    enabled: Option<Scalar>,
    name: Option<Scalar>,
    interval: Option<Scalar>,
    display_name: Option<Scalar>,
    process_interval: Option<Scalar>,
    users_interval: Option<Scalar>,
    top_n: Option<Scalar>,
    families: Option<RawFamilies>,
    paths: Option<RawPaths>,
    containers: Option<RawContainers>,
    actions: Option<RawActions>,
}

impl RawLocalAgent {
    pub(crate) fn validate(self, v: &mut Validator, path: &str) -> LocalAgentConfig {
        LocalAgentConfig {
            enabled: v.boolean(&join(path, "enabled"), self.enabled, true),
            name: v.name(&join(path, "name"), self.name, MAX_NAME_CHARS),
            collect: RawCollect {
                interval: self.interval,
                display_name: self.display_name,
                process_interval: self.process_interval,
                users_interval: self.users_interval,
                top_n: self.top_n,
                families: self.families,
                paths: self.paths,
                containers: self.containers,
            }
            .validate(v, path),
            actions: self
                .actions
                .unwrap_or_default()
                .validate(v, &join(path, "actions")),
        }
    }
}
