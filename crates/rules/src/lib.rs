//! Alert rules: expression language, evaluation over recent samples, and the alert lifecycle.
//!
//! - [`RuleConfig`]: a rule as written; [`file`]: the rule file format and the hub file's
//!   rule sections, read with the shared configuration loader.
//! - [`expr`]: the expression language (parser with positions, errors with carets).
//! - [`compile`]/[`compile_all`]: rule configuration → [`Rule`]; [`load_rule_set`] merges
//!   the built-in rules ([`default_rules`]) with the configured ones.
//! - [`Rule::evaluate`]: one host at one time over a [`SeriesSource`].
//! - [`Lifecycle`]: pending → firing → resolved, with `for`, hysteresis and N-of-M.
//! - [`backtest`]: replays history through the lifecycle.

mod backtest;
mod eval;
pub mod expr;
pub mod file;
#[doc(hidden)]
pub mod fuzz;
mod heal;
mod lifecycle;
mod metric_check;
mod rule;
mod rule_set;
mod source;
mod spec;

pub use backtest::{BacktestResult, Firing, backtest};
pub use eval::InstanceResult;
pub use file::{
    RawRule, load_rule_file, load_rule_file_partial, parse_rule_text, validate_rule_sections,
};
pub use heal::{HealDecision, HealSpec, RawHeal};
pub use lifecycle::Lifecycle;
pub use metric_check::unknown_metric_warnings;
pub use rule::{Rule, RuleError, RulePlace, compile, compile_all, required_windows};
pub use rule_set::{
    DEFAULT_RULES_YAML, RuleFileReport, RuleSet, check_rule_file, check_rule_file_report,
    compile_rule_text, default_rules, load_rule_set, merge_rules,
};
pub use source::{MemorySource, Point, SeriesSource, SeriesVisitor};
pub use spec::{Occurrences, RuleConfig, RuleOrigin, RulesConfig};
