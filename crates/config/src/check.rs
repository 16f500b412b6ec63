//! `hostpulse config check`: tells hub files from agent files and validates them fully.

use std::path::Path;

use crate::agent::{AgentOverrides, load_agent_config};
use crate::error::ConfigErrors;
use crate::hub::{HubOverrides, load_hub_config};
use crate::layers::{read_text, read_tree};

/// Which program a configuration file is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigKind {
    /// A hub file (`hostpulse up` / `hostpulse hub`): any file without a top-level `hub:` key.
    Hub,
    /// An agent file (`hostpulse-agent`): it names the hub to push to under `hub:`.
    Agent,
}

/// Reads a file and tells its kind: agent files have a top-level `hub:` key, all others are hub files.
pub fn detect_config_kind(path: &Path) -> Result<ConfigKind, ConfigErrors> {
    let (root, _) = read_tree(&read_text(path)?, path)?;
    let is_agent = root.get("hub").is_some();
    Ok(if is_agent {
        ConfigKind::Agent
    } else {
        ConfigKind::Hub
    })
}

/// Validates a file on its own (no environment, no flags) and returns its kind.
pub fn check_config_file(path: &Path) -> Result<ConfigKind, ConfigErrors> {
    check_config_file_with_env(path, &[])
}

/// Validates a file together with `HOSTPULSE_*` variables from `env`, as the program would load it.
pub fn check_config_file_with_env(
    path: &Path,
    env: &[(String, String)],
) -> Result<ConfigKind, ConfigErrors> {
    let kind = detect_config_kind(path)?;
    match kind {
        ConfigKind::Hub => load_hub_config(Some(path), env, &HubOverrides::default()).map(|_| kind),
        ConfigKind::Agent => {
            load_agent_config(Some(path), env, &AgentOverrides::default()).map(|_| kind)
        }
    }
}
