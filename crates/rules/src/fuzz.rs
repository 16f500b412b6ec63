//! Entry point shared by the `rule_expr` fuzz target and the corpus regression test: a rule
//! expression is parsed, type-checked and compiled, its error rendered with the caret line,
//! and a compiled rule is evaluated over a small fixed set of series.

use crate::RuleConfig;
use crate::{MemorySource, compile};
use hostpulse_core::Labels;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The evaluation time of fuzzed rules; the fixed series end here.
const NOW_MS: i64 = 1_700_000_000_000;
const HOST: &str = "web-1";

/// Runs one fuzz input (the expression text). Panics only on a defect.
pub fn compile_and_evaluate(text: &str) {
    let config = RuleConfig {
        name: "fuzz".into(),
        expr: text.to_owned(),
        ..RuleConfig::default()
    };
    match compile(&config, &BTreeMap::new()) {
        Ok(rule) => {
            let _ = rule.windows();
            let _ = rule.evaluate(HOST, NOW_MS, source());
        }
        Err(error) => {
            let _ = error.render();
        }
    }
}

/// Ten minutes of 10 s samples of a few metrics, with and without labels.
fn source() -> &'static MemorySource {
    static SOURCE: OnceLock<MemorySource> = OnceLock::new();
    SOURCE.get_or_init(|| {
        let mut source = MemorySource::new();
        source.set_interval(HOST, 10_000);
        let label = |k: &str, v: &str| Labels::from([(k.to_owned(), v.to_owned())]);
        for step in 0..60i64 {
            let at = NOW_MS - (59 - step) * 10_000;
            let value = step as f64;
            source.push(HOST, "cpu.usage_percent", &Labels::new(), at, value * 1.5);
            source.push(HOST, "cpu.usage_percent", &label("cpu", "0"), at, 99.0);
            source.push(HOST, "mem.used_percent", &Labels::new(), at, 50.0);
            source.push(HOST, "mem.available_bytes", &Labels::new(), at, 1e9 - value);
            source.push(
                HOST,
                "disk.used_percent",
                &label("mount", "/"),
                at,
                90.0 - value,
            );
            source.push(HOST, "disk.free_bytes", &label("mount", "/var"), at, -value);
            source.push(
                HOST,
                "tcp.connections",
                &label("state", "established"),
                at,
                1e12,
            );
        }
        source
    })
}
