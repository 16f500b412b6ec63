//! `hostpulse up` acts on its own host: the in-process local agent takes its commands from
//! the hub's queue and runs them under `local_agent.actions`, like any agent.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed setup step should stop the test loudly"
)]

mod common;

use common::{Hub, Mode, START_TIMEOUT, wait_for};

const ACTIONS: &str = "  name: up-box
  actions:
    allow: [hello]
    commands:
      hello: [/bin/echo, hi from up]
      not_allowed: [/bin/echo, never]
";

#[test]
fn up_runs_allowed_named_commands_on_its_own_host_and_refuses_the_rest() {
    let hub = Hub::start_with(Mode::Up, ACTIONS, |_| {});
    wait_for("the local agent's command channel", START_TIMEOUT, || {
        (hub.get("/api/v1/hosts/up-box/actions").json["connected"] == true).then_some(())
    });
    let actions = hub.get("/api/v1/hosts/up-box/actions").json;
    assert_eq!(
        actions["commands"],
        serde_json::json!(["hello", "not_allowed"]),
        "{actions}"
    );

    let done = hub.post(
        "/api/v1/hosts/up-box/actions/hello",
        Some(&hub.admin_token),
        b"",
        false,
    );
    assert_eq!(done.status, 200, "{}", done.json);
    assert_eq!(done.json["status"], "ok", "{}", done.json);
    assert_eq!(done.json["output"], "hi from up\n", "{}", done.json);

    let refused = hub.post(
        "/api/v1/hosts/up-box/actions/not_allowed",
        Some(&hub.admin_token),
        b"",
        false,
    );
    assert_eq!(refused.status, 422, "{}", refused.json);
    assert!(
        refused.json["detail"]
            .as_str()
            .unwrap()
            .contains("actions.allow"),
        "{}",
        refused.json
    );
    let journal = std::fs::read_to_string(hub.data_dir().join("executed-commands")).unwrap();
    assert_eq!(
        journal.lines().count(),
        1,
        "only the command that ran is journaled: {journal}"
    );
}
