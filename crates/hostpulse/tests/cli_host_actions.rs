//! `hostpulse run|restart|containers HOST ...` against a real hub, with a fake agent in a
//! thread that speaks the command channel's documented protocol (long poll, updates): the
//! CLI prints the agent's output, and exits 1 when the action did not succeed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed setup step should stop the test loudly"
)]

mod common;

use common::{Hub, Mode, text};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

const HOST: &str = "cli-1";

/// Polls as `token` until `stop`; `hello` answers ok, `broken` fails with exit code 3.
fn fake_agent(hub: &Hub, token: String, stop: Arc<AtomicBool>) -> thread::JoinHandle<()> {
    let url = hub.url.clone();
    let poll = br#"{"wait_ms":1000,"allowed":["containers.list","containers.restart","hello","broken"],"commands":["hello","broken"]}"#;
    thread::spawn(move || {
        while !stop.load(Ordering::SeqCst) {
            let reply = common::try_post(
                &format!("{url}/api/v1/agent/commands/poll"),
                Some(&token),
                poll,
                false,
            )
            .expect("poll");
            assert_eq!(reply.status, 200, "{}", reply.json);
            for command in reply.json["commands"].as_array().unwrap() {
                let id = command["id"].as_str().unwrap();
                let name = command["args"]["command"].as_str().unwrap_or("");
                let (status, code, output) = match name {
                    "broken" => ("failed", 3, "it broke\n"),
                    _ => ("ok", 0, "hello from the agent\n"),
                };
                let update = serde_json::json!({
                    "seq": 0, "output": output,
                    "outcome": { "status": status, "exit_code": code, "finished_ms": 1 }
                });
                let path = format!("{url}/api/v1/agent/commands/{id}/updates");
                let body = update.to_string();
                let done = common::try_post(&path, Some(&token), body.as_bytes(), false).unwrap();
                assert_eq!(done.status, 204, "{}", done.json);
            }
        }
    })
}

#[test]
fn run_prints_the_agent_s_output_and_exits_1_on_failure() {
    let hub = Hub::start_with(Mode::Hub, "actions:\n  operator: [hello]\n", |_| {});
    let token = hub.add_agent(HOST);
    let stop = Arc::new(AtomicBool::new(false));
    let agent = fake_agent(&hub, token, stop.clone());
    common::wait_for("the agent's first poll", common::START_TIMEOUT, || {
        let actions = hub.get(&format!("/api/v1/hosts/{HOST}/actions"));
        (actions.json["connected"] == true).then_some(())
    });

    let ok = hub.cli(&["run", HOST, "hello"]);
    assert!(ok.status.success(), "{}", text(&ok.stderr));
    assert_eq!(text(&ok.stdout), "hello from the agent\n");

    let failed = hub.cli(&["run", HOST, "broken"]);
    assert_eq!(failed.status.code(), Some(1));
    assert_eq!(text(&failed.stdout), "it broke\n");
    assert!(
        text(&failed.stderr).contains("failed after"),
        "{}",
        text(&failed.stderr)
    );
    assert!(
        text(&failed.stderr).contains("exit code 3"),
        "{}",
        text(&failed.stderr)
    );

    let refused = hub.cli(&["run", HOST, "not_allowed"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        text(&refused.stderr).contains("422"),
        "{}",
        text(&refused.stderr)
    );

    let unknown = hub.cli(&["containers", "nobody"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(
        text(&unknown.stderr).contains("404"),
        "{}",
        text(&unknown.stderr)
    );
    stop.store(true, Ordering::SeqCst);
    agent.join().unwrap();
}
