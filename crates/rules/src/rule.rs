//! Compiled rules: `compile` turns a [`RuleConfig`] into a [`Rule`] ready to evaluate,
//! reporting expression errors with their position.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

use crate::heal::HealSpec;
use crate::spec::{Occurrences, RuleConfig, RuleOrigin};
use hostpulse_config_core::{ConfigError, Position};
use hostpulse_core::{Labels, Severity};

use crate::eval::{self, Ctx, InstanceResult};
use crate::expr::compile_condition;
use crate::expr::node::Node;
use crate::source::SeriesSource;
use hostpulse_core::glob::glob_match;

/// Shortest window kept for a metric read only by its latest value.
const LATEST_WINDOW_MS: i64 = 60_000;

/// A rule ready to evaluate.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Unique name, `[a-z][a-z0-9_]*`; alerts carry it as their rule.
    pub name: String,
    /// The condition as written.
    pub expr: String,
    /// The clear condition as written.
    pub clear_expr: Option<String>,
    /// How long (ms) the condition must hold before a pending alert fires; 0 fires at once.
    pub for_ms: i64,
    /// How long (ms) the clear condition (or the condition not holding) must last before a
    /// firing alert resolves; 0 resolves at the first such evaluation.
    pub clear_for_ms: i64,
    /// Severity of the rule's alerts.
    pub severity: Severity,
    /// Free text copied onto every alert of the rule; may be empty.
    pub description: String,
    /// Labels added to every alert of the rule.
    pub labels: Labels,
    /// N-of-M window: the condition counts as holding when it held in `n` of the last `of`
    /// evaluations; `None` means the latest evaluation decides.
    pub occurrences: Option<Occurrences>,
    /// What the hub runs by itself when an alert of the rule fires (`heal:`).
    pub heal: Option<HealSpec>,
    /// Alerts are evaluated and recorded (marked dry-run) but never sent.
    pub dry_run: bool,
    /// `false` when configured off; [`merge_rules`](crate::merge_rules) drops such rules.
    pub enabled: bool,
    /// Part of the built-in rule set.
    pub builtin: bool,
    /// File the rule came from; `None` for built-in rules and when not known.
    pub source: Option<PathBuf>,
    /// Host names and globs (from `hosts` and the resolved `groups`); empty = every host.
    pub host_patterns: Vec<String>,
    /// Where the rule is written in its file.
    pub origin: RuleOrigin,
    condition: Node,
    clear: Option<Node>,
}

/// Why a rule does not compile: `FILE: rule NAME: expr:12: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    /// The file the rule is written in; `None` for built-in rules and unknown sources.
    pub file: Option<PathBuf>,
    /// The rule's name; `None` when the error is not about one rule (an unreadable file).
    pub rule: Option<String>,
    /// What is wrong, with `expr:COL:`/`clear:COL:` when it is in an expression.
    pub message: String,
    /// The expression and a caret line under the position, when it is in an expression.
    pub caret: Option<String>,
    /// Where in its file the error is, when the rule was read from YAML.
    pub place: Option<Box<RulePlace>>,
}

