//! The family loop over a captured `/proc` copied into a temporary directory: a family whose
//! file is missing or garbled yields an error event while the others still send samples,
//! and a disabled family sends nothing and reports nothing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed setup step should stop the test loudly"
)]

use hostpulse_collector::{Collector, CollectorConfig, FAMILIES};
use hostpulse_core::Sample;
use hostpulse_proto::Frame;
use std::path::{Path, PathBuf};

/// A copy of the `server-many` fixture (proc, passwd, utmp) under a temporary directory.
struct Host {
    dir: tempfile::TempDir,
}

impl Host {
    fn new() -> Self {
        let fixture: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests/fixtures/server-many"]
            .iter()
            .collect();
        let dir = tempfile::tempdir().unwrap();
        copy_tree(&fixture, dir.path());
        Self { dir }
    }

    fn proc(&self, file: &str) -> PathBuf {
        self.dir.path().join("proc").join(file)
    }

    /// A collector over the copy running `families`; `disk` is left out (the fixture's
    /// mounts are not this machine's).
    fn collector(&self, families: &[&str]) -> Collector {
        let root = self.dir.path();
        Collector::new(CollectorConfig {
            proc_path: root.join("proc"),
            sys_path: root.join("no-sys"),
            rootfs_path: root.to_path_buf(),
            utmp_path: root.join("var/run/utmp"),
            etc_passwd_path: root.join("etc_passwd"),
            families: families.iter().map(|f| (*f).to_owned()).collect(),
            ..CollectorConfig::default()
        })
    }
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn all_but(left_out: &[&str]) -> Vec<&'static str> {
    FAMILIES
        .iter()
        .copied()
        .filter(|f| !left_out.contains(f))
        .collect()
}

/// The failing families of a frame that carries the set.
fn failing(frame: &Frame) -> Vec<&str> {
    let errors = frame
        .errors
        .as_ref()
        .expect("the frame carries the failing set");
    errors.iter().map(|e| e.family.as_str()).collect()
}

fn has(samples: &[Sample], name: &str) -> bool {
    samples.iter().any(|s| s.name == name)
}

fn has_prefix(samples: &[Sample], prefix: &str) -> bool {
    samples.iter().any(|s| s.name.starts_with(prefix))
}

#[test]
fn a_garbled_file_fails_its_family_only() {
    let host = Host::new();
    std::fs::write(host.proc("meminfo"), "MemTotal: lots\n").unwrap();
    std::fs::remove_file(host.proc("loadavg")).unwrap();
    let mut collector = host.collector(&all_but(&["disk"]));
    let frame = collector.collect(5_000);
    assert_eq!(failing(&frame), ["load", "memory"], "{:?}", frame.errors);
    let errors = frame.errors.as_ref().unwrap();
    assert!(
        errors[0].message.contains("loadavg"),
        "{}",
        errors[0].message
    );
    let s = &frame.samples;
    assert!(!has_prefix(s, "mem.") && !has_prefix(s, "load."));
    for name in [
        "cpu.cores_logical",
        "proc.count",
        "proc.running",
        "users.logged_in",
        "system.uptime_seconds",
        "system.boot_time_seconds",
    ] {
        assert!(has(s, name), "{name} still collected");
    }
    assert_eq!(frame.users.map(|u| u.len()), Some(2));

    std::fs::write(host.proc("loadavg"), "0.5 0.4 0.3 1/200 4242\n").unwrap();
    let next = collector.collect(6_000);
    assert_eq!(failing(&next), ["memory"], "load recovered");
    assert!(has(&next.samples, "load.1"));
}

#[test]
fn a_failing_proc_stat_leaves_the_families_that_share_it_running() {
    let host = Host::new();
    std::fs::write(host.proc("stat"), "intr 0\nbtime 1700000000\n").unwrap();
    let mut collector = host.collector(&all_but(&["disk"]));
    let frame = collector.collect(5_000);
    assert_eq!(failing(&frame), ["cpu"], "{:?}", frame.errors);
    let s = &frame.samples;
    assert!(!has_prefix(s, "cpu."));
    assert!(has(s, "proc.count") && !has(s, "proc.running"));
    assert!(has(s, "system.uptime_seconds") && !has(s, "system.boot_time_seconds"));
}

#[test]
fn disabled_families_send_nothing_and_report_nothing() {
    let host = Host::new();
    // The users family would fail if it ran: utmp is a directory.
    std::fs::remove_file(host.dir.path().join("var/run/utmp")).unwrap();
    std::fs::create_dir(host.dir.path().join("var/run/utmp")).unwrap();
    let mut collector = host.collector(&all_but(&["disk", "users", "processes"]));
    assert_eq!(
        collector.family_names(),
        [
            "cpu",
            "load",
            "memory",
            "diskio",
            "net",
            "tcp",
            "system",
            "containers"
        ]
    );
    for now_ms in [5_000, 20_000] {
        let frame = collector.collect(now_ms);
        let s = &frame.samples;
        assert!(!has_prefix(s, "proc.") && !has_prefix(s, "users."));
        assert!(
            !has(s, "disk.total_bytes"),
            "disk off (diskio shares the prefix)"
        );
        assert!(frame.processes.is_none() && frame.users.is_none());
        assert!(has(s, "mem.total_bytes") && has(s, "load.15"));
        assert!(frame.errors.is_none_or(|errors| errors.is_empty()));
    }

    let mut with_users = host.collector(&["users"]);
    let frame = with_users.collect(5_000);
    assert_eq!(
        failing(&frame),
        ["users"],
        "the same utmp fails when enabled"
    );
}

#[test]
fn the_cpu_family_off_still_gives_processes_and_system_their_stat() {
    let host = Host::new();
    let mut collector = host.collector(&["processes", "system"]);
    let frame = collector.collect(5_000);
    assert_eq!(failing(&frame), Vec::<&str>::new());
    let s = &frame.samples;
    assert!(!has_prefix(s, "cpu."));
    assert!(has(s, "proc.running") && has(s, "proc.blocked"));
    assert!(has(s, "system.boot_time_seconds"));
}

#[test]
fn no_family_enabled_gives_empty_frames_and_unknown_names_are_skipped() {
    let host = Host::new();
    let mut collector = host.collector(&["kubernetes"]);
    assert!(collector.family_names().is_empty());
    let frame = collector.collect(5_000);
    assert!(frame.samples.is_empty());
    assert_eq!(frame.errors, Some(vec![]));
    assert!(
        collector.facts().boot_time_ms > 0,
        "facts are read all the same"
    );
}
