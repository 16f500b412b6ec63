//! `heal:` in rule files: the documented form loads, and every mistake is reported at once
//! with its key path and line.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a failed setup step should stop the test loudly"
)]

use std::path::Path;
use std::time::Duration;

use hostpulse_core::Labels;
use hostpulse_rules::{HealDecision, compile_rule_text, parse_rule_text};

const GOOD: &str = r#"
rules:
  - name: container_down
    expr: container.running == 0
    heal: { action: containers.start, container: "{{ labels.container }}", after: 0s, cooldown: 5m, max_attempts: 3, window: 1h }
  - name: nginx_down
    expr: tcp.listen{port="80"} == 0
    heal: { action: restart_nginx }
"#;

#[test]
fn the_documented_heal_loads_and_compiles() {
    let rules = parse_rule_text(GOOD, Path::new("heal.yaml")).expect("valid");
    let heal = rules[0].heal.clone().expect("heal");
    assert_eq!(heal.action, "containers.start");
    assert_eq!(heal.cooldown, Duration::from_secs(300));
    assert_eq!(
        (heal.max_attempts, heal.window),
        (3, Duration::from_secs(3600))
    );
    let named = rules[1].heal.clone().expect("heal");
    assert_eq!(
        (named.action.as_str(), named.max_attempts),
        ("restart_nginx", 3)
    );
    let compiled =
        compile_rule_text(GOOD, Path::new("heal.yaml"), &Default::default()).expect("compiles");
    let heal = compiled[0].heal.as_ref().expect("compiled heal");
    let labels = Labels::from([("container".to_owned(), "web".to_owned())]);
    let (action, args) = heal.command("web-1", &labels).expect("renders");
    assert_eq!(
        (action.as_str(), args["container"].as_str()),
        ("containers.start", "web")
    );
    assert_eq!(heal.decide(0, &[], 0), HealDecision::Attempt);
}

#[test]
fn every_heal_mistake_is_reported_with_its_line() {
    let text = r#"rules:
  - name: a
    expr: container.running == 0
    heal: { action: containers.strat, container: web }
  - name: b
    expr: container.running == 0
    heal: { action: containers.logs, container: web }
  - name: c
    expr: container.running == 0
    heal: { action: containers.start }
  - name: d
    expr: container.running == 0
    heal: { action: containers.start, container: "{{ labels.container", max_attempts: 0, colldown: 5m }
  - name: e
    expr: container.running == 0
    heal: { action: restart_nginx, container: web }
"#;
    let errors = parse_rule_text(text, Path::new("bad.yaml")).expect_err("invalid");
    let all = errors.to_string();
    for expected in [
        "bad.yaml:4:",
        "rules[0].heal.action",
        "did you mean \"containers.start\"",
        "rules[1].heal.action",
        "only reads",
        "rules[2].heal.container",
        "needs the container",
        "rules[3].heal.colldown",
        "rules[4].heal.container",
        "takes no container",
    ] {
        assert!(all.contains(expected), "missing {expected:?} in:\n{all}");
    }
}

#[test]
fn template_and_count_errors_are_reported_when_the_keys_are_known() {
    let text = r#"rules:
  - name: d
    expr: container.running == 0
    heal: { action: containers.start, container: "{{ labels.container", max_attempts: 0 }
"#;
    let all = parse_rule_text(text, Path::new("bad.yaml"))
        .expect_err("invalid")
        .to_string();
    assert!(
        all.contains("rules[0].heal.container: is not a valid template"),
        "{all}"
    );
    assert!(all.contains("rules[0].heal.max_attempts"), "{all}");
}
