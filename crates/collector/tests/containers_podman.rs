//! The containers family and the engine client against a real podman service (see
//! common/podman.rs): inventory, metrics, events, logs, start/stop/restart, prune; and a
//! missing engine reported as the family's error while the other families go on.
#![allow(
    clippy::expect_used,
    clippy::panic,
    clippy::unwrap_used,
    reason = "test code: a failed setup step should stop the test loudly"
)]

mod common;

use common::podman::{IMAGE, Podman};
use hostpulse_collector::containers::{ContainerError, ContainersConfig, Endpoint};
use hostpulse_collector::{Collector, CollectorConfig};
use hostpulse_core::{ContainerInfo, is_agent_metric};
use hostpulse_proto::Frame;
use std::collections::BTreeSet;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn now_ms() -> i64 {
    i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap()
}

fn collector(endpoint: Endpoint, families: &[&str]) -> Collector {
    Collector::new(CollectorConfig {
        families: families.iter().map(|f| (*f).to_owned()).collect(),
        containers: ContainersConfig {
            endpoint: Some(endpoint),
            stats_interval_ms: 0,
        },
        ..CollectorConfig::default()
    })
}

fn value(frame: &Frame, metric: &str, container: &str) -> Option<f64> {
    frame
        .samples
        .iter()
        .find(|s| {
            s.name == metric && s.labels.get("container").map(String::as_str) == Some(container)
        })
        .map(|s| s.value)
}

fn find<'a>(list: &'a [ContainerInfo], name: &str) -> &'a ContainerInfo {
    list.iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no {name} in {list:?}"))
}

/// Waits until `check` holds for the container called `name`.
fn wait_for(
    podman: &Podman,
    name: &str,
    what: &str,
    check: impl Fn(&ContainerInfo) -> bool,
) -> ContainerInfo {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let info = podman.client().inspect(name).expect("inspect");
        if check(&info) {
            return info;
        }
        assert!(Instant::now() < deadline, "{name} never {what}: {info:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Running, never started, exited non-zero, health-checked and restarted containers.
fn create_fleet(podman: &Podman) {
    podman.run(&["run", "-d", "--name", "web", IMAGE, "/bin/sleep", "1000"]);
    podman.run(&["create", "--name", "stopped", IMAGE, "/bin/true"]);
    assert!(!podman.try_run(&["run", "--name", "failing", IMAGE, "/bin/sh", "-c", "exit 3"]));
    podman.run(&[
        "run",
        "-d",
        "--name",
        "checked",
        "--health-cmd",
        "/bin/true",
        "--health-interval",
        "1h",
        IMAGE,
        "/bin/sleep",
        "1000",
    ]);
    podman.run(&["healthcheck", "run", "checked"]);
    podman.run(&[
        "run",
        "-d",
        "--name",
        "flappy",
        "--restart",
        "on-failure:2",
        IMAGE,
        "/bin/sh",
        "-c",
        "sleep 0.2; exit 1",
    ]);
    wait_for(podman, "flappy", "restarted twice", |c| {
        c.restart_count == 2 && c.state == "exited"
    });
}

#[test]
fn inventory_lists_every_container_with_state_health_restarts_and_exit_code() {
    let Some(podman) = Podman::start() else {
        return;
    };
    create_fleet(&podman);
    let list = podman.client().list(true).expect("list");
    let names: Vec<&str> = list.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["checked", "failing", "flappy", "stopped", "web"]);
    let web = find(&list, "web");
    assert_eq!(
        (web.state.as_str(), web.image.as_str(), web.id.len()),
        ("running", IMAGE, 64)
    );
    assert!(web.started_at.contains('T'), "{web:?}");
    let stopped = find(&list, "stopped");
    assert_eq!(
        (stopped.state.as_str(), stopped.started_at.as_str()),
        ("created", "")
    );
    assert_eq!(find(&list, "failing").exit_code, 3);
    assert_eq!(find(&list, "checked").health, "healthy");
    assert_eq!(find(&list, "flappy").restart_count, 2);
    let running = podman.client().list(false).expect("list running");
    let running: Vec<&str> = running.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(running, ["checked", "web"]);
}

#[test]
fn the_family_sends_per_container_metrics_and_the_snapshot() {
    let Some(podman) = Podman::start() else {
        return;
    };
    create_fleet(&podman);
    podman.run(&[
        "run",
        "-d",
        "--name",
        "busy",
        IMAGE,
        "/bin/sh",
        "-c",
        "yes > /dev/null",
    ]);
    let mut collector = collector(podman.endpoint(), &["containers"]);
    let first = collector.collect(now_ms());
    assert_eq!(first.errors.unwrap_or_default(), [], "no family error");
    std::thread::sleep(Duration::from_millis(700));
    let second = collector.collect(now_ms());
    for (name, running) in [
        ("web", 1.0),
        ("busy", 1.0),
        ("stopped", 0.0),
        ("failing", 0.0),
        ("flappy", 0.0),
    ] {
        assert_eq!(
            value(&second, "container.running", name),
            Some(running),
            "{name}"
        );
    }
    assert_eq!(value(&second, "container.healthy", "checked"), Some(1.0));
    assert_eq!(
        value(&second, "container.healthy", "web"),
        None,
        "no check, no health"
    );
    assert_eq!(value(&second, "container.restarts", "flappy"), Some(2.0));
    assert_eq!(value(&second, "container.oom_kills", "web"), Some(0.0));
    let busy_cpu = value(&second, "container.cpu_percent", "busy").expect("cpu of busy");
    assert!(busy_cpu > 20.0, "a spinning container uses CPU: {busy_cpu}");
    assert!(value(&second, "container.cpu_percent", "web").expect("cpu of web") < 20.0);
    assert!(value(&second, "container.mem_bytes", "web").expect("mem") > 0.0);
    assert!(value(&second, "container.mem_limit_bytes", "web").expect("limit") > 0.0);
    assert!(value(&second, "container.net_rx_bytes_per_sec", "web").is_some());
    assert!(value(&second, "container.blkio_read_bytes_per_sec", "web").is_some());
    assert_eq!(
        value(&second, "container.mem_bytes", "stopped"),
        None,
        "no stats when stopped"
    );
    let image = second
        .samples
        .iter()
        .find(|s| s.name == "container.running")
        .expect("a sample");
    assert_eq!(image.labels.get("image").map(String::as_str), Some(IMAGE));
    let snapshot = second.containers.as_ref().expect("snapshot");
    assert_eq!(snapshot.containers.len(), 6);
    let sent: BTreeSet<&str> = second.samples.iter().map(|s| s.name.as_str()).collect();
    let docs = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/metrics.md"
    ))
    .expect("docs/metrics.md");
    let row = docs
        .lines()
        .find(|l| l.starts_with("| `containers` |"))
        .expect("family row");
    for name in &sent {
        assert!(is_agent_metric(name), "{name} not in the catalogue");
        assert!(
            row.contains(&format!("`{name}`")),
            "{name} not in the containers row"
        );
    }
    assert_eq!(sent.len(), 11, "every container metric sent: {sent:?}");
}

