//! Rule files: YAML files whose top level is a `rules:` list, loaded and validated on their own.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::error::ConfigErrors;
use crate::hub::{RawRule, RuleConfig};
use crate::layers::{load_raw_text, read_text};
use crate::validate::Validator;
use crate::yaml::{Position, TextSpan};

/// `occurrences: {n, of}`: the condition counts as holding when it held in at least `n` of
/// the last `of` evaluations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occurrences {
    pub n: u32,
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
    parse_rule_text(&read_text(path)?, path)
}

/// Validates the text of a rule file; `origin` names it in errors (e.g. `request`).
pub fn parse_rule_text(text: &str, origin: &Path) -> Result<Vec<RuleConfig>, ConfigErrors> {
    let (raw, v) = load_raw_text::<RawRuleFile>(Some((origin, text)), &[], Vec::new())?;
    validate_file(raw, v)
}

/// [`load_rule_file`], also when there are errors: the rules that validated, and every
/// error; `Err` only when the file cannot be read as YAML at all.
pub fn load_rule_file_partial(
    path: &Path,
) -> Result<(Vec<RuleConfig>, ConfigErrors), ConfigErrors> {
    let text = read_text(path)?;
    let (raw, mut v) = load_raw_text::<RawRuleFile>(Some((path, &text)), &[], Vec::new())?;
    let rules = RuleConfig::validate_list(raw.rules, "rules", None, &mut v);
    Ok(v.partial(rules))
}

fn validate_file(raw: RawRuleFile, mut v: Validator) -> Result<Vec<RuleConfig>, ConfigErrors> {
    let rules = RuleConfig::validate_list(raw.rules, "rules", None, &mut v);
    v.finish(rules)
}