/// Where a rule error is in its file: key path (`rules[3].expr`), line and column (inside
/// the expression where the parser gives a position), and the reason alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RulePlace {
    /// The file, when it is not the error's own `file` (errors of rule files read by the
    /// rule set).
    pub file: Option<PathBuf>,
    /// Key path of the offending value, e.g. `rules[3].expr`.
    pub path: String,
    /// Line and column of the value (inside the expression when the parser gives an
    /// offset); `None` when the rule was not read from a file.
    pub position: Option<Position>,
    /// What is wrong, without file, rule name or position.
    pub reason: String,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{}: ", file.display())?;
        }
        if let Some(rule) = &self.rule {
            write!(f, "rule {rule}: ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for RuleError {}

impl RuleError {
    /// The one-line error followed by the caret lines, if any.
    pub fn render(&self) -> String {
        match &self.caret {
            Some(caret) => format!("{self}\n{caret}"),
            None => self.to_string(),
        }
    }

    /// An error that is not about one rule's expression.
    pub fn other(file: Option<&Path>, rule: Option<&str>, message: impl Into<String>) -> Self {
        Self {
            file: file.map(Path::to_path_buf),
            rule: rule.map(str::to_owned),
            message: message.into(),
            caret: None,
            place: None,
        }
    }

    /// A configuration error of a rule file, keeping its place.
    pub fn from_config(error: &ConfigError) -> Self {
        Self {
            place: Some(Box::new(RulePlace {
                file: error.file.clone(),
                path: error.path.clone(),
                position: error.position,
                reason: error.message.clone(),
            })),
            ..Self::other(None, None, error.to_string())
        }
    }

    /// The error as a configuration error: file, key path, line and column, then the rule
    /// and the reason (and the caret lines under an expression).
    pub fn to_config_error(&self) -> ConfigError {
        let Some(place) = &self.place else {
            return ConfigError::new(self.file.clone(), "", self.message.clone());
        };
        let mut message = match &self.rule {
            Some(rule) => format!("rule {rule}: {}", place.reason),
            None => place.reason.clone(),
        };
        if let Some(caret) = &self.caret {
            message = format!("{message}\n{caret}");
        }
        let file = place.file.clone().or_else(|| self.file.clone());
        ConfigError::new(file, place.path.clone(), message).at(place.position)
    }

    /// The same error, placed at `key` of the rule written at `origin` (`name`, `groups`).
    pub(crate) fn at_key(mut self, origin: &RuleOrigin, key: &str) -> Self {
        let (path, position) = origin.locate(key, "", None);
        if !origin.path.is_empty() {
            self.place = Some(Box::new(RulePlace {
                file: None,
                path,
                position,
                reason: self.message.clone(),
            }));
        }
        self
    }
}

fn compile_expr(key: &str, text: &str, rule: &RuleConfig) -> Result<Node, RuleError> {
    compile_condition(text).map_err(|e| {
        let (path, position) = rule.origin.locate(key, text, Some(e.pos));
        let place = (!rule.origin.path.is_empty()).then(|| {
            Box::new(RulePlace {
                file: None,
                path,
                position,
                reason: e.message.clone(),
            })
        });
        RuleError {
            file: None,
            rule: Some(rule.name.clone()),
            message: e.locate(key, text),
            caret: Some(e.caret(text)),
            place,
        }
    })
}

fn millis(duration: std::time::Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// Compiles one rule; `host_groups` resolves its `groups`.
pub fn compile(
    rule: &RuleConfig,
    host_groups: &BTreeMap<String, Vec<String>>,
) -> Result<Rule, RuleError> {
    let condition = compile_expr("expr", &rule.expr, rule)?;
    let clear = match &rule.clear {
        Some(text) => Some(compile_expr("clear", text, rule)?),
        None => None,
    };
    let mut host_patterns = rule.hosts.clone();
    for group in &rule.groups {
        let members = host_groups.get(group).ok_or_else(|| {
            RuleError::other(
                None,
                Some(&rule.name),
                format!("unknown host group {group:?} (define it under host_groups)"),
            )
            .at_key(&rule.origin, "groups")
        })?;
        host_patterns.extend(members.iter().cloned());
    }
    Ok(Rule {
        name: rule.name.clone(),
        expr: rule.expr.clone(),
        clear_expr: rule.clear.clone(),
        for_ms: millis(rule.for_duration),
        clear_for_ms: millis(rule.clear_for),
        severity: rule.severity,
        description: rule.description.clone(),
        labels: rule.labels.clone(),
        occurrences: rule.occurrences,
        heal: rule.heal.clone(),
        dry_run: rule.dry_run,
        enabled: rule.enabled,
        builtin: false,
        source: None,
        host_patterns,
        origin: rule.origin.clone(),
        condition,
        clear,
    })
}

/// Compiles every rule, collecting every error (with `source_file` set on rules and errors).
pub fn compile_all(
    rules: &[RuleConfig],
    source_file: Option<&Path>,
    host_groups: &BTreeMap<String, Vec<String>>,
) -> (Vec<Rule>, Vec<RuleError>) {
    let (mut ok, mut errors) = (Vec::new(), Vec::new());
    let mut seen = HashSet::new();
    for config in rules {
        if !seen.insert(config.name.as_str()) {
            errors.push(
                RuleError::other(source_file, Some(&config.name), "defined twice")
                    .at_key(&config.origin, "name"),
            );
            continue;
        }
        match compile(config, host_groups) {
            Ok(mut rule) => {
                rule.source = source_file.map(Path::to_path_buf);
                ok.push(rule);
            }
            Err(mut error) => {
                error.file = source_file.map(Path::to_path_buf);
                errors.push(error);
            }
        }
    }
    (ok, errors)
}

impl Rule {
    /// Whether the rule applies to `host` (its `hosts`/`groups` filters).
    pub fn matches_host(&self, host: &str) -> bool {
        self.host_patterns.is_empty() || self.host_patterns.iter().any(|p| glob_match(p, host))
    }

    /// Evaluates the condition (and the clear condition) for `host` at `now_ms`, using
    /// only data at or before `now_ms`: one result per label set considered.
    pub fn evaluate(&self, host: &str, now_ms: i64, src: &dyn SeriesSource) -> Vec<InstanceResult> {
        let ctx = Ctx::new(host, now_ms, src);
        let mut results = eval::condition(&self.condition, &ctx);
        let Some(clear) = &self.clear else {
            return results;
        };
        for cleared in eval::condition(clear, &ctx) {
            match results.iter_mut().find(|r| r.labels == cleared.labels) {
                Some(r) => r.clear = Some(cleared.holds),
                None => results.push(InstanceResult {
                    holds: false,
                    clear: Some(cleared.holds),
                    ..cleared
                }),
            }
        }
        results
    }

    /// Metrics the rule reads and how far back (ms) it reads each.
    pub fn windows(&self) -> HashMap<String, i64> {
        let mut windows = HashMap::new();
        let mut add = |selector: &crate::expr::node::SeriesSelector, window_ms: i64| {
            let entry = windows.entry(selector.metric.clone()).or_insert(0);
            *entry = (*entry).max(window_ms.max(LATEST_WINDOW_MS));
        };
        self.condition.visit_series(&mut add);
        if let Some(clear) = &self.clear {
            clear.visit_series(&mut add);
        }
        windows
    }
}

/// For every metric any rule reads: the longest window (ms) needed.
pub fn required_windows(rules: &[Rule]) -> HashMap<String, i64> {
    let mut all: HashMap<String, i64> = HashMap::new();
    for rule in rules {
        for (metric, window) in rule.windows() {
            let entry = all.entry(metric).or_insert(0);
            *entry = (*entry).max(window);
        }
    }
    all
}
