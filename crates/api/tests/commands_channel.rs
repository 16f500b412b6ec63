//! The command channel over HTTP on loopback: a fake agent polls and answers as the
//! documented protocol says; users ask for container actions and named commands with
//! tokens of each role.
#![allow(
    clippy::unwrap_used,
    reason = "test code: a failed step stops the test loudly (clippy.toml allows this in #[test] functions, not in their helpers)"
)]

mod commands;

use commands::http::{Behaviour, send, spawn_agent};
use commands::hub;
use hostpulse_proto::command::MAX_UPDATE_OUTPUT_BYTES;
use hostpulse_store::prelude::*;
use std::time::Duration;

const ALL: &[&str] = &[
    "containers.list",
    "containers.logs",
    "containers.restart",
    "containers.stop",
    "restart_nginx",
];

#[tokio::test]
async fn roles_and_actions_operator_decide_and_everything_is_audited() {
    let hub = hub(&["containers.restart"], 10_000).await;
    let agent = spawn_agent(hub.addr, hub.web_token.clone(), ALL, Behaviour::Answer);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let restart = "/api/v1/hosts/web-1/containers/web/restart";

    let refused = send(hub.addr, "POST", restart, &hub.viewer, "").await;
    assert_eq!(refused.status, 403, "{}", refused.json);
    assert_eq!(refused.json["error"], "forbidden");
    let list = send(
        hub.addr,
        "GET",
        "/api/v1/hosts/web-1/containers",
        &hub.viewer,
        "",
    )
    .await;
    assert_eq!(list.status, 200, "{}", list.json);
    assert_eq!(list.json["status"], "ok");
    assert_eq!(list.json["output"], "did containers.list ");
    let logs = "/api/v1/hosts/web-1/containers/web/logs?tail=20";
    let logs = send(hub.addr, "GET", logs, &hub.viewer, "").await;
    assert_eq!(
        logs.json["output"], "did containers.logs web 20",
        "{}",
        logs.json
    );

    let done = send(hub.addr, "POST", restart, &hub.operator, "").await;
    assert_eq!(done.status, 200, "{}", done.json);
    assert!(done.json["duration_ms"].is_i64() && done.json["truncated"] == false);
    let stop = "/api/v1/hosts/web-1/containers/web/stop";
    assert_eq!(
        send(hub.addr, "POST", stop, &hub.operator, "").await.status,
        403
    );
    let run = "/api/v1/hosts/web-1/actions/restart_nginx";
    assert_eq!(
        send(hub.addr, "POST", run, &hub.operator, "").await.status,
        403
    );
    let ran = send(hub.addr, "POST", run, &hub.admin, "").await;
    assert_eq!(ran.json["output"], "did run restart_nginx", "{}", ran.json);
    let prune = "/api/v1/hosts/web-1/actions/containers.prune";
    let prune = send(hub.addr, "POST", prune, &hub.admin, "").await;
    assert_eq!(
        prune.status, 422,
        "not in the agent's allow-list: {}",
        prune.json
    );
    let bad = "/api/v1/hosts/web-1/containers/..%2Fx/restart";
    assert_eq!(
        send(hub.addr, "POST", bad, &hub.admin, "").await.status,
        400
    );

    let allowed = send(
        hub.addr,
        "GET",
        "/api/v1/hosts/web-1/actions",
        &hub.viewer,
        "",
    )
    .await;
    assert_eq!(allowed.json["connected"], true, "{}", allowed.json);
    assert_eq!(allowed.json["allowed"][2], "containers.restart");
    agent.abort();

    let audit = hub.store.audit_entries(50).await.unwrap();
    let row = |actor: &str, target: &str| {
        audit
            .iter()
            .find(|e| e.actor == actor && e.target.contains(target))
            .unwrap_or_else(|| panic!("no audit row for {actor} {target}: {audit:?}"))
    };
    assert!(
        row("ann", "containers.restart")
            .result
            .starts_with("error:")
    );
    assert!(
        row("otto", "web-1 containers.restart container=web (via api)")
            .result
            .starts_with("ok")
    );
    assert!(
        row("root", "containers.prune")
            .result
            .starts_with("refused")
    );
}

