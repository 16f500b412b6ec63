//! The `hostpulse` command line against a running hub: agent registration, revocation and
//! authentication failures; `config check` on bad and shipped files.

mod common;

use common::{Hub, Mode, ingest_body, now_ms, repo_root, run_cli, text};
use hostpulse_core::Sample;

fn push(hub: &Hub, token: &str, seq: u64) -> common::Reply {
    let body = ingest_body(seq, now_ms(), vec![Sample::new("load.1", 0.25)]);
    hub.post("/api/v1/ingest", Some(token), &body, true)
}

#[test]
fn cli_agents_lifecycle() {
    let hub = Hub::start(Mode::Hub);

    let added = hub.cli(&["agents", "add", "web-1"]);
    assert!(added.status.success(), "{}", text(&added.stderr));
    let stdout = text(&added.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "only the token on stdout: {stdout:?}");
    let token = lines[0].to_string();
    assert!(token.starts_with("hpa_"), "agent token prefix");

    let listed = hub.cli(&["agents", "list"]);
    assert!(listed.status.success(), "{}", text(&listed.stderr));
    let row = text(&listed.stdout);
    let row = row
        .lines()
        .find(|l| l.starts_with("web-1 "))
        .unwrap_or_default();
    assert!(row.contains("active"), "{}", text(&listed.stdout));

    let accepted = push(&hub, &token, 1);
    assert_eq!(accepted.status, 200, "{}", accepted.json);
    assert_eq!(accepted.json["duplicate"], false);
    assert_eq!(accepted.json["samples"], 1);

    let revoked = hub.cli(&["agents", "revoke", "web-1"]);
    assert!(revoked.status.success(), "{}", text(&revoked.stderr));
    let refused = push(&hub, &token, 2);
    assert_eq!(refused.status, 401, "{}", refused.json);
    assert_eq!(refused.json["error"], "unauthorized");
    let listed = text(&hub.cli(&["agents", "list"]).stdout);
    let row = listed
        .lines()
        .find(|l| l.starts_with("web-1 "))
        .unwrap_or_default();
    assert!(row.contains("revoked"), "{listed}");

    let again = hub.cli(&["agents", "add", "web-1"]);
    assert!(!again.status.success(), "adding a taken name must fail");
    assert!(text(&again.stdout).trim().is_empty(), "no token printed");
    let message = text(&again.stderr);
    assert!(
        message.contains("409") && message.contains("already exists"),
        "{message}"
    );

    let wrong = hub.cli(&["agents", "list", "--token", "hpt_not-a-real-token"]);
    assert!(!wrong.status.success(), "a wrong token must fail");
    assert!(
        text(&wrong.stderr).contains("401"),
        "{}",
        text(&wrong.stderr)
    );
}

#[test]
fn config_check_reports_every_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hub.yaml");
    let yaml = "\
listen: not-an-address
storage:
  checkpoint_interval: 5 parsecs
ingest:
  max_body_bytez: 8MiB
";
    std::fs::write(&file, yaml).unwrap();
    let out = run_cli(&["config", "check", file.to_str().unwrap()]);
    assert!(!out.status.success(), "a broken file must fail the check");
    let stderr = text(&out.stderr);
    for key in [
        "listen:",
        "storage.checkpoint_interval:",
        "ingest.max_body_bytez:",
    ] {
        assert!(stderr.contains(key), "{key} missing from:\n{stderr}");
    }

    for shipped in ["hostpulse.example.yaml", "hostpulse-agent.example.yaml"] {
        let path = repo_root().join(shipped);
        let out = run_cli(&["config", "check", path.to_str().unwrap()]);
        assert!(
            out.status.success(),
            "{shipped}: {}{}",
            text(&out.stdout),
            text(&out.stderr)
        );
    }
}
