//! The SQLite-only settings under `storage.sqlite:`, and the old `storage.synchronous` key
//! that is refused with its new place.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed setup step should stop the test loudly"
)]

use std::path::PathBuf;

use hostpulse_config::{
    ConfigErrors, HubConfig, HubOverrides, Position, Synchronous, load_hub_config,
};

fn load(text: &str, env: &[(&str, &str)]) -> (Result<HubConfig, ConfigErrors>, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("hostpulse.yaml");
    std::fs::write(&path, text).expect("write config");
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect();
    let result = load_hub_config(Some(&path), &env, &HubOverrides::default());
    (result, path)
}

#[test]
fn sqlite_synchronous_is_read_from_the_file_and_the_environment() {
    let (config, _) = load("storage:\n  sqlite:\n    synchronous: NORMAL\n", &[]);
    let config = config.expect("valid file");
    assert_eq!(config.storage.sqlite.synchronous, Synchronous::Normal);
    assert_eq!(config.storage.sqlite.synchronous.as_pragma(), "NORMAL");

    let (config, _) = load(
        "storage:\n  sqlite:\n    synchronous: normal\n",
        &[("HOSTPULSE_STORAGE__SQLITE__SYNCHRONOUS", "full")],
    );
    let config = config.expect("valid file and variable");
    assert_eq!(config.storage.sqlite.synchronous, Synchronous::Full);
}

#[test]
fn an_invalid_sqlite_synchronous_is_reported_at_its_value() {
    let (result, path) = load("storage:\n  sqlite:\n    synchronous: off\n", &[]);
    let errors = result.expect_err("invalid mode");
    assert_eq!(errors.len(), 1, "{errors}");
    let error = errors
        .find("storage.sqlite.synchronous")
        .expect("error on the key");
    assert!(error.message.contains("use full or normal"), "{error}");
    assert_eq!(error.file.as_deref(), Some(path.as_path()));
    assert_eq!(
        error.position,
        Some(Position {
            line: 3,
            column: 18
        })
    );
}

#[test]
fn an_unknown_sqlite_key_is_reported_with_the_valid_keys() {
    let (result, _) = load("storage:\n  sqlite:\n    synchronus: full\n", &[]);
    let errors = result.expect_err("unknown key");
    let error = errors
        .find("storage.sqlite.synchronus")
        .expect("unknown key error");
    assert!(
        error.message.contains("did you mean \"synchronous\""),
        "{error}"
    );
    assert_eq!(error.position, Some(Position { line: 3, column: 5 }));
}

#[test]
fn the_old_storage_synchronous_names_its_new_place_with_file_and_line() {
    let (result, path) = load(
        "listen: 127.0.0.1:9810\nstorage:\n  checkpoint_interval: 30s\n  synchronous: normal\n",
        &[],
    );
    let errors = result.expect_err("moved key");
    assert_eq!(errors.len(), 1, "{errors}");
    let error = errors.find("storage.synchronous").expect("moved key error");
    assert!(
        error
            .message
            .contains("moved to storage.sqlite.synchronous"),
        "{error}"
    );
    assert_eq!(error.file.as_deref(), Some(path.as_path()));
    assert_eq!(error.position.map(|p| p.line), Some(4), "{error}");
    let line = error.to_string();
    assert!(
        line.starts_with(&format!(
            "{}:4:16: storage.synchronous: moved to storage.sqlite.synchronous",
            path.display()
        )),
        "{line}"
    );
}

#[test]
fn the_old_key_is_refused_whatever_its_value_and_beside_the_new_one() {
    let (result, _) = load(
        "storage:\n  synchronous:\n    mode: full\n  sqlite:\n    synchronous: full\n",
        &[],
    );
    let errors = result.expect_err("moved key");
    assert_eq!(errors.len(), 1, "{errors}");
    let error = errors.find("storage.synchronous").expect("moved key error");
    assert!(
        error.message.contains("storage.sqlite.synchronous"),
        "{error}"
    );
    assert_eq!(error.position.map(|p| p.line), Some(2), "{error}");
}

#[test]
fn the_old_environment_variable_names_the_new_key() {
    let (result, _) = load("", &[("HOSTPULSE_STORAGE__SYNCHRONOUS", "normal")]);
    let errors = result.expect_err("moved key");
    let error = errors.find("storage.synchronous").expect("moved key error");
    let line = error.to_string();
    assert!(
        line.contains("moved to storage.sqlite.synchronous")
            && line.contains("HOSTPULSE_STORAGE__SYNCHRONOUS"),
        "{line}"
    );
}
