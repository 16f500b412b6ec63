//! Expressions nested or chained without bound are refused with a clear error instead of
//! exhausting the stack of the parser, the type checker, the evaluator or the drop.

use hostpulse_rules::compile_rule_text;
use hostpulse_rules::expr::parse;

#[test]
fn deep_parentheses_are_refused_not_a_stack_overflow() {
    let text = format!("{}1{} > 0", "(".repeat(200), ")".repeat(200));
    let error = parse(&text).expect_err("too deep");
    assert!(
        error.message.contains("nests deeper than 64"),
        "{}",
        error.message
    );
    let huge = format!("{}1{} > 0", "(".repeat(100_000), ")".repeat(100_000));
    assert!(parse(&huge).is_err());
}

#[test]
fn deep_not_and_negation_are_refused() {
    for text in [
        format!("{}cpu.usage_percent > 1", "not ".repeat(200)),
        format!("{}cpu.usage_percent > 1", "-".repeat(200)),
        format!("{}1{}", "avg(".repeat(100), ", 1m)".repeat(100)),
    ] {
        let error = parse(&text).expect_err("too deep");
        assert!(
            error.message.contains("nests deeper than"),
            "{}",
            error.message
        );
    }
}

#[test]
fn endless_chains_are_refused() {
    let text = format!("cpu.usage_percent{} > 1", " + 1".repeat(50_000));
    let error = parse(&text).expect_err("too long");
    assert!(
        error.message.contains("more than 1024 tokens"),
        "{}",
        error.message
    );
}

#[test]
fn realistic_nesting_still_compiles() {
    let inner = "avg(cpu.usage_percent, 1m)";
    let text = format!("{}{inner}{} > 90", "(".repeat(30), ")".repeat(30));
    assert!(parse(&text).is_ok());
    let yaml = format!(
        "rules:\n  - name: deep\n    expr: \"{}\"\n",
        text.replace('"', "\\\"")
    );
    assert!(
        compile_rule_text(
            &yaml,
            std::path::Path::new("deep.yaml"),
            &Default::default()
        )
        .is_ok()
    );
}
