//! Bad bodies sent to a running hub get JSON errors, and the hub keeps serving.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed setup step should stop the test loudly"
)]

mod common;

use common::{Hub, Mode, ingest_body, now_ms, test_batch, try_get};
use hostpulse_core::{HostFacts, Sample};
use hostpulse_proto::{IngestBatch, encode_batch};
use serde_json::Value;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::thread;
use std::time::Duration;

const NINE_MIB: usize = 9 * 1024 * 1024;

#[test]
fn garbage_and_oversized_bodies_are_refused_and_the_hub_keeps_serving() {
    let hub = Hub::start(Mode::Hub);
    let token = hub.add_agent("web-1");

    let garbage = hub.post("/api/v1/ingest", Some(&token), b"{not json at all", false);
    assert_eq!(garbage.status, 400, "{}", garbage.json);
    assert_eq!(garbage.json["error"], "bad_request");
    assert!(
        garbage.json["detail"]
            .as_str()
            .is_some_and(|d| !d.is_empty())
    );

    let fake_gzip = hub.post("/api/v1/ingest", Some(&token), b"\x1f\x8bgarbage", true);
    assert_eq!(fake_gzip.status, 400, "{}", fake_gzip.json);
    assert_eq!(fake_gzip.json["error"], "bad_request");

    for chunked in [false, true] {
        let (status, json) = raw_ingest(&hub.url, &token, vec![b' '; NINE_MIB], chunked);
        assert_eq!(status, 413, "chunked={chunked}: {json}");
        assert_eq!(json["error"], "payload_too_large", "chunked={chunked}");
    }

    let health = try_get(&format!("{}/healthz", hub.url), None).expect("hub still up");
    assert_eq!(health.status, 200);
    assert_eq!(health.json["status"], "ok");
    let good = ingest_body(7, now_ms(), vec![Sample::new("load.1", 0.5)]);
    let stored = hub.post("/api/v1/ingest", Some(&token), &good, true);
    assert_eq!(stored.status, 200, "{}", stored.json);
    assert_eq!(stored.json["duplicate"], false);
    assert_eq!(stored.json["samples"], 1);
}

/// One hostile batch: what it changes, the field the 422 must name, and a word of the limit.
struct Hostile {
    what: &'static str,
    change: fn(&mut IngestBatch),
    field: &'static str,
    limit: &'static str,
}

const HOSTILE: &[Hostile] = &[
    Hostile {
        what: "a 1 MB host name",
        change: |b| b.agent.hostname = "h".repeat(1 << 20),
        field: "agent.hostname",
        limit: "253",
    },
    Hostile {
        what: "10,000 facts.ips",
        change: |b| {
            b.facts = Some(HostFacts {
                hostname: "e2e-host".into(),
                ips: (0..10_000)
                    .map(|i| format!("10.0.{}.{}", i / 256, i % 256))
                    .collect(),
                ..HostFacts::default()
            })
        },
        field: "facts.ips",
        limit: "64",
    },
    Hostile {
        what: "NUL in the host name",
        change: |b| b.agent.hostname = "web\u{0}1".into(),
        field: "agent.hostname",
        limit: "U+0000",
    },
    Hostile {
        what: "ESC in a label value",
        change: |b| {
            let sample = Sample::new("disk.used_percent", 1.0).with_label("mount", "/\u{1b}[2J");
            b.frames[0].samples.push(sample);
        },
        field: "frames[0].samples[1].labels.mount",
        limit: "U+001B",
    },
    Hostile {
        what: "interval_ms = u64::MAX",
        change: |b| b.agent.interval_ms = u64::MAX,
        field: "agent.interval_ms",
        limit: "3600000",
    },
];

#[test]
fn hostile_fields_get_422_naming_the_field_and_nothing_is_stored() {
    let hub = Hub::start(Mode::Hub);
    let token = hub.add_agent("web-1");
    let hosts_before = hub.get("/api/v1/hosts").json;
    for (seq, hostile) in (1..).zip(HOSTILE) {
        let mut batch = test_batch(seq, now_ms(), vec![Sample::new("load.1", 0.5)]);
        (hostile.change)(&mut batch);
        let reply = hub.post("/api/v1/ingest", Some(&token), &encode_batch(&batch), true);
        assert_eq!(reply.status, 422, "{}: {}", hostile.what, reply.json);
        let detail = reply.json["detail"].as_str().unwrap_or_default();
        assert!(
            detail.contains(&format!("{}:", hostile.field)) && detail.contains(hostile.limit),
            "{}: {detail}",
            hostile.what
        );
        assert!(
            detail.len() < 1000,
            "{}: the answer stays small",
            hostile.what
        );
        assert_eq!(
            hub.get("/api/v1/hosts").json,
            hosts_before,
            "{}",
            hostile.what
        );
    }
    // The same batch without the hostile field is stored.
    let good = ingest_body(100, now_ms(), vec![Sample::new("load.1", 0.5)]);
    let stored = hub.post("/api/v1/ingest", Some(&token), &good, true);
    assert_eq!(stored.status, 200, "{}", stored.json);
    assert_eq!(
        hub.get("/api/v1/hosts").json.as_array().map(Vec::len),
        Some(1)
    );
}

/// Writes the body in chunked transfer encoding.
fn write_chunked(stream: &mut TcpStream, body: &[u8]) -> std::io::Result<()> {
    for chunk in body.chunks(64 * 1024) {
        write!(stream, "{:x}\r\n", chunk.len())?;
        stream.write_all(chunk)?;
        stream.write_all(b"\r\n")?;
    }
    stream.write_all(b"0\r\n\r\n")
}

/// POSTs `body` over a plain socket, reading the answer while the body is still being
/// sent (the hub may answer and close early, so write errors are expected and ignored).
fn raw_ingest(hub_url: &str, token: &str, body: Vec<u8>, chunked: bool) -> (u16, Value) {
    let addr = hub_url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    stream
        .set_write_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let framing = if chunked {
        "Transfer-Encoding: chunked".to_string()
    } else {
        format!("Content-Length: {}", body.len())
    };
    let head = format!(
        "POST /api/v1/ingest HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\n{framing}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).unwrap();
    let mut writer = stream.try_clone().unwrap();
    let sender = thread::spawn(move || {
        let _ = if chunked {
            write_chunked(&mut writer, &body)
        } else {
            writer.write_all(&body)
        };
    });
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let _ = sender.join();
    let text = String::from_utf8_lossy(&response).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no HTTP answer: {text:?}"));
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}
