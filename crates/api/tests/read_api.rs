//! The read API and agent management over a real SQLite store.

mod common;

use axum::body::Body;
use axum::http::Request;
use common::*;
use hostpulse_core::Sample;

#[tokio::test]
async fn ingest_then_read_hosts_latest_and_range() {
    let h = harness().await;
    for i in 0..12u32 {
        let ts = NOW - 60_000 + i64::from(i) * 5000;
        let samples = vec![
            Sample::new("cpu.usage_percent", f64::from(i)),
            Sample::new("disk.used_percent", 50.0).with_label("mount", "/"),
            Sample::new("disk.used_percent", 80.0).with_label("mount", "/var"),
        ];
        let reply = h.ingest(&batch(u64::from(i) + 1, ts, samples)).await;
        assert_eq!(reply.status.as_u16(), 200, "{}", reply.json);
        assert_eq!(reply.json["duplicate"], false);
    }
    // A repeated sequence number is acknowledged and ignored.
    let again = h
        .ingest(&batch(
            12,
            NOW,
            vec![Sample::new("cpu.usage_percent", 99.0)],
        ))
        .await;
    assert_eq!(again.status.as_u16(), 200);
    assert_eq!(again.json["duplicate"], true);

    let hosts = h.get("/api/v1/hosts").await;
    assert_eq!(hosts.status.as_u16(), 200);
    assert_eq!(hosts.json[0]["name"], "web-1");
    assert_eq!(hosts.json[0]["status"], "up");
    assert_eq!(hosts.json[0]["summary"]["cpu_percent"], 11.0);
    assert_eq!(hosts.json[0]["summary"]["fullest_disk_mount"], "/var");

    let latest = h.get("/api/v1/hosts/web-1/latest").await;
    assert_eq!(latest.json["samples"].as_array().unwrap().len(), 3);

    let path = format!(
        "/api/v1/query_range?host=web-1&metric=disk.used_percent&labels=mount%3D%22%2Fvar%22&start={}&end={}&step=5s",
        (NOW - 60_000) / 1000,
        NOW / 1000
    );
    let range = h.get(&path).await;
    assert_eq!(range.status.as_u16(), 200, "{}", range.json);
    let series = range.json["series"].as_array().unwrap();
    assert_eq!(series.len(), 1);
    assert_eq!(series[0]["labels"]["mount"], "/var");
    assert_eq!(series[0]["points"].as_array().unwrap().len(), 12);

    // Down after three missed intervals.
    h.clock.advance(20_000);
    let hosts = h.get("/api/v1/hosts").await;
    assert_eq!(hosts.json[0]["status"], "down");
}

#[tokio::test]
async fn unknown_hosts_and_bad_queries_are_json_errors() {
    let h = harness().await;
    let reply = h.get("/api/v1/hosts/nope").await;
    assert_eq!(reply.status.as_u16(), 404);
    assert_eq!(reply.json["error"], "not_found");
    let reply = h
        .get("/api/v1/query_range?host=web-1&metric=load.1&start=10&end=5")
        .await;
    assert_eq!(reply.status.as_u16(), 400);
    let reply = h
        .get("/api/v1/query_range?host=web-1&metric=load.1&step=banana")
        .await;
    assert_eq!(reply.status.as_u16(), 400);
    let reply = h.get("/api/v1/nothing-here").await;
    assert_eq!(reply.status.as_u16(), 404);
    assert_eq!(reply.json["error"], "not_found");
}

#[tokio::test]
async fn agents_can_be_added_listed_and_revoked() {
    let h = harness().await;
    let req = Request::post("/api/v1/agents")
        .header("authorization", format!("Bearer {}", h.admin))
        .header("content-type", "application/json")
        .body(Body::from(r#"{"name":"db-1"}"#))
        .unwrap();
    let created = h.send(req).await;
    assert_eq!(created.status.as_u16(), 201, "{}", created.json);
    let token = created.json["token"].as_str().unwrap().to_string();

    let dup = Request::post("/api/v1/agents")
        .header("authorization", format!("Bearer {}", h.admin))
        .header("content-type", "application/json")
        .body(Body::from(r#"{"name":"db-1"}"#))
        .unwrap();
    assert_eq!(h.send(dup).await.status.as_u16(), 409);

    let body = hostpulse_proto::encode_batch(&batch(1, NOW, vec![Sample::new("load.1", 1.0)]));
    assert_eq!(
        h.ingest_raw(Some(&token), body.clone(), true)
            .await
            .status
            .as_u16(),
        200
    );

    let list = h.get("/api/v1/agents").await;
    let names: Vec<&str> = list
        .json
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["db-1", "web-1"]);

    let del = Request::delete("/api/v1/agents/db-1")
        .header("authorization", format!("Bearer {}", h.admin))
        .body(Body::empty())
        .unwrap();
    assert_eq!(h.send(del).await.status.as_u16(), 204);
    let body = hostpulse_proto::encode_batch(&batch(2, NOW, vec![Sample::new("load.1", 1.0)]));
    assert_eq!(
        h.ingest_raw(Some(&token), body, true).await.status.as_u16(),
        401
    );
}
