//! Bad input to the API: a clear JSON error with the right status, nothing stored, and the
//! hub keeps serving other requests.

mod common;

use common::*;
use hostpulse_api::ApiLimits;
use hostpulse_core::Sample;
use hostpulse_proto::Limits;

fn good(seq: u64) -> hostpulse_proto::IngestBatch {
    batch(
        seq,
        NOW,
        vec![
            Sample::new("load.1", 0.5),
            Sample::new("mem.used_percent", 42.0),
        ],
    )
}

async fn assert_refused(h: &Harness, reply: Reply, status: u16, error: &str) {
    assert_eq!(reply.status.as_u16(), status, "body: {}", reply.json);
    assert_eq!(reply.json["error"], error, "body: {}", reply.json);
    assert!(reply.json["detail"].as_str().is_some_and(|d| !d.is_empty()));
    assert_eq!(h.samples_ingested().await, 0, "nothing may be stored");
}

async fn assert_still_serving(h: &Harness) {
    let reply = h.ingest(&good(1_000)).await;
    assert_eq!(reply.status.as_u16(), 200, "{}", reply.json);
    assert_eq!(h.samples_ingested().await, 2);
}

#[tokio::test]
async fn missing_and_wrong_tokens_get_401() {
    let h = harness().await;
    let body = hostpulse_proto::encode_batch(&good(1));
    assert_refused(
        &h,
        h.ingest_raw(None, body.clone(), true).await,
        401,
        "unauthorized",
    )
    .await;
    assert_refused(
        &h,
        h.ingest_raw(Some("hpa_wrong"), body.clone(), true).await,
        401,
        "unauthorized",
    )
    .await;
    // An admin token is not an agent token.
    let admin = h.admin.clone();
    assert_refused(
        &h,
        h.ingest_raw(Some(&admin), body, true).await,
        401,
        "unauthorized",
    )
    .await;
    let reply = h
        .send(
            axum::http::Request::get("/api/v1/hosts")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(reply.status.as_u16(), 401);
    assert_still_serving(&h).await;
}

#[tokio::test]
async fn malformed_and_truncated_bodies_get_400() {
    let h = harness().await;
    let token = h.agent_token.clone();
    let body = hostpulse_proto::encode_batch(&good(1));
    let truncated = body[..body.len() / 2].to_vec();
    assert_refused(
        &h,
        h.ingest_raw(Some(&token), truncated, true).await,
        400,
        "bad_request",
    )
    .await;
    assert_refused(
        &h,
        h.ingest_raw(Some(&token), b"{not json".to_vec(), false)
            .await,
        400,
        "bad_request",
    )
    .await;
    assert_refused(
        &h,
        h.ingest_raw(Some(&token), b"garbage".to_vec(), true).await,
        400,
        "bad_request",
    )
    .await;
    assert_still_serving(&h).await;
}

#[tokio::test]
async fn unknown_fields_are_ignored_and_unreadable_versions_get_426() {
    let h = harness().await;
    let token = h.agent_token.clone();
    let mut value = serde_json::to_value(good(1)).unwrap();
    value["version"] = serde_json::json!(9);
    value["min_version"] = serde_json::json!(9);
    value["frames"] = serde_json::json!("a shape this hub does not know");
    let unreadable = gzip(&serde_json::to_vec(&value).unwrap());
    let reply = h.ingest_raw(Some(&token), unreadable, true).await;
    assert_eq!(
        reply.json["versions"],
        serde_json::json!({"min": 2, "max": 2})
    );
    assert_refused(&h, reply, 426, "unsupported_version").await;

    let mut value = serde_json::to_value(good(1)).unwrap();
    value["surprise"] = serde_json::json!(1);
    value["version"] = serde_json::json!(3);
    value["min_version"] = serde_json::json!(2);
    value["frames"][0]["samples"][0]["unit"] = serde_json::json!("load");
    let newer = gzip(&serde_json::to_vec(&value).unwrap());
    let reply = h.ingest_raw(Some(&token), newer, true).await;
    assert_eq!(reply.status.as_u16(), 200, "{}", reply.json);
    assert_eq!(reply.json["version"], 2, "{}", reply.json);
    assert_eq!(reply.json["commands"], serde_json::json!([]));
    assert_eq!(h.samples_ingested().await, 2);
}

#[tokio::test]
async fn non_finite_values_are_refused() {
    let h = harness().await;
    let token = h.agent_token.clone();
    // JSON has no NaN or infinity; a body that tries either is refused whole.
    let text = serde_json::to_string(&good(1))
        .unwrap()
        .replace("0.5", "NaN");
    assert_refused(
        &h,
        h.ingest_raw(Some(&token), gzip(text.as_bytes()), true)
            .await,
        400,
        "bad_request",
    )
    .await;
    let text = serde_json::to_string(&good(1))
        .unwrap()
        .replace("0.5", "1e999");
    assert_refused(
        &h,
        h.ingest_raw(Some(&token), gzip(text.as_bytes()), true)
            .await,
        400,
        "bad_request",
    )
    .await;
    assert_still_serving(&h).await;
}

#[tokio::test]
async fn bodies_over_the_limit_get_413() {
    let limits = ApiLimits {
        max_body_bytes: 4096,
        ..ApiLimits::default()
    };
    let h = harness_with(limits).await;
    let samples = (0..2000)
        .map(|i| {
            Sample::new("net.rx_bytes_per_sec", f64::from(i))
                .with_label("iface", format!("veth{i}"))
        })
        .collect();
    let big = serde_json::to_vec(&batch(1, NOW, samples)).unwrap();
    let token = h.agent_token.clone();
    assert_refused(
        &h,
        h.ingest_raw(Some(&token), big, false).await,
        413,
        "payload_too_large",
    )
    .await;
    assert_still_serving(&h).await;
}

#[tokio::test]
async fn far_timestamps_get_422() {
    let h = harness().await;
    for ts in [NOW + 3_600_000, NOW - 30 * 86_400_000] {
        let reply = h
            .ingest(&batch(1, ts, vec![Sample::new("load.1", 1.0)]))
            .await;
        assert_refused(&h, reply, 422, "unprocessable").await;
    }
    assert_still_serving(&h).await;
}

#[tokio::test]
async fn absurd_series_counts_are_capped_with_a_reason() {
    let limits = ApiLimits {
        batch: Limits {
            max_series_per_batch: 100,
            ..Limits::default()
        },
        ..ApiLimits::default()
    };
    let h = harness_with(limits).await;
    let samples = (0..500)
        .map(|i| Sample::new("net.rx_bytes_per_sec", 1.0).with_label("iface", format!("veth{i}")))
        .collect();
    let reply = h.ingest(&batch(1, NOW, samples)).await;
    assert_eq!(reply.status.as_u16(), 422);
    assert!(
        reply.json["detail"].as_str().unwrap().contains("series"),
        "{}",
        reply.json
    );
    assert_eq!(h.samples_ingested().await, 0);
    assert_still_serving(&h).await;
}

#[tokio::test]
async fn a_batch_with_one_bad_sample_stores_nothing() {
    let h = harness().await;
    let mut b = good(1);
    b.frames.push(hostpulse_proto::Frame {
        ts_ms: NOW + 1000,
        samples: vec![Sample::new("Bad Name", 1.0)],
        ..Default::default()
    });
    assert_refused(&h, h.ingest(&b).await, 422, "unprocessable").await;
    assert_still_serving(&h).await;
}
