//! Name collisions in `GET /api/v1/hosts`, lookups where an agent name wins, and silence
//! matchers: malformed ones refused with the column, names nothing has warned about.
#![allow(
    clippy::unwrap_used,
    reason = "test code: a failed step stops the test loudly (clippy.toml allows this in #[test] functions, not in their helpers)"
)]

mod common;

use common::*;
use hostpulse_core::{HostFacts, Sample};
use hostpulse_store::prelude::*;
use serde_json::json;

const ENGINE_YAML: &str = "rules:\n  - name: high_cpu\n    expr: cpu.usage_percent > 90\n";

/// Stores a frame of agent `agent` whose facts report `hostname`.
async fn report(h: &Harness, agent: &str, hostname: &str) {
    let mut batch = batch(
        1,
        NOW,
        vec![Sample::new("disk.used_percent", 40.0).with_label("mount", "/var")],
    );
    batch.facts = Some(HostFacts {
        hostname: hostname.into(),
        ..HostFacts::default()
    });
    h.store.ingest(agent, batch).await.unwrap();
}

#[tokio::test]
async fn hosts_list_name_collisions_and_an_agent_name_wins_lookups() {
    let h = harness().await;
    report(&h, "vm", "vm").await;
    report(&h, "box", "vm").await;
    report(&h, "db-1", "db.local").await;

    let hosts = h.get("/api/v1/hosts").await;
    assert_eq!(hosts.status.as_u16(), 200, "{}", hosts.json);
    let by_name = |name: &str| {
        hosts
            .json
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["name"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(
        by_name("vm")["collisions"],
        json!([{"name": "vm", "kind": "agent", "other_host": "box", "other_kind": "hostname", "resolves_to": "vm"}])
    );
    assert_eq!(
        by_name("box")["collisions"],
        json!([{"name": "vm", "kind": "hostname", "other_host": "vm", "other_kind": "agent", "resolves_to": "vm"}])
    );
    assert_eq!(by_name("db-1")["collisions"], json!([]));

    assert_eq!(h.get("/api/v1/hosts/vm").await.json["name"], "vm");
    assert_eq!(h.get("/api/v1/hosts/db.local").await.json["name"], "db-1");
    let latest = h.get("/api/v1/hosts/vm/latest").await;
    assert_eq!(latest.json["host"]["collisions"][0]["other_host"], "box");

    report(&h, "clone", "db.local").await;
    let ambiguous = h.get("/api/v1/hosts/db.local").await;
    assert_eq!(ambiguous.status.as_u16(), 409, "{}", ambiguous.json);
    assert!(
        ambiguous.json["detail"]
            .as_str()
            .unwrap()
            .contains("clone, db-1"),
        "{}",
        ambiguous.json
    );
}

#[tokio::test]
async fn silences_refuse_malformed_matchers_and_warn_about_unknown_names() {
    let h = engine_harness(ENGINE_YAML).await;
    report(&h, "web-1", "web-1").await;

    let refused = h
        .post_json(
            "/api/v1/silences",
            &json!({"matchers": ["host==web-1"], "duration": "1h"}),
        )
        .await;
    assert_eq!(refused.status.as_u16(), 400, "{}", refused.json);
    let detail = refused.json["detail"].as_str().unwrap();
    assert!(
        detail.contains("at column 6") && detail.contains(r#"host="=web-1""#),
        "{detail}"
    );
    let object =
        json!({"matchers": [{"name": "ho-st", "op": "=", "value": "x"}], "duration": "1h"});
    let refused = h.post_json("/api/v1/silences", &object).await;
    assert_eq!(refused.status.as_u16(), 400, "{}", refused.json);
    assert!(
        h.get("/api/v1/silences")
            .await
            .json
            .as_array()
            .unwrap()
            .is_empty()
    );

    let body = json!({
        "matchers": ["hots=web-1", "host=web-2", "rule=hgh_cpu", "mount=/vra", "mount=~\"/v.*\""],
        "duration": "1h"
    });
    let created = h.post_json("/api/v1/silences", &body).await;
    assert_eq!(created.status.as_u16(), 201, "{}", created.json);
    let warnings: Vec<&str> = created.json["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert_eq!(
        warnings,
        [
            r#"no current series or alert has the label "hots"; did you mean "host"?"#,
            r#"host=web-2: no agent is named "web-2"; did you mean host=web-1?"#,
            r#"rule=hgh_cpu: no rule is named "hgh_cpu"; did you mean rule=high_cpu?"#,
            r#"mount=/vra: no current series has the value "/vra"; did you mean mount=/var?"#,
        ]
    );
    assert!(
        created.json["id"].is_string(),
        "the silence itself: {}",
        created.json
    );

    let clean = h
        .post_json(
            "/api/v1/silences",
            &json!({"matchers": ["host=web-1"], "duration": "1h"}),
        )
        .await;
    assert_eq!(clean.json["warnings"], json!([]), "{}", clean.json);
}
