//! The executor against real processes and a real journal file: the allow-list, refusals,
//! output caps, timeouts, exit codes, cancel, no shell, and at most once across a reopen.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed setup step should stop the test loudly"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hostpulse_actions::{Cancels, Executor, Journal};
use hostpulse_agent_config::ActionsConfig;
use hostpulse_collector::containers::{Client, Endpoint};
use hostpulse_core::{Clock, SystemClock};
use hostpulse_proto::command::{Command, CommandOutcome, CommandStatus, CommandUpdate};

fn config(commands: &[(&str, &[&str])], allow: &[&str]) -> ActionsConfig {
    ActionsConfig {
        allow: allow
            .iter()
            .map(|s| (*s).to_owned())
            .collect::<BTreeSet<_>>(),
        commands: commands
            .iter()
            .map(|(name, argv)| {
                let argv = argv.iter().map(|s| (*s).to_owned()).collect();
                ((*name).to_owned(), argv)
            })
            .collect(),
        timeout: Duration::from_secs(30),
        max_output: 1 << 20,
    }
}

fn executor(dir: &Path, config: ActionsConfig) -> (Executor, Arc<Cancels>) {
    let cancels = Arc::new(Cancels::new());
    let journal = Journal::open(dir).unwrap();
    (Executor::new(config, journal, cancels.clone()), cancels)
}

fn command(id: &str, action: &str, args: &[(&str, &str)]) -> Command {
    Command {
        id: id.into(),
        action: action.into(),
        args: args
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect::<BTreeMap<_, _>>(),
        deadline_ms: SystemClock.now_ms() + 60_000,
        requested_by: "test:1".into(),
    }
}

fn run_cmd(name: &str) -> Command {
    command(&format!("c-{name}"), "run", &[("command", name)])
}

fn execute(executor: &mut Executor, command: &Command) -> (CommandOutcome, Vec<CommandUpdate>) {
    let mut updates = Vec::new();
    let outcome = executor.execute(command, &mut |u| updates.push(u));
    assert_eq!(
        updates.last().and_then(|u| u.outcome.clone()),
        Some(outcome.clone())
    );
    for (i, update) in updates.iter().enumerate() {
        assert_eq!(update.seq as usize, i);
        update.validate().unwrap();
    }
    (outcome, updates)
}

fn text(updates: &[CommandUpdate]) -> String {
    updates.iter().map(|u| u.output.as_str()).collect()
}

#[test]
fn an_allowed_named_command_runs_and_its_output_and_exit_code_come_back() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(
        &[
            ("hello", &["/bin/echo", "hello"]),
            ("fail", &["sh", "-c", "echo oops >&2; exit 3"]),
        ],
        &["hello", "fail"],
    );
    let (mut executor, _) = executor(dir.path(), cfg);
    let (outcome, updates) = execute(&mut executor, &run_cmd("hello"));
    assert_eq!(outcome.status, CommandStatus::Ok);
    assert_eq!(outcome.exit_code, Some(0));
    assert!(outcome.started_ms.is_some());
    assert_eq!(text(&updates), "hello\n");
    let (outcome, updates) = execute(&mut executor, &run_cmd("fail"));
    assert_eq!(outcome.status, CommandStatus::Failed);
    assert_eq!(outcome.exit_code, Some(3));
    assert_eq!(text(&updates), "oops\n", "stderr is captured too");
}

