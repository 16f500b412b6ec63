//! A loopback server playing an older hub in front of a real one: until upgraded it answers
//! every request with a given 426 `unsupported_version` body (the real hub's shape), then it
//! forwards every request verbatim to the real hub and the hub's answers verbatim back.

use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;

/// What the server's threads share.
struct Shared {
    upgraded: AtomicBool,
    refusals: AtomicUsize,
    forwarded: AtomicUsize,
    /// The whole 426 answer, head and body.
    refusal: Vec<u8>,
    /// `host:port` of the real hub.
    upstream: String,
}

/// The running server; it stops accepting with the test process.
pub struct OldHub {
    pub url: String,
    shared: Arc<Shared>,
}

impl OldHub {
    /// Starts the server in front of the hub at `real_hub` (`http://host:port`), refusing
    /// with `body` (which names the old range in `versions`) until [`OldHub::upgrade`].
    pub fn start(real_hub: &str, body: &Value) -> OldHub {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the old hub");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let json = serde_json::to_vec(body).unwrap();
        let newest = body["versions"]["max"].as_u64().expect("versions.max");
        let head = format!(
            "HTTP/1.1 426 Upgrade Required\r\ncontent-type: application/json\r\n\
             upgrade: hostpulse-ingest/{newest}\r\ncontent-length: {}\r\n\r\n",
            json.len()
        );
        let shared = Arc::new(Shared {
            upgraded: AtomicBool::new(false),
            refusals: AtomicUsize::new(0),
            forwarded: AtomicUsize::new(0),
            refusal: [head.into_bytes(), json].concat(),
            upstream: real_hub.trim_start_matches("http://").to_string(),
        });
        let accepting = shared.clone();
        thread::spawn(move || {
            for stream in listener.incoming().map_while(Result::ok) {
                let shared = accepting.clone();
                thread::spawn(move || serve(stream, &shared));
            }
        });
        OldHub { url, shared }
    }

    /// From now on, every request goes to the real hub.
    pub fn upgrade(&self) {
        self.shared.upgraded.store(true, Ordering::SeqCst);
    }

    /// Requests answered with 426 so far.
    pub fn refusals(&self) -> usize {
        self.shared.refusals.load(Ordering::SeqCst)
    }

    /// Requests forwarded to the real hub and answered by it so far.
    pub fn forwarded(&self) -> usize {
        self.shared.forwarded.load(Ordering::SeqCst)
    }
}

/// Answers the requests of one connection, keeping it open as HTTP/1.1 does.
fn serve(stream: TcpStream, shared: &Shared) {
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    while let Ok(Some(request)) = read_message(&mut reader) {
        let answer = if shared.upgraded.load(Ordering::SeqCst) {
            let Ok(answer) = forward(&request, &shared.upstream) else {
                return;
            };
            shared.forwarded.fetch_add(1, Ordering::SeqCst);
            answer
        } else {
            shared.refusals.fetch_add(1, Ordering::SeqCst);
            shared.refusal.clone()
        };
        if writer.write_all(&answer).is_err() {
            return;
        }
    }
}

/// Sends one request verbatim to the real hub on a new connection and returns its answer.
fn forward(request: &[u8], upstream: &str) -> std::io::Result<Vec<u8>> {
    let mut hub = TcpStream::connect(upstream)?;
    hub.write_all(request)?;
    let answer = read_message(&mut BufReader::new(hub))?;
    answer.ok_or_else(|| std::io::Error::other("the hub closed without answering"))
}

/// Reads one HTTP/1.1 message (head, then a `Content-Length` body) verbatim; `None` at a
/// clean end of stream.
fn read_message(reader: &mut impl BufRead) -> std::io::Result<Option<Vec<u8>>> {
    let mut raw = Vec::new();
    let mut length = 0;
    loop {
        let start = raw.len();
        if reader.read_until(b'\n', &mut raw)? == 0 {
            return Ok(None);
        }
        let line = String::from_utf8_lossy(&raw[start..]).to_ascii_lowercase();
        if let Some(value) = line.strip_prefix("content-length:") {
            length = value.trim().parse().unwrap_or(0);
        }
        if line == "\r\n" {
            break;
        }
    }
    let start = raw.len();
    raw.resize(start + length, 0);
    reader.read_exact(&mut raw[start..])?;
    Ok(Some(raw))
}
