//! The hub's connection limits against a real hub: a slow request head, a slow body and an
//! idle connection are dropped, and a flood of unauthenticated connections neither exhausts
//! the hub nor keeps a client with a valid token out.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed setup step should stop the test loudly"
)]

mod common;

use common::{Hub, Mode, try_get};
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::thread;
use std::time::{Duration, Instant};

/// Far more than any configured timeout below: only a hub that never drops fails.
const GENEROUS: Duration = Duration::from_secs(60);

fn connect(hub: &Hub) -> TcpStream {
    let stream = TcpStream::connect(hub.url.trim_start_matches("http://")).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    stream
}

/// What a read shows of the connection: bytes, closed by the hub, or nothing yet.
enum Peek {
    Data(Vec<u8>),
    Closed,
    Open,
}

fn peek(mut stream: &TcpStream) -> Peek {
    let mut buf = [0u8; 4096];
    match stream.read(&mut buf) {
        Ok(0) => Peek::Closed,
        Ok(n) => Peek::Data(buf[..n].to_vec()),
        Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => Peek::Open,
        Err(_) => Peek::Closed,
    }
}

/// Sends `bytes` one at a time, one every `gap`, until the hub closes the connection;
/// returns how long it was held.
fn trickle_until_dropped(stream: &mut TcpStream, bytes: &[u8], gap: Duration) -> Duration {
    let start = Instant::now();
    for byte in bytes.iter().cycle() {
        assert!(start.elapsed() < GENEROUS, "still held after {GENEROUS:?}");
        if stream.write_all(&[*byte]).is_err() {
            return start.elapsed();
        }
        let until = Instant::now() + gap;
        while Instant::now() < until {
            match peek(stream) {
                Peek::Closed => return start.elapsed(),
                Peek::Data(data) => panic!("unexpected answer: {}", String::from_utf8_lossy(&data)),
                Peek::Open => {}
            }
        }
    }
    unreachable!("cycle never ends")
}

fn assert_serves(hub: &Hub) {
    let health = try_get(&format!("{}/healthz", hub.url), None).expect("hub reachable");
    assert_eq!(health.status, 200);
    assert_eq!(hub.get("/api/v1/hosts").status, 200);
}

#[test]
fn a_slow_header_client_is_dropped_with_the_default_timeout() {
    let hub = Hub::start(Mode::Hub);
    let mut stream = connect(&hub);
    let head = b"GET /api/v1/hosts HTTP/1.1\r\nHost: hub\r\nX-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    let held = trickle_until_dropped(&mut stream, head, Duration::from_secs(2));
    eprintln!("slow-header client (one byte every 2 s) held for {held:?}");
    assert!(held < Duration::from_secs(30), "held {held:?}");
    assert_serves(&hub);
}

const SHORT_TIMEOUTS: &str = "\
server:
  header_read_timeout: 2s
  body_read_timeout: 2s
  idle_timeout: 2s
";

#[test]
fn a_slow_body_is_answered_408_and_dropped() {
    let hub = Hub::start_with(Mode::Hub, SHORT_TIMEOUTS, |_| {});
    let token = hub.add_agent("slow-body");
    let mut stream = connect(&hub);
    let head = format!(
        "POST /api/v1/ingest HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).unwrap();
    let start = Instant::now();
    let mut answer = Vec::new();
    loop {
        assert!(
            start.elapsed() < GENEROUS,
            "slow body still held after {GENEROUS:?}"
        );
        if stream.write_all(b" ").is_err() {
            break;
        }
        match peek(&stream) {
            Peek::Data(data) => answer.extend(data),
            Peek::Closed => break,
            Peek::Open => thread::sleep(Duration::from_millis(300)),
        }
    }
    let answer = String::from_utf8_lossy(&answer);
    eprintln!("slow body dropped after {:?}", start.elapsed());
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("body_read_timeout"), "{answer}");
    assert_serves(&hub);
}

#[test]
fn idle_connections_are_closed_before_and_between_requests() {
    let hub = Hub::start_with(Mode::Hub, SHORT_TIMEOUTS, |_| {});
    let silent = connect(&hub);
    let mut kept_alive = connect(&hub);
    kept_alive
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: hub\r\n\r\n")
        .unwrap();
    let start = Instant::now();
    let (mut silent_open, mut kept_open, mut answered) = (true, true, false);
    while silent_open || kept_open {
        assert!(
            start.elapsed() < GENEROUS,
            "idle connections still held after {GENEROUS:?}"
        );
        if silent_open {
            silent_open = !matches!(peek(&silent), Peek::Closed);
        }
        if kept_open {
            match peek(&kept_alive) {
                Peek::Data(data) => answered |= data.starts_with(b"HTTP/1.1 200"),
                Peek::Closed => kept_open = false,
                Peek::Open => {}
            }
        }
    }
    eprintln!("idle connections closed after {:?}", start.elapsed());
    assert!(
        answered,
        "the kept-alive connection was served before it idled"
    );
    assert_serves(&hub);
}

#[test]
fn the_connection_cap_holds_and_a_valid_token_still_gets_through() {
    let config = "\
server:
  max_connections: 20
  max_unauthenticated_per_peer: 4
";
    let hub = Hub::start_with(Mode::Hub, config, |_| {});
    let idle: Vec<TcpStream> = (0..40).map(|_| connect(&hub)).collect();
    let start = Instant::now();
    let open = loop {
        assert!(
            start.elapsed() < GENEROUS,
            "more than 20 connections still open"
        );
        let open = idle
            .iter()
            .filter(|s| !matches!(peek(s), Peek::Closed))
            .count();
        if open <= 20 {
            break open;
        }
    };
    eprintln!("{open} of 40 unauthenticated connections left open at a cap of 20");

    // A client with a valid token is served although unauthenticated ones fill the cap.
    assert_eq!(hub.get("/api/v1/hosts").status, 200);

    // Beyond its quota, a peer's requests without a valid token get 429 and a Retry-After.
    let mut extra = connect(&hub);
    extra
        .write_all(b"GET /api/v1/hosts HTTP/1.1\r\nHost: hub\r\n\r\n")
        .unwrap();
    let answer = read_answer(&extra);
    assert!(answer.starts_with("HTTP/1.1 429"), "{answer}");
    assert!(
        answer.to_ascii_lowercase().contains("retry-after: 1"),
        "{answer}"
    );
    assert!(answer.contains("max_unauthenticated_per_peer"), "{answer}");
    drop(idle);
    assert_serves(&hub);
}

fn read_answer(stream: &TcpStream) -> String {
    let start = Instant::now();
    let mut answer = Vec::new();
    while start.elapsed() < GENEROUS {
        match peek(stream) {
            Peek::Data(data) => answer.extend(data),
            Peek::Closed => break,
            Peek::Open if answer.windows(4).any(|w| w == b"\r\n\r\n") => break,
            Peek::Open => {}
        }
    }
    String::from_utf8_lossy(&answer).into_owned()
}
