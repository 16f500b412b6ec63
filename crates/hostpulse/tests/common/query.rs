//! Reading the hub API in tests: range points, latest values, and hand-made ingest bodies.

use super::{Hub, encode};
use hostpulse_core::Sample;
use hostpulse_proto::{AgentIdentity, Frame, IngestBatch, PROTOCOL_VERSION, encode_batch};
use serde_json::Value;

/// One bucket of a range answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub ts_ms: i64,
    pub avg: f64,
    pub count: u64,
}

/// Points of the unlabelled (or only) series of `metric` on `host` from `start_ms` to now,
/// with `step=1s`. Empty when the host or series is not there yet.
pub fn range_points(hub: &Hub, host: &str, metric: &str, start_ms: i64) -> Vec<Point> {
    let path = format!(
        "/api/v1/query_range?host={}&metric={}&start={}&end=now&step=1s",
        encode(host),
        encode(metric),
        start_ms.div_euclid(1000)
    );
    let reply = hub.get(&path);
    if reply.status == 404 {
        return Vec::new();
    }
    assert_eq!(reply.status, 200, "query_range: {}", reply.json);
    let series = reply.json["series"].as_array().cloned().unwrap_or_default();
    let chosen = series
        .iter()
        .find(|s| s["labels"].as_object().is_none_or(|l| l.is_empty()))
        .or_else(|| series.first());
    let Some(chosen) = chosen else {
        return Vec::new();
    };
    chosen["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| Point {
            ts_ms: p["ts_ms"].as_i64().unwrap(),
            avg: p["avg"].as_f64().unwrap(),
            count: p["count"].as_u64().unwrap(),
        })
        .collect()
}

/// Value of the sample `name` whose labels include every pair of `labels`.
pub fn latest_value(latest: &Value, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    latest["samples"]
        .as_array()?
        .iter()
        .find(|s| {
            s["name"] == name
                && labels
                    .iter()
                    .all(|(k, v)| s["labels"][*k].as_str() == Some(*v))
        })
        .and_then(|s| s["value"].as_f64())
}

/// A gzip-compressed one-frame batch, as an agent would send it (instance `test-instance`).
pub fn ingest_body(seq: u64, ts_ms: i64, samples: Vec<Sample>) -> Vec<u8> {
    encode_batch(&test_batch(seq, ts_ms, samples))
}

/// Like [`ingest_body`], sent as the given instance and run.
pub fn ingest_body_as(
    instance: &str,
    run: &str,
    seq: u64,
    ts_ms: i64,
    samples: Vec<Sample>,
) -> Vec<u8> {
    let mut batch = test_batch(seq, ts_ms, samples);
    batch.agent.instance_id = instance.into();
    batch.agent.run_id = run.into();
    encode_batch(&batch)
}

/// A one-frame batch from host `e2e-host`, instance `test-instance`, run `test-run`.
pub fn test_batch(seq: u64, ts_ms: i64, samples: Vec<Sample>) -> IngestBatch {
    IngestBatch {
        version: PROTOCOL_VERSION,
        agent: AgentIdentity {
            hostname: "e2e-host".into(),
            display_name: None,
            agent_version: "e2e".into(),
            interval_ms: 1000,
            instance_id: "test-instance".into(),
            run_id: "test-run".into(),
            previous_run_id: None,
        },
        seq,
        facts: None,
        frames: vec![Frame {
            ts_ms,
            samples,
            ..Frame::default()
        }],
    }
}
