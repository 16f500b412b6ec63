//! Agent configuration loading: required keys, secrets, layering.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed setup step should stop the test loudly"
)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use hostpulse_agent_config::{
    ActionsConfig, AgentConfig, AgentOverrides, CollectSettings, load_agent_config,
};
use hostpulse_config_core::{ConfigErrors, LogConfig, LogFormat, Secret};

const TOKEN: &str = "s3cr3t-token-value";

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect()
}

fn load_text(dir: &tempfile::TempDir, text: &str) -> Result<AgentConfig, ConfigErrors> {
    let path = dir.path().join("agent.yaml");
    std::fs::write(&path, text).expect("write config");
    load_agent_config(Some(&path), &[], &AgentOverrides::default())
}

fn minimal_env() -> Vec<(String, String)> {
    env(&[
        ("HOSTPULSE_HUB", "https://hub.example.com:9810"),
        ("HOSTPULSE_TOKEN", TOKEN),
    ])
}

#[test]
fn every_default() {
    let config = load_agent_config(None, &minimal_env(), &AgentOverrides::default())
        .expect("hub and token are enough");
    let expected = AgentConfig {
        hub_url: "https://hub.example.com:9810".into(),
        token: Secret::new(TOKEN),
        collect: CollectSettings::default(),
        spool_dir: PathBuf::from("/var/lib/hostpulse-agent/spool"),
        spool_max_bytes: 100 * 1024 * 1024,
        timeout: Duration::from_secs(10),
        ca_file: None,
        insecure_skip_verify: false,
        log: LogConfig::default(),
        actions: ActionsConfig::default(),
    };
    assert_eq!(config, expected);
    assert_eq!(config.collect.interval, Duration::from_secs(5));
    assert_eq!(config.collect.top_n, 5);
    assert_eq!(config.log.level, "info");
}

#[test]
fn hub_and_token_are_required() {
    let errors = load_agent_config(None, &[], &AgentOverrides::default()).expect_err("empty");
    let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(paths, ["hub", "token"]);
    assert!(errors.0[0].message.contains("HOSTPULSE_HUB"), "{errors}");
}

#[test]
fn file_then_env_then_flags() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("agent.yaml");
    std::fs::write(
        &path,
        "hub: https://file.example.com\ntoken: file-token\ninterval: 10s\nspool_dir: /file\ndisplay_name: From file\nlog:\n  format: json\n",
    )
    .expect("write");
    let file_only = load_agent_config(Some(&path), &[], &AgentOverrides::default()).expect("file");
    assert_eq!(file_only.hub_url, "https://file.example.com");
    assert_eq!(file_only.collect.interval, Duration::from_secs(10));

    let vars = env(&[
        ("HOSTPULSE_HUB", "https://env.example.com"),
        ("HOSTPULSE_TOKEN", "env-token"),
        ("HOSTPULSE_INTERVAL", "20s"),
        ("HOSTPULSE_SPOOL_DIR", "/env"),
        ("HOSTPULSE_PATHS__PROC", "/host/proc"),
        ("HOSTPULSE_LISTEN", "0.0.0.0:1"),
    ]);
    let with_env = load_agent_config(Some(&path), &vars, &AgentOverrides::default()).expect("env");
    assert_eq!(with_env.hub_url, "https://env.example.com");
    assert_eq!(with_env.token.expose(), "env-token");
    assert_eq!(with_env.collect.interval, Duration::from_secs(20));
    assert_eq!(with_env.spool_dir, Path::new("/env"));
    assert_eq!(with_env.collect.paths.proc, Path::new("/host/proc"));
    assert_eq!(with_env.collect.display_name.as_deref(), Some("From file"));

    let flags = AgentOverrides {
        hub: Some("http://flag.example.com".into()),
        token: Some("flag-token".into()),
        interval: Some("30s".into()),
        spool_dir: Some(PathBuf::from("/flag")),
        display_name: Some("From flag".into()),
        log_format: Some("text".into()),
    };
    let with_flags = load_agent_config(Some(&path), &vars, &flags).expect("flags");
    assert_eq!(with_flags.hub_url, "http://flag.example.com");
    assert_eq!(with_flags.token.expose(), "flag-token");
    assert_eq!(with_flags.collect.interval, Duration::from_secs(30));
    assert_eq!(with_flags.spool_dir, Path::new("/flag"));
    assert_eq!(
        with_flags.collect.display_name.as_deref(),
        Some("From flag")
    );
    assert_eq!(with_flags.log.format, LogFormat::Text);
}

#[test]
fn token_file_is_read_and_trimmed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let token_path = dir.path().join("agent.token");
    std::fs::write(&token_path, format!("{TOKEN}\n")).expect("write token");
    let config = load_text(
        &dir,
        &format!(
            "hub: https://hub.example.com\ntoken_file: {}\n",
            token_path.display()
        ),
    )
    .expect("token file");
    assert_eq!(config.token.expose(), TOKEN);
}

