//! A `hostpulse-agent` child process pushing to a hub every second, killed on drop.

use super::{
    agent_bin, clean_command, kill_and_reap, log_file, signal, spooled_batches, wait_exit,
};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ExitStatus};
use std::time::Duration;

/// A running agent with its own spool directory.
pub struct AgentProc {
    dir: tempfile::TempDir,
    spool_dir: PathBuf,
    child: Option<Child>,
}

impl AgentProc {
    /// Starts `hostpulse-agent --hub URL --token-file F --interval 1s --spool-dir DIR`.
    pub fn start(hub_url: &str, token: &str) -> AgentProc {
        let dir = tempfile::tempdir().expect("tempdir");
        let spool_dir = dir.path().join("spool");
        AgentProc::spawn(dir, hub_url, token, &spool_dir)
    }

    /// Like [`AgentProc::start`], on another agent's spool directory.
    pub fn start_on_spool(hub_url: &str, token: &str, spool_dir: &Path) -> AgentProc {
        let dir = tempfile::tempdir().expect("tempdir");
        AgentProc::spawn(dir, hub_url, token, spool_dir)
    }

    fn spawn(dir: tempfile::TempDir, hub_url: &str, token: &str, spool_dir: &Path) -> AgentProc {
        let token_file = dir.path().join("agent.token");
        std::fs::write(&token_file, format!("{token}\n")).unwrap();
        std::fs::set_permissions(&token_file, std::fs::Permissions::from_mode(0o600)).unwrap();
        let child = clean_command(&agent_bin())
            .args(["--hub", hub_url, "--interval", "1s", "--log-format", "json"])
            .arg("--token-file")
            .arg(&token_file)
            .arg("--spool-dir")
            .arg(spool_dir)
            .env("HOSTPULSE_LOG_LEVEL", "info,hostpulse_agent=debug")
            .stdout(log_file(&dir.path().join("agent.out")))
            .stderr(log_file(&dir.path().join("agent.err")))
            .spawn()
            .expect("spawn hostpulse-agent");
        AgentProc {
            dir,
            spool_dir: spool_dir.to_path_buf(),
            child: Some(child),
        }
    }

    /// The agent's spool directory.
    pub fn spool_dir(&self) -> PathBuf {
        self.spool_dir.clone()
    }

    /// The agent's process id.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("agent not running").id()
    }

    /// The instance id and run id the agent recorded in its spool directory.
    pub fn instance(&self) -> (String, String) {
        let text = std::fs::read_to_string(self.spool_dir.join("instance")).expect("instance file");
        let state: serde_json::Value = serde_json::from_str(&text).expect("instance JSON");
        let field = |key: &str| state[key].as_str().expect(key).to_string();
        (field("instance_id"), field("run_id"))
    }

    /// Waits (bounded) for the agent to exit on its own.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        wait_exit(self.child.as_mut()?, timeout)
    }

    /// Batch files currently waiting in the spool.
    pub fn spooled(&self) -> usize {
        spooled_batches(&self.spool_dir())
    }

    /// The agent's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("agent.err")).unwrap_or_default()
    }

    /// The agent's log lines at WARN level, each as its JSON event.
    pub fn warnings(&self) -> Vec<serde_json::Value> {
        self.log()
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter(|event| event["level"] == "WARN")
            .collect()
    }

    /// Collection ticks the agent reports it skipped because a cycle overran.
    pub fn skipped_ticks(&self) -> u64 {
        self.log()
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter(|event| {
                event["fields"]["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("skipping collection ticks"))
            })
            .map(|event| event["fields"]["skipped"].as_u64().unwrap_or(0))
            .sum()
    }

    /// Panics with the agent log if the agent has exited.
    pub fn assert_running(&mut self) {
        let child = self.child.as_mut().expect("agent not running");
        if let Some(status) = child.try_wait().unwrap() {
            panic!("agent exited ({status}):\n{}", self.log());
        }
    }

    /// SIGTERM and wait (bounded) for the exit status.
    pub fn terminate(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let mut child = self.child.take()?;
        signal(&child, libc::SIGTERM);
        let status = wait_exit(&mut child, timeout);
        if status.is_none() {
            kill_and_reap(&mut child);
        }
        status
    }
}

impl Drop for AgentProc {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            kill_and_reap(&mut child);
        }
    }
}
