//! The hub configuration as the hub starts with it: every setting and every rule (inline and
//! in rule files) checked in one pass. `hub`, `up`, reloads and `config check` all load it
//! here, so they accept and refuse the same files with the same errors.

use std::path::Path;

use hostpulse_config::{
    ConfigError, ConfigErrors, HubConfig, HubOverrides, load_hub_config_partial,
};
use hostpulse_rules::load_rule_set;

/// Loads and checks the hub configuration: defaults < `file` < `HOSTPULSE_*` in `env` <
/// `overrides`, then compiles its rules. Every error, in file order.
pub fn load_checked(
    file: Option<&Path>,
    env: &[(String, String)],
    overrides: &HubOverrides,
) -> Result<HubConfig, ConfigErrors> {
    let (config, ConfigErrors(mut errors)) = load_hub_config_partial(file, env, overrides)?;
    if let Err(rule_errors) = load_rule_set(&config.rules, file) {
        let fresh: Vec<ConfigError> = rule_errors
            .iter()
            .map(|e| e.to_config_error())
            .filter(|rule| !already_reported(&errors, rule))
            .collect();
        errors.extend(fresh);
    }
    if errors.is_empty() {
        return Ok(config);
    }
    sort_in_file_order(&mut errors);
    Err(ConfigErrors(errors))
}

/// Files in the order they first appear, each file's errors by line and column (errors
/// without a position last).
fn sort_in_file_order(errors: &mut [ConfigError]) {
    let mut files = Vec::new();
    for error in errors.iter() {
        if !files.contains(&error.file) {
            files.push(error.file.clone());
        }
    }
    let file_rank = |error: &ConfigError| files.iter().position(|f| *f == error.file);
    errors.sort_by_key(|e| (file_rank(e), e.position.is_none(), e.position));
}

/// The configuration check reports some rule problems itself (a duplicate name, an unknown
/// host group); the rule compiler's error about the same key is left out.
fn already_reported(errors: &[ConfigError], rule: &ConfigError) -> bool {
    !rule.path.is_empty()
        && errors
            .iter()
            .any(|e| e.file == rule.file && e.path == rule.path)
}
