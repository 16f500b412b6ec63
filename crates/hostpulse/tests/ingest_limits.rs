//! Ingest back-pressure and the per-host series cap against a real hub: with every ingest
//! slot taken, a batch is answered 503 with `Retry-After` and a JSON reason; a batch that
//! would take a host past `ingest.max_series_per_host` is refused whole with 422 naming it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed setup step should stop the test loudly"
)]

mod common;

use common::{Hub, Mode, ingest_body, now_ms};
use hostpulse_core::Sample;
use std::io::Write;
use std::net::TcpStream;
use std::time::{Duration, Instant};

fn labelled(count: usize, offset: usize) -> Vec<Sample> {
    (0..count)
        .map(|i| {
            Sample::new("net.rx_bytes_per_sec", 1.0)
                .with_label("iface", format!("veth{}", i + offset))
        })
        .collect()
}

#[test]
fn a_full_ingest_queue_answers_503_with_retry_after() {
    let config = "\
ingest:
  max_concurrent: 1
  max_wait: 0s
";
    let hub = Hub::start_with(Mode::Hub, config, |_| {});
    let token = hub.add_agent("busy");
    // The first request takes the only slot and keeps it while its body trickles in.
    let addr = hub.url.trim_start_matches("http://");
    let mut holder = TcpStream::connect(addr).unwrap();
    let head = format!(
        "POST /api/v1/ingest HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Encoding: gzip\r\nContent-Length: 100000\r\n\r\n"
    );
    holder.write_all(head.as_bytes()).unwrap();
    let body = ingest_body(1, now_ms(), vec![Sample::new("load.1", 1.0)]);
    let start = Instant::now();
    let busy = loop {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "never answered 503"
        );
        let reply = hub.post("/api/v1/ingest", Some(&token), &body, true);
        if reply.status == 503 {
            break reply;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(busy.json["error"], "busy", "{}", busy.json);
    assert!(
        busy.json["detail"]
            .as_str()
            .unwrap()
            .contains("max_concurrent"),
        "{}",
        busy.json
    );
    let retry = raw_retry_after(addr, &token, &body);
    assert_eq!(retry.as_deref(), Some("1"));
    drop(holder);
    let start = Instant::now();
    while hub.post("/api/v1/ingest", Some(&token), &body, true).status != 200 {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the slot was never freed"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The `Retry-After` header of a 503 answer (ureq hides headers from the harness).
fn raw_retry_after(addr: &str, token: &str, body: &[u8]) -> Option<String> {
    use std::io::Read;
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let head = format!(
        "POST /api/v1/ingest HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Encoding: gzip\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    answer.lines().find_map(|l| {
        l.to_ascii_lowercase()
            .strip_prefix("retry-after: ")
            .map(str::to_string)
    })
}

#[test]
fn new_series_beyond_the_per_host_cap_are_refused_naming_the_limit() {
    let config = "\
ingest:
  max_series_per_host: 100
";
    let hub = Hub::start_with(Mode::Hub, config, |_| {});
    let token = hub.add_agent("churn");
    let now = now_ms();
    let first = hub.post(
        "/api/v1/ingest",
        Some(&token),
        &ingest_body(1, now, labelled(80, 0)),
        true,
    );
    assert_eq!(first.status, 200, "{}", first.json);
    let flood = hub.post(
        "/api/v1/ingest",
        Some(&token),
        &ingest_body(2, now + 1000, labelled(80, 80)),
        true,
    );
    assert_eq!(flood.status, 422, "{}", flood.json);
    let detail = flood.json["detail"].as_str().unwrap();
    assert!(
        detail.contains("max_series_per_host") && detail.contains("100"),
        "{detail}"
    );
    // Known series still flow, and nothing of the refused batch was stored.
    let known = hub.post(
        "/api/v1/ingest",
        Some(&token),
        &ingest_body(3, now + 2000, labelled(80, 0)),
        true,
    );
    assert_eq!(known.status, 200, "{}", known.json);
    let latest = hub.get("/api/v1/hosts/churn/latest");
    assert_eq!(
        latest.json["samples"].as_array().unwrap().len(),
        80,
        "{}",
        latest.json
    );
}
