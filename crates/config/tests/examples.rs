//! The example files at the repository root load, and state the built-in defaults.

use std::path::{Path, PathBuf};

use hostpulse_agent_config::{
    ActionsConfig, AgentConfig, AgentOverrides, CollectSettings, load_agent_config,
};
use hostpulse_config::{
    ConfigKind, HubConfig, HubOverrides, LogConfig, Secret, check_config_file, load_hub_config,
};

fn repo_file(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(name)
}

#[test]
fn hub_example_equals_defaults() {
    let path = repo_file("hostpulse.example.yaml");
    let config =
        load_hub_config(Some(&path), &[], &HubOverrides::default()).expect("example loads");
    assert_eq!(config, HubConfig::default());
    assert_eq!(check_config_file(&path).expect("check"), ConfigKind::Hub);
}

#[test]
fn agent_example_equals_defaults_plus_hub_and_token() {
    let path = repo_file("hostpulse-agent.example.yaml");
    let config =
        load_agent_config(Some(&path), &[], &AgentOverrides::default()).expect("example loads");
    let expected = AgentConfig {
        hub_url: "https://hub.example.com:9810".into(),
        token: Secret::new("replace-with-this-host-token"),
        collect: CollectSettings::default(),
        spool_dir: PathBuf::from("/var/lib/hostpulse-agent/spool"),
        spool_max_bytes: 100 << 20,
        timeout: std::time::Duration::from_secs(10),
        ca_file: None,
        insecure_skip_verify: false,
        log: LogConfig::default(),
        actions: ActionsConfig::default(),
    };
    assert_eq!(config, expected);
    assert_eq!(check_config_file(&path).expect("check"), ConfigKind::Agent);
}

#[test]
fn every_example_line_setting_a_key_follows_a_comment() {
    for name in ["hostpulse.example.yaml", "hostpulse-agent.example.yaml"] {
        let text = std::fs::read_to_string(repo_file(name)).expect("read example");
        let mut previous = "";
        for line in text.lines().filter(|line| !line.trim().is_empty()) {
            let trimmed = line.trim_start();
            let is_key = !trimmed.starts_with('#') && trimmed.contains(':');
            let is_section = is_key && trimmed.ends_with(':');
            if is_key && !is_section {
                assert!(
                    previous.trim_start().starts_with('#'),
                    "{name}: {line} has no comment"
                );
            }
            previous = line;
        }
    }
}