#[test]
fn a_container_dying_is_seen_in_the_next_cycle_with_its_event() {
    let Some(podman) = Podman::start() else {
        return;
    };
    podman.run(&["run", "-d", "--name", "victim", IMAGE, "/bin/sleep", "1000"]);
    let mut collector = collector(podman.endpoint(), &["containers"]);
    let first = collector.collect(now_ms());
    assert_eq!(value(&first, "container.running", "victim"), Some(1.0));
    podman.run(&["kill", "victim"]);
    wait_for(&podman, "victim", "stopped", |c| c.state != "running");
    std::thread::sleep(Duration::from_millis(1100));
    let second = collector.collect(now_ms());
    assert_eq!(value(&second, "container.running", "victim"), Some(0.0));
    let events = &second.containers.as_ref().expect("snapshot").events;
    let died = events
        .iter()
        .find(|e| e.action == "die" && e.container == "victim");
    assert!(
        died.is_some(),
        "a die event within one interval: {events:?}"
    );
    std::thread::sleep(Duration::from_millis(1100));
    let third = collector.collect(now_ms());
    let again = &third.containers.as_ref().expect("snapshot").events;
    assert!(
        again.iter().all(|e| e.container != "victim"),
        "each event once: {again:?}"
    );
}

#[test]
fn logs_start_stop_restart_and_prune() {
    let Some(podman) = Podman::start() else {
        return;
    };
    let client = podman.client();
    podman.run(&[
        "run",
        "-d",
        "--name",
        "talker",
        IMAGE,
        "/bin/sh",
        "-c",
        "echo one; echo two; echo three; sleep 1000",
    ]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !client
        .logs("talker", 10, 1000)
        .expect("logs")
        .contains("three")
    {
        assert!(Instant::now() < deadline, "no logs");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(
        client.logs("talker", 2, 1000).expect("tail"),
        "two\nthree\n"
    );
    assert_eq!(client.logs("talker", 2, 5).expect("capped"), "two\nt");
    podman.run(&[
        "run",
        "--name",
        "errs",
        IMAGE,
        "/bin/sh",
        "-c",
        "echo to-stderr >&2",
    ]);
    assert_eq!(
        client.logs("errs", 5, 1000).expect("stderr logs"),
        "to-stderr\n"
    );
    podman.run(&[
        "run",
        "-d",
        "-t",
        "--name",
        "tty",
        IMAGE,
        "/bin/sh",
        "-c",
        "echo on-a-tty; sleep 1000",
    ]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !client
        .logs("tty", 5, 1000)
        .expect("tty logs")
        .contains("on-a-tty")
    {
        assert!(Instant::now() < deadline, "no tty logs");
        std::thread::sleep(Duration::from_millis(100));
    }

    client.stop("talker", 0).expect("stop");
    assert_eq!(client.inspect("talker").expect("inspect").state, "exited");
    client
        .stop("talker", 0)
        .expect("stopping a stopped container is fine");
    client.start("talker").expect("start");
    let started = client.inspect("talker").expect("inspect");
    assert_eq!(started.state, "running");
    std::thread::sleep(Duration::from_millis(50));
    client.restart("talker", 0).expect("restart");
    let restarted = client.inspect("talker").expect("inspect");
    assert_eq!(restarted.state, "running");
    assert_ne!(restarted.started_at, started.started_at, "a new StartedAt");

    let missing = client.start("nobody-here");
    assert!(
        matches!(missing, Err(ContainerError::Status { status: 404, .. })),
        "{missing:?}"
    );
    let bad = client.restart("../../images/x", 0);
    assert!(matches!(bad, Err(ContainerError::BadName(_))), "{bad:?}");
    let raw = client.inspect_raw("talker").expect("raw inspect");
    assert_eq!(raw["Name"], "/talker");

    podman.run(&["create", "--name", "leftover", IMAGE, "/bin/true"]);
    client.stop("tty", 0).expect("stop tty");
    let _reclaimed = client.prune().expect("prune");
    let names: Vec<String> = client
        .list(true)
        .expect("list")
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names, ["talker"], "stopped containers pruned");
}

#[test]
fn an_engine_that_does_not_answer_is_the_familys_error_and_the_others_go_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let gone = Endpoint::Unix(dir.path().join("no-engine.sock"));
    let mut collector = collector(gone, &["load", "containers"]);
    let frame = collector.collect(now_ms());
    assert!(
        frame.samples.iter().any(|s| s.name == "load.1"),
        "load still collected"
    );
    let errors = frame.errors.expect("errors reported");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].family, "containers");
    assert!(
        errors[0].message.contains("no-engine.sock"),
        "{}",
        errors[0].message
    );
    assert!(frame.containers.is_none());
}

