//! The rule set: built-in rules, the configuration's inline rules and rule files, merged;
//! plus the offline check of one rule file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::file::{load_rule_file, load_rule_file_partial, parse_rule_text};
use crate::spec::{RuleConfig, RulesConfig};

use crate::metric_check::unknown_metric_warnings;
use crate::rule::{Rule, RuleError, compile_all};

/// The built-in rule file.
pub const DEFAULT_RULES_YAML: &str = include_str!("../rules/default.yaml");

/// The built-in rules (see `rules/default.yaml`).
pub fn default_rules() -> Vec<RuleConfig> {
    parse_rule_text(DEFAULT_RULES_YAML, Path::new("built-in rules")).unwrap_or_default()
}

/// Merges user rules over the built-in ones: a user rule named like a built-in rule
/// replaces it, and disabled rules are dropped. Built-in rules come first.
pub fn merge_rules(builtin: Vec<Rule>, user: Vec<Rule>) -> Vec<Rule> {
    let mut merged: Vec<Rule> = builtin
        .into_iter()
        .filter(|b| !user.iter().any(|u| u.name == b.name))
        .collect();
    merged.extend(user);
    merged.retain(|rule| rule.enabled);
    merged
}

/// Every enabled rule and the files read.
#[derive(Debug, Clone)]
pub struct RuleSet {
    /// The enabled rules: built-in ones first (unless replaced by a user rule of the same
    /// name), then inline rules, then each rule file's, in file order.
    pub rules: Vec<Rule>,
    /// The rule files read, as configured (`rule_files`), so they can be watched.
    pub files: Vec<PathBuf>,
}

/// Builds the rule set from the configuration: built-in rules, inline rules (attributed to
/// `config_file`), then each rule file. Every error is reported; on any error there is no
/// rule set (the caller keeps the old one).
pub fn load_rule_set(
    config: &RulesConfig,
    config_file: Option<&Path>,
) -> Result<RuleSet, Vec<RuleError>> {
    let groups = &config.host_groups;
    let (mut builtin, mut errors) = compile_all(&default_rules(), None, groups);
    builtin.iter_mut().for_each(|rule| rule.builtin = true);
    let (mut user, inline_errors) = compile_all(&config.rules, config_file, groups);
    errors.extend(inline_errors);
    for file in &config.rule_files {
        let (configs, config_errors) = match load_rule_file_partial(file) {
            Ok(loaded) => loaded,
            Err(unreadable) => (Vec::new(), unreadable),
        };
        errors.extend(config_errors.iter().map(RuleError::from_config));
        let (rules, file_errors) = compile_all(&configs, Some(file), groups);
        errors.extend(file_errors);
        user.extend(rules);
    }
    check_unique(&user, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(RuleSet {
        rules: merge_rules(builtin, user),
        files: config.rule_files.clone(),
    })
}

fn check_unique(rules: &[Rule], errors: &mut Vec<RuleError>) {
    for (i, rule) in rules.iter().enumerate() {
        if let Some(first) = rules[..i].iter().find(|r| r.name == rule.name) {
            let where_first = first
                .source
                .as_ref()
                .map_or("the configuration".to_owned(), |p| p.display().to_string());
            errors.push(
                RuleError::other(
                    rule.source.as_deref(),
                    Some(&rule.name),
                    format!("also defined in {where_first}"),
                )
                .at_key(&rule.origin, "name"),
            );
        }
    }
}

/// Compiles the rules of a rule file's text (e.g. for a backtest); `origin` names it.
pub fn compile_rule_text(
    text: &str,
    origin: &Path,
    host_groups: &BTreeMap<String, Vec<String>>,
) -> Result<Vec<Rule>, Vec<String>> {
    let configs = parse_rule_text(text, origin)
        .map_err(|e| e.iter().map(ToString::to_string).collect::<Vec<_>>())?;
    let (rules, errors) = compile_all(&configs, Some(origin), host_groups);
    if errors.is_empty() {
        Ok(rules)
    } else {
        Err(errors.iter().map(RuleError::render).collect())
    }
}

/// `hostpulse rules check FILE`: the number of rules, or every error (with file, rule name
/// and position; expression errors add the expression with a caret line). Host groups are
/// not known offline, so `groups` references are not checked.
pub fn check_rule_file(path: &Path) -> Result<usize, Vec<String>> {
    check_rule_file_report(path).map(|report| report.rules)
}

/// What `rules check` found in a valid rule file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleFileReport {
    /// Number of rules in the file, all of which compile.
    pub rules: usize,
    /// Rules that read metrics no agent sends (see [`unknown_metric_warnings`]).
    pub warnings: Vec<String>,
}

/// [`check_rule_file`] plus the warnings about unknown metric names.
pub fn check_rule_file_report(path: &Path) -> Result<RuleFileReport, Vec<String>> {
    let configs =
        load_rule_file(path).map_err(|e| e.iter().map(ToString::to_string).collect::<Vec<_>>())?;
    let groups: BTreeMap<String, Vec<String>> = configs
        .iter()
        .flat_map(|c| c.groups.iter().map(|g| (g.clone(), Vec::new())))
        .collect();
    let (rules, errors) = compile_all(&configs, Some(path), &groups);
    if errors.is_empty() {
        Ok(RuleFileReport {
            rules: rules.len(),
            warnings: unknown_metric_warnings(&rules),
        })
    } else {
        Err(errors.iter().map(RuleError::render).collect())
    }
}
