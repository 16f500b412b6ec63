//! The `hostpulse-agent` binary: `--once`, pushing with a token file, SIGTERM, bad config.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed setup step should stop the test loudly"
)]

mod common;

use common::TestHub;
use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

const TOKEN: &str = "binary-test-token-7f3a";

fn agent() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hostpulse-agent"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

fn spooled(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|d| {
            d.filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .ends_with(".batch")
            })
            .count()
        })
        .unwrap_or(0)
}

/// Sends SIGTERM and waits (bounded) for the exit; returns the status and stderr.
fn terminate(child: &mut Child) -> (ExitStatus, String) {
    // SAFETY: plain kill(2) on the pid of a child this test started.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "agent ignored SIGTERM"
        );
        thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    (status, stderr)
}

#[test]
fn once_prints_one_frame_as_json() {
    let output = agent().arg("--once").output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let frame: hostpulse_proto::Frame = serde_json::from_slice(&output.stdout).unwrap();
    assert!(frame.ts_ms > 1_600_000_000_000);
    assert!(frame.samples.iter().any(|s| s.name.starts_with("cpu.")));
}

#[test]
fn invalid_configuration_exits_2() {
    let output = agent().args(["--hub", "not-a-url"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("hub"));
}

#[test]
fn pushes_with_a_token_file_and_never_logs_the_token() {
    let hub = TestHub::start(0);
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, format!("{TOKEN}\n")).unwrap();
    let mut child = agent()
        .args([
            "--hub",
            &hub.url(),
            "--interval",
            "1s",
            "--log-format",
            "json",
        ])
        .arg("--token-file")
        .arg(&token_file)
        .arg("--spool-dir")
        .arg(dir.path().join("spool"))
        .env("HOSTPULSE_LOG_LEVEL", "debug")
        .spawn()
        .unwrap();
    hub.wait_for("2 batches", Duration::from_secs(20), |r| r.len() >= 2);
    let (status, logs) = terminate(&mut child);
    assert!(status.success());
    let received = hub.received();
    assert_eq!(
        received[0].authorization.as_deref(),
        Some(&*format!("Bearer {TOKEN}"))
    );
    let facts = received[0]
        .batch
        .facts
        .as_ref()
        .expect("first batch carries facts");
    assert!(!facts.hostname.is_empty());
    assert_eq!(received[0].batch.agent.interval_ms, 1000);
    assert!(logs.contains("hostpulse agent started"), "{logs}");
    assert!(!logs.contains(TOKEN), "the token must never be logged");
}

#[test]
fn sigterm_keeps_unsent_batches_in_the_spool() {
    let closed_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let mut child = agent()
        .args([
            "--hub",
            &format!("http://127.0.0.1:{closed_port}"),
            "--interval",
            "1s",
        ])
        .args(["--token", TOKEN, "--spool-dir"])
        .arg(dir.path())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while spooled(dir.path()) < 2 {
        assert!(start.elapsed() < Duration::from_secs(20), "nothing spooled");
        thread::sleep(Duration::from_millis(50));
    }
    let (status, logs) = terminate(&mut child);
    assert!(status.success(), "clean shutdown exits 0: {logs}");
    assert!(spooled(dir.path()) >= 2);
    assert!(dir.path().join("instance").exists());
    assert!(logs.contains("agent stopped"), "{logs}");
    assert!(!logs.contains(TOKEN));
}
