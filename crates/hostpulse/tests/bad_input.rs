//! Bad bodies sent to a running hub get JSON errors, and the hub keeps serving.

mod common;

use common::{Hub, Mode, ingest_body, now_ms, try_get};
use hostpulse_core::Sample;
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
