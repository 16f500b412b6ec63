//! End-to-end harness: real `hostpulse` and `hostpulse-agent` processes on temporary
//! directories, a small HTTP client, and bounded polling.

#![allow(dead_code)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed setup step should stop the test loudly"
)]

use serde_json::Value;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::OnceLock;
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// How long a hub or agent may take to come up.
pub const START_TIMEOUT: Duration = Duration::from_secs(60);
/// Poll period of every wait loop.
pub const POLL: Duration = Duration::from_millis(100);

/// Path of the `hostpulse` binary under test.
pub fn hostpulse_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_hostpulse"))
}

/// Path of the `hostpulse-agent` binary next to `hostpulse`, built once if missing.
pub fn agent_bin() -> PathBuf {
    static AGENT: OnceLock<PathBuf> = OnceLock::new();
    AGENT
        .get_or_init(|| {
            let path = hostpulse_bin().with_file_name("hostpulse-agent");
            if !path.exists() {
                build_agent();
            }
            assert!(path.exists(), "no agent binary at {}", path.display());
            path
        })
        .clone()
}

fn build_agent() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "-p", "hostpulse-agent", "--bin", "hostpulse-agent"])
        .current_dir(repo_root())
        .status()
        .expect("run cargo build for the agent");
    assert!(status.success(), "building hostpulse-agent failed");
}

/// The workspace root (holds the example configuration files).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A command with every `HOSTPULSE_*` and `RUST_LOG` variable removed from its environment.
pub fn clean_command(program: &Path) -> Command {
    let mut cmd = Command::new(program);
    for (key, _) in std::env::vars() {
        if key.starts_with("HOSTPULSE_") || key == "RUST_LOG" {
            cmd.env_remove(key);
        }
    }
    cmd.stdin(Stdio::null());
    cmd
}

/// Runs `hostpulse ARGS` to completion.
pub fn run_cli(args: &[&str]) -> Output {
    clean_command(&hostpulse_bin())
        .args(args)
        .output()
        .expect("run hostpulse")
}

/// Text of an output stream.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Current Unix time in milliseconds.
pub fn now_ms() -> i64 {
    let since = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    i64::try_from(since.as_millis()).unwrap()
}

/// Calls `probe` every [`POLL`] until it yields a value; panics after `timeout`.
pub fn wait_for<T>(what: &str, timeout: Duration, mut probe: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(value) = probe() {
            return value;
        }
        assert!(
            start.elapsed() < timeout,
            "timed out after {timeout:?} waiting for {what}"
        );
        thread::sleep(POLL);
    }
}

/// Waits (bounded) for a child to exit.
pub fn wait_exit(child: &mut Child, timeout: Duration) -> Option<ExitStatus> {
    let start = Instant::now();
    while start.elapsed() < timeout {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return Some(status);
        }
        thread::sleep(POLL);
    }
    None
}

/// Sends `signal` to a child this test started.
pub fn signal(child: &Child, signal: libc::c_int) {
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    // SAFETY: kill(2) on the pid of a live child of this process.
    let rc = unsafe { libc::kill(pid, signal) };
    assert_eq!(rc, 0, "kill({pid}, {signal}) failed");
}

/// Kills and reaps a child; nothing is left behind.
pub fn kill_and_reap(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// One HTTP answer: status and JSON body (`Null` when not JSON).
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub json: Value,
}

fn http() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

fn reply(result: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Option<Reply> {
    let mut resp = result.ok()?;
    let status = resp.status().as_u16();
    let body = resp
        .body_mut()
        .with_config()
        .limit(64 << 20)
        .read_to_vec()
        .ok()?;
    let json = serde_json::from_slice(&body).unwrap_or(Value::Null);
    Some(Reply { status, json })
}

/// GET `url` with an optional bearer token; `None` when the hub cannot be reached.
pub fn try_get(url: &str, token: Option<&str>) -> Option<Reply> {
    let mut req = http().get(url);
    if let Some(token) = token {
        req = req.header("Authorization", &format!("Bearer {token}"));
    }
    reply(req.call())
}

/// POST raw bytes to `url`; `None` when the hub cannot be reached.
pub fn try_post(url: &str, token: Option<&str>, body: &[u8], gzip: bool) -> Option<Reply> {
    let mut req = http().post(url).header("Content-Type", "application/json");
    if gzip {
        req = req.header("Content-Encoding", "gzip");
    }
    if let Some(token) = token {
        req = req.header("Authorization", &format!("Bearer {token}"));
    }
    reply(req.send(body))
}

/// Percent-encodes a query value.
pub fn encode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Number of spooled batch files in an agent spool directory.
pub fn spooled_batches(dir: &Path) -> usize {
    let Ok(listing) = std::fs::read_dir(dir) else {
        return 0;
    };
    listing
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".batch"))
        .count()
}

/// An output file for a child's stdout or stderr.
fn log_file(path: &Path) -> File {
    File::create(path).expect("create log file")
}

mod agent;
mod hub;
pub mod old_hub;
mod query;
pub mod sink;

#[allow(unused_imports)]
pub use agent::AgentProc;
#[allow(unused_imports)]
pub use hub::{Hub, Mode};
#[allow(unused_imports)]
pub use query::{Point, ingest_body, ingest_body_as, latest_value, range_points, test_batch};
