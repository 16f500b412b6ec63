//! A real hub and a real `hostpulse-agent` with named commands in its file:
//! `POST /api/v1/hosts/{h}/actions/{name}` runs an allowed command on the agent and answers
//! its output; a command the agent's `actions.allow` does not list is refused; a command
//! that was running when the agent was killed does not run again after its restart.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed setup step should stop the test loudly"
)]

mod common;

use common::{Hub, Mode, Reply, agent_bin, clean_command, kill_and_reap, wait_for};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::Duration;

const HOST: &str = "actions-1";

/// Writes the agent's file: `hello` and `count` allowed, `nope` defined but not allowed.
fn agent_config(dir: &Path, hub: &Hub, token: &str) -> PathBuf {
    let runs = dir.join("runs");
    let config = format!(
        "hub: {url}\ntoken: {token}\ninterval: 1s\nspool_dir: {spool}\nlog:\n  format: json\nactions:\n  allow: [hello, count]\n  commands:\n    hello: [/bin/echo, hello]\n    nope: [/bin/echo, nope]\n    count: [/bin/sh, -c, \"echo ran >> {runs}; sleep 20\"]\n",
        url = hub.url,
        spool = dir.join("spool").display(),
        runs = runs.display(),
    );
    let path = dir.join("agent.yaml");
    std::fs::write(&path, config).unwrap();
    path
}

fn spawn_agent(dir: &Path, config: &Path, run: u32) -> Child {
    let out = std::fs::File::create(dir.join(format!("agent-{run}.err"))).unwrap();
    clean_command(&agent_bin())
        .arg("--config")
        .arg(config)
        .stdout(Stdio::null())
        .stderr(out)
        .spawn()
        .expect("spawn hostpulse-agent")
}

fn action(hub: &Hub, name: &str) -> Reply {
    hub.post(
        &format!("/api/v1/hosts/{HOST}/actions/{name}"),
        Some(&hub.admin_token),
        b"{}",
        false,
    )
}

fn status(reply: &Reply) -> String {
    reply.json["status"].as_str().unwrap_or("").to_owned()
}

/// Runs `hello` until the agent is connected and answers.
fn wait_connected(hub: &Hub) -> Reply {
    let url = format!("{}/api/v1/hosts/{HOST}/actions/hello", hub.url);
    wait_for(
        "the agent to answer an action",
        Duration::from_secs(90),
        || {
            let reply = common::try_post(&url, Some(&hub.admin_token), b"{}", false)?;
            (reply.status == 200 && status(&reply) == "ok").then_some(reply)
        },
    )
}

#[test]
fn actions_run_on_the_agent_within_its_allow_list_and_at_most_once() {
    let hub = Hub::start(Mode::Hub);
    let token = hub.add_agent(HOST);
    let dir = tempfile::tempdir().unwrap();
    let config = agent_config(dir.path(), &hub, &token);
    let mut agent = spawn_agent(dir.path(), &config, 1);

    let hello = wait_connected(&hub);
    assert_eq!(hello.json["output"], "hello\n", "{}", hello.json);
    assert_eq!(hello.json["exit_code"], 0, "{}", hello.json);

    let refused = action(&hub, "nope");
    assert_eq!(refused.status, 422, "{}", refused.json);
    let detail = refused.json["detail"].as_str().unwrap_or("");
    assert!(detail.contains("refused"), "{}", refused.json);
    assert!(detail.contains("actions.allow"), "{}", refused.json);

    // `count` records its run, then is killed with the agent while it sleeps.
    let runs = dir.path().join("runs");
    let hub_url = hub.url.clone();
    let admin = hub.admin_token.clone();
    let pending = std::thread::spawn(move || {
        let url = format!("{hub_url}/api/v1/hosts/{HOST}/actions/count");
        common::try_post(&url, Some(&admin), b"{}", false)
    });
    wait_for("count to start", Duration::from_secs(30), || {
        runs.exists().then_some(())
    });
    kill_and_reap(&mut agent);
    let mut agent = spawn_agent(dir.path(), &config, 2);
    wait_connected(&hub);
    let ended = pending.join().unwrap();
    if let Some(ended) = ended {
        assert_ne!(ended.status, 200, "{}", ended.json);
    }
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(std::fs::read_to_string(&runs).unwrap(), "ran\n");
    let journal = std::fs::read_to_string(dir.path().join("spool/executed-commands")).unwrap();
    assert!(journal.lines().count() >= 3, "{journal}");
    let audit = std::fs::read_to_string(dir.path().join("agent-1.err")).unwrap();
    let finished = audit
        .lines()
        .find(|line| line.contains("command finished") && line.contains("command=hello"))
        .unwrap_or_else(|| panic!("no audit line for hello in:\n{audit}"));
    assert!(
        finished.contains("requested_by") && finished.contains("\"ok\""),
        "{finished}"
    );
    assert!(!audit.contains(&token), "the token is never logged");
    kill_and_reap(&mut agent);
}
