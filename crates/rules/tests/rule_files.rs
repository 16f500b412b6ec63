//! Rule files, `rules check`, and merging the built-in rules with configured ones.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed setup step should stop the test loudly"
)]

mod common;

use std::path::PathBuf;

use common::config;
use hostpulse_rules::{RuleConfig, RulesConfig};
use hostpulse_rules::{check_rule_file, load_rule_set};

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write");
    path
}

#[test]
fn check_reports_every_error_with_file_rule_and_position() {
    let dir = tempfile::tempdir().expect("tempdir");
    let good = write(
        &dir,
        "good.yaml",
        "rules:\n  - name: a\n    expr: disk.used_percent > 90\n  - name: b\n    expr: absent(5m)\n",
    );
    assert_eq!(check_rule_file(&good), Ok(2));
    let bad = write(
        &dir,
        "bad.yaml",
        "rules:\n  - name: a\n    expr: avgg(cpu.usage_percent, 1m) > 85\n  - name: b\n    expr: disk.used_percent >\n",
    );
    let errors = check_rule_file(&bad).expect_err("errors");
    assert_eq!(errors.len(), 2);
    let file = bad.display().to_string();
    assert!(
        errors[0].starts_with(&format!(
            "{file}: rule a: expr:1: unknown function \"avgg\" (did you mean \"avg\"?)"
        )),
        "{}",
        errors[0]
    );
    assert!(errors[0].contains("\n    avgg(cpu.usage_percent, 1m) > 85\n    ^"));
    assert!(
        errors[1].starts_with(&format!("{file}: rule b: expr:")),
        "{}",
        errors[1]
    );
    // Structural errors (unknown keys) come first, on their own.
    let unknown = write(
        &dir,
        "keys.yaml",
        "rules:\n  - name: a\n    expr: absent(5m)\n    sevrity: info\n",
    );
    let errors = check_rule_file(&unknown).expect_err("unknown key");
    assert!(
        errors[0].contains("rules[0].sevrity: unknown key (did you mean \"severity\"?)"),
        "{errors:?}"
    );
    let invalid = write(
        &dir,
        "values.yaml",
        "rules:\n  - name: Bad-Name\n    expr: absent(5m)\n    for: soon\n",
    );
    let errors = check_rule_file(&invalid).expect_err("value errors");
    assert!(
        errors.iter().any(|e| e.contains("rules[0].name")),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|e| e.contains("rules[0].for")),
        "{errors:?}"
    );
}

#[test]
fn user_rules_replace_and_disable_builtin_ones() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = write(
        &dir,
        "more.yaml",
        "rules:\n  - name: web_slow\n    expr: avg(load.1, 5m) > 8\n    hosts: [\"web-*\"]\n    groups: [db]\n",
    );
    let config = RulesConfig {
        rules: vec![
            RuleConfig {
                for_duration: common::dur(common::MIN),
                ..config("high_cpu", "avg(cpu.usage_percent, 1m) > 70")
            },
            RuleConfig {
                enabled: false,
                ..config("swap_high", "swap.used_percent > 1")
            },
        ],
        rule_files: vec![file.clone()],
        host_groups: [("db".to_owned(), vec!["db-1".to_owned()])].into(),
    };
    let set = load_rule_set(&config, Some(std::path::Path::new("hub.yaml"))).expect("rule set");
    let high = set
        .rules
        .iter()
        .find(|r| r.name == "high_cpu")
        .expect("high_cpu");
    assert_eq!(high.expr, "avg(cpu.usage_percent, 1m) > 70");
    assert!(!high.builtin);
    assert!(set.rules.iter().all(|r| r.name != "swap_high"));
    assert!(set.rules.iter().any(|r| r.name == "host_down" && r.builtin));
    let web = set
        .rules
        .iter()
        .find(|r| r.name == "web_slow")
        .expect("from file");
    assert_eq!(web.source.as_deref(), Some(file.as_path()));
    assert!(web.matches_host("web-3") && web.matches_host("db-1") && !web.matches_host("db-2"));
    assert_eq!(set.files, vec![file]);
    assert!(hostpulse_rules::required_windows(&set.rules).get("load.1") >= Some(&300_000));
}

#[test]
fn a_broken_file_or_duplicate_name_fails_the_whole_set() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = write(
        &dir,
        "dup.yaml",
        "rules:\n  - name: mine\n    expr: absent(1m)\n",
    );
    let config = RulesConfig {
        rules: vec![config("mine", "absent(2m)"), config("broken", "absent(")],
        rule_files: vec![file, dir.path().join("missing.yaml")],
        host_groups: Default::default(),
    };
    let errors = load_rule_set(&config, None).expect_err("errors");
    let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(errors.len(), 3, "{text:?}");
    assert!(text.iter().any(|e| e.contains("rule broken: expr:")));
    assert!(
        text.iter()
            .any(|e| e.contains("rule mine: also defined in"))
    );
    assert!(text.iter().any(|e| e.contains("missing.yaml")));
}