#[tokio::test]
async fn hosts_that_are_unknown_silent_or_late_answer_404_409_504() {
    let hub = hub(&[], 1_500).await;
    let list = |host: &str| format!("/api/v1/hosts/{host}/containers");
    assert_eq!(
        send(hub.addr, "GET", &list("nope"), &hub.admin, "")
            .await
            .status,
        404
    );
    let silent = send(hub.addr, "GET", &list("db-1"), &hub.admin, "").await;
    assert_eq!(silent.status, 409, "{}", silent.json);
    assert!(
        silent.json["detail"]
            .as_str()
            .unwrap()
            .contains("not connected")
    );
    let actions = send(
        hub.addr,
        "GET",
        "/api/v1/hosts/db-1/actions",
        &hub.viewer,
        "",
    )
    .await;
    assert_eq!(actions.json["connected"], false, "{}", actions.json);

    let agent = spawn_agent(hub.addr, hub.db_token.clone(), ALL, Behaviour::Silent);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let late = send(hub.addr, "GET", &list("db-1"), &hub.admin, "").await;
    assert_eq!(late.status, 504, "{}", late.json);
    assert_eq!(late.json["error"], "gateway_timeout");
    agent.abort();
    let audit = hub.store.audit_entries(10).await.unwrap();
    assert!(audit[0].result.starts_with("expired"), "{audit:?}");
}

#[tokio::test]
async fn updates_are_checked_against_the_agent_and_the_bounds() {
    let hub = hub(&[], 10_000).await;
    let poll = r#"{"wait_ms":5000,"allowed":["containers.list"]}"#;
    let poller = {
        let (addr, token) = (hub.addr, hub.web_token.clone());
        tokio::spawn(async move {
            send(addr, "POST", "/api/v1/agent/commands/poll", &token, poll).await
        })
    };
    let asker = {
        let (addr, token) = (hub.addr, hub.admin.clone());
        tokio::time::sleep(Duration::from_millis(100)).await;
        tokio::spawn(async move {
            send(addr, "GET", "/api/v1/hosts/web-1/containers", &token, "").await
        })
    };
    let batch = poller.await.unwrap();
    assert_eq!(batch.status, 200, "{}", batch.json);
    let id = batch.json["commands"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/api/v1/agent/commands/{id}/updates");

    let part = r#"{"seq":0,"output":"a"}"#;
    assert_eq!(
        send(hub.addr, "POST", &path, &hub.db_token, part)
            .await
            .status,
        404
    );
    assert_eq!(
        send(hub.addr, "POST", &path, &hub.admin, part).await.status,
        401
    );
    assert_eq!(
        send(hub.addr, "POST", &path, &hub.web_token, "{oops")
            .await
            .status,
        400
    );
    let huge = serde_json::json!({ "seq": 1, "output": "x".repeat(MAX_UPDATE_OUTPUT_BYTES + 1) });
    let huge = send(hub.addr, "POST", &path, &hub.web_token, &huge.to_string()).await;
    assert_eq!(huge.status, 413, "{}", huge.json);
    let body_cap = "y".repeat(8 * MAX_UPDATE_OUTPUT_BYTES);
    assert_eq!(
        send(hub.addr, "POST", &path, &hub.web_token, &body_cap)
            .await
            .status,
        413
    );
    assert_eq!(
        send(hub.addr, "POST", &path, &hub.web_token, part)
            .await
            .status,
        204
    );
    assert_eq!(
        send(hub.addr, "POST", &path, &hub.web_token, part)
            .await
            .status,
        204
    );
    let end =
        r#"{"seq":1,"output":"b","outcome":{"status":"failed","exit_code":3,"finished_ms":1}}"#;
    assert_eq!(
        send(hub.addr, "POST", &path, &hub.web_token, end)
            .await
            .status,
        204
    );
    assert_eq!(
        send(hub.addr, "POST", &path, &hub.web_token, end)
            .await
            .status,
        409
    );
    let unknown = "/api/v1/agent/commands/nope/updates";
    assert_eq!(
        send(hub.addr, "POST", unknown, &hub.web_token, part)
            .await
            .status,
        404
    );

    let answer = asker.await.unwrap();
    assert_eq!(answer.status, 200, "{}", answer.json);
    assert_eq!(answer.json["output"], "ab");
    assert_eq!(answer.json["status"], "failed");
    assert_eq!(answer.json["exit_code"], 3);
}
