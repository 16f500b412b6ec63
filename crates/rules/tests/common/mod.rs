//! Shared test support: building rules and in-memory series.
#![allow(dead_code)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed setup step should stop the test loudly"
)]

use std::collections::BTreeMap;
use std::time::Duration;

use hostpulse_core::Labels;
use hostpulse_rules::RuleConfig;
use hostpulse_rules::{InstanceResult, MemorySource, Rule, compile};

pub const SEC: i64 = 1_000;
pub const MIN: i64 = 60_000;
pub const HOUR: i64 = 3_600_000;
pub const T0: i64 = 1_700_000_000_000;

pub fn config(name: &str, expr: &str) -> RuleConfig {
    RuleConfig {
        name: name.into(),
        expr: expr.into(),
        ..RuleConfig::default()
    }
}

pub fn rule(expr: &str) -> Rule {
    compile(&config("test_rule", expr), &BTreeMap::new()).expect("rule compiles")
}

pub fn with(cfg: RuleConfig) -> Rule {
    compile(&cfg, &BTreeMap::new()).expect("rule compiles")
}

pub fn dur(ms: i64) -> Duration {
    Duration::from_millis(ms as u64)
}

pub fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Pushes `f(i)` at `start + i*step` for `i` in `0..n` to one series of host `h1`.
pub fn fill(
    src: &mut MemorySource,
    metric: &str,
    l: &Labels,
    start: i64,
    step: i64,
    n: usize,
    f: impl Fn(usize) -> f64,
) {
    for i in 0..n {
        src.push("h1", metric, l, start + i as i64 * step, f(i));
    }
}

pub fn eval_one(rule: &Rule, src: &MemorySource, now: i64) -> InstanceResult {
    let mut results = rule.evaluate("h1", now, src);
    assert_eq!(results.len(), 1, "one instance expected: {results:?}");
    results.remove(0)
}
