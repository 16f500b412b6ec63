//! The alerting commands against a running hub: silences end to end, history and
//! notification listings, and errors for bad input.

mod common;

use common::{Hub, Mode, text};

#[test]
fn cli_silences_add_list_expire() {
    let hub = Hub::start(Mode::Hub);

    let added = hub.cli(&[
        "silence",
        "add",
        "host=web-1",
        "rule=high_cpu",
        "--for",
        "2h",
        "--comment",
        "deploy",
    ]);
    assert!(added.status.success(), "{}", text(&added.stderr));
    let id = text(&added.stdout).trim().to_string();
    assert!(
        !id.is_empty() && !id.contains(char::is_whitespace),
        "only the id on stdout: {id:?}"
    );
    assert!(text(&added.stderr).contains("host=web-1 rule=high_cpu"));

    let listed = hub.cli(&["silence", "list"]);
    assert!(listed.status.success(), "{}", text(&listed.stderr));
    let table = text(&listed.stdout);
    let row = table
        .lines()
        .find(|l| l.starts_with(&id))
        .unwrap_or_default();
    for part in ["active", "host=web-1 rule=high_cpu", "deploy"] {
        assert!(row.contains(part), "{part} missing: {table}");
    }
    // The author defaults to the name of the admin token.
    assert!(row.contains("admin-"), "{table}");

    let expired = hub.cli(&["silence", "expire", &id]);
    assert!(expired.status.success(), "{}", text(&expired.stderr));
    assert!(text(&expired.stdout).contains("expired"));
    let listed = text(&hub.cli(&["silence", "list"]).stdout);
    assert!(listed.contains("(no silences)"), "{listed}");
    let all = text(&hub.cli(&["silence", "list", "--all"]).stdout);
    assert!(all.contains(&id) && all.contains("expired"), "{all}");

    let again = hub.cli(&["silence", "expire", &id]);
    assert!(!again.status.success());
    assert!(
        text(&again.stderr).contains("404"),
        "{}",
        text(&again.stderr)
    );
}

#[test]
fn cli_refuses_bad_silences_and_lists_empty_history() {
    let hub = Hub::start(Mode::Hub);

    let bad_regex = hub.cli(&["silence", "add", "host=~web-(", "--for", "1h"]);
    assert!(!bad_regex.status.success());
    assert!(
        text(&bad_regex.stderr).contains("regular expression"),
        "{}",
        text(&bad_regex.stderr)
    );
    let bad_duration = hub.cli(&["silence", "add", "host=web-1", "--for", "soon"]);
    assert!(!bad_duration.status.success());
    assert!(text(&bad_duration.stderr).contains("--for"));
    let too_long = hub.cli(&["silence", "add", "host=web-1", "--for", "400d"]);
    assert!(!too_long.status.success());
    assert!(
        text(&too_long.stderr).contains("one year"),
        "{}",
        text(&too_long.stderr)
    );

    let history = hub.cli(&["alerts", "history", "--since", "-24h", "--host", "web-1"]);
    assert!(history.status.success(), "{}", text(&history.stderr));
    assert!(text(&history.stdout).contains("(no history)"));

    let outbox = hub.cli(&["notifications", "--status", "dry_run"]);
    assert!(outbox.status.success(), "{}", text(&outbox.stderr));
    assert!(text(&outbox.stdout).contains("(no notifications)"));
    let bad_status = hub.cli(&["notifications", "--status", "lost"]);
    assert!(!bad_status.status.success());
    assert!(text(&bad_status.stderr).contains("400"));
}

#[test]
fn cli_rules_check_reports_every_error_offline() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.yaml");
    std::fs::write(
        &good,
        "rules:\n  - name: high_cpu\n    expr: avg(cpu.usage_percent, 1m) > 85\n    for: 2m\n",
    )
    .unwrap();
    let ok = common::run_cli(&["rules", "check", good.to_str().unwrap()]);
    assert!(ok.status.success(), "{}", text(&ok.stderr));
    assert!(text(&ok.stdout).contains("1 rule(s) OK"));

    let bad = dir.path().join("bad.yaml");
    std::fs::write(
        &bad,
        "rules:\n  - name: broken_cpu\n    expr: avg(cpu.usage_percent, 1m) >\n  - name: broken_disk\n    expr: disk.used_percent > 90 andd 1\n",
    )
    .unwrap();
    let refused = common::run_cli(&["rules", "check", bad.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(2));
    let errors = text(&refused.stderr);
    for part in ["bad.yaml", "broken_cpu", "broken_disk", "2 error(s)"] {
        assert!(errors.contains(part), "{part} missing: {errors}");
    }
}

#[test]
fn cli_alerts_and_rules_list_on_a_running_hub() {
    let hub = Hub::start(Mode::Hub);
    let alerts = hub.cli(&["alerts"]);
    assert!(alerts.status.success(), "{}", text(&alerts.stderr));
    assert!(text(&alerts.stdout).starts_with("ID "));
    let rules = hub.cli(&["rules"]);
    assert!(rules.status.success(), "{}", text(&rules.stderr));
    let table = text(&rules.stdout);
    assert!(
        table.contains("host_down"),
        "default rules are loaded: {table}"
    );
    let ack = hub.cli(&["ack", "0000000000000000", "--comment", "mine"]);
    assert!(!ack.status.success());
    assert!(text(&ack.stderr).contains("404"), "{}", text(&ack.stderr));
}
