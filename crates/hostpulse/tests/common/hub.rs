//! A `hostpulse up|hub` child process on a temporary data directory, restartable on the
//! same directory and port, killed on drop.

use super::{
    Reply, START_TIMEOUT, clean_command, hostpulse_bin, kill_and_reap, log_file, run_cli, signal,
    text, try_get, wait_exit, wait_for,
};
use std::path::PathBuf;
use std::process::{Child, ExitStatus, Output};
use std::time::Duration;

/// Which hub command to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `hostpulse up`: hub plus the in-process agent, interval 1 s.
    Up,
    /// `hostpulse hub`: hub only, no local agent.
    Hub,
}

const UP_CONFIG: &str = "\
local_agent:
  interval: 1s
  process_interval: 1s
  top_n: 50
";

const HUB_CONFIG: &str = "\
local_agent:
  enabled: false
";

/// A running (or deliberately stopped) hub process.
pub struct Hub {
    dir: tempfile::TempDir,
    mode: Mode,
    child: Option<Child>,
    starts: u32,
    listen: String,
    pub url: String,
    pub admin_token: String,
}

impl Hub {
    /// Starts a hub on a fresh data directory and an OS-chosen port.
    pub fn start(mode: Mode) -> Hub {
        Hub::start_with(mode, "", |_| {})
    }

    /// Like [`Hub::start`], with `extra` appended to the hub's YAML configuration (`{dir}`
    /// in it stands for the test's own directory) and `prepare` run on that directory
    /// before the hub starts (e.g. to write rule files).
    pub fn start_with(mode: Mode, extra: &str, prepare: impl FnOnce(&std::path::Path)) -> Hub {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = if mode == Mode::Up {
            UP_CONFIG
        } else {
            HUB_CONFIG
        };
        let extra = extra.replace("{dir}", &dir.path().display().to_string());
        std::fs::write(dir.path().join("hub.yaml"), format!("{config}{extra}")).unwrap();
        prepare(dir.path());
        let mut hub = Hub {
            dir,
            mode,
            child: None,
            starts: 0,
            listen: "127.0.0.1:0".into(),
            url: String::new(),
            admin_token: String::new(),
        };
        hub.spawn();
        let port = hub.url.rsplit(':').next().unwrap().to_string();
        hub.listen = format!("127.0.0.1:{port}");
        hub
    }

    /// The hub's data directory.
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn spawn(&mut self) {
        assert!(self.child.is_none(), "hub already running");
        let url_file = self.data_dir().join("hub.url");
        let _ = std::fs::remove_file(&url_file);
        self.starts += 1;
        let command = if self.mode == Mode::Up { "up" } else { "hub" };
        let child = clean_command(&hostpulse_bin())
            .arg(command)
            .arg("--data-dir")
            .arg(self.data_dir())
            .args(["--listen", &self.listen])
            .arg("--config")
            .arg(self.dir.path().join("hub.yaml"))
            .stdout(log_file(&self.stdout_path(self.starts)))
            .stderr(log_file(&self.stderr_path(self.starts)))
            .spawn()
            .expect("spawn hostpulse");
        self.child = Some(child);
        self.url = wait_for("the hub to serve /healthz", START_TIMEOUT, || {
            self.assert_alive();
            let url = std::fs::read_to_string(&url_file).ok()?.trim().to_string();
            let healthy = try_get(&format!("{url}/healthz"), None)?;
            (healthy.status == 200).then_some(url)
        });
        let token = std::fs::read_to_string(self.data_dir().join("admin.token")).unwrap();
        self.admin_token = token.trim().to_string();
    }

    fn assert_alive(&mut self) {
        let child = self.child.as_mut().expect("hub not running");
        if let Some(status) = child.try_wait().unwrap() {
            self.child = None;
            panic!("hub exited early ({status}):\n{}", self.stderr(self.starts));
        }
    }

    fn stdout_path(&self, start: u32) -> PathBuf {
        self.dir.path().join(format!("hub-{start}.out"))
    }

    fn stderr_path(&self, start: u32) -> PathBuf {
        self.dir.path().join(format!("hub-{start}.err"))
    }

    /// What the `start`-th run (1-based) printed on stdout.
    pub fn stdout(&self, start: u32) -> String {
        std::fs::read_to_string(self.stdout_path(start)).unwrap_or_default()
    }

    /// What the `start`-th run (1-based) logged on stderr.
    pub fn stderr(&self, start: u32) -> String {
        std::fs::read_to_string(self.stderr_path(start)).unwrap_or_default()
    }

    /// Every run's stderr, for failure messages.
    pub fn logs(&self) -> String {
        (1..=self.starts)
            .map(|n| format!("--- hub run {n} ---\n{}", self.stderr(n)))
            .collect()
    }

    /// The test's own directory (holds the config file and logs).
    pub fn dir(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }

    /// Process id of the running hub.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("hub not running").id()
    }

    /// Sends `sig` to the running hub.
    pub fn send_signal(&self, sig: libc::c_int) {
        signal(self.child.as_ref().expect("hub not running"), sig);
    }

    /// SIGKILL: the hub dies at once, wherever it is.
    pub fn kill(&mut self) {
        let mut child = self.child.take().expect("hub not running");
        kill_and_reap(&mut child);
    }

    /// SIGTERM and wait (bounded) for the exit status.
    pub fn terminate(&mut self, timeout: Duration) -> ExitStatus {
        let mut child = self.child.take().expect("hub not running");
        signal(&child, libc::SIGTERM);
        match wait_exit(&mut child, timeout) {
            Some(status) => status,
            None => {
                kill_and_reap(&mut child);
                panic!("hub did not exit within {timeout:?} of SIGTERM");
            }
        }
    }

    /// Starts the hub again on the same data directory and port.
    pub fn restart(&mut self) {
        self.spawn();
    }

    /// GET an API path with the admin token.
    pub fn get(&self, path: &str) -> Reply {
        let url = format!("{}{path}", self.url);
        try_get(&url, Some(&self.admin_token)).unwrap_or_else(|| panic!("GET {url} failed"))
    }

    /// POST a body to an API path with `token`.
    pub fn post(&self, path: &str, token: Option<&str>, body: &[u8], gzip: bool) -> Reply {
        let url = format!("{}{path}", self.url);
        super::try_post(&url, token, body, gzip).unwrap_or_else(|| panic!("POST {url} failed"))
    }

    /// Runs `hostpulse ARGS --data-dir DATA_DIR` against this hub.
    pub fn cli(&self, args: &[&str]) -> Output {
        let data_dir = self.data_dir();
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--data-dir", data_dir.to_str().unwrap()]);
        run_cli(&all)
    }

    /// Registers an agent through the CLI and returns its token.
    pub fn add_agent(&self, name: &str) -> String {
        let out = self.cli(&["agents", "add", name]);
        assert!(out.status.success(), "agents add: {}", text(&out.stderr));
        text(&out.stdout).trim().to_string()
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            kill_and_reap(&mut child);
        }
    }
}
