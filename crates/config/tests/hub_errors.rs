//! Hub configuration errors: every problem at once, with file, line, column, key path and
//! source.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed setup step should stop the test loudly"
)]

use std::path::{Path, PathBuf};

use hostpulse_config::{ConfigErrors, HubConfig, HubOverrides, Position, load_hub_config};

fn at(line: usize, column: usize) -> Option<Position> {
    Some(Position { line, column })
}

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect()
}

fn write_file(dir: &tempfile::TempDir, text: &str) -> PathBuf {
    let path = dir.path().join("hostpulse.yaml");
    std::fs::write(&path, text).expect("write config");
    path
}

fn load_file(text: &str) -> (Result<HubConfig, ConfigErrors>, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_file(&dir, text);
    (
        load_hub_config(Some(&path), &[], &HubOverrides::default()),
        path,
    )
}

#[test]
fn several_errors_are_reported_at_once() {
    let (result, path) = load_file(
        "listen: not-an-address\nstorage:\n  checkpoint_interval: 7x\n  retention:\n    raw: 100d\n    minute: 30d\ningest:\n  max_series_per_batch: lots\nlog:\n  format: xml\n",
    );
    let errors = result.expect_err("invalid config");
    let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "listen",
            "storage.checkpoint_interval",
            "storage.retention.raw",
            "ingest.max_series_per_batch",
            "log.format"
        ]
    );
    assert!(
        errors
            .iter()
            .all(|e| e.file.as_deref() == Some(path.as_path()))
    );
    let duration = errors
        .find("storage.checkpoint_interval")
        .expect("duration error");
    assert_eq!(
        duration.to_string(),
        format!(
            "{}:3:24: storage.checkpoint_interval: \"7x\" is not a duration (use e.g. 30s, 5m, 7d)",
            path.display()
        )
    );
    let order = errors.find("storage.retention.raw").expect("order error");
    assert!(
        order.message.contains("storage.retention.minute"),
        "{order}"
    );
    assert_eq!(errors.to_string().lines().count(), 5);
}

#[test]
fn retention_order_checks_minute_against_hour() {
    let (result, _) = load_file("storage:\n  retention:\n    minute: 1000d\n");
    let errors = result.expect_err("minute longer than hour");
    assert_eq!(errors.len(), 1);
    assert_eq!(errors.0[0].path, "storage.retention.minute");
}

#[test]
fn unknown_key_names_file_path_and_valid_keys() {
    let (result, path) = load_file("storage:\n  retention:\n    rwa: 7d\n");
    let errors = result.expect_err("unknown key");
    assert_eq!(errors.len(), 1);
    let error = &errors.0[0];
    assert_eq!(error.file.as_deref(), Some(path.as_path()));
    assert_eq!(error.path, "storage.retention.rwa");
    assert!(error.message.contains("did you mean \"raw\"?"), "{error}");
    assert!(
        error.message.contains("valid keys: raw, minute, hour"),
        "{error}"
    );
    assert_eq!(error.position, at(3, 5), "{error}");
}

#[test]
fn unknown_top_level_sections_list_the_valid_keys() {
    let (result, _) = load_file("notifiers: []\n");
    let errors = result.expect_err("unknown top-level key");
    assert_eq!(errors.0[0].path, "notifiers");
    assert!(
        errors.0[0].message.contains("valid keys: listen, data_dir"),
        "{}",
        errors
    );
}

#[test]
fn yaml_syntax_error_has_line_and_column() {
    let (result, path) = load_file("listen: 127.0.0.1:9810\nstorage:\n  retention: [raw\n");
    let errors = result.expect_err("syntax error");
    let error = &errors.0[0];
    assert_eq!(error.file.as_deref(), Some(path.as_path()));
    assert!(error.message.starts_with("invalid YAML:"), "{error}");
    assert_eq!(error.position.map(|p| p.line), Some(4), "{error}");
}

#[test]
fn wrong_shapes_are_explained() {
    let (result, _) = load_file("storage: 5\n");
    let errors = result.expect_err("scalar instead of section");
    assert_eq!(errors.0[0].path, "storage");
    assert!(
        errors.0[0].message.contains("expected a mapping of keys"),
        "{errors}"
    );

    let (result, _) = load_file("listen: [1, 2]\n");
    let errors = result.expect_err("list instead of value");
    assert_eq!(errors.0[0].path, "listen");
    assert!(errors.0[0].message.contains("a single value"), "{errors}");

    let (result, _) = load_file("- a\n- b\n");
    assert!(
        result.expect_err("list at top").0[0]
            .message
            .contains("top level")
    );
}

#[test]
fn missing_file_is_an_error() {
    let missing = Path::new("/nonexistent/hostpulse.yaml");
    let errors =
        load_hub_config(Some(missing), &[], &HubOverrides::default()).expect_err("missing");
    assert_eq!(errors.0[0].file.as_deref(), Some(missing));
    assert!(errors.0[0].message.contains("cannot read file"), "{errors}");
}

