//! Alerting endpoints over a real SQLite store: history and outbox paging, silences with
//! validation and audit records, and the 503 answers when alerting is not running.
#![allow(
    clippy::unwrap_used,
    reason = "test code: a failed step stops the test loudly (clippy.toml allows this in #[test] functions, not in their helpers)"
)]

mod common;

use common::*;
use hostpulse_core::{
    Alert, AlertState, AlertTransition, DeliveryStatus, Labels, Notification, NotificationKind,
    Severity, alert_fingerprint,
};
use hostpulse_store::AlertChanges;
use hostpulse_store::prelude::*;
use serde_json::json;

fn alert(rule: &str, host: &str, at_ms: i64) -> Alert {
    let labels = Labels::new();
    Alert {
        id: alert_fingerprint(rule, host, &labels),
        rule: rule.into(),
        host: host.into(),
        labels,
        severity: Severity::Critical,
        state: AlertState::Firing,
        value: 97.0,
        threshold: Some(90.0),
        summary: format!("{rule} on {host}"),
        description: String::new(),
        annotations: Default::default(),
        active_since_ms: at_ms,
        firing_since_ms: Some(at_ms),
        resolved_ms: None,
        last_eval_ms: at_ms,
        ack: None,
        dry_run: false,
    }
}

fn transition(a: &Alert, at_ms: i64) -> AlertTransition {
    AlertTransition {
        alert_id: a.id.clone(),
        rule: a.rule.clone(),
        host: a.host.clone(),
        labels: a.labels.clone(),
        severity: a.severity,
        from: Some(AlertState::Pending),
        to: AlertState::Firing,
        at_ms,
        value: a.value,
        summary: a.summary.clone(),
    }
}

fn notification(receiver: &str, a: &Alert, status: DeliveryStatus) -> Notification {
    Notification {
        id: 0,
        receiver: receiver.into(),
        group_key: format!("route0{{host={:?}}}", a.host),
        group_labels: Labels::new(),
        kind: NotificationKind::Firing,
        severity: a.severity,
        alerts: vec![a.clone()],
        created_ms: a.firing_since_ms.unwrap_or_default(),
        status,
        attempts: 0,
        last_error: None,
        escalation_step: None,
        provider_ids: Vec::new(),
    }
}

/// Twelve minutes of history: a transition each minute, alternating hosts; a notification every
/// fourth minute, dry-run for the `ops` receiver.
async fn seed(h: &Harness) {
    for i in 0..12i64 {
        let host = if i % 2 == 0 { "web-1" } else { "db-1" };
        let at = NOW - (12 - i) * 60_000;
        let a = alert("disk_almost_full", host, at);
        let mut changes = AlertChanges {
            transitions: vec![transition(&a, at)],
            ..AlertChanges::default()
        };
        if i % 4 == 0 {
            changes.notifications = vec![
                notification("log", &a, DeliveryStatus::Pending),
                notification("ops", &a, DeliveryStatus::DryRun),
            ];
        }
        h.store.save_alert_changes(changes).await.unwrap();
    }
}

#[tokio::test]
async fn alerting_routes_answer_503_when_alerting_is_off() {
    let h = harness().await;
    for path in [
        "/api/v1/alerts",
        "/api/v1/alerts/history",
        "/api/v1/silences",
        "/api/v1/rules",
        "/api/v1/notifications",
    ] {
        let reply = h.get(path).await;
        assert_eq!(reply.status.as_u16(), 503, "{path}: {}", reply.json);
        assert_eq!(reply.json["error"], "unavailable");
    }
    let reload = h.post_json("/api/v1/rules/reload", &json!({})).await;
    assert_eq!(reload.status.as_u16(), 503);
    let silence = json!({"matchers": ["host=web-1"], "duration": "1h"});
    assert_eq!(
        h.post_json("/api/v1/silences", &silence)
            .await
            .status
            .as_u16(),
        503
    );
    assert_eq!(h.delete("/api/v1/silences/abc").await.status.as_u16(), 503);
}

#[tokio::test]
async fn engine_routes_answer_503_with_only_the_store() {
    let h = alerting_harness().await;
    assert_eq!(h.get("/api/v1/alerts").await.status.as_u16(), 503);
    assert_eq!(h.get("/api/v1/rules").await.status.as_u16(), 503);
    let ack = h
        .post_json("/api/v1/alerts/0123/ack", &json!({"comment": "on it"}))
        .await;
    assert_eq!(ack.status.as_u16(), 503);
    let backtest = json!({"rules_yaml": "rules: []", "from": "-1d"});
    let reply = h.post_json("/api/v1/rules/backtest", &backtest).await;
    assert_eq!(reply.status.as_u16(), 503);
    // The body is checked first.
    let bad = json!({"rules_yaml": "rules: []", "from": "now", "to": "-1h"});
    let reply = h.post_json("/api/v1/rules/backtest", &bad).await;
    assert_eq!(reply.status.as_u16(), 400, "{}", reply.json);
    // Alerting routes need the admin token like every other.
    let req = axum::http::Request::get("/api/v1/alerts/history")
        .body(axum::body::Body::empty())
        .unwrap();
    assert_eq!(h.send(req).await.status.as_u16(), 401);
}

