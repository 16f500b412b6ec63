//! The agent's command channel against a loopback server speaking the hub's two documented
//! endpoints (`POST /api/v1/agent/commands/poll`, `POST /api/v1/agent/commands/{id}/updates`):
//! commands run and report, the allow-list refuses, a redelivered id runs once, a cancel
//! stops a running command, and an older hub (404) is not asked again at once.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed setup step should stop the test loudly"
)]

use std::collections::{BTreeMap, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hostpulse_actions::{Cancels, Executor, Journal};
use hostpulse_agent::{CommandChannel, HubLink, PushConfig, Pusher};
use hostpulse_agent_config::ActionsConfig;
use hostpulse_proto::command::{Command, CommandBatch, CommandPoll, CommandStatus, CommandUpdate};

/// What the fake hub saw and what it hands out.
#[derive(Default)]
struct HubState {
    /// Poll answers to give, in order; then empty batches (or 404 when `no_channel`).
    batches: VecDeque<CommandBatch>,
    no_channel: bool,
    polls: Vec<(String, CommandPoll)>,
    updates: BTreeMap<String, Vec<CommandUpdate>>,
}

fn fake_hub() -> (String, Arc<Mutex<HubState>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let state = Arc::new(Mutex::new(HubState::default()));
    let shared = state.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let state = shared.clone();
            std::thread::spawn(move || serve(stream, &state));
        }
    });
    (url, state)
}

/// Serves requests on one connection until the client closes it.
fn serve(stream: TcpStream, state: &Mutex<HubState>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let path = line.split_whitespace().nth(1).unwrap_or("").to_owned();
        let (mut length, mut authorization) = (0usize, String::new());
        loop {
            let mut header = String::new();
            reader.read_line(&mut header).unwrap();
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            let (name, value) = header.split_once(':').unwrap();
            match name.to_ascii_lowercase().as_str() {
                "content-length" => length = value.trim().parse().unwrap(),
                "authorization" => authorization = value.trim().to_owned(),
                _ => {}
            }
        }
        let mut body = vec![0u8; length];
        reader.read_exact(&mut body).unwrap();
        let (status, reply) = answer(&path, &authorization, &body, state);
        let head = format!(
            "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            reply.len()
        );
        writer.write_all(head.as_bytes()).unwrap();
        writer.write_all(reply.as_bytes()).unwrap();
    }
}

