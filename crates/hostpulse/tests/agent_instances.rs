//! Agent identity against real processes: no seq value and no second process on the same
//! token or spool directory can make the hub drop the real agent's data, and every
//! refusal is loud on both sides.

mod common;

use common::{AgentProc, Hub, Mode, ingest_body_as, now_ms, range_points, wait_for};
use hostpulse_core::Sample;
use serde_json::Value;
use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

const AGENT: &str = "e2e-agent";
const METRIC: &str = "system.uptime_seconds";
const WAIT: Duration = Duration::from_secs(60);

/// Waits until the agent's series has a point collected at or after `after_ms`.
fn wait_stored_after(hub: &Hub, agent: &mut AgentProc, since_ms: i64, after_ms: i64) {
    wait_for("the agent's batches to be stored", WAIT, || {
        agent.assert_running();
        let points = range_points(hub, AGENT, METRIC, since_ms);
        (points.last()?.ts_ms >= after_ms).then_some(())
    });
}

fn host_status(hub: &Hub, name: &str) -> String {
    let hosts = hub.get("/api/v1/hosts").json;
    let host = hosts
        .as_array()
        .and_then(|h| h.iter().find(|h| h["name"] == name))
        .cloned()
        .unwrap_or(Value::Null);
    host["status"].as_str().unwrap_or("missing").to_string()
}

#[test]
fn a_batch_with_the_largest_seq_does_not_silence_the_agent() {
    let hub = Hub::start(Mode::Hub);
    let token = hub.add_agent(AGENT);
    let since_ms = now_ms() - 2000;
    let mut agent = AgentProc::start(&hub.url, &token);
    wait_stored_after(&hub, &mut agent, since_ms, since_ms);
    let (instance, run) = agent.instance();
    let sample = || vec![Sample::new(METRIC, 1.0)];

    // As the agent's own instance and process: the seq step is refused, naming the limit.
    let poison = ingest_body_as(&instance, &run, u64::MAX, now_ms(), sample());
    let reply = hub.post("/api/v1/ingest", Some(&token), &poison, true);
    assert_eq!(reply.status, 422, "{}", reply.json);
    let detail = reply.json["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("seq") && detail.contains("4294967296"),
        "{detail}"
    );

    // As another instance, or another process of this instance: refused while it is live.
    for (other_instance, other_run) in [("intruder", "intruder-run"), (&*instance, "other-run")] {
        let poison = ingest_body_as(other_instance, other_run, u64::MAX / 2, now_ms(), sample());
        let reply = hub.post("/api/v1/ingest", Some(&token), &poison, true);
        assert_eq!(reply.status, 409, "{}", reply.json);
        let detail = reply.json["detail"].as_str().unwrap_or_default();
        assert!(
            detail.contains(&instance) && detail.contains("first seen"),
            "{detail}"
        );
    }

    let after_ms = now_ms() + 3000;
    wait_stored_after(&hub, &mut agent, since_ms, after_ms);
    let agents = hub.get("/api/v1/agents").json;
    let instances = &agents[0]["instances"];
    assert_eq!(instances.as_array().map(Vec::len), Some(1), "{agents}");
    assert_eq!(instances[0]["instance_id"], instance.as_str());
    assert!(
        instances[0]["last_seq"].as_u64().unwrap() < 1 << 32,
        "{agents}"
    );
}

