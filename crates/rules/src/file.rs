//! The rule file format (as Prometheus's `rulefmt`): YAML whose top level is a `rules:` list,
//! and the hub file's `rules:`, `rule_files:` and `host_groups:` sections, validated onto
//! [`RuleConfig`] with the shared loader (every error at once, with file, line and key path).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

use hostpulse_config_core::ConfigErrors;
use hostpulse_config_core::layers::{load_raw_text, read_text};
use hostpulse_config_core::scalar::Scalar;
use hostpulse_config_core::validate::{Validator, join};
use hostpulse_core::Severity;
use serde::Deserialize;

use crate::heal::RawHeal;
use crate::spec::{Occurrences, RuleConfig, RuleOrigin, RulesConfig};

/// Most evaluations an `occurrences` window may span.
const MAX_OCCURRENCE_WINDOW: usize = 1_000;

/// One rule as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    name: Option<Scalar>,
    expr: Option<Scalar>,
    #[serde(rename = "for")]
    for_duration: Option<Scalar>,
    clear: Option<Scalar>,
    clear_for: Option<Scalar>,
    severity: Option<Scalar>,
    description: Option<Scalar>,
    labels: Option<BTreeMap<String, Scalar>>,
    hosts: Option<Vec<Scalar>>,
    groups: Option<Vec<Scalar>>,
    occurrences: Option<RawOccurrences>,
    heal: Option<RawHeal>,
    dry_run: Option<Scalar>,
    enabled: Option<Scalar>,
}

/// `occurrences: {n: 3, of: 5}` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOccurrences {
    n: Option<Scalar>,
    of: Option<Scalar>,
}

/// True for `[a-z][a-z0-9_]*`.
pub fn is_rule_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// True for host names and globs: letters, digits, `.`, `-`, `_`, `*`, `?`.
fn is_host_pattern(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-_*?".contains(c))
}

impl RawRule {
    /// Validates one rule at `path` (e.g. `rules[2]`); `None` when it is unusable.
    pub fn validate(self, v: &mut Validator, path: &str) -> Option<RuleConfig> {
        let defaults = RuleConfig::default();
        let name = required_text(v, path, "name", self.name);
        if let Some(name) = &name
            && !is_rule_name(name)
        {
            v.error(
                &join(path, "name"),
                format!("{name:?} is not a rule name (use lowercase letters, digits and _, starting with a letter)"),
            );
        }
        let expr = required_text(v, path, "expr", self.expr);
        let rule = RuleConfig {
            name: name.clone().unwrap_or_default(),
            expr: expr.clone().unwrap_or_default(),
            for_duration: v.duration(
                &join(path, "for"),
                self.for_duration,
                Duration::ZERO,
                Duration::ZERO,
            ),
            clear: self
                .clear
                .map(|c| c.text().to_owned())
                .filter(|c| !c.is_empty()),
            clear_for: v.duration(
                &join(path, "clear_for"),
                self.clear_for,
                Duration::ZERO,
                Duration::ZERO,
            ),
            severity: v.parse_or(
                &join(path, "severity"),
                self.severity,
                defaults.severity,
                |t| {
                    Severity::parse(t).ok_or_else(|| {
                        format!("{t:?} is not a severity (use info, warning or critical)")
                    })
                },
            ),
            description: self
                .description
                .map(|d| d.text().to_owned())
                .unwrap_or_default(),
            labels: validate_labels(v, &join(path, "labels"), self.labels),
            hosts: validate_hosts(v, &join(path, "hosts"), self.hosts),
            groups: texts(self.groups),
            occurrences: self
                .occurrences
                .and_then(|o| o.validate(v, &join(path, "occurrences"))),
            heal: self.heal.and_then(|h| h.validate(v, &join(path, "heal"))),
            dry_run: v.boolean(&join(path, "dry_run"), self.dry_run, false),
            enabled: v.boolean(&join(path, "enabled"), self.enabled, true),
            origin: RuleOrigin {
                path: path.to_owned(),
                position: v.position(path),
                expr: v.text_span(&join(path, "expr")),
                clear: v.text_span(&join(path, "clear")),
                keys: ["name", "groups"]
                    .into_iter()
                    .filter_map(|key| Some((key.to_owned(), v.written_at(&join(path, key))?)))
                    .collect(),
            },
        };
        (name.is_some() && expr.is_some()).then_some(rule)
    }
}

fn required_text(v: &mut Validator, path: &str, key: &str, raw: Option<Scalar>) -> Option<String> {
    let text = raw.map(|r| r.text().to_owned()).filter(|t| !t.is_empty());
    if text.is_none() {
        v.error(&join(path, key), "is required");
    }
    text
}