#[test]
fn the_snapshot_is_sent_when_the_inventory_changes_and_the_gauges_every_cycle() {
    let Some(podman) = Podman::start() else {
        return;
    };
    podman.run(&["run", "-d", "--name", "steady", IMAGE, "/bin/sleep", "1000"]);
    let mut collector = Collector::new(CollectorConfig {
        families: vec!["containers".to_owned()],
        containers: ContainersConfig {
            endpoint: Some(podman.endpoint()),
            stats_interval_ms: 3_600_000,
        },
        ..CollectorConfig::default()
    });
    let first = collector.collect(now_ms());
    assert!(
        first.containers.is_some(),
        "the first cycle sends the inventory"
    );
    assert!(
        value(&first, "container.mem_bytes", "steady").is_some(),
        "stats on the first cycle"
    );
    std::thread::sleep(Duration::from_millis(1100));
    let quiet = collector.collect(now_ms());
    assert!(quiet.containers.is_none(), "nothing changed: no snapshot");
    assert_eq!(
        value(&quiet, "container.running", "steady"),
        Some(1.0),
        "gauges every cycle"
    );
    assert_eq!(
        value(&quiet, "container.mem_bytes", "steady"),
        None,
        "stats rate-limited"
    );
    podman.run(&["create", "--name", "newcomer", IMAGE, "/bin/true"]);
    let changed = collector.collect(now_ms());
    let snapshot = changed
        .containers
        .as_ref()
        .expect("a new container: snapshot");
    assert!(snapshot.containers.iter().any(|c| c.name == "newcomer"));
    assert_eq!(value(&changed, "container.running", "newcomer"), Some(0.0));
}
