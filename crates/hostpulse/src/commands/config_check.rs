//! `hostpulse config check FILE`: validate a configuration file as its program would at
//! start — for a hub file the settings and every rule — and print every error.

use crate::hub_config::load_checked;
use anyhow::Result;
use hostpulse_agent_config::{AgentOverrides, load_agent_config};
use hostpulse_config::{ConfigErrors, ConfigKind, HubOverrides, detect_config_kind};
use std::path::Path;
use std::process::ExitCode;

/// Prints `ok` and the kind of file, or every error; exit 1 on any error.
pub fn run(file: &Path) -> Result<ExitCode> {
    match check(file) {
        Ok(kind) => {
            println!("{}: ok ({kind:?} configuration)", file.display());
            Ok(ExitCode::SUCCESS)
        }
        Err(errors) => {
            eprintln!("{errors}");
            eprintln!("{} error(s) in {}", errors.0.len(), file.display());
            Ok(ExitCode::FAILURE)
        }
    }
}

/// Checks the file alone (no environment, no flags) the way `hub`/`up` or the agent load it.
fn check(file: &Path) -> Result<ConfigKind, ConfigErrors> {
    let kind = detect_config_kind(file)?;
    match kind {
        ConfigKind::Hub => load_checked(Some(file), &[], &HubOverrides::default()).map(|_| kind),
        ConfigKind::Agent => {
            load_agent_config(Some(file), &[], &AgentOverrides::default()).map(|_| kind)
        }
    }
}