impl RawOccurrences {
    fn validate(self, v: &mut Validator, path: &str) -> Option<Occurrences> {
        let range = 1..=MAX_OCCURRENCE_WINDOW;
        let n = v.count(&join(path, "n"), self.n, 1, range.clone());
        let of = v.count(&join(path, "of"), self.of, n, range);
        if n > of {
            v.error(path, format!("n ({n}) must not exceed of ({of})"));
            return None;
        }
        Some(Occurrences {
            n: u32::try_from(n).ok()?,
            of: u32::try_from(of).ok()?,
        })
    }
}

fn texts(raw: Option<Vec<Scalar>>) -> Vec<String> {
    raw.unwrap_or_default()
        .into_iter()
        .map(|s| s.text().to_owned())
        .collect()
}

fn validate_labels(
    v: &mut Validator,
    path: &str,
    raw: Option<BTreeMap<String, Scalar>>,
) -> BTreeMap<String, String> {
    let mut labels = BTreeMap::new();
    for (key, value) in raw.unwrap_or_default() {
        if !is_rule_name(&key) {
            v.error(
                &join(path, &key),
                "label names use lowercase letters, digits and _, starting with a letter",
            );
            continue;
        }
        labels.insert(key, value.text().to_owned());
    }
    labels
}

fn validate_hosts(v: &mut Validator, path: &str, raw: Option<Vec<Scalar>>) -> Vec<String> {
    let hosts = texts(raw);
    for host in &hosts {
        if !is_host_pattern(host) {
            v.error(
                path,
                format!("{host:?} is not a host name or glob (letters, digits, . - _ * ?)"),
            );
        }
    }
    hosts
}

/// Validates a `rules:` list at `section`: names unique, groups known (when `known_groups`
/// is given); returns the usable rules.
pub fn validate_rule_list(
    raw: Option<Vec<RawRule>>,
    section: &str,
    known_groups: Option<&BTreeMap<String, Vec<String>>>,
    v: &mut Validator,
) -> Vec<RuleConfig> {
    let mut seen = BTreeSet::new();
    let mut rules = Vec::new();
    for (index, raw_rule) in raw.unwrap_or_default().into_iter().enumerate() {
        let path = format!("{section}[{index}]");
        let Some(rule) = raw_rule.validate(v, &path) else {
            continue;
        };
        if !seen.insert(rule.name.clone()) {
            v.error(
                &join(&path, "name"),
                format!("rule {:?} is defined twice", rule.name),
            );
        }
        if let Some(groups) = known_groups {
            for group in rule.groups.iter().filter(|g| !groups.contains_key(*g)) {
                v.error(
                    &join(&path, "groups"),
                    format!("unknown host group {group:?} (define it under host_groups)"),
                );
            }
        }
        rules.push(rule);
    }
    rules
}

fn validate_host_groups(
    raw: Option<BTreeMap<String, Vec<Scalar>>>,
    v: &mut Validator,
) -> BTreeMap<String, Vec<String>> {
    let mut groups = BTreeMap::new();
    for (name, members) in raw.unwrap_or_default() {
        let path = join("host_groups", &name);
        if !is_rule_name(&name) {
            v.error(
                &path,
                "group names use lowercase letters, digits and _, starting with a letter",
            );
        }
        if members.is_empty() {
            v.error(&path, "a host group needs at least one host name or glob");
        }
        groups.insert(name, validate_hosts(v, &path, Some(members)));
    }
    groups
}

/// Validates the hub file's rule sections (`rules:`, `rule_files:`, `host_groups:`).
pub fn validate_rule_sections(
    rules: Option<Vec<RawRule>>,
    rule_files: Option<Vec<Scalar>>,
    host_groups: Option<BTreeMap<String, Vec<Scalar>>>,
    v: &mut Validator,
) -> RulesConfig {
    let host_groups = validate_host_groups(host_groups, v);
    let rules = validate_rule_list(rules, "rules", Some(&host_groups), v);
    let rule_files = rule_files
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .filter_map(|(index, raw)| v.optional_path(&format!("rule_files[{index}]"), Some(raw)))
        .collect();
    RulesConfig {
        rules,
        rule_files,
        host_groups,
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
    let rules = validate_rule_list(raw.rules, "rules", None, &mut v);
    Ok(v.partial(rules))
}

fn validate_file(raw: RawRuleFile, mut v: Validator) -> Result<Vec<RuleConfig>, ConfigErrors> {
    let rules = validate_rule_list(raw.rules, "rules", None, &mut v);
    v.finish(rules)
}