#[tokio::test]
async fn history_pages_through_filters_and_cursors() {
    let h = alerting_harness().await;
    seed(&h).await;
    let first = h.get("/api/v1/alerts/history?limit=5").await;
    assert_eq!(first.status.as_u16(), 200, "{}", first.json);
    let entries = first.json["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 5);
    assert_eq!(entries[0]["kind"], "transition");
    assert_eq!(entries[0]["transition"]["host"], "db-1");
    let mut seen = entries.len();
    let mut cursor = first.json["next_cursor"].as_str().unwrap().to_string();
    loop {
        let page = h
            .get(&format!("/api/v1/alerts/history?limit=5&cursor={cursor}"))
            .await;
        assert_eq!(page.status.as_u16(), 200, "{}", page.json);
        seen += page.json["entries"].as_array().unwrap().len();
        match page.json["next_cursor"].as_str() {
            Some(next) => cursor = next.to_string(),
            None => break,
        }
    }
    // 12 transitions and 6 notifications.
    assert_eq!(seen, 18);

    let web = h.get("/api/v1/alerts/history?host=web-1&limit=500").await;
    let web = web.json["entries"].as_array().unwrap().clone();
    assert_eq!(web.len(), 6 + 6);
    let notification = web.iter().find(|e| e["kind"] == "notification").unwrap();
    assert_eq!(notification["notification"]["alerts"][0]["host"], "web-1");

    let recent = h.get("/api/v1/alerts/history?since=-150s").await;
    assert_eq!(recent.json["entries"].as_array().unwrap().len(), 2);
    let none = h.get("/api/v1/alerts/history?rule=high_cpu").await;
    assert!(none.json["entries"].as_array().unwrap().is_empty());
    assert_eq!(none.json["next_cursor"], serde_json::Value::Null);

    for bad in [
        "/api/v1/alerts/history?cursor=page2",
        "/api/v1/alerts/history?limit=0",
        "/api/v1/alerts/history?limit=501",
        "/api/v1/alerts/history?since=yesterday",
        "/api/v1/alerts/history?colour=red",
    ] {
        let reply = h.get(bad).await;
        assert_eq!(reply.status.as_u16(), 400, "{bad}: {}", reply.json);
    }
}

#[tokio::test]
async fn notifications_filter_by_status_and_receiver() {
    let h = alerting_harness().await;
    seed(&h).await;
    let all = h.get("/api/v1/notifications").await;
    assert_eq!(all.status.as_u16(), 200, "{}", all.json);
    assert_eq!(all.json["notifications"].as_array().unwrap().len(), 6);

    let dry = h.get("/api/v1/notifications?status=dry_run").await;
    let dry = dry.json["notifications"].as_array().unwrap().clone();
    assert_eq!(dry.len(), 3);
    assert!(dry.iter().all(|n| n["receiver"] == "ops"));

    let paged = h.get("/api/v1/notifications?receiver=log&limit=2").await;
    assert_eq!(paged.json["notifications"].as_array().unwrap().len(), 2);
    let cursor = paged.json["next_cursor"].as_str().unwrap();
    let rest = h
        .get(&format!(
            "/api/v1/notifications?receiver=log&limit=2&cursor={cursor}"
        ))
        .await;
    assert_eq!(rest.json["notifications"].as_array().unwrap().len(), 1);
    assert_eq!(rest.json["notifications"][0]["status"], "pending");

    let oldest_log = rest.json["notifications"][0]["id"].as_i64().unwrap();
    h.store
        .mark_notification(oldest_log, DeliveryStatus::Sending, 1, None)
        .await
        .unwrap();
    let sending = h.get("/api/v1/notifications?status=sending").await;
    assert_eq!(sending.status.as_u16(), 200, "{}", sending.json);
    let sending = sending.json["notifications"].as_array().unwrap().clone();
    assert_eq!(sending.len(), 1);
    assert_eq!(sending[0]["id"], oldest_log);
    assert_eq!(sending[0]["status"], "sending");

    let bad = h.get("/api/v1/notifications?status=lost").await;
    assert_eq!(bad.status.as_u16(), 400);
    let detail = bad.json["detail"].as_str().unwrap();
    assert!(
        detail.contains("dry_run") && detail.contains("sending"),
        "{detail}"
    );
}

#[tokio::test]
async fn silences_are_created_listed_expired_and_audited() {
    let h = alerting_harness().await;
    let body = json!({
        "matchers": ["host=web-1", {"name": "rule", "op": "=~", "value": "high_.*"}],
        "duration": "2h",
        "comment": "deploy"
    });
    let created = h.post_json("/api/v1/silences", &body).await;
    assert_eq!(created.status.as_u16(), 201, "{}", created.json);
    let id = created.json["id"].as_str().unwrap().to_string();
    assert_eq!(created.json["author"], "admin");
    assert_eq!(created.json["starts_ms"], NOW);
    assert_eq!(created.json["ends_ms"], NOW + 7_200_000);
    assert_eq!(created.json["matchers"][0]["op"], "=");
    assert_eq!(created.json["matchers"][1]["op"], "=~");

    let listed = h.get("/api/v1/silences").await;
    assert_eq!(listed.json.as_array().unwrap().len(), 1);
    assert_eq!(listed.json[0]["comment"], "deploy");

    h.clock.advance(60_000);
    let expired = h.delete(&format!("/api/v1/silences/{id}")).await;
    assert_eq!(expired.status.as_u16(), 200, "{}", expired.json);
    assert_eq!(expired.json["ends_ms"], NOW + 60_000);
    h.clock.advance(1);
    assert!(
        h.get("/api/v1/silences")
            .await
            .json
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        h.get("/api/v1/silences?all=true")
            .await
            .json
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let again = h.delete(&format!("/api/v1/silences/{id}")).await;
    assert_eq!(again.status.as_u16(), 404);

    let audit = h.store.audit_entries(10).await.unwrap();
    let actions: Vec<(&str, &str, bool)> = audit
        .iter()
        .map(|e| (e.action.as_str(), e.actor.as_str(), e.result == "ok"))
        .collect();
    assert_eq!(
        actions,
        vec![
            ("silence.expire", "admin", false),
            ("silence.expire", "admin", true),
            ("silence.add", "admin", true),
        ]
    );
    assert_eq!(audit[1].target, id);
    assert_eq!(audit[1].at_ms, NOW + 60_000);
}

#[tokio::test]
async fn bad_silences_are_refused_with_a_reason() {
    let h = alerting_harness().await;
    let cases = [
        (
            json!({"matchers": [], "duration": "1h"}),
            "at least one matcher",
        ),
        (
            json!({"matchers": ["host"], "duration": "1h"}),
            "invalid matcher",
        ),
        (
            json!({"matchers": ["host=~web-("], "duration": "1h"}),
            "regular expression",
        ),
        (
            json!({"matchers": ["host=a"], "ends_ms": NOW - 1, "starts_ms": NOW}),
            "end after",
        ),
        (
            json!({"matchers": ["host=a"], "duration": "400d"}),
            "one year",
        ),
        (
            json!({"matchers": ["host=a"], "duration": "1h", "ends_ms": NOW + 1}),
            "exactly one",
        ),
        (json!({"matchers": ["host=a"]}), "exactly one"),
        (
            json!({"matchers": ["host=a"], "duration": "soon"}),
            "invalid duration",
        ),
        (
            json!({"matchers": ["host=a"], "starts_ms": NOW - 7_200_000, "duration": "1h"}),
            "already be over",
        ),
        (
            json!({"matchers": ["host=a"], "duration": "1h", "who": "me"}),
            "unknown field",
        ),
    ];
    for (body, expected) in cases {
        let reply = h.post_json("/api/v1/silences", &body).await;
        assert_eq!(reply.status.as_u16(), 400, "{body}: {}", reply.json);
        let detail = reply.json["detail"].as_str().unwrap();
        assert!(detail.contains(expected), "{body}: {detail}");
    }
    assert!(
        h.get("/api/v1/silences?all=true")
            .await
            .json
            .as_array()
            .unwrap()
            .is_empty()
    );
    // A scheduled silence with an explicit author is accepted.
    let body = json!({"matchers": ["severity!=critical"], "starts_ms": NOW + 3_600_000,
                      "duration": "30m", "author": "alice"});
    let reply = h.post_json("/api/v1/silences", &body).await;
    assert_eq!(reply.status.as_u16(), 201, "{}", reply.json);
    assert_eq!(reply.json["author"], "alice");
    assert_eq!(
        h.get("/api/v1/silences")
            .await
            .json
            .as_array()
            .unwrap()
            .len(),
        1
    );
}