fn answer(path: &str, authorization: &str, body: &[u8], state: &Mutex<HubState>) -> (u16, String) {
    if path == "/api/v1/agent/commands/poll" {
        let poll: CommandPoll = serde_json::from_slice(body).unwrap();
        let mut hub = state.lock().unwrap();
        hub.polls.push((authorization.to_owned(), poll));
        if hub.no_channel {
            return (404, r#"{"error":"not_found"}"#.into());
        }
        let batch = hub.batches.pop_front();
        drop(hub);
        let batch = batch.unwrap_or_else(|| {
            std::thread::sleep(Duration::from_millis(100));
            CommandBatch::default()
        });
        return (200, serde_json::to_string(&batch).unwrap());
    }
    let id = path
        .strip_prefix("/api/v1/agent/commands/")
        .and_then(|rest| rest.strip_suffix("/updates"))
        .unwrap();
    let update: CommandUpdate = serde_json::from_slice(body).unwrap();
    let mut hub = state.lock().unwrap();
    hub.updates.entry(id.to_owned()).or_default().push(update);
    (204, String::new())
}

fn start(url: &str, dir: &std::path::Path, allow: &[&str]) -> CommandChannel {
    let pusher = Pusher::new(&PushConfig {
        hub_url: url.to_owned(),
        token: "tok-1".into(),
        timeout: Duration::from_secs(5),
        ca_file: None,
        insecure_skip_verify: false,
    })
    .unwrap();
    let mut actions = ActionsConfig::default();
    for (name, argv) in [
        ("hello", vec!["/bin/echo", "hello"]),
        ("slow", vec!["sleep", "30"]),
    ] {
        actions
            .commands
            .insert(name.into(), argv.into_iter().map(String::from).collect());
    }
    actions.allow = allow.iter().map(|s| (*s).to_owned()).collect();
    let cancels = Arc::new(Cancels::new());
    let executor = Executor::new(actions, Journal::open(dir).unwrap(), cancels.clone());
    CommandChannel::start(
        HubLink::new(&pusher, Duration::from_secs(5)),
        executor,
        cancels,
    )
    .unwrap()
}

fn run(id: &str, name: &str) -> Command {
    Command {
        id: id.into(),
        action: "run".into(),
        args: BTreeMap::from([("command".into(), name.into())]),
        deadline_ms: hostpulse_agent::schedule::now_ms() + 60_000,
        requested_by: "telegram:42".into(),
    }
}

/// Waits until `id` has `count` outcomes; returns all its updates.
fn updates_of(state: &Mutex<HubState>, id: &str, count: usize) -> Vec<CommandUpdate> {
    let until = Instant::now() + Duration::from_secs(15);
    while Instant::now() < until {
        if let Some(updates) = state.lock().unwrap().updates.get(id)
            && updates.iter().filter(|u| u.outcome.is_some()).count() >= count
        {
            return updates.clone();
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("fewer than {count} outcomes for {id}");
}

fn outcome_of(state: &Mutex<HubState>, id: &str) -> Vec<CommandUpdate> {
    updates_of(state, id, 1)
}

/// The statuses of the outcomes among `updates`, in order.
fn statuses(updates: &[CommandUpdate]) -> Vec<CommandStatus> {
    updates
        .iter()
        .filter_map(|u| u.outcome.as_ref())
        .map(|o| o.status)
        .collect()
}

fn status(updates: &[CommandUpdate]) -> CommandStatus {
    statuses(updates)[0]
}

#[test]
fn polled_commands_run_report_and_run_only_once() {
    let (url, state) = fake_hub();
    let dir = tempfile::tempdir().unwrap();
    state.lock().unwrap().batches = VecDeque::from([
        CommandBatch {
            commands: vec![run("c-1", "hello"), run("c-2", "slow")],
            cancel: vec![],
        },
        CommandBatch {
            commands: vec![run("c-1", "hello")],
            cancel: vec![],
        },
    ]);
    let channel = start(&url, dir.path(), &["hello"]);
    let hello = outcome_of(&state, "c-1");
    assert_eq!(hello[0].output, "hello\n");
    assert_eq!(status(&hello), CommandStatus::Ok);
    let refused = outcome_of(&state, "c-2");
    assert_eq!(status(&refused), CommandStatus::Refused);
    let both = updates_of(&state, "c-1", 2);
    assert_eq!(
        statuses(&both),
        [CommandStatus::Ok, CommandStatus::Duplicate]
    );
    assert_eq!(
        both.iter().map(|u| u.output.as_str()).collect::<String>(),
        "hello\n"
    );
    let hub = state.lock().unwrap();
    let (authorization, poll) = &hub.polls[0];
    assert_eq!(authorization, "Bearer tok-1");
    assert!(poll.allowed.contains(&"hello".to_owned()));
    assert!(!poll.allowed.contains(&"slow".to_owned()));
    assert_eq!(poll.commands, ["hello", "slow"]);
    assert!(poll.wait_ms > 0 && poll.wait_ms <= 60_000);
    drop(hub);
    channel.stop();
}

#[test]
fn a_cancel_from_the_hub_stops_the_running_command() {
    let (url, state) = fake_hub();
    let dir = tempfile::tempdir().unwrap();
    state.lock().unwrap().batches = VecDeque::from([CommandBatch {
        commands: vec![run("c-slow", "slow")],
        cancel: vec![],
    }]);
    let channel = start(&url, dir.path(), &["slow"]);
    std::thread::sleep(Duration::from_millis(500));
    state.lock().unwrap().batches.push_back(CommandBatch {
        commands: vec![],
        cancel: vec!["c-slow".into()],
    });
    let began = Instant::now();
    let updates = outcome_of(&state, "c-slow");
    assert!(began.elapsed() < Duration::from_secs(10));
    assert_eq!(status(&updates), CommandStatus::Cancelled);
    channel.stop();
}

#[test]
fn an_older_hub_without_the_channel_is_not_asked_again_at_once() {
    let (url, state) = fake_hub();
    let dir = tempfile::tempdir().unwrap();
    state.lock().unwrap().no_channel = true;
    let channel = start(&url, dir.path(), &[]);
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(state.lock().unwrap().polls.len(), 1);
    let began = Instant::now();
    channel.stop();
    assert!(began.elapsed() < Duration::from_secs(3), "stop is prompt");
}