#[test]
fn the_allow_list_is_checked_again_on_the_agent() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(&[("hello", &["/bin/echo", "hello"])], &[]);
    let (mut executor, _) = executor(dir.path(), cfg);
    let (outcome, updates) = execute(&mut executor, &run_cmd("hello"));
    assert_eq!(outcome.status, CommandStatus::Refused);
    let error = outcome.error.unwrap();
    assert!(
        error.contains("not in actions.allow of this host's agent"),
        "{error}"
    );
    assert_eq!(outcome.started_ms, None);
    assert_eq!(text(&updates), "");
    let restart = command("c-r", "containers.restart", &[("container", "web")]);
    let (outcome, _) = execute(&mut executor, &restart);
    assert_eq!(outcome.status, CommandStatus::Refused);
    let (outcome, _) = execute(&mut executor, &run_cmd("missing"));
    assert_eq!(outcome.status, CommandStatus::Refused);
    assert!(
        outcome
            .error
            .unwrap()
            .contains("no named command \"missing\"")
    );
    let extra = command("c-x", "run", &[("command", "hello"), ("arg", "-rf")]);
    assert_eq!(
        execute(&mut executor, &extra).0.status,
        CommandStatus::Refused
    );
    let bad_name = command("c-n", "containers.logs", &[("container", "$(id)")]);
    assert_eq!(
        execute(&mut executor, &bad_name).0.status,
        CommandStatus::Refused
    );
}

#[test]
fn unknown_actions_are_unsupported_and_late_commands_expire() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(&[("hello", &["/bin/echo", "hello"])], &["hello"]);
    let (mut executor, _) = executor(dir.path(), cfg);
    let (outcome, _) = execute(&mut executor, &command("c-u", "vm.reboot", &[]));
    assert_eq!(outcome.status, CommandStatus::Unsupported);
    let mut late = run_cmd("hello");
    late.deadline_ms = SystemClock.now_ms() - 1;
    let (outcome, updates) = execute(&mut executor, &late);
    assert_eq!(outcome.status, CommandStatus::Expired);
    assert_eq!(text(&updates), "");
    let mut bad_id = run_cmd("hello");
    bad_id.id = "a/b".into();
    assert_eq!(
        execute(&mut executor, &bad_id).0.status,
        CommandStatus::Refused
    );
}

#[test]
fn output_beyond_the_cap_is_cut_and_marked_truncated() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(&[("big", &["head", "-c", "300000", "/dev/zero"])], &["big"]);
    cfg.max_output = 100_000;
    let (mut executor, _) = executor(dir.path(), cfg);
    let (outcome, updates) = execute(&mut executor, &run_cmd("big"));
    assert_eq!(outcome.status, CommandStatus::Ok);
    assert!(outcome.truncated);
    assert_eq!(text(&updates).len(), 100_000);
    assert!(updates.len() >= 2, "at most 64 KiB per update");
}

#[test]
fn a_command_past_its_timeout_is_killed_with_its_children() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(
        &[("slow", &["sh", "-c", "echo started; sleep 30 & sleep 30"])],
        &["slow"],
    );
    cfg.timeout = Duration::from_secs(1);
    let (mut executor, _) = executor(dir.path(), cfg);
    let began = Instant::now();
    let (outcome, updates) = execute(&mut executor, &run_cmd("slow"));
    assert!(
        began.elapsed() < Duration::from_secs(10),
        "{:?}",
        began.elapsed()
    );
    assert_eq!(outcome.status, CommandStatus::Failed);
    assert!(outcome.error.unwrap().contains("timeout"));
    assert_eq!(text(&updates), "started\n");
}

#[test]
fn a_cancel_stops_a_running_command() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(&[("slow", &["sleep", "30"])], &["slow"]);
    let (mut executor, cancels) = executor(dir.path(), cfg);
    let canceller = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        cancels.cancel("c-slow");
    });
    let began = Instant::now();
    let (outcome, _) = execute(&mut executor, &run_cmd("slow"));
    canceller.join().unwrap();
    assert!(began.elapsed() < Duration::from_secs(10));
    assert_eq!(outcome.status, CommandStatus::Cancelled);
}

#[test]
fn arguments_are_never_read_by_a_shell() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("x");
    let subst = format!("$(touch {})", marker.display());
    let chained = format!("; touch {}", marker.display());
    let cfg = config(&[("lit", &["/bin/echo", &subst, &chained])], &["lit"]);
    let (mut executor, _) = executor(dir.path(), cfg);
    let (outcome, updates) = execute(&mut executor, &run_cmd("lit"));
    assert_eq!(outcome.status, CommandStatus::Ok);
    assert_eq!(text(&updates), format!("{subst} {chained}\n"));
    assert!(!marker.exists());
}