#[test]
fn token_and_token_file_together_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let token_path = dir.path().join("agent.token");
    std::fs::write(&token_path, TOKEN).expect("write token");
    let errors = load_text(
        &dir,
        &format!(
            "hub: https://hub.example.com\ntoken: {TOKEN}\ntoken_file: {}\n",
            token_path.display()
        ),
    )
    .expect_err("both set");
    assert_eq!(errors.len(), 1);
    assert_eq!(errors.0[0].path, "token");
    assert!(errors.0[0].message.contains("not both"), "{errors}");
    assert!(!errors.to_string().contains(TOKEN));
}

#[test]
fn env_token_replaces_file_token_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("agent.yaml");
    std::fs::write(
        &path,
        "hub: https://hub.example.com\ntoken_file: /nonexistent/token\n",
    )
    .expect("write");
    let vars = env(&[("HOSTPULSE_TOKEN", "env-token")]);
    let config = load_agent_config(Some(&path), &vars, &AgentOverrides::default())
        .expect("env token wins over the file's token_file");
    assert_eq!(config.token.expose(), "env-token");
}

#[test]
fn unreadable_token_file_names_path_not_content() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("missing.token");
    let errors = load_text(
        &dir,
        &format!(
            "hub: https://hub.example.com\ntoken_file: {}\n",
            missing.display()
        ),
    )
    .expect_err("unreadable");
    assert_eq!(errors.len(), 1);
    assert_eq!(errors.0[0].path, "token_file");
    assert!(errors.0[0].message.contains("missing.token"), "{errors}");
}

#[test]
fn secret_never_shows() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = load_text(
        &dir,
        &format!("hub: https://hub.example.com\ntoken: {TOKEN}\n"),
    )
    .expect("valid");
    assert!(!format!("{config:?}").contains(TOKEN));
    assert!(format!("{:?}", config.token).contains("<redacted>"));
    assert!(!config.token.to_string().contains(TOKEN));

    let overrides = AgentOverrides {
        token: Some(TOKEN.into()),
        ..AgentOverrides::default()
    };
    assert!(!format!("{overrides:?}").contains(TOKEN));

    let errors = load_text(
        &dir,
        &format!("hub: not a url\ntoken: {TOKEN}\ninterval: never\nbogus_key: 1\n"),
    )
    .expect_err("invalid");
    assert!(!errors.to_string().contains(TOKEN));
    assert!(!format!("{errors:?}").contains(TOKEN));

    let errors = load_text(
        &dir,
        &format!("hub: https://hub\ntoken: {TOKEN}\ninterval: never\n"),
    )
    .expect_err("invalid");
    assert!(!errors.to_string().contains(TOKEN), "{errors}");
}

#[test]
fn several_agent_errors_at_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let errors = load_text(
        &dir,
        "hub: ftp://hub\ntoken: t\ninterval: 0s\ntop_n: 0\nspool_max_bytes: 10 potatoes\ntimeout: soon\ninsecure_skip_verify: maybe\nca_file: /nonexistent/ca.pem\n",
    )
    .expect_err("invalid");
    let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "hub",
            "interval",
            "top_n",
            "spool_max_bytes",
            "timeout",
            "insecure_skip_verify",
            "ca_file"
        ]
    );
}

#[test]
fn hub_url_is_normalised_and_numbers_are_text_tokens() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = load_text(&dir, "hub: http://10.0.0.5:9810/\ntoken: 123456\n").expect("valid");
    assert_eq!(config.hub_url, "http://10.0.0.5:9810");
    assert_eq!(config.token.expose(), "123456");
}

#[test]
fn ca_file_must_be_readable_when_set() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, "-----BEGIN CERTIFICATE-----\n").expect("write ca");
    let config = load_text(
        &dir,
        &format!(
            "hub: https://hub\ntoken: t\nca_file: {}\ninsecure_skip_verify: true\n",
            ca.display()
        ),
    )
    .expect("valid");
    assert_eq!(config.ca_file.as_deref(), Some(ca.as_path()));
    assert!(config.insecure_skip_verify);
}

#[test]
fn token_and_token_file_in_the_environment_together_is_an_error() {
    let vars = env(&[
        ("HOSTPULSE_HUB", "https://hub.example.com"),
        ("HOSTPULSE_TOKEN", TOKEN),
        ("HOSTPULSE_TOKEN_FILE", "/etc/hostpulse/agent.token"),
    ]);
    let errors = load_agent_config(None, &vars, &AgentOverrides::default()).expect_err("both");
    assert_eq!(errors.len(), 1);
    assert_eq!(errors.0[0].path, "token");
    assert!(errors.0[0].message.contains("not both"), "{errors}");
    assert!(!errors.to_string().contains(TOKEN));
}

