//! Rule files: YAML files whose top level is a `rules:` list, loaded and validated on their own.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::error::{ConfigError, ConfigErrors};
use crate::hub::{RawRule, RuleConfig};
use crate::layers::read_document;
use crate::serde_errors::describe;
use crate::validate::Validator;

/// `occurrences: {n, of}`: the condition counts as holding when it held in at least `n` of
/// the last `of` evaluations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occurrences {
    pub n: u32,
    pub of: u32,
}

/// A rule file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRuleFile {
    rules: Option<Vec<RawRule>>,
}

/// Loads and validates a rule file (top-level `rules:` list), reporting every problem.
///
/// Host group references are not checked here (the groups live in the hub file); the rules
/// crate checks them when it compiles the rules.
pub fn load_rule_file(path: &Path) -> Result<Vec<RuleConfig>, ConfigErrors> {
    let (root, structural) = read_document::<RawRuleFile>(path)?;
    let mut v = Validator::new(Some(path.to_path_buf()), BTreeMap::new());
    for (key, message) in structural {
        v.error(&key, message);
    }
    let text = yaml_serde::to_string(&root).map_err(|error| {
        ConfigError::new(
            Some(path.to_path_buf()),
            "",
            format!("cannot re-read rules: {error}"),
        )
    })?;
    let raw = yaml_serde::from_str::<RawRuleFile>(&text).map_err(|error| {
        let (key, message) = describe(&error);
        ConfigError::new(Some(path.to_path_buf()), key, message)
    })?;
    validate_file(raw, v)
}

/// Validates the text of a rule file; `origin` names it in errors (e.g. `request`).
pub fn parse_rule_text(text: &str, origin: &Path) -> Result<Vec<RuleConfig>, ConfigErrors> {
    let raw = if text.trim().is_empty() {
        RawRuleFile::default()
    } else {
        yaml_serde::from_str::<RawRuleFile>(text).map_err(|error| {
            let (key, message) = describe(&error);
            let located = match error.location() {
                Some(at) => format!("{message} (line {}, column {})", at.line(), at.column()),
                None => message,
            };
            ConfigError::new(Some(origin.to_path_buf()), key, located)
        })?
    };
    validate_file(
        raw,
        Validator::new(Some(origin.to_path_buf()), BTreeMap::new()),
    )
}

fn validate_file(raw: RawRuleFile, mut v: Validator) -> Result<Vec<RuleConfig>, ConfigErrors> {
    let rules = RuleConfig::validate_list(raw.rules, "rules", None, &mut v);
    v.finish(rules)
}
