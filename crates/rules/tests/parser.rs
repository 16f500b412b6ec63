//! Parsing and compiling rule expressions: good expressions, errors with positions.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed setup step should stop the test loudly"
)]

mod common;

use std::collections::BTreeMap;

use common::config;
use hostpulse_rules::expr::{AstKind, BinOp, parse};
use hostpulse_rules::{compile, compile_all, compile_rule_text, default_rules};

fn error(expr: &str) -> String {
    match compile(&config("r", expr), &BTreeMap::new()) {
        Ok(_) => panic!("{expr} should not compile"),
        Err(e) => e.message,
    }
}

#[test]
fn parses_precedence_and_positions() {
    let ast = parse("a.b > 1 or c.d < 2 and not e.f == 3").expect("parses");
    let AstKind::Binary { op, lhs, rhs } = ast.kind else {
        panic!("binary expected")
    };
    assert_eq!(op, BinOp::Or);
    assert_eq!((lhs.start, lhs.end), (0, 7));
    assert!(matches!(rhs.kind, AstKind::Binary { op: BinOp::And, .. }));
    let ast = parse("1 + 2 * 3").expect("parses");
    let AstKind::Binary {
        op: BinOp::Add,
        rhs,
        ..
    } = ast.kind
    else {
        panic!("+ at the top")
    };
    assert!(matches!(rhs.kind, AstKind::Binary { op: BinOp::Mul, .. }));
}

#[test]
fn units_become_base_values() {
    let ast = parse("mem.available_bytes < 500MB").expect("parses");
    let AstKind::Binary { rhs, .. } = ast.kind else {
        panic!("binary")
    };
    assert_eq!(
        rhs.kind,
        AstKind::Number {
            value: 5e8,
            duration_ms: None
        }
    );
    let ast = parse("x.y > 2GiB").expect("parses");
    let AstKind::Binary { rhs, .. } = ast.kind else {
        panic!("binary")
    };
    assert_eq!(
        rhs.kind,
        AstKind::Number {
            value: 2.0 * 1024.0 * 1024.0 * 1024.0,
            duration_ms: None
        }
    );
    for (text, ms) in [
        ("1h30m", 5_400_000),
        ("1.5h", 5_400_000),
        ("1y", 31_536_000_000),
    ] {
        let ast = parse(&format!("avg(cpu.usage_percent, {text}) > 1")).expect(text);
        let AstKind::Binary { lhs, .. } = ast.kind else {
            panic!("binary")
        };
        let AstKind::Call { args, .. } = lhs.kind else {
            panic!("call")
        };
        let expected = AstKind::Number {
            value: ms as f64 / 1000.0,
            duration_ms: Some(ms),
        };
        assert_eq!(args[1].value.kind, expected, "{text}");
    }
    assert!(error("avg(cpu.usage_percent, 1h30x) > 1").contains("\"1h30x\" is not a duration"));
}