#[test]
fn token_flag_replaces_env_token_file() {
    let vars = env(&[
        ("HOSTPULSE_HUB", "https://hub.example.com"),
        ("HOSTPULSE_TOKEN_FILE", "/nonexistent/token"),
    ]);
    let flags = AgentOverrides {
        token: Some("flag-token".into()),
        ..AgentOverrides::default()
    };
    let config = load_agent_config(None, &vars, &flags).expect("flag wins");
    assert_eq!(config.token.expose(), "flag-token");
}

#[test]
fn families_turn_collector_families_off() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = load_text(
        &dir,
        "hub: https://hub\ntoken: t\nfamilies:\n  users: false\n  processes: off\n  tcp: true\n",
    )
    .expect("valid");
    assert_eq!(
        config.collect.families,
        [
            "cpu",
            "load",
            "memory",
            "disk",
            "diskio",
            "net",
            "tcp",
            "system",
            "containers"
        ]
    );
    let defaults = load_text(&dir, "hub: https://hub\ntoken: t\n").expect("valid");
    assert_eq!(
        defaults.collect.families,
        hostpulse_core::COLLECTOR_FAMILIES
    );

    let mut vars = minimal_env();
    vars.push(("HOSTPULSE_FAMILIES__DISKIO".into(), "false".into()));
    let from_env = load_agent_config(None, &vars, &AgentOverrides::default()).expect("env");
    assert!(!from_env.collect.families.contains(&"diskio"));
    assert_eq!(from_env.collect.families.len(), 10);
}

#[test]
fn unknown_families_are_errors_with_their_line_and_a_suggestion() {
    let dir = tempfile::tempdir().expect("tempdir");
    let errors = load_text(
        &dir,
        "hub: https://hub\ntoken: t\ntop_n: 0\nfamilies:\n  users: false\n  proceses: false\n  tcp: maybe\n  kubernetes: true\n",
    )
    .expect_err("invalid");
    let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "top_n",
            "families.proceses",
            "families.tcp",
            "families.kubernetes"
        ],
        "{errors}"
    );
    let typo = &errors.0[1];
    assert_eq!(typo.position.map(|p| p.line), Some(6));
    assert!(
        typo.file
            .as_ref()
            .is_some_and(|f| f.ends_with("agent.yaml")),
        "{typo}"
    );
    assert!(
        typo.message.contains("(did you mean \"processes\"?)"),
        "{typo}"
    );
    assert!(typo.message.contains("families: cpu, load,"), "{typo}");
    assert!(errors.0[2].message.contains("not a boolean"), "{errors}");
    assert!(!errors.0[3].message.contains("did you mean"), "{errors}");

    let mut vars = minimal_env();
    vars.push(("HOSTPULSE_FAMILIES__USER".into(), "false".into()));
    let errors = load_agent_config(None, &vars, &AgentOverrides::default()).expect_err("env");
    assert_eq!(errors.0[0].path, "families.user");
    assert!(
        errors.0[0].message.contains("did you mean \"users\"")
            && errors.0[0]
                .message
                .contains("set by HOSTPULSE_FAMILIES__USER"),
        "{errors}"
    );
}

#[test]
fn containers_section_sets_endpoint_and_stats_interval() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = "hub: https://hub\ntoken: t\ncontainers:\n  endpoint: unix:///run/podman/podman.sock\n  stats_interval: 3s\n";
    let config = load_text(&dir, text).expect("valid");
    let c = &config.collect.containers;
    assert_eq!(
        c.endpoint.as_deref(),
        Some("unix:///run/podman/podman.sock")
    );
    assert_eq!(c.stats_interval, std::time::Duration::from_secs(3));
    let defaults = load_text(&dir, "hub: https://hub\ntoken: t\n").expect("valid");
    assert_eq!(defaults.collect.containers.endpoint, None);
    assert_eq!(defaults.collect.containers.stats_interval.as_secs(), 10);
}

#[test]
fn a_bad_container_endpoint_is_an_error_with_its_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = "hub: https://hub\ntoken: t\ncontainers:\n  endpoint: https://docker:2376\n  stats_interval: 0s\n  sockets: 2\n";
    let errors = load_text(&dir, text).expect_err("invalid");
    let shown = errors.to_string();
    assert!(shown.contains("agent.yaml:4:"), "{shown}");
    assert!(shown.contains("containers.endpoint"), "{shown}");
    assert!(shown.contains("TLS is not supported"), "{shown}");
    let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
    assert!(paths.contains(&"containers.endpoint"), "{shown}");
    let unknown = load_text(
        &dir,
        "hub: https://hub\ntoken: t\ncontainers:\n  sockets: 2\n",
    )
    .expect_err("unknown key");
    assert!(unknown.to_string().contains("sockets"), "{unknown}");
    let short = load_text(
        &dir,
        "hub: https://hub\ntoken: t\ncontainers:\n  stats_interval: 0s\n",
    )
    .expect_err("too short");
    assert!(short.to_string().contains("agent.yaml:4:"), "{short}");
}
