//! Entry point shared by the `config_load` fuzz target and its corpus regression test:
//! configuration text through the whole load and validation path.

use crate::agent::{AgentOverrides, load_agent_config_text};
use crate::{HubOverrides, load_hub_config_text};
use std::path::Path;

/// Runs one configuration input: the first byte picks hub (even) or agent (odd), the rest
/// is the YAML text. Every error must render and name the file. Panics only on a defect.
pub fn load_config(data: &[u8]) {
    let Some((&kind, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let name = Path::new("fuzz.yaml");
    let errors = if kind % 2 == 0 {
        load_hub_config_text(text, name, &[], &HubOverrides::default()).err()
    } else {
        load_agent_config_text(text, name, &[], &AgentOverrides::default()).err()
    };
    let Some(errors) = errors else {
        return;
    };
    assert!(!errors.is_empty(), "a refused configuration has no error");
    for error in errors.iter() {
        assert!(
            error.to_string().contains("fuzz.yaml"),
            "an error does not name the file: {error}"
        );
    }
}