#[test]
fn strings_take_the_escapes_of_matcher_values() {
    let ast = parse(r#"disk.used_percent{mount=~"/v\d+\"q\\"} > 1"#).expect("parses");
    let AstKind::Binary { lhs, .. } = ast.kind else {
        panic!("binary")
    };
    let AstKind::Series(selector) = lhs.kind else {
        panic!("series")
    };
    assert_eq!(selector.matchers[0].value, r#"/v\d+"q\"#);
}

#[test]
fn good_expressions_compile() {
    for expr in [
        "avg(cpu.usage_percent, 1m) > 85",
        "disk.used_percent > 90",
        "anomaly(cpu.usage_percent, window=1h, sigma=2)",
        "anomaly(cpu.usage_percent, window=30m, sigma=3, direction=both, min_history=10m, min_deviation=5)",
        "forecast(disk.used_percent, 6h) > 100",
        "forecast(disk.used_percent, 6h, lookback=12h, min_history=2h) > 100",
        "absent(5m)",
        "collector_failed()",
        "collector_failed(\"disk\")",
        "mem.used_percent > 90 or mem.available_bytes < 500MB",
        "cpu.usage_percent{cpu!=\"\"} > 95",
        "disk.used_percent{mount=\"/\", fstype=~\"ext.*\"} > 80",
        "rate(disk.free_bytes, 10m) < -1MB",
        "delta(disk.free_bytes, 10m) < -1GB",
        "percentile(cpu.usage_percent, 95, 5m) >= 99",
        "not (last(load.1) > 4) and (min(cpu.usage_percent, 1m) > 10)",
        "(disk.total_bytes - disk.free_bytes) / disk.total_bytes * 100 > 90",
        "-delta(disk.free_bytes, 1h) > 1GiB",
        "count(cpu.usage_percent, 5m) < 10 or sum(net.rx_bytes_per_sec, 1m) > 1e3",
    ] {
        if let Err(e) = compile(&config("r", expr), &BTreeMap::new()) {
            panic!("{expr}: {e}\n{}", e.render());
        }
    }
}

#[test]
fn errors_name_the_column_and_suggest() {
    assert_eq!(
        error("avgg(cpu.usage_percent, 1m) > 85"),
        "expr:1: unknown function \"avgg\" (did you mean \"avg\"?)"
    );
    let e = error("max(cpu.usage_percent, 1m) > 1 and avgg(cpu.usage_percent, 1m) > 85");
    assert!(e.starts_with("expr:36: unknown function \"avgg\""), "{e}");
    assert!(error("avg(cpu.usage_percent) > 85").contains("avg takes 2 arguments"));
    assert!(error("avg(cpu.usage_percent, 5) > 85").contains("expects a duration"));
    assert!(error("avg(42, 5m) > 85").starts_with("expr:5: argument 1 of avg must be a metric"));
    assert!(error("disk.used_percent > 90GQ").starts_with("expr:23: unknown unit \"GQ\""));
    assert!(error("(disk.used_percent > 90").starts_with("expr:1: unclosed `(`"));
    assert!(error("disk.used_percent > 90)").starts_with("expr:23: unexpected `)`"));
    assert!(error("avg(cpu.usage_percent, 1m)").contains("a comparison is missing"));
    assert!(error("disk.used_percent > 90 and 5").contains("must be conditions"));
    assert!(error("1 < disk.used_percent < 5").contains("cannot be chained"));
    assert!(error("anomaly(cpu.usage_percent, sigmaa=2)").contains("did you mean \"sigma\""));
    assert!(error("anomaly(cpu.usage_percent, direction=up)").contains("above, below or both"));
    assert!(error("cpu.usage_percent{cpu=~\"(\"} > 1").contains("invalid regular expression"));
    assert!(error("cpu.Usage > 1").contains("invalid metric name"));
    assert!(error("cpu.usage_percent > ").contains("ends too early"));
    assert!(error("").contains("empty"));
    assert!(error("cpu.usage_percent && 1").contains("use `and`"));
}

#[test]
fn rule_error_display_names_file_rule_and_position() {
    let rules = vec![
        config("good", "disk.used_percent > 90"),
        config("typo", "avgg(cpu.usage_percent, 1m) > 85"),
        config("typo2", "absent(5)"),
    ];
    let (ok, errors) = compile_all(
        &rules,
        Some(std::path::Path::new("web.yaml")),
        &BTreeMap::new(),
    );
    assert_eq!(ok.len(), 1);
    assert_eq!(errors.len(), 2);
    assert_eq!(
        errors[0].to_string(),
        "web.yaml: rule typo: expr:1: unknown function \"avgg\" (did you mean \"avg\"?)"
    );
    assert!(
        errors[0]
            .render()
            .ends_with("    avgg(cpu.usage_percent, 1m) > 85\n    ^")
    );
    assert!(
        errors[1]
            .to_string()
            .starts_with("web.yaml: rule typo2: expr:8:")
    );
}

#[test]
fn clear_errors_are_reported_as_clear() {
    let mut cfg = config("r", "disk.used_percent > 90");
    cfg.clear = Some("disk.used_percent <".into());
    let e = compile(&cfg, &BTreeMap::new()).expect_err("bad clear");
    assert!(e.message.starts_with("clear:20:"), "{}", e.message);
}

#[test]
fn the_documented_example_file_compiles() {
    let text = r#"
rules:
  - name: high_cpu
    expr: avg(cpu.usage_percent, 1m) > 85
    for: 2m
    clear: avg(cpu.usage_percent, 1m) < 75
    severity: warning
  - name: disk_almost_full
    expr: disk.used_percent > 90        # one alert per mount
    severity: critical
  - name: cpu_anomaly
    expr: anomaly(cpu.usage_percent, window=1h, sigma=2)
    for: 3m
  - name: disk_full_soon
    expr: forecast(disk.used_percent, 6h) > 100
  - name: host_down
    expr: absent(5m)
    severity: critical
"#;
    let rules = compile_rule_text(text, std::path::Path::new("example.yaml"), &BTreeMap::new())
        .expect("example compiles");
    assert_eq!(rules.len(), 5);
    assert_eq!(rules[0].for_ms, 120_000);
    assert_eq!(
        rules[0].clear_expr.as_deref(),
        Some("avg(cpu.usage_percent, 1m) < 75")
    );
    assert_eq!(rules[1].severity, hostpulse_core::Severity::Critical);
    assert_eq!(rules[2].severity, hostpulse_core::Severity::Warning);
}

#[test]
fn default_rules_compile_with_descriptions() {
    let defaults = default_rules();
    assert!(defaults.len() >= 10, "{}", defaults.len());
    let (rules, errors) = compile_all(&defaults, None, &BTreeMap::new());
    assert!(errors.is_empty(), "{errors:?}");
    for rule in &rules {
        assert!(
            !rule.description.is_empty(),
            "{} has no description",
            rule.name
        );
    }
    let names: Vec<&str> = rules.iter().map(|r| r.name.as_str()).collect();
    for wanted in [
        "high_cpu",
        "cpu_core_saturated",
        "memory_high",
        "swap_high",
        "disk_almost_full",
        "iowait_high",
        "tcp_connections_high",
        "host_down",
        "disk_full_soon",
    ] {
        assert!(names.contains(&wanted), "{wanted} missing");
    }
}
