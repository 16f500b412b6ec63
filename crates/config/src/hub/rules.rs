//! The `rules:`, `rule_files:` and `host_groups:` sections: alert rule definitions as written
//! (expressions stay text here; the rules crate compiles them).

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;

use crate::scalar::Scalar;
use crate::validate::Validator;

/// Validated rule-related settings of the hub.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RulesConfig {
    /// Rules written inline in the main file.
    pub rules: Vec<RuleConfig>,
    /// Further rule files (each with a top-level `rules:` list).
    pub rule_files: Vec<PathBuf>,
    /// Named host groups: group name → host names or globs.
    pub host_groups: BTreeMap<String, Vec<String>>,
}

/// One rule as configured.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleConfig {
    pub name: String,
    pub expr: String,
}

/// One rule as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    pub name: Option<Scalar>,
    pub expr: Option<Scalar>,
}

/// Validates the rule sections.
pub(crate) fn validate(
    rules: Option<Vec<RawRule>>,
    rule_files: Option<Vec<Scalar>>,
    host_groups: Option<BTreeMap<String, Vec<Scalar>>>,
    v: &mut Validator,
) -> RulesConfig {
    let _ = (rules, rule_files, host_groups, v);
    RulesConfig::default()
}
