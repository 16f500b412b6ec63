//! One hub per data directory: a second `up`/`hub` on the same directory is refused with the
//! holder's PID and changes nothing; a second instance on a busy port fails before it creates
//! its database; a lock left by a killed hub does not block the next start.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed setup step should stop the test loudly"
)]

mod common;

use common::{Hub, Mode, clean_command, hostpulse_bin, kill_and_reap, wait_exit};
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::Duration;

/// How long a refused instance may take to exit.
const EXIT_TIMEOUT: Duration = Duration::from_secs(30);

fn spawn(command: &str, data_dir: &Path, listen: &str, log_dir: &Path) -> Child {
    clean_command(&hostpulse_bin())
        .arg(command)
        .arg("--data-dir")
        .arg(data_dir)
        .args(["--listen", listen])
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(log_dir.join("second.err")).unwrap())
        .spawn()
        .expect("spawn hostpulse")
}

/// Waits for a child that must exit on its own; kills it and fails the test otherwise.
fn expect_exit(mut child: Child, what: &str, log_dir: &Path) -> (bool, String) {
    let status = wait_exit(&mut child, EXIT_TIMEOUT);
    let stderr = std::fs::read_to_string(log_dir.join("second.err")).unwrap_or_default();
    let Some(status) = status else {
        kill_and_reap(&mut child);
        panic!("{what} was still running after {EXIT_TIMEOUT:?}:\n{stderr}");
    };
    (status.success(), stderr)
}

/// Rows of a table, read from the database file the running hub holds.
fn rows(db: &Path, table: &str) -> i64 {
    let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY;
    let connection = rusqlite::Connection::open_with_flags(db, flags).unwrap();
    connection
        .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |row| {
            row.get(0)
        })
        .unwrap()
}

#[test]
fn a_second_instance_on_the_same_data_dir_is_refused_with_the_holders_pid() {
    let mut hub = Hub::start(Mode::Hub);
    let data_dir = hub.data_dir();
    let db = data_dir.join("hostpulse.db");
    let url_before = std::fs::read_to_string(data_dir.join("hub.url")).unwrap();
    let token_before = std::fs::read_to_string(data_dir.join("admin.token")).unwrap();
    let hosts_before = rows(&db, "hosts");
    let log_before = rows(&db, "ingest_log");

    for command in ["up", "hub"] {
        let child = spawn(command, &data_dir, "127.0.0.1:0", &hub.dir());
        let (ok, stderr) = expect_exit(child, &format!("a second `{command}`"), &hub.dir());
        assert!(!ok, "a second `{command}` must fail:\n{stderr}");
        assert!(
            stderr.contains(&format!("PID {}", hub.pid())) && stderr.contains("in use"),
            "the refusal names the holder's PID {}:\n{stderr}",
            hub.pid()
        );
        let url_after = std::fs::read_to_string(data_dir.join("hub.url")).unwrap();
        assert_eq!(url_after, url_before, "hub.url was overwritten");
    }
    let token_after = std::fs::read_to_string(data_dir.join("admin.token")).unwrap();
    assert_eq!(token_after, token_before, "admin.token was rewritten");
    assert_eq!(
        rows(&db, "hosts"),
        hosts_before,
        "the second `up` stored a host"
    );
    assert_eq!(
        rows(&db, "ingest_log"),
        log_before,
        "the second `up` ingested"
    );
    let health = hub.get("/api/v1/hosts");
    assert_eq!(health.status, 200, "the first hub keeps serving");

    // A SIGKILLed hub leaves its lock file behind; the kernel released the lock with it.
    hub.kill();
    hub.restart();
    assert_eq!(hub.get("/api/v1/hosts").status, 200);
    let lock = std::fs::read_to_string(data_dir.join("hostpulse.lock")).unwrap();
    assert_eq!(
        lock.trim(),
        hub.pid().to_string(),
        "the lock file holds the new PID"
    );
}

#[test]
fn a_busy_port_fails_before_the_database_is_created() {
    let hub = Hub::start(Mode::Hub);
    let busy = hub.url.trim_start_matches("http://").to_string();
    let other = tempfile::tempdir().unwrap();
    let data_dir = other.path().join("data");

    let child = spawn("up", &data_dir, &busy, other.path());
    let (ok, stderr) = expect_exit(child, "an instance on a busy port", other.path());
    assert!(!ok, "a busy port must fail the start:\n{stderr}");
    assert!(
        stderr.contains(&format!("cannot listen on {busy}")),
        "the error names the address:\n{stderr}"
    );
    for file in ["hostpulse.db", "admin.token", "hub.url"] {
        assert!(
            !data_dir.join(file).exists(),
            "{file} was created before the port was bound:\n{stderr}"
        );
    }
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    let metadata = std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    metadata.permissions().mode() & 0o777
}

#[test]
fn the_data_directory_and_database_files_are_private() {
    let hub = Hub::start(Mode::Up);
    let data_dir = hub.data_dir();
    let db = data_dir.join("hostpulse.db");
    common::wait_for(
        "the local agent's first batch",
        common::START_TIMEOUT,
        || (rows(&db, "ingest_log") > 0 || rows(&db, "hosts") > 0).then_some(()),
    );
    let found = mode(&data_dir);
    assert_eq!(found, 0o700, "the data directory has mode {found:o}");
    for file in [
        "hostpulse.db",
        "hostpulse.db-wal",
        "hostpulse.db-shm",
        "admin.token",
        "hostpulse.lock",
    ] {
        let found = mode(&data_dir.join(file));
        assert_eq!(found, 0o600, "{file} has mode {found:o}");
    }
}
