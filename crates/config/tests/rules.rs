//! The `rules:`, `rule_files:` and `host_groups:` sections, and rule files.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed setup step should stop the test loudly"
)]

use std::path::PathBuf;
use std::time::Duration;

use hostpulse_config::{HubOverrides, load_hub_config};
use hostpulse_core::Severity;
use hostpulse_rules::{Occurrences, RuleConfig, load_rule_file, parse_rule_text};

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write");
    path
}

const FULL: &str = r#"
host_groups:
  databases: [db-1, "db-*"]
rule_files: [/etc/hostpulse/rules.d/web.yaml]
rules:
  - name: high_cpu
    expr: avg(cpu.usage_percent, 1m) > 85
    for: 2m
    clear: avg(cpu.usage_percent, 1m) < 75
    clear_for: 30s
    severity: critical
    description: CPU busy
    labels: {team: ops}
    hosts: ["web-*"]
    groups: [databases]
    occurrences: {n: 3, of: 5}
    dry_run: true
  - name: host_down
    expr: absent(5m)
    enabled: false
"#;

#[test]
fn every_rule_key_is_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(&dir, "hub.yaml", FULL);
    let config = load_hub_config(Some(&path), &[], &HubOverrides::default()).expect("valid");
    let rules = &config.rules;
    assert_eq!(
        rules.rule_files,
        vec![PathBuf::from("/etc/hostpulse/rules.d/web.yaml")]
    );
    assert_eq!(rules.host_groups["databases"], vec!["db-1", "db-*"]);
    let high = &rules.rules[0];
    assert_eq!(high.for_duration, Duration::from_secs(120));
    assert_eq!(
        high.clear.as_deref(),
        Some("avg(cpu.usage_percent, 1m) < 75")
    );
    assert_eq!(high.clear_for, Duration::from_secs(30));
    assert_eq!(high.severity, Severity::Critical);
    assert_eq!(high.labels["team"], "ops");
    assert_eq!(high.hosts, vec!["web-*"]);
    assert_eq!(high.groups, vec!["databases"]);
    assert_eq!(high.occurrences, Some(Occurrences { n: 3, of: 5 }));
    assert!(high.dry_run && high.enabled);
    let down = &rules.rules[1];
    assert_eq!(down.severity, Severity::Warning);
    assert!(!down.enabled);
    assert_eq!(down.for_duration, Duration::ZERO);
}

#[test]
fn rule_value_errors_are_all_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(
        &dir,
        "hub.yaml",
        "host_groups:\n  web: []\nrules:\n  - name: Bad\n    expr: absent(5m)\n    for: soon\n    severity: loud\n    groups: [nope]\n    occurrences: {n: 5, of: 3}\n  - name: dup\n    expr: absent(1m)\n  - name: dup\n  - name: x\n    expr: absent(1m)\n    hosts: [\"web 1\"]\n",
    );
    let errors = load_hub_config(Some(&path), &[], &HubOverrides::default()).expect_err("invalid");
    let text = errors.to_string();
    for wanted in [
        "host_groups.web: a host group needs at least one",
        "rules[0].name: \"Bad\" is not a rule name",
        "rules[0].for: \"soon\" is not a duration",
        "rules[0].severity: \"loud\" is not a severity",
        "rules[0].groups: unknown host group \"nope\"",
        "rules[0].occurrences: n (5) must not exceed of (3)",
        "rules[2].expr: is required",
        "rules[3].hosts: \"web 1\" is not a host name",
    ] {
        assert!(text.contains(wanted), "missing {wanted:?} in:\n{text}");
    }
}

#[test]
fn duplicate_names_are_refused() {
    let errors = parse_rule_text(
        "rules:\n  - name: a\n    expr: absent(1m)\n  - name: a\n    expr: absent(2m)\n",
        std::path::Path::new("request"),
    )
    .expect_err("duplicate");
    assert!(
        errors
            .to_string()
            .contains("request:4:11: rules[1].name: rule \"a\" is defined twice"),
        "{errors}"
    );
}

#[test]
fn rule_files_load_on_their_own() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(
        &dir,
        "web.yaml",
        "rules:\n  - name: web_down\n    expr: absent(2m)\n    groups: [web]\n",
    );
    let mut rules = load_rule_file(&path).expect("valid file");
    assert_eq!(rules.len(), 1);
    assert_eq!(rules[0].origin.path, "rules[0]");
    assert_eq!(
        rules[0].origin.locate("expr", "absent(2m)", Some(7)).1,
        Some(hostpulse_config::Position {
            line: 3,
            column: 18
        })
    );
    rules[0].origin = Default::default();
    assert_eq!(
        rules[0],
        RuleConfig {
            name: "web_down".into(),
            expr: "absent(2m)".into(),
            groups: vec!["web".into()],
            ..RuleConfig::default()
        }
    );
    let other = write(&dir, "other.yaml", "listen: 1.2.3.4:5\n");
    let errors = load_rule_file(&other).expect_err("not a rule file");
    assert!(errors.to_string().contains("unknown key"), "{errors}");
    assert!(load_rule_file(&dir.path().join("missing.yaml")).is_err());
    assert_eq!(
        parse_rule_text("", std::path::Path::new("empty")).map(|r| r.len()),
        Ok(0)
    );
}
