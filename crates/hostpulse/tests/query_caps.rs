//! `query_range` answers are capped per response, not only per series: a metric with
//! 1,000 series over an hour at the default step is refused with 400 that says how to
//! narrow it, a narrower query is served, streamed series by series.

mod common;

use common::{Hub, Mode, encode, ingest_body, now_ms};
use hostpulse_core::Sample;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

fn series(metric: &str, count: usize) -> Vec<Sample> {
    (0..count)
        .map(|i| Sample::new(metric, i as f64).with_label("disk", format!("d{i:04}")))
        .collect()
}

fn query(hub: &Hub, metric: &str, extra: &str) -> common::Reply {
    hub.get(&format!(
        "/api/v1/query_range?host=big&metric={}&start=now-1h{extra}",
        encode(metric)
    ))
}

#[test]
fn answers_over_the_per_response_caps_are_refused_with_how_to_narrow_them() {
    let hub = Hub::start(Mode::Hub);
    let token = hub.add_agent("big");
    let now = now_ms();
    let mut samples = series("many.points", 1_000);
    samples.extend(series("many.series", 1_001));
    let reply = hub.post(
        "/api/v1/ingest",
        Some(&token),
        &ingest_body(1, now, samples),
        true,
    );
    assert_eq!(reply.status, 200, "{}", reply.json);

    // 1,000 series x about 300 default steps = about 300,000 points > 250,000.
    let refused = query(&hub, "many.points", "");
    assert_eq!(refused.status, 400, "{}", refused.json);
    let detail = refused.json["detail"].as_str().unwrap();
    for needle in [
        "1000 series x 30",
        "points",
        "at most 250000",
        "max_points_per_query",
    ] {
        assert!(detail.contains(needle), "{needle:?} missing in {detail}");
    }
    // The step it suggests is accepted.
    let step = detail
        .split("a step of at least ")
        .nth(1)
        .and_then(|rest| rest.split('s').next())
        .unwrap_or_else(|| panic!("no step suggested in {detail}"));
    let suggested = query(&hub, "many.points", &format!("&step={step}s"));
    assert_eq!(suggested.status, 200, "{}", suggested.json);

    let too_many = query(&hub, "many.series", "&step=5m");
    assert_eq!(too_many.status, 400, "{}", too_many.json);
    let detail = too_many.json["detail"].as_str().unwrap();
    assert!(
        detail.contains("1001 series") && detail.contains("labels"),
        "{detail}"
    );

    // Narrower: a larger step, or a label filter.
    let served = query(&hub, "many.points", "&step=60s");
    assert_eq!(served.status, 200, "{}", served.json);
    assert_eq!(served.json["series"].as_array().unwrap().len(), 1_000);
    let one = query(&hub, "many.series", "&labels=disk%3Dd0007");
    assert_eq!(one.status, 200, "{}", one.json);
    assert_eq!(one.json["series"][0]["labels"]["disk"], "d0007");
}

#[test]
fn large_answers_are_streamed() {
    let hub = Hub::start(Mode::Hub);
    let token = hub.add_agent("big");
    let body = ingest_body(1, now_ms(), series("many.points", 1_000));
    assert_eq!(
        hub.post("/api/v1/ingest", Some(&token), &body, true).status,
        200
    );
    let addr = hub.url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let request = format!(
        "GET /api/v1/query_range?host=big&metric=many.points&start=now-1h&step=60s HTTP/1.1\r\n\
         Host: {addr}\r\nAuthorization: Bearer {}\r\nConnection: close\r\n\r\n",
        hub.admin_token
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    let answer = String::from_utf8_lossy(&answer);
    let (head, _) = answer.split_once("\r\n\r\n").unwrap();
    let head = head.to_ascii_lowercase();
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(head.contains("transfer-encoding: chunked"), "{head}");
    assert!(head.contains("content-type: application/json"), "{head}");
}
