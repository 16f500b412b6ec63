//! Warnings for rules that read a metric no agent sends, e.g. `cpu.usage_percnt`, with the
//! closest documented metric as a suggestion.

use hostpulse_config_core::closest as did_you_mean;
use hostpulse_core::{AGENT_METRICS, is_agent_metric};

use crate::rule::Rule;

/// One line per (rule, unknown metric): where, which metric, and the likely intended one.
pub fn unknown_metric_warnings(rules: &[Rule]) -> Vec<String> {
    let mut warnings = Vec::new();
    for rule in rules {
        let mut metrics: Vec<String> = rule.windows().into_keys().collect();
        metrics.sort();
        for metric in metrics.iter().filter(|m| !is_agent_metric(m)) {
            let place = match &rule.source {
                Some(file) => format!("{}: rule {:?}", file.display(), rule.name),
                None => format!("rule {:?}", rule.name),
            };
            let hint = match did_you_mean(metric, AGENT_METRICS) {
                Some(known) => format!("did you mean {known:?}?"),
                None => "no agent sends it; docs/metrics.md lists the metrics".to_owned(),
            };
            warnings.push(format!("{place}: unknown metric {metric:?} ({hint})"));
        }
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn a_mistyped_metric_gets_the_closest_documented_one() {
        let yaml = "rules:\n  - name: busy\n    expr: avg(cpu.usage_percnt, 1m) > 90 and mem.used_percent > 50\n  - name: odd\n    expr: last(foo.bar) > 1\n";
        let rules =
            crate::compile_rule_text(yaml, Path::new("r.yaml"), &Default::default()).unwrap();
        let warnings = unknown_metric_warnings(&rules);
        assert_eq!(
            warnings,
            [
                "r.yaml: rule \"busy\": unknown metric \"cpu.usage_percnt\" (did you mean \"cpu.usage_percent\"?)",
                "r.yaml: rule \"odd\": unknown metric \"foo.bar\" (no agent sends it; docs/metrics.md lists the metrics)",
            ]
        );
    }

    #[test]
    fn the_built_in_rules_read_only_agent_metrics() {
        let (rules, errors) =
            crate::compile_all(&crate::default_rules(), None, &Default::default());
        assert!(errors.is_empty());
        assert_eq!(unknown_metric_warnings(&rules), Vec::<String>::new());
    }
}
