//! Alert rule definitions as written (expressions still text; [`crate::compile`] compiles
//! them): the hub's rule settings, one rule, its N-of-M window and where it is written.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use hostpulse_config_core::{Position, TextSpan};
use hostpulse_core::Severity;

use crate::heal::HealSpec;

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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleConfig {
    /// Unique name, `[a-z][a-z0-9_]*`.
    pub name: String,
    /// Condition expression (compiled by the rules crate).
    pub expr: String,
    /// How long the condition must hold before the alert fires (`for:`).
    pub for_duration: Duration,
    /// Separate condition that resolves a firing alert (hysteresis).
    pub clear: Option<String>,
    /// How long the clear condition (or the condition not holding) must last to resolve.
    pub clear_for: Duration,
    /// Severity of the rule's alerts (`warning` when not written).
    pub severity: Severity,
    /// Free text copied onto every alert of the rule and shown in notifications; empty
    /// when not written.
    pub description: String,
    /// Labels added to every alert of the rule.
    pub labels: BTreeMap<String, String>,
    /// Host names or globs (`web-*`) the rule applies to; empty = every host.
    pub hosts: Vec<String>,
    /// Host groups (from `host_groups:`) the rule applies to.
    pub groups: Vec<String>,
    /// Condition counts as holding when it held in `n` of the last `of` evaluations.
    pub occurrences: Option<Occurrences>,
    /// What the hub runs by itself when the rule fires, before people are told.
    pub heal: Option<HealSpec>,
    /// Evaluated and recorded, never sent.
    pub dry_run: bool,
    /// `false` disables the rule (also a built-in rule of the same name).
    pub enabled: bool,
    /// Where the rule is written.
    pub origin: RuleOrigin,
}

impl Default for RuleConfig {
    fn default() -> Self {
        Self {
            name: String::new(),
            expr: String::new(),
            for_duration: Duration::ZERO,
            clear: None,
            clear_for: Duration::ZERO,
            severity: Severity::Warning,
            description: String::new(),
            labels: BTreeMap::new(),
            hosts: Vec::new(),
            groups: Vec::new(),
            occurrences: None,
            heal: None,
            dry_run: false,
            enabled: true,
            origin: RuleOrigin::default(),
        }
    }
}

/// `occurrences: {n, of}`: the condition counts as holding when it held in at least `n` of
/// the last `of` evaluations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occurrences {
    /// Evaluations that must hold, `1..=of`.
    pub n: u32,
    /// Length of the window in evaluations, `n..=1000`.
    pub of: u32,
}

/// Where a rule is written, so that errors found when it is compiled point at the line and
/// column of the file (the file itself is known to whoever reads the rule).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleOrigin {
    /// Key path of the rule, e.g. `rules[3]`; empty when the rule was not read from YAML.
    pub path: String,
    /// Where the rule starts.
    pub position: Option<Position>,
    /// Where the text of `expr` is written.
    pub expr: Option<TextSpan>,
    /// Where the text of `clear` is written.
    pub clear: Option<TextSpan>,
    /// Where the values of other keys (`name`, `groups`) are written.
    pub keys: BTreeMap<String, Position>,
}

impl RuleOrigin {
    /// Key path and position of `key` of the rule; for `expr` and `clear`, of byte `offset`
    /// of the expression `text` when given.
    pub fn locate(
        &self,
        key: &str,
        text: &str,
        offset: Option<usize>,
    ) -> (String, Option<Position>) {
        let path = if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        };
        let span = match key {
            "expr" => self.expr,
            "clear" => self.clear,
            _ => None,
        };
        let position = match (span, offset) {
            (Some(span), Some(offset)) => Some(span.position_of(text, offset)),
            (Some(span), None) => Some(span.start()),
            (None, _) => self.keys.get(key).copied().or(self.position),
        };
        (path, position)
    }
}
