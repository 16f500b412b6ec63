//! Alerting endpoints with a real alert engine on a virtual clock: samples pushed through
//! ingest fire an alert that the API lists, acknowledges, silences, reloads and backtests.
#![allow(
    clippy::unwrap_used,
    reason = "test code: a failed step stops the test loudly (clippy.toml allows this in #[test] functions, not in their helpers)"
)]

mod common;

use common::*;
use hostpulse_core::Sample;
use hostpulse_store::prelude::*;
use serde_json::json;

const CONFIG: &str = r#"
rules:
  - name: disk_almost_full
    expr: disk.used_percent > 90
    severity: critical
    description: Filesystem almost full
"#;

async fn push_disk(h: &Harness, seq: u64, used: f64) {
    let samples = vec![
        Sample::new("disk.used_percent", used).with_label("mount", "/var"),
        Sample::new("cpu.usage_percent", 10.0),
    ];
    let reply = h.ingest(&batch(seq, h.clock_now(), samples)).await;
    assert_eq!(reply.status.as_u16(), 200, "{}", reply.json);
    h.engine.as_ref().unwrap().evaluate_dirty().await;
}

trait ClockNow {
    fn clock_now(&self) -> i64;
}

impl ClockNow for Harness {
    fn clock_now(&self) -> i64 {
        use hostpulse_core::Clock;
        self.clock.now_ms()
    }
}

#[tokio::test]
async fn an_ingested_sample_fires_an_alert_that_can_be_acknowledged() {
    let h = engine_harness(CONFIG).await;
    push_disk(&h, 1, 95.0).await;

    let alerts = h.get("/api/v1/alerts").await;
    assert_eq!(alerts.status.as_u16(), 200, "{}", alerts.json);
    let disk: Vec<&serde_json::Value> = alerts
        .json
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["rule"] == "disk_almost_full")
        .collect();
    assert_eq!(disk.len(), 1, "{}", alerts.json);
    let alert = disk[0];
    assert_eq!(alert["state"], "firing");
    assert_eq!(alert["host"], "web-1");
    assert_eq!(alert["labels"]["mount"], "/var");
    assert_eq!(alert["value"], 95.0);
    let id = alert["id"].as_str().unwrap().to_string();

    let filtered = h.get("/api/v1/alerts?severity=critical&state=firing").await;
    assert!(
        filtered
            .json
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["id"] == id.as_str())
    );
    let none = h.get("/api/v1/alerts?host=db-9").await;
    assert!(none.json.as_array().unwrap().is_empty());
    assert_eq!(
        h.get("/api/v1/alerts?state=sleeping").await.status.as_u16(),
        400
    );

    let acked = h
        .post_json(
            &format!("/api/v1/alerts/{id}/ack"),
            &json!({"comment": "on it"}),
        )
        .await;
    assert_eq!(acked.status.as_u16(), 200, "{}", acked.json);
    assert_eq!(acked.json["ack"]["by"], "admin");
    assert_eq!(acked.json["ack"]["comment"], "on it");
    let listed = h.get("/api/v1/alerts").await;
    let again = listed
        .json
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == id.as_str());
    assert_eq!(again.unwrap()["ack"]["by"], "admin");

    let unknown = h.post_json("/api/v1/alerts/ffff/ack", &json!({})).await;
    assert_eq!(unknown.status.as_u16(), 404, "{}", unknown.json);
    let audit = h.store.audit_entries(10).await.unwrap();
    let actions: Vec<(&str, &str, bool)> = audit
        .iter()
        .map(|e| (e.action.as_str(), e.target.as_str(), e.result == "ok"))
        .collect();
    assert_eq!(
        actions,
        vec![
            ("alert.ack", "ffff", false),
            ("alert.ack", id.as_str(), true)
        ]
    );

    let history = h
        .get("/api/v1/alerts/history?host=web-1&rule=disk_almost_full")
        .await;
    let entries = history.json["entries"].as_array().unwrap();
    assert!(
        entries
            .iter()
            .any(|e| e["kind"] == "transition" && e["transition"]["to"] == "firing"),
        "{}",
        history.json
    );
}

#[tokio::test]
async fn rules_are_listed_reloaded_and_backtested() {
    let h = engine_harness(CONFIG).await;
    push_disk(&h, 1, 95.0).await;

    let rules = h.get("/api/v1/rules").await;
    assert_eq!(rules.status.as_u16(), 200, "{}", rules.json);
    let disk = rules
        .json
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "disk_almost_full")
        .cloned()
        .unwrap();
    assert_eq!(disk["firing"], 1);
    assert_eq!(disk["severity"], "critical");

    let reloaded = h.post_json("/api/v1/rules/reload", &json!({})).await;
    assert_eq!(reloaded.status.as_u16(), 200, "{}", reloaded.json);
    assert!(reloaded.json["rules"].as_u64().unwrap() >= 1);
    let audit = h.store.audit_entries(1).await.unwrap();
    assert_eq!(
        (audit[0].action.as_str(), audit[0].result.as_str()),
        ("rules.reload", "ok")
    );

    for seq in 2..=10u64 {
        h.clock.advance(60_000);
        push_disk(&h, seq, if seq < 6 { 95.0 } else { 50.0 }).await;
    }
    let rules_yaml =
        "rules:\n  - name: var_full\n    expr: disk.used_percent{mount=\"/var\"} > 90\n";
    let body = json!({"rules_yaml": rules_yaml, "host": "web-1", "from": "-20m"});
    let report = h.post_json("/api/v1/rules/backtest", &body).await;
    assert_eq!(report.status.as_u16(), 200, "{}", report.json);
    let results = report.json["results"].as_array().unwrap();
    let var_full = results.iter().find(|r| r["rule"] == "var_full").unwrap();
    assert_eq!(var_full["host"], "web-1");
    assert!(
        !var_full["firings"].as_array().unwrap().is_empty(),
        "{}",
        report.json
    );

    let broken = json!({"rules_yaml": "rules:\n  - name: x\n    expr: avg(cpu.usage_percent > \n"});
    let refused = h.post_json("/api/v1/rules/backtest", &broken).await;
    assert_eq!(refused.status.as_u16(), 400, "{}", refused.json);
}

#[tokio::test]
async fn silences_go_through_the_engine() {
    let h = engine_harness(CONFIG).await;
    let body =
        json!({"matchers": ["rule=disk_almost_full"], "duration": "1h", "comment": "resize"});
    let created = h.post_json("/api/v1/silences", &body).await;
    assert_eq!(created.status.as_u16(), 201, "{}", created.json);
    let id = created.json["id"].as_str().unwrap().to_string();
    let listed = h.get("/api/v1/silences").await;
    assert_eq!(listed.json.as_array().unwrap().len(), 1, "{}", listed.json);
    // Stored, so a restarted engine finds it.
    assert_eq!(h.store.silences(false).await.unwrap().len(), 1);

    let expired = h.delete(&format!("/api/v1/silences/{id}")).await;
    assert_eq!(expired.status.as_u16(), 200, "{}", expired.json);
    assert!(
        h.get("/api/v1/silences")
            .await
            .json
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        h.delete(&format!("/api/v1/silences/{id}"))
            .await
            .status
            .as_u16(),
        404
    );
}