#[test]
fn env_errors_name_the_variable() {
    let vars = env(&[
        ("HOSTPULSE_STORAGE__RETENTION__RAW", "7x"),
        ("HOSTPULSE_LISTEN", "nowhere"),
    ]);
    let errors = load_hub_config(None, &vars, &HubOverrides::default()).expect_err("bad env");
    let raw = errors.find("storage.retention.raw").expect("raw error");
    assert_eq!(raw.file, None);
    assert!(
        raw.message
            .contains("set by HOSTPULSE_STORAGE__RETENTION__RAW"),
        "{raw}"
    );
    let flags = HubOverrides {
        listen: Some("also-nowhere".into()),
        ..HubOverrides::default()
    };
    let errors = load_hub_config(None, &[], &flags).expect_err("bad flag");
    assert!(errors.0[0].message.contains("set by --listen"), "{errors}");
}

#[test]
fn env_typo_in_known_section_is_rejected() {
    let vars = env(&[("HOSTPULSE_STORAGE__RETENTON__RAW", "14d")]);
    let errors = load_hub_config(None, &vars, &HubOverrides::default()).expect_err("typo");
    assert_eq!(errors.0[0].path, "storage.retenton");
    assert!(
        errors.0[0].message.contains("did you mean \"retention\"?"),
        "{errors}"
    );
    assert!(
        errors.0[0]
            .message
            .contains("HOSTPULSE_STORAGE__RETENTON__RAW"),
        "{errors}"
    );
}

#[test]
fn limits_are_enforced() {
    let (result, _) = load_file(
        "ingest:\n  max_body_bytes: 1KiB\nlocal_agent:\n  interval: 500ms\n  top_n: 51\n  display_name: \"\"\n",
    );
    let errors = result.expect_err("out of range");
    let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "ingest.max_body_bytes",
            "local_agent.interval",
            "local_agent.top_n",
            "local_agent.display_name"
        ]
    );
}

#[test]
fn structural_and_value_errors_are_reported_together() {
    let (result, _path) = load_file(
        "listen: nope\nstorage:\n  retention:\n    raw: 7x\n  checkpoint_intervl: 5s\ningest:\n  max_body_bytes: lots\nbogus: 1\n",
    );
    let errors = result.expect_err("invalid config");
    let mut paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
    paths.sort_unstable();
    assert_eq!(
        paths,
        [
            "bogus",
            "ingest.max_body_bytes",
            "listen",
            "storage.checkpoint_intervl",
            "storage.retention.raw"
        ],
        "{errors}"
    );
    let unknown = errors
        .find("storage.checkpoint_intervl")
        .expect("unknown key error");
    assert!(
        unknown
            .message
            .contains("did you mean \"checkpoint_interval\""),
        "{unknown}"
    );
    assert_eq!(unknown.position, at(5, 3), "{unknown}");
    let bogus = errors.find("bogus").expect("unknown top-level key");
    assert_eq!(bogus.position, at(8, 1), "{bogus}");
    let raw = errors.find("storage.retention.raw").expect("value error");
    assert_eq!(raw.position, at(4, 10), "{raw}");
}

#[test]
fn errors_under_list_items_have_their_line_and_column() {
    let (result, path) = load_file(
        "receivers:\n  - type: log\n    name: ops\nroutes:\n  - receivers: [ops]\n  - receivers: [ops]\n    match:\n      severity: urgent\n      hots: web-1\n    group_wait: soon\n",
    );
    let errors = result.expect_err("invalid routes");
    let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
    let file = path.display();
    for expected in [
        format!("{file}:8:17: routes[1].match.severity: "),
        format!("{file}:9:7: routes[1].match.hots: unknown key"),
        format!("{file}:10:17: routes[1].group_wait: "),
    ] {
        assert!(
            lines.iter().any(|l| l.starts_with(&expected)),
            "missing {expected:?} in {lines:#?}"
        );
    }
    assert_eq!(lines.len(), 3, "{lines:#?}");
}

#[test]
fn a_malformed_value_is_reported_once_and_the_rest_still_checked() {
    let (result, path) = load_file(
        "storage: [a, b]\nrules:\n  - name: ok\n    expr: up\n    hosts: {a: b}\nlisten: nowhere\nbogus: 1\n",
    );
    let errors = result.expect_err("invalid config");
    let found: Vec<(String, Option<Position>)> = errors
        .iter()
        .map(|e| (e.path.clone(), e.position))
        .collect();
    assert_eq!(
        found,
        [
            ("storage".to_owned(), at(1, 10)),
            ("rules[0].hosts".to_owned(), at(5, 12)),
            ("listen".to_owned(), at(6, 9)),
            ("bogus".to_owned(), at(7, 1)),
        ],
        "{errors}"
    );
    assert!(
        errors.0[0].message.contains("expected a mapping"),
        "{errors}"
    );
    assert!(errors.0[1].message.contains("expected a list"), "{errors}");
    assert!(
        errors
            .iter()
            .all(|e| e.file.as_deref() == Some(path.as_path()))
    );
}

#[test]
fn duplicate_keys_are_reported_at_the_second_one() {
    let (result, _) = load_file("listen: 127.0.0.1:1\nlisten: 127.0.0.1:2\n");
    let errors = result.expect_err("duplicate key");
    assert_eq!(errors.0[0].path, "listen");
    assert_eq!(errors.0[0].position, at(2, 1));
    assert!(errors.0[0].message.contains("duplicate key"), "{errors}");
}
