//! The alert-manager sections of the hub file: a full example loads, and every mistake is
//! reported at once with its key path.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed setup step should stop the test loudly"
)]

use std::time::Duration;

use hostpulse_alerting::MaintenanceSchedule;
use hostpulse_config::{ConfigErrors, HubConfig, HubOverrides, load_hub_config, parse_rfc3339_ms};
use hostpulse_core::{MatchOp, Severity};
use hostpulse_notify::ReceiverKind;

fn load(text: &str) -> Result<HubConfig, ConfigErrors> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("hostpulse.yaml");
    std::fs::write(&path, text).expect("write config");
    load_hub_config(Some(&path), &[], &HubOverrides::default())
}

const FULL: &str = r#"
alerting:
  evaluation_interval: 10s
  dry_run: true
  history_retention: 30d
  inhibit_host_down: false
  defaults: { group_by: [rule], group_wait: 0s, repeat_interval: 1h, receivers: [ops-log] }
receivers:
  - name: ops-log
    type: log
  - { name: audit, type: log }
routes:
  - match: { severity: critical, rule: high_cpu, host: "web-*", host_group: web, labels: { mount: "/" }, matchers: ['mount=~"/.*"'] }
    receivers: [ops-log, audit]
    group_interval: 2m
    continue: true
    escalation:
      - { after: 15m, severity: critical, receivers: [audit] }
      - { after: 1h }
  - receivers: [audit]
inhibit_rules:
  - { source: [ 'rule="host_down"' ], target: [ 'severity!="critical"' ], equal: [host] }
maintenance:
  - { name: nightly-backup, hosts: ["db-*"], start: "2026-12-01T02:00:00Z", end: "2026-12-01T04:00:00Z", comment: backup }
  - { name: weekly-patching, groups: [web], every: { days: [sun, Saturday], at: "03:00", duration: 2h, timezone: "+02:00" } }
  - { name: berlin-patching, hosts: ["*"], every: { days: [sun], at: "03:00", duration: 1h, timezone: Europe/Berlin } }
"#;

#[test]
fn full_alerting_example_loads() {
    let alerting = load(FULL).expect("valid").alerting;
    assert_eq!(alerting.evaluation_interval, Duration::from_secs(10));
    assert!(alerting.dry_run && !alerting.inhibit_host_down);
    assert_eq!(alerting.defaults.group_by, ["rule"]);
    assert_eq!(alerting.defaults.group_wait, Duration::ZERO);
    assert_eq!(alerting.receivers.len(), 2);
    assert_eq!(alerting.receivers[1].kind, ReceiverKind::Log);
    let route = &alerting.routes[0];
    assert_eq!(route.matcher.severity, Some(Severity::Critical));
    assert_eq!(route.matcher.host.as_deref(), Some("web-*"));
    assert_eq!(route.matcher.labels["mount"], "/");
    assert_eq!(route.matcher.matchers[0].op, MatchOp::Regex);
    assert!(route.continue_matching);
    assert_eq!(route.settings.group_interval, Duration::from_secs(120));
    assert_eq!(
        route.settings.repeat_interval,
        Duration::from_secs(3_600),
        "inherited"
    );
    assert_eq!(route.settings.group_by, ["rule"], "inherited");
    assert_eq!(route.settings.escalation.len(), 2);
    assert_eq!(route.settings.escalation[1].severity, None);
    assert_eq!(alerting.routes[1].settings.receivers, ["audit"]);
    assert_eq!(alerting.inhibit_rules[0].equal, ["host"]);
    let start = parse_rfc3339_ms("2026-12-01T02:00:00Z").expect("time");
    assert_eq!(
        alerting.maintenance[0].schedule,
        MaintenanceSchedule::Once {
            start_ms: start,
            end_ms: start + 7_200_000
        }
    );
    let MaintenanceSchedule::Weekly(weekly) = &alerting.maintenance[1].schedule else {
        panic!("recurring window expected");
    };
    assert_eq!(weekly.days, [false, false, false, false, false, true, true]);
    assert_eq!((weekly.start.hour(), weekly.start.minute()), (3, 0));
    let epoch = jiff::Timestamp::UNIX_EPOCH;
    assert_eq!(weekly.zone.to_offset(epoch).seconds(), 7_200);
    let MaintenanceSchedule::Weekly(berlin) = &alerting.maintenance[2].schedule else {
        panic!("recurring window expected");
    };
    assert_eq!(berlin.zone.iana_name(), Some("Europe/Berlin"));
    // 03:00 in Berlin is 02:00 UTC in winter and 01:00 UTC in summer.
    let open = |text: &str| berlin.is_active(parse_rfc3339_ms(text).expect("time"));
    assert!(open("2026-12-06T02:30:00Z") && !open("2026-12-06T01:30:00Z"));
    assert!(open("2026-07-05T01:30:00Z") && !open("2026-07-05T02:30:00Z"));
}

#[test]
fn without_receivers_the_builtin_log_receiver_is_used() {
    let alerting = load("routes:\n  - receivers: [log]\n")
        .expect("valid")
        .alerting;
    let receivers = alerting.effective_receivers();
    assert_eq!(receivers.len(), 1);
    assert_eq!(receivers[0].name, "log");
}

#[test]
fn every_alerting_mistake_is_reported_with_its_path() {
    let errors = load(
        r#"
alerting:
  evaluation_interval: soon
  defaults: { receivers: [nobody], group_by: ["9x"] }
receivers:
  - { name: a, type: log }
  - { name: a, type: log }
routes:
  - match: { severity: loud, matchers: ['host=~"("'] }
    escalation:
      - { after: 1h }
      - { after: 30m, severity: urgent }
      - { severity: critical }
inhibit_rules:
  - { source: [], target: [ 'severity>"x"' ] }
maintenance:
  - { name: m1, hosts: [web-1], start: "2026-12-01T04:00:00Z", end: "2026-12-01T02:00:00Z" }
  - { name: m2, every: { days: [someday], at: "25:00", duration: 9d, timezone: Europe/Pariss } }
  - { name: m1, hosts: [x], start: "2026-12-01T04:00:00Z", every: { days: [mon], at: "01:00", duration: 1h } }
"#,
    )
    .expect_err("invalid");
    let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
    for expected in [
        "alerting.evaluation_interval",
        "alerting.defaults.receivers[0]",
        "alerting.defaults.group_by[0]",
        "receivers[1].name",
        "routes[0].match.severity",
        "routes[0].match.matchers[0]",
        "routes[0].escalation[1].after",
        "routes[0].escalation[1].severity",
        "routes[0].escalation[2].after",
        "inhibit_rules[0].source",
        "inhibit_rules[0].target[0]",
        "maintenance[0].end",
        "maintenance[1].hosts",
        "maintenance[1].every.days[0]",
        "maintenance[1].every.at",
        "maintenance[1].every.duration",
        "maintenance[1].every.timezone",
        "maintenance[2].name",
        "maintenance[2].every",
    ] {
        assert!(paths.contains(&expected), "missing {expected} in {paths:?}");
    }
    let unknown = errors
        .find("alerting.defaults.receivers[0]")
        .expect("receiver error");
    assert!(unknown.message.contains("\"nobody\""), "{unknown}");
}

#[test]
fn unknown_receiver_type_is_a_structural_error() {
    let errors = load("receivers:\n  - { name: x, type: pager }\n").expect_err("invalid");
    assert!(errors.to_string().contains("pager"), "{errors}");
}
