//! Hub configuration loading: defaults, layering, error reporting.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed setup step should stop the test loudly"
)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use hostpulse_config::{
    ConfigErrors, HubConfig, HubOverrides, LogFormat, Synchronous, load_hub_config,
};

const DAY: Duration = Duration::from_secs(86_400);

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
fn every_default() {
    let config = load_hub_config(None, &[], &HubOverrides::default()).expect("defaults");
    assert_eq!(
        config.listen,
        "127.0.0.1:9810".parse::<SocketAddr>().expect("addr")
    );
    assert_eq!(config.data_dir, Path::new("./hostpulse-data"));
    assert_eq!(config.external_url, None);
    assert_eq!(config.storage.sqlite.synchronous, Synchronous::Full);
    assert_eq!(config.storage.sqlite.synchronous.as_pragma(), "FULL");
    assert_eq!(config.storage.checkpoint_interval, Duration::from_secs(60));
    assert_eq!(config.storage.retention.raw, 7 * DAY);
    assert_eq!(config.storage.retention.minute, 90 * DAY);
    assert_eq!(config.storage.retention.hour, 730 * DAY);
    assert_eq!(config.ingest.max_body_bytes, 4 * 1024 * 1024);
    assert_eq!(config.ingest.max_series_per_batch, 10_000);
    assert_eq!(config.ingest.max_series_per_host, 20_000);
    assert_eq!(config.ingest.max_sample_age, 14 * DAY);
    assert_eq!(config.ingest.max_future, Duration::from_secs(300));
    assert!(config.local_agent.enabled);
    assert_eq!(config.local_agent.name, None);
    let collect = &config.local_agent.collect;
    assert_eq!(collect.interval, Duration::from_secs(5));
    assert_eq!(collect.display_name, None);
    assert_eq!(collect.process_interval, Duration::from_secs(15));
    assert_eq!(collect.users_interval, Duration::from_secs(30));
    assert_eq!(collect.top_n, 5);
    assert_eq!(collect.paths.proc, Path::new("/proc"));
    assert_eq!(collect.paths.sys, Path::new("/sys"));
    assert_eq!(collect.paths.rootfs, Path::new("/"));
    assert_eq!(collect.paths.utmp, Path::new("/var/run/utmp"));
    assert_eq!(config.log.format, LogFormat::Text);
    assert_eq!(config.log.level, "info");
    assert_eq!(config, HubConfig::default());
}

#[test]
fn file_values_are_read() {
    let (config, _) = load_file(
        "listen: 0.0.0.0:9000\nexternal_url: https://hub.example.com/\nstorage:\n  sqlite:\n    synchronous: normal\n  retention:\n    raw: 2d\nlocal_agent:\n  enabled: false\n  name: hub-01\n  top_n: 10\n  paths:\n    proc: /host/proc\nlog:\n  level: info,hostpulse_store=debug\n",
    );
    let config = config.expect("valid file");
    assert_eq!(config.listen.port(), 9000);
    assert_eq!(
        config.external_url.as_deref(),
        Some("https://hub.example.com")
    );
    assert_eq!(config.storage.sqlite.synchronous, Synchronous::Normal);
    assert_eq!(config.storage.retention.raw, 2 * DAY);
    assert_eq!(config.storage.retention.minute, 90 * DAY);
    assert!(!config.local_agent.enabled);
    assert_eq!(config.local_agent.name.as_deref(), Some("hub-01"));
    assert_eq!(config.local_agent.collect.top_n, 10);
    assert_eq!(
        config.local_agent.collect.paths.proc,
        Path::new("/host/proc")
    );
    assert_eq!(config.local_agent.collect.paths.sys, Path::new("/sys"));
    assert_eq!(config.log.level, "info,hostpulse_store=debug");
}

