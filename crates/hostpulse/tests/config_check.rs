//! `hostpulse config check` validates what the hub validates at start — settings, rules,
//! receivers, routes, templates, telegram — in one run, every error with file, key path,
//! line and column; the hub start refuses the same file with the same errors.

#[allow(unused_imports)]
mod common;

use common::{agent_bin, clean_command, hostpulse_bin, run_cli, text};
use std::path::Path;

/// A hub file with one mistake of each kind: an unknown key (line 3), a bad rule expression
/// (line 9), a template that does not compile (line 16), a value error in a list item (line 21)
/// and a bad telegram setting (line 25).
const BROKEN_HUB: &str = "\
listen: 127.0.0.1:0
storage:
  retension:
    raw: 7d
rules:
  - name: high_cpu
    expr: avg(cpu.usage_percent, 5m) > 90
  - name: typo
    expr: avgg(cpu.usage_percent, 5m) > 90
receivers:
  - type: log
    name: ops-log
  - type: slack
    name: ops-slack
    webhook_url: https://hooks.slack.com/services/T000/B000/XXX
    template: \"{{ title \"
routes:
  - receivers: [ops-log]
  - receivers: [ops-log]
    match:
      severity: urgent
telegram:
  bot_token: \"123:abc\"
  admins: [1001]
  mode: sideways
";

/// `file:line:column: key.path:` of each expected error.
const EXPECTED: [(&str, &str); 5] = [
    ("3:3", "storage.retension"),
    ("9:11", "rules[1].expr"),
    ("16:19", "receivers[1].template"),
    ("21:17", "routes[1].match.severity"),
    ("25:9", "telegram.mode"),
];

fn assert_reports_each(stderr: &str, file: &Path) {
    for (at, path) in EXPECTED {
        let prefix = format!("{}:{at}: {path}: ", file.display());
        assert!(
            stderr.lines().any(|line| line.starts_with(&prefix)),
            "missing `{prefix}` in:\n{stderr}"
        );
    }
}

#[test]
fn config_check_reports_every_error_of_a_hub_file_in_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hub.yaml");
    std::fs::write(&file, BROKEN_HUB).unwrap();
    let out = run_cli(&["config", "check", file.to_str().unwrap()]);
    let stderr = text(&out.stderr);
    assert!(!out.status.success(), "a broken file must fail:\n{stderr}");
    assert!(!text(&out.stdout).contains("ok"), "{}", text(&out.stdout));
    assert_reports_each(&stderr, &file);
    assert!(
        stderr.contains("did you mean \"retention\"?"),
        "unknown key without a suggestion:\n{stderr}"
    );
    assert!(
        stderr.contains("unknown function \"avgg\""),
        "rule error without the parser's reason:\n{stderr}"
    );
}

#[test]
fn hub_start_refuses_the_file_with_the_same_errors() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hub.yaml");
    std::fs::write(&file, BROKEN_HUB).unwrap();
    let check = text(&run_cli(&["config", "check", file.to_str().unwrap()]).stderr);
    let data_dir = dir.path().join("data");
    let out = clean_command(&hostpulse_bin())
        .args(["hub", "-c", file.to_str().unwrap(), "--data-dir"])
        .arg(&data_dir)
        .output()
        .expect("run hostpulse hub");
    let stderr = text(&out.stderr);
    assert!(!out.status.success(), "the hub must refuse:\n{stderr}");
    assert_reports_each(&stderr, &file);
    let error_lines = |all: &str| -> Vec<String> {
        let prefix = file.display().to_string();
        all.lines()
            .filter(|l| l.starts_with(&prefix))
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(error_lines(&stderr), error_lines(&check));
    assert!(
        !data_dir.exists(),
        "a refused start must not create the data directory"
    );
}

#[test]
fn config_check_reports_rule_file_errors_with_their_position() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules.yaml");
    std::fs::write(
        &rules,
        "rules:\n  - name: disk\n    expr: disk.used_percent > 90\n    sevrity: critical\n  - name: load\n    expr: avg(load.1, 5m) >\n",
    )
    .unwrap();
    let file = dir.path().join("hub.yaml");
    std::fs::write(
        &file,
        format!(
            "rules:\n  - name: disk\n    expr: disk.used_percent > 95\nrule_files: [{}]\n",
            rules.display()
        ),
    )
    .unwrap();
    let out = run_cli(&["config", "check", file.to_str().unwrap()]);
    let stderr = text(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    let unknown = format!("{}:4:5: rules[0].sevrity: ", rules.display());
    let expr = format!("{}:6:28: rules[1].expr: ", rules.display());
    let twice = format!(
        "{}:2:11: rules[0].name: rule disk: also defined in {}",
        rules.display(),
        file.display()
    );
    for prefix in [unknown, expr, twice] {
        assert!(
            stderr.lines().any(|line| line.starts_with(&prefix)),
            "missing `{prefix}` in:\n{stderr}"
        );
    }
}

#[test]
fn config_check_accepts_a_valid_hub_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hub.yaml");
    let fixed = BROKEN_HUB
        .replace("retension", "retention")
        .replace("avgg", "avg")
        .replace("{{ title ", "{{ title }}")
        .replace("urgent", "critical")
        .replace("sideways", "polling");
    std::fs::write(&file, fixed).unwrap();
    let out = run_cli(&["config", "check", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains(": ok"), "{}", text(&out.stdout));
}

#[test]
fn agent_errors_carry_line_and_column_in_check_and_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("agent.yaml");
    std::fs::write(
        &file,
        "hub: http://127.0.0.1:9\ntoken: hpa_x\ninterval: 5 parsecs\npaths:\n  procc: /proc\n",
    )
    .unwrap();
    let expected = [
        format!("{}:3:11: interval: ", file.display()),
        format!("{}:5:3: paths.procc: ", file.display()),
    ];
    let check = text(&run_cli(&["config", "check", file.to_str().unwrap()]).stderr);
    let start = clean_command(&agent_bin())
        .args(["--config", file.to_str().unwrap(), "--once"])
        .output()
        .expect("run hostpulse-agent");
    assert!(!start.status.success(), "the agent must refuse the file");
    let start = text(&start.stderr);
    for prefix in &expected {
        for (what, stderr) in [("config check", &check), ("agent start", &start)] {
            assert!(
                stderr.lines().any(|line| line.starts_with(prefix.as_str())),
                "{what}: missing `{prefix}` in:\n{stderr}"
            );
        }
    }
}
