//! `hostpulse rules` (list with state), `rules check FILE` (offline) and `rules test FILE` (backtest).

use crate::cli::{ApiArgs, RulesArgs, RulesCommand, RulesTestArgs};
use crate::client::ApiClient;
use crate::commands::alerts::{format_labels, format_value};
use crate::commands::status::{format_ago, format_time};
use anyhow::{Context, Result};
use hostpulse_engine::{BacktestReport, BacktestRuleHost, RuleStatus};
use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

/// Runs `rules`, `rules check` or `rules test`.
pub fn run(args: RulesArgs) -> Result<ExitCode> {
    match args.command {
        None => list(&args.api, args.json),
        Some(RulesCommand::Check { file }) => check(&file),
        Some(RulesCommand::Test(test)) => backtest(test),
    }
}

fn list(api: &ApiArgs, json: bool) -> Result<ExitCode> {
    let rules: Vec<RuleStatus> = ApiClient::from_args(api)?.get("/api/v1/rules")?;
    if json {
        println!("{}", serde_json::to_string_pretty(&rules)?);
    } else {
        print!("{}", rules_table(&rules, crate::commands::now_ms()));
    }
    Ok(ExitCode::SUCCESS)
}

/// `1h12m`, `45s`, `2d3h`, `0s`: the two largest non-zero units.
pub fn format_duration(ms: i64) -> String {
    let s = (ms / 1000).max(0);
    let parts = [
        (s / 86_400, "d"),
        (s % 86_400 / 3600, "h"),
        (s % 3600 / 60, "m"),
        (s % 60, "s"),
    ];
    let out: String = parts
        .iter()
        .skip_while(|(value, _)| *value == 0)
        .take(2)
        .filter(|(value, _)| *value > 0)
        .map(|(value, unit)| format!("{value}{unit}"))
        .collect();
    if out.is_empty() { "0s".into() } else { out }
}

/// Renders the rules table.
pub fn rules_table(rules: &[RuleStatus], now_ms: i64) -> String {
    let mut out = format!(
        "{:<24} {:<8} {:>6} {:>7} {:>6} {:<10} {:<10} {}\n",
        "NAME", "SEVERITY", "FOR", "PENDING", "FIRING", "LAST EVAL", "SOURCE", "EXPR"
    );
    for r in rules {
        let source = match (&r.source, r.builtin) {
            (_, true) => "default".to_string(),
            (Some(file), false) => file.clone(),
            (None, false) => "config".to_string(),
        };
        let mut expr = r.expr.clone();
        if r.dry_run {
            expr.push_str("  (dry run)");
        }
        if let Some(error) = &r.last_error {
            let _ = write!(expr, "  error: {error}");
        }
        let _ = writeln!(
            out,
            "{:<24} {:<8} {:>6} {:>7} {:>6} {:<10} {:<10} {expr}",
            r.name,
            r.severity.as_str(),
            format_duration(r.for_ms),
            r.pending,
            r.firing,
            r.last_eval_ms
                .map_or_else(|| "never".into(), |t| format_ago(now_ms - t)),
            source,
        );
    }
    if rules.is_empty() {
        out.push_str("(no rules loaded)\n");
    }
    out
}

fn check(file: &Path) -> Result<ExitCode> {
    match hostpulse_rules::check_rule_file_report(file) {
        Ok(report) => {
            for warning in &report.warnings {
                eprintln!("warning: {warning}");
            }
            let warned = match report.warnings.len() {
                0 => String::new(),
                n => format!(", {n} warning(s)"),
            };
            println!("{}: {} rule(s) OK{warned}", file.display(), report.rules);
            Ok(ExitCode::SUCCESS)
        }
        Err(errors) => {
            for error in &errors {
                eprintln!("{error}");
            }
            eprintln!("{}: {} error(s)", file.display(), errors.len());
            Ok(ExitCode::from(2))
        }
    }
}

fn backtest(args: RulesTestArgs) -> Result<ExitCode> {
    let rules_yaml = std::fs::read_to_string(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let client = ApiClient::from_args(&args.api)?;
    let body = serde_json::json!({
        "rules_yaml": rules_yaml,
        "host": args.host,
        "from": args.from,
        "to": args.to,
    });
    let report: BacktestReport = client.post("/api/v1/rules/backtest", &body)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", backtest_report(&report));
    }
    Ok(ExitCode::SUCCESS)
}

/// Renders a backtest: per rule and host, how often, when and how long it would have fired.
pub fn backtest_report(report: &BacktestReport) -> String {
    let mut out = format!(
        "backtest {} to {} (step {})\n",
        format_time(report.from_ms),
        format_time(report.to_ms),
        format_duration(report.step_ms)
    );
    for result in &report.results {
        append_rule_host(&mut out, result, report.to_ms);
    }
    let fired: usize = report.results.iter().map(|r| r.firings.len()).sum();
    let total: i64 = report.results.iter().map(|r| r.total_firing_ms).sum();
    let _ = writeln!(
        out,
        "total: {fired} firing period(s), {} firing",
        format_duration(total)
    );
    out
}

fn append_rule_host(out: &mut String, result: &BacktestRuleHost, end_ms: i64) {
    let _ = writeln!(
        out,
        "{} on {}: fired {} time(s), {} in total",
        result.rule,
        result.host,
        result.firings.len(),
        format_duration(result.total_firing_ms)
    );
    for firing in &result.firings {
        let (to, length) = match firing.to_ms {
            Some(to) => (format_time(to), to - firing.from_ms),
            None => ("(still firing)".to_string(), end_ms - firing.from_ms),
        };
        let labels = if firing.labels.is_empty() {
            String::new()
        } else {
            format!(" {{{}}}", format_labels(&firing.labels))
        };
        let _ = writeln!(
            out,
            "  {} -> {to}  {:>8}  peak {}{labels}",
            format_time(firing.from_ms),
            format_duration(length),
            format_value(firing.peak_value)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hostpulse_engine::BacktestFiring;

    #[test]
    fn durations_are_compact() {
        assert_eq!(format_duration(0), "0s");
        assert_eq!(format_duration(45_000), "45s");
        assert_eq!(format_duration(72 * 60_000), "1h12m");
        assert_eq!(
            format_duration(2 * 86_400_000 + 3 * 3_600_000 + 5_000),
            "2d3h"
        );
    }

    #[test]
    fn report_lists_every_period_and_the_total() {
        let report = BacktestReport {
            from_ms: 0,
            to_ms: 7_200_000,
            step_ms: 60_000,
            results: vec![BacktestRuleHost {
                rule: "high_cpu".into(),
                host: "web-1".into(),
                firings: vec![
                    BacktestFiring {
                        labels: Default::default(),
                        from_ms: 600_000,
                        to_ms: Some(1_320_000),
                        peak_value: 97.5,
                    },
                    BacktestFiring {
                        labels: [("cpu".to_string(), "3".to_string())].into(),
                        from_ms: 6_600_000,
                        to_ms: None,
                        peak_value: 99.0,
                    },
                ],
                total_firing_ms: 1_320_000,
            }],
        };
        let text = backtest_report(&report);
        assert!(
            text.contains("high_cpu on web-1: fired 2 time(s), 22m in total"),
            "{text}"
        );
        assert!(
            text.contains("1970-01-01 00:10:00Z -> 1970-01-01 00:22:00Z"),
            "{text}"
        );
        assert!(
            text.contains("(still firing)") && text.contains("{cpu=3}"),
            "{text}"
        );
        assert!(
            text.contains("total: 2 firing period(s), 22m firing"),
            "{text}"
        );
    }
}
