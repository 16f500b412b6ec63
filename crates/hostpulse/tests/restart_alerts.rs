//! Alerts across hub restarts, through the real binaries: a real `hostpulse-agent` at a
//! 1 s interval, an always-firing rule and a `host_down` rule shorter than the outage, a
//! webhook receiver, and a hub killed with SIGKILL and kept down for many intervals. The
//! hub's own downtime is not the host's silence: the receiver sees one FIRING per alert,
//! no RESOLVED, and no `host_down`.

mod common;

use common::sink::Sink;
use common::{AgentProc, Hub, Mode, START_TIMEOUT, now_ms, range_points, wait_for};
use serde_json::Value;
use std::time::Duration;

const AGENT: &str = "e2e-agent";
const METRIC: &str = "system.uptime_seconds";
/// How long the hub stays down: well over 3 × the agent's 1 s interval and over the 5 s
/// of the test's `host_down` rule.
const OUTAGE: Duration = Duration::from_secs(10);
/// Longest wait for the agent to replay its spool after the hub returns.
const CATCH_UP: Duration = Duration::from_secs(240);

fn config(sink_url: &str) -> String {
    format!(
        "receivers:\n  - name: hook\n    type: webhook\n    url: {sink_url}\n    timeout: 5s\n\
         routes:\n  - receivers: [hook]\n    group_wait: 0s\n    group_interval: 1s\n\
         alerting:\n  evaluation_interval: 1s\n\
         rules:\n  - name: always_on\n    expr: system.uptime_seconds > 0\n    severity: warning\n\
         \x20 - name: host_down\n    expr: absent(5s)\n    severity: critical\n"
    )
}

/// (top-level status, rule) of every webhook the sink received, in arrival order.
fn received(sink: &Sink) -> Vec<(String, String)> {
    sink.received()
        .iter()
        .filter_map(|r| serde_json::from_str::<Value>(&r.body).ok())
        .map(|body| {
            let status = body["status"].as_str().unwrap_or_default().to_string();
            let rule = body["commonLabels"]["alertname"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            (status, rule)
        })
        .collect()
}

/// Waits until the agent's spool is empty and a frame collected after `up_ms` is stored.
fn wait_caught_up(hub: &Hub, agent: &mut AgentProc, since_ms: i64, up_ms: i64) {
    wait_for("the agent to replay its spool", CATCH_UP, || {
        agent.assert_running();
        if agent.spooled() > 0 {
            return None;
        }
        let newest = range_points(hub, AGENT, METRIC, since_ms).last()?.ts_ms;
        (newest >= up_ms).then_some(())
    });
}

/// Waits until the hub has run `evaluations` timer evaluations of `rule` after `after_ms`
/// and its outbox holds nothing unsent.
fn wait_evaluated_and_delivered(hub: &Hub, rule: &str, after_ms: i64, evaluations: i64) {
    wait_for("evaluations after the catch-up", START_TIMEOUT, || {
        let rules = hub.get("/api/v1/rules").json;
        let last =
            rules.as_array()?.iter().find(|r| r["name"] == rule)?["last_eval_ms"].as_i64()?;
        if last < after_ms + evaluations * 1000 {
            return None;
        }
        let outbox = hub.get("/api/v1/notifications?limit=500").json;
        let unsent = outbox["notifications"]
            .as_array()?
            .iter()
            .any(|n| n["status"] == "pending" || n["status"] == "sending");
        (!unsent).then_some(())
    });
}

#[test]
fn sigkill_outage_longer_than_three_intervals_pages_nobody_again() {
    let sink = Sink::start(Duration::ZERO, 0);
    let mut hub = Hub::start_with(Mode::Hub, &config(&sink.url), |_| {});
    let token = hub.add_agent(AGENT);
    let mut agent = AgentProc::start(&hub.url, &token);
    let started_ms = now_ms();
    wait_for("the first FIRING", START_TIMEOUT, || {
        received(&sink)
            .iter()
            .any(|(s, r)| s == "firing" && r == "always_on")
            .then_some(())
    });

    for round in 1..=2 {
        hub.kill();
        std::thread::sleep(OUTAGE);
        agent.assert_running();
        assert!(
            agent.spooled() > 0,
            "round {round}: the agent spools while the hub is down"
        );
        hub.restart();
        let up_ms = now_ms();
        wait_caught_up(&hub, &mut agent, started_ms, up_ms);
        // Evaluations after the catch-up, with group_interval 1 s: a RESOLVED or a
        // second FIRING would be in the outbox and delivered by now.
        wait_evaluated_and_delivered(&hub, "always_on", now_ms(), 3);
    }

    let got = received(&sink);
    let firing = got
        .iter()
        .filter(|(s, r)| s == "firing" && r == "always_on")
        .count();
    assert_eq!(
        firing,
        1,
        "one FIRING for the alert: {got:?}\n{}",
        hub.logs()
    );
    assert!(
        got.iter().all(|(s, _)| s != "resolved"),
        "no RESOLVED: {got:?}\n{}",
        hub.logs()
    );
    assert!(
        got.iter().all(|(_, r)| r != "host_down"),
        "host_down does not fire because the hub was away: {got:?}\n{}",
        hub.logs()
    );
    let active = hub.get("/api/v1/alerts").json;
    let state_of = |rule: &str| {
        active
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["rule"] == rule)
            .map(|a| a["state"].clone())
    };
    assert_eq!(state_of("always_on"), Some("firing".into()), "{active}");
    assert_eq!(state_of("host_down"), None, "{active}");
}