#[test]
fn a_command_runs_at_most_once_even_after_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("runs");
    let script = format!("echo ran >> {}", log.display());
    let cfg = config(&[("count", &["sh", "-c", &script])], &["count"]);
    let (mut first, _) = executor(dir.path(), cfg.clone());
    assert_eq!(
        execute(&mut first, &run_cmd("count")).0.status,
        CommandStatus::Ok
    );
    let (outcome, _) = execute(&mut first, &run_cmd("count"));
    assert_eq!(outcome.status, CommandStatus::Duplicate);
    drop(first);
    let (mut reopened, _) = executor(dir.path(), cfg);
    let (outcome, _) = execute(&mut reopened, &run_cmd("count"));
    assert_eq!(outcome.status, CommandStatus::Duplicate);
    assert!(outcome.error.unwrap().contains("not run again"));
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "ran\n");
}

#[test]
fn the_journal_stays_bounded_and_drops_a_torn_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut journal = Journal::open_keeping(dir.path(), 3).unwrap();
    for i in 0..7 {
        journal.record(&format!("id-{i}")).unwrap();
    }
    assert_eq!(journal.len(), 3);
    assert!(journal.contains("id-6") && !journal.contains("id-3"));
    let path = dir.path().join(hostpulse_actions::JOURNAL_FILE);
    let lines = std::fs::read_to_string(&path).unwrap().lines().count();
    assert!(lines < 6, "compacted: {lines} lines");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str("id-tor");
    std::fs::write(&path, text).unwrap();
    let mut reopened = Journal::open_keeping(dir.path(), 3).unwrap();
    assert!(reopened.contains("id-6") && !reopened.contains("id-tor"));
    reopened.record("id-7").unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.ends_with("id-6\nid-7\n"), "{text:?}");
}

/// A container engine speaking just enough of the Docker API on a unix socket: every
/// request is answered `status` with `body`; the request lines are recorded.
fn fake_engine(
    dir: &Path,
    status: &'static str,
    body: &'static str,
) -> (PathBuf, Arc<Mutex<Vec<String>>>) {
    let path = dir.join("engine.sock");
    let listener = UnixListener::bind(&path).unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                head.push(byte[0]);
            }
            let text = String::from_utf8_lossy(&head);
            log.lock()
                .unwrap()
                .push(text.lines().next().unwrap_or("").to_owned());
            let reply = format!(
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(reply.as_bytes());
        }
    });
    (path, seen)
}

#[test]
fn container_actions_go_to_the_engine_only_when_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let (socket, seen) = fake_engine(dir.path(), "204 No Content", "");
    let client = Client::new(Endpoint::Unix(socket), Duration::from_secs(5));
    let cfg = config(&[], &["containers.restart"]);
    let (executor, _) = executor(dir.path(), cfg);
    let mut executor = executor.with_containers(Some(client));
    let restart = command("c-r", "containers.restart", &[("container", "web")]);
    let (outcome, updates) = execute(&mut executor, &restart);
    assert_eq!(outcome.status, CommandStatus::Ok, "{:?}", outcome.error);
    assert_eq!(text(&updates), "restarted web\n");
    let stop = command("c-s", "containers.stop", &[("container", "web")]);
    assert_eq!(
        execute(&mut executor, &stop).0.status,
        CommandStatus::Refused
    );
    let lines = seen.lock().unwrap().clone();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with("POST ") && lines[0].contains("/containers/web/restart"),
        "{lines:?}"
    );
}

#[test]
fn container_actions_without_an_engine_are_unsupported() {
    let dir = tempfile::tempdir().unwrap();
    let (mut executor, _) = executor(dir.path(), config(&[], &[]));
    let (outcome, _) = execute(&mut executor, &command("c-l", "containers.list", &[]));
    assert_eq!(outcome.status, CommandStatus::Unsupported);
    assert!(outcome.error.unwrap().contains("no container engine"));
}
