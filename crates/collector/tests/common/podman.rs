//! A private podman service for the container tests: its own storage, run directory,
//! `containers.conf` (runc, cgroupfs, no network namespace, file events) and socket in a
//! temporary directory; an image imported from a tar of a busybox-static root file system.
//! Without podman the tests skip with a printed reason; with `CI=true` that is a failure.

use hostpulse_collector::containers::{CALL_TIMEOUT, Client, Endpoint};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The image every test container runs.
pub const IMAGE: &str = "localhost/hostpulse-busybox:test";

const CONF: &str = "[containers]\ndefault_ulimits = []\nnetns = \"none\"\n\n[engine]\nruntime = \"runc\"\ncgroup_manager = \"cgroupfs\"\nevents_logger = \"file\"\n";

/// A running podman service and the directory it lives in; dropped: containers removed,
/// service stopped, directory deleted.
pub struct Podman {
    dir: tempfile::TempDir,
    service: Child,
    socket: PathBuf,
}

fn busybox() -> Option<PathBuf> {
    ["/bin/busybox", "/usr/bin/busybox"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

/// Why the tests cannot run here, if they cannot.
fn missing() -> Option<String> {
    let podman = Command::new("podman")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if !podman.is_ok_and(|s| s.success()) {
        return Some("podman is not installed (apt-get install podman runc busybox-static)".into());
    }
    if busybox().is_none() {
        return Some("busybox is not installed (apt-get install busybox-static)".into());
    }
    None
}

impl Podman {
    /// Starts the service, or `None` (printed) when podman is missing outside CI.
    pub fn start() -> Option<Podman> {
        if let Some(why) = missing() {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("CI=true but the podman container tests cannot run: {why}");
            }
            eprintln!("SKIPPED: container tests need podman: {why}");
            return None;
        }
        let dir = tempfile::Builder::new()
            .prefix("hp-podman")
            .tempdir_in("/tmp")
            .expect("tempdir");
        std::fs::write(dir.path().join("containers.conf"), CONF).expect("write containers.conf");
        let socket = dir.path().join("podman.sock");
        let mut podman = Podman {
            service: spawn_service(dir.path(), &socket),
            dir,
            socket,
        };
        podman.wait_ready();
        podman.import_image();
        Some(podman)
    }

    /// A `podman` command on this service's storage.
    pub fn cmd(&self) -> Command {
        podman_cmd(self.dir.path())
    }

    /// Runs `podman ARGS`, panicking with its stderr when it fails; its stdout.
    pub fn run(&self, args: &[&str]) -> String {
        let out = self.cmd().args(args).output().expect("run podman");
        assert!(
            out.status.success(),
            "podman {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    /// Runs `podman ARGS` whatever its result; whether it succeeded.
    pub fn try_run(&self, args: &[&str]) -> bool {
        self.cmd()
            .args(args)
            .output()
            .is_ok_and(|o| o.status.success())
    }

    /// The service's endpoint.
    pub fn endpoint(&self) -> Endpoint {
        Endpoint::Unix(self.socket.clone())
    }

    /// A client of the service.
    pub fn client(&self) -> Client {
        Client::new(self.endpoint(), CALL_TIMEOUT)
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        let client = self.client();
        while client.request("GET", "/_ping", 64).is_err() {
            if let Ok(Some(status)) = self.service.try_wait() {
                let log = std::fs::read_to_string(self.dir.path().join("service.log"))
                    .unwrap_or_default();
                panic!("podman service exited ({status}): {log}");
            }
            assert!(
                Instant::now() < deadline,
                "podman service did not answer within 30 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn import_image(&self) {
        let root = self.dir.path().join("image");
        let bin = root.join("bin");
        std::fs::create_dir_all(&bin).expect("mkdir rootfs");
        std::fs::copy(busybox().expect("busybox"), bin.join("busybox")).expect("copy busybox");
        for applet in [
            "sh", "sleep", "echo", "true", "false", "cat", "yes", "dd", "head",
        ] {
            std::os::unix::fs::symlink("busybox", bin.join(applet)).expect("symlink applet");
        }
        let tar = self.dir.path().join("image.tar");
        let status = Command::new("tar")
            .arg("-C")
            .arg(&root)
            .arg("-cf")
            .arg(&tar)
            .arg(".")
            .status();
        assert!(
            status.is_ok_and(|s| s.success()),
            "tar of the busybox root file system"
        );
        self.run(&["import", &tar.to_string_lossy(), IMAGE]);
    }
}

fn podman_cmd(dir: &Path) -> Command {
    let mut cmd = Command::new("podman");
    cmd.env("CONTAINERS_CONF", dir.join("containers.conf"))
        .arg("--root")
        .arg(dir.join("root"))
        .arg("--runroot")
        .arg(dir.join("run"))
        .arg("--tmpdir")
        .arg(dir.join("tmp"))
        .stdin(Stdio::null());
    cmd
}

fn spawn_service(dir: &Path, socket: &Path) -> Child {
    let log = std::fs::File::create(dir.join("service.log")).expect("service log");
    let log2 = log.try_clone().expect("service log");
    podman_cmd(dir)
        .args(["system", "service", "--time=0"])
        .arg(format!("unix://{}", socket.display()))
        .stdout(log)
        .stderr(log2)
        .spawn()
        .expect("start podman system service")
}

impl Drop for Podman {
    fn drop(&mut self) {
        let _ = self.cmd().args(["rm", "-af", "-t0"]).output();
        let _ = self.service.kill();
        let _ = self.service.wait();
        // podman bind-mounts its overlay directory onto itself; unmounted, the directory
        // can be deleted.
        let overlay = self.dir.path().join("root/overlay");
        let _ = Command::new("umount")
            .arg(&overlay)
            .stderr(Stdio::null())
            .status();
    }
}