#[test]
fn a_second_agent_process_on_the_same_token_is_refused_and_says_so() {
    let hub = Hub::start(Mode::Hub);
    let token = hub.add_agent(AGENT);
    let since_ms = now_ms() - 2000;
    let mut first = AgentProc::start(&hub.url, &token);
    wait_stored_after(&hub, &mut first, since_ms, since_ms);
    let (first_instance, _) = first.instance();

    let mut second = AgentProc::start(&hub.url, &token);
    let warning = wait_for("the second agent to warn about the 409", WAIT, || {
        second.assert_running();
        second
            .warnings()
            .into_iter()
            .find(|w| w["fields"]["status"] == 409)
    });
    let reason = warning["fields"]["reason"].as_str().unwrap_or_default();
    let (second_instance, _) = second.instance();
    assert!(
        reason.contains(&first_instance) && reason.contains(&second_instance),
        "the reason names both instances: {reason}"
    );
    assert!(reason.contains("first seen"), "{reason}");

    let after_ms = now_ms() + 3000;
    wait_stored_after(&hub, &mut first, since_ms, after_ms);
    assert_eq!(host_status(&hub, AGENT), "up");
    assert!(second.spooled() > 0, "refused batches stay in the spool");
    let listed = hub.cli(&["agents", "list"]);
    let table = String::from_utf8_lossy(&listed.stdout);
    assert!(listed.status.success(), "{table}");
    assert!(table.contains(&first_instance), "{table}");
    assert!(
        !table.contains(&second_instance),
        "never stored, never listed: {table}"
    );
}

/// A copy of a running agent's spool directory (a cloned VM with the same host name) is
/// first taken for a restart; as soon as the original speaks again, the copy is refused.
#[test]
fn a_copy_of_a_running_agents_spool_directory_is_refused_and_the_original_goes_on() {
    let hub = Hub::start(Mode::Hub);
    let token = hub.add_agent(AGENT);
    let since_ms = now_ms() - 2000;
    let mut original = AgentProc::start(&hub.url, &token);
    wait_stored_after(&hub, &mut original, since_ms, since_ms);
    let (instance, _) = original.instance();
    let copy_dir = tempfile::tempdir().unwrap();
    let copied_spool = copy_dir.path().join("spool");
    std::fs::create_dir(&copied_spool).unwrap();
    std::fs::copy(
        original.spool_dir().join("instance"),
        copied_spool.join("instance"),
    )
    .unwrap();

    let mut copy = AgentProc::start_on_spool(&hub.url, &token, &copied_spool);
    let warning = wait_for("the copy to warn about the 409", WAIT, || {
        copy.assert_running();
        copy.warnings()
            .into_iter()
            .find(|w| w["fields"]["status"] == 409)
    });
    let reason = warning["fields"]["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains(&instance) && reason.contains("copy"),
        "{reason}"
    );
    let after_ms = now_ms() + 3000;
    wait_stored_after(&hub, &mut original, since_ms, after_ms);
    assert_eq!(host_status(&hub, AGENT), "up");
    let refused_original = original
        .warnings()
        .into_iter()
        .filter(|w| w["fields"]["status"] == 409)
        .count();
    assert_eq!(refused_original, 0, "{}", original.log());
}

#[test]
fn a_second_agent_on_the_same_spool_directory_refuses_to_start() {
    let hub = Hub::start(Mode::Hub);
    let token = hub.add_agent(AGENT);
    let since_ms = now_ms() - 2000;
    let mut first = AgentProc::start(&hub.url, &token);
    wait_stored_after(&hub, &mut first, since_ms, since_ms);

    let mut second = AgentProc::start_on_spool(&hub.url, &token, &first.spool_dir());
    let status = second.wait_exit(WAIT).expect("the second agent exits");
    assert_eq!(status.code(), Some(1), "{}", second.log());
    let log = second.log();
    assert!(
        log.contains("in use by another hostpulse-agent")
            && log.contains(&format!("pid {}", first.pid())),
        "{log}"
    );
    let after_ms = now_ms() + 2000;
    wait_stored_after(&hub, &mut first, since_ms, after_ms);
}

#[test]
fn spool_files_are_private_to_the_agent() {
    let mut hub = Hub::start(Mode::Hub);
    let token = hub.add_agent(AGENT);
    let since_ms = now_ms() - 2000;
    let mut agent = AgentProc::start(&hub.url, &token);
    wait_stored_after(&hub, &mut agent, since_ms, since_ms);
    hub.kill();
    wait_for("batches in the spool", WAIT, || {
        (agent.spooled() > 0).then_some(())
    });
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let dir = agent.spool_dir();
    assert_eq!(mode(&dir), 0o700, "spool directory");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        assert_eq!(mode(&path), 0o600, "{}", path.display());
    }
}