#[test]
fn file_then_env_then_flags() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_file(
        &dir,
        "listen: 127.0.0.1:1111\ndata_dir: /file\nlog:\n  format: json\n  level: warn\nstorage:\n  retention:\n    raw: 1d\n",
    );
    let file_only = load_hub_config(Some(&path), &[], &HubOverrides::default()).expect("file");
    assert_eq!(file_only.listen.port(), 1111);
    assert_eq!(file_only.log.format, LogFormat::Json);

    let vars = env(&[
        ("HOSTPULSE_LISTEN", "127.0.0.1:2222"),
        ("HOSTPULSE_DATA_DIR", "/env"),
        ("HOSTPULSE_LOG_FORMAT", "text"),
        ("HOSTPULSE_LOG_LEVEL", "debug"),
        ("HOSTPULSE_STORAGE__RETENTION__RAW", "14d"),
    ]);
    let with_env = load_hub_config(Some(&path), &vars, &HubOverrides::default()).expect("env");
    assert_eq!(with_env.listen.port(), 2222);
    assert_eq!(with_env.data_dir, Path::new("/env"));
    assert_eq!(with_env.log.format, LogFormat::Text);
    assert_eq!(with_env.log.level, "debug");
    assert_eq!(with_env.storage.retention.raw, 14 * DAY);

    let flags = HubOverrides {
        listen: Some("127.0.0.1:3333".into()),
        data_dir: Some(PathBuf::from("/flag")),
        log_format: Some("json".into()),
    };
    let with_flags = load_hub_config(Some(&path), &vars, &flags).expect("flags");
    assert_eq!(with_flags.listen.port(), 3333);
    assert_eq!(with_flags.data_dir, Path::new("/flag"));
    assert_eq!(with_flags.log.format, LogFormat::Json);
    assert_eq!(with_flags.log.level, "debug");
}

#[test]
fn env_without_file_and_client_variables_are_ignored() {
    let vars = env(&[
        ("HOSTPULSE_HUB", "https://hub.example.com"),
        ("HOSTPULSE_TOKEN", "client-token"),
        ("HOSTPULSE_CONFIG", "/etc/hostpulse.yaml"),
        ("HOSTPULSE_LOCAL_AGENT__ENABLED", "false"),
        ("HOSTPULSE_LOCAL_AGENT__PATHS__PROC", "/host/proc"),
        ("HOSTPULSE_INGEST__MAX_BODY_BYTES", "1MiB"),
        ("HOSTPULSE_LISTEN", ""),
        ("PATH", "/usr/bin"),
    ]);
    let config = load_hub_config(None, &vars, &HubOverrides::default()).expect("valid env");
    assert!(!config.local_agent.enabled);
    assert_eq!(
        config.local_agent.collect.paths.proc,
        Path::new("/host/proc")
    );
    assert_eq!(config.ingest.max_body_bytes, 1 << 20);
    assert_eq!(config.listen, HubConfig::default().listen);
}

#[test]
fn empty_file_means_defaults() {
    let (result, _) = load_file("# nothing set\n");
    assert_eq!(result.expect("empty file"), HubConfig::default());
}

#[test]
fn numbers_and_units_are_both_accepted() {
    let (result, _) = load_file(
        "storage:\n  checkpoint_interval: 90\ningest:\n  max_body_bytes: 1048576\n  max_series_per_host: 50_000\n",
    );
    let config = result.expect("numbers");
    assert_eq!(config.storage.checkpoint_interval, Duration::from_secs(90));
    assert_eq!(config.ingest.max_body_bytes, 1 << 20);
    assert_eq!(config.ingest.max_series_per_host, 50_000);
}

#[test]
fn local_agent_families_are_validated_like_the_agents() {
    let (config, _) = load_file("local_agent:\n  families:\n    users: false\n");
    let families = config.expect("valid").local_agent.collect.families;
    assert!(!families.contains(&"users") && families.contains(&"processes"));
    let (errors, path) = load_file("local_agent:\n  families:\n    tcpp: false\n");
    let errors = errors.expect_err("unknown family");
    assert_eq!(errors.0[0].path, "local_agent.families.tcpp");
    assert_eq!(errors.0[0].file.as_deref(), Some(path.as_path()));
    assert_eq!(errors.0[0].position.map(|p| p.line), Some(3));
    assert!(
        errors.0[0].message.contains("did you mean \"tcp\""),
        "{errors}"
    );
}
