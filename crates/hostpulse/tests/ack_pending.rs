//! Only a firing alert can be acknowledged: `hostpulse ack` and the API refuse a pending
//! alert with 409 and say how to silence it instead; nothing is recorded on the alert.

mod common;

use common::{Hub, Mode, START_TIMEOUT, text, wait_for};

/// Holds at once on the local agent's host, fires only after an hour: pending.
const RULES: &str = "rules:\n  - name: slow_burn\n    expr: system.uptime_seconds > 0\n    \
                     for: 1h\n    severity: warning\n";

fn pending_alert(hub: &Hub) -> serde_json::Value {
    wait_for("the pending alert", START_TIMEOUT, || {
        let alerts = hub.get("/api/v1/alerts").json;
        alerts
            .as_array()?
            .iter()
            .find(|a| a["rule"] == "slow_burn")
            .cloned()
    })
}

#[test]
fn ack_of_a_pending_alert_is_refused_with_how_to_silence_it() {
    let hub = Hub::start_with(Mode::Up, RULES, |_| {});
    let alert = pending_alert(&hub);
    assert_eq!(alert["state"], "pending", "{alert}");
    let id = alert["id"].as_str().unwrap().to_string();
    let host = alert["host"].as_str().unwrap().to_string();

    let out = hub.cli(&["ack", &id, "--comment", "on it"]);
    assert!(!out.status.success(), "refused: {}", text(&out.stdout));
    let stderr = text(&out.stderr);
    for part in [
        "409",
        "is pending, not firing",
        &format!("hostpulse silence add rule=slow_burn host={host} --for 1h"),
    ] {
        assert!(stderr.contains(part), "{part:?} missing: {stderr}");
    }

    let reply = hub.post(
        &format!("/api/v1/alerts/{id}/ack"),
        Some(&hub.admin_token),
        b"",
        false,
    );
    assert_eq!(reply.status, 409, "{}", reply.json);
    assert_eq!(reply.json["error"], "conflict");

    let after = pending_alert(&hub);
    assert_eq!(after["state"], "pending");
    assert!(after["ack"].is_null(), "no ack recorded: {after}");
}
