//! A tiny real HTTP/1.1 hub for tests: records every POSTed batch and answers as scripted.

#![allow(dead_code)]

use hostpulse_proto::{IngestBatch, decode_batch};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// One request as the hub saw it.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub authorization: Option<String>,
    pub content_type: Option<String>,
    pub content_encoding: Option<String>,
    pub batch: IngestBatch,
    /// Status the hub answered with.
    pub status: u16,
    /// When the request arrived.
    pub at: Instant,
}

/// A scripted answer.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn ok(batch: &IngestBatch) -> Self {
        Self {
            status: 200,
            headers: Vec::new(),
            body: format!(
                r#"{{"seq":{},"duplicate":false,"samples":{}}}"#,
                batch.seq,
                batch.sample_count()
            ),
        }
    }
}

/// Decides the reply to the `n`-th request (0-based) carrying `batch`.
pub type Responder = Arc<dyn Fn(usize, &IngestBatch) -> Reply + Send + Sync>;

pub struct TestHub {
    pub port: u16,
    pub received: Arc<Mutex<Vec<Received>>>,
    stop: Arc<AtomicBool>,
    accept_thread: Option<JoinHandle<()>>,
}

impl TestHub {
    /// Starts a hub on `port` (0 = any free port) answering 200 to everything.
    pub fn start(port: u16) -> Self {
        Self::start_with(port, Arc::new(|_, b| Reply::ok(b)), Arc::default())
    }

    /// Starts a hub appending to `received` and answering with `responder`.
    pub fn start_with(
        port: u16,
        responder: Responder,
        received: Arc<Mutex<Vec<Received>>>,
    ) -> Self {
        let listener = bind_retrying(port);
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let accept_thread = {
            let (stop, received) = (stop.clone(), received.clone());
            thread::spawn(move || accept_loop(listener, stop, received, responder))
        };
        Self {
            port,
            received,
            stop,
            accept_thread: Some(accept_thread),
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Waits (bounded) until `done` holds for the received requests.
    pub fn wait_for(&self, what: &str, timeout: Duration, done: impl Fn(&[Received]) -> bool) {
        let start = Instant::now();
        while !done(&self.received()) {
            assert!(start.elapsed() < timeout, "timed out waiting for {what}");
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// Closes the port and every open connection.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(handle) = self.accept_thread.take() {
            handle.join().unwrap();
        }
    }
}

impl Drop for TestHub {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn bind_retrying(port: u16) -> TcpListener {
    let start = Instant::now();
    loop {
        match TcpListener::bind(("127.0.0.1", port)) {
            Ok(listener) => return listener,
            Err(e) if start.elapsed() > Duration::from_secs(5) => panic!("bind {port}: {e}"),
            Err(_) => thread::sleep(Duration::from_millis(50)),
        }
    }
}

fn accept_loop(
    listener: TcpListener,
    stop: Arc<AtomicBool>,
    received: Arc<Mutex<Vec<Received>>>,
    responder: Responder,
) {
    let mut connections = Vec::new();
    while !stop.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((stream, _)) => {
                let (stop, received, responder) =
                    (stop.clone(), received.clone(), responder.clone());
                connections.push(thread::spawn(move || {
                    serve(stream, &stop, &received, &responder)
                }));
            }
            Err(_) => thread::sleep(Duration::from_millis(10)),
        }
    }
    drop(listener);
    for connection in connections {
        let _ = connection.join();
    }
}

fn serve(
    stream: TcpStream,
    stop: &AtomicBool,
    received: &Mutex<Vec<Received>>,
    responder: &Responder,
) {
    stream.set_nonblocking(false).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_millis(50)))
        .unwrap();
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    while !stop.load(Ordering::SeqCst) {
        let Some((path, headers, body)) = read_request(&mut reader, stop) else {
            return;
        };
        let header = |name: &str| {
            headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
        };
        let gzip = header("content-encoding").as_deref() == Some("gzip");
        let batch = decode_batch(&body, gzip, 64 << 20).expect("agent sent a decodable batch");
        let index = received.lock().unwrap().len();
        let reply = responder(index, &batch);
        let mut head = format!(
            "HTTP/1.1 {} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
            reply.status,
            reply.body.len()
        );
        for (k, v) in &reply.headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        received.lock().unwrap().push(Received {
            path,
            authorization: header("authorization"),
            content_type: header("content-type"),
            content_encoding: header("content-encoding"),
            batch,
            status: reply.status,
            at: Instant::now(),
        });
        if writer.write_all(head.as_bytes()).is_err()
            || writer.write_all(reply.body.as_bytes()).is_err()
        {
            return;
        }
    }
}

type Request = (String, Vec<(String, String)>, Vec<u8>);

fn read_request(reader: &mut BufReader<TcpStream>, stop: &AtomicBool) -> Option<Request> {
    let request_line = read_line(reader, stop)?;
    let path = request_line.split_whitespace().nth(1)?.to_string();
    let mut headers = Vec::new();
    loop {
        let line = read_line(reader, stop)?;
        if line.is_empty() {
            break;
        }
        let (k, v) = line.split_once(':')?;
        headers.push((k.trim().to_string(), v.trim().to_string()));
    }
    let length: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    let mut filled = 0;
    while filled < length {
        match reader.read(&mut body[filled..]) {
            Ok(0) => return None,
            Ok(n) => filled += n,
            Err(e) if is_timeout(&e) && !stop.load(Ordering::SeqCst) => {}
            Err(_) => return None,
        }
    }
    Some((path, headers, body))
}

fn read_line(reader: &mut BufReader<TcpStream>, stop: &AtomicBool) -> Option<String> {
    let mut line = String::new();
    loop {
        match reader.read_line(&mut line) {
            Ok(0) => return None,
            Ok(_) if line.ends_with('\n') => return Some(line.trim_end().to_string()),
            Ok(_) => {}
            Err(e) if is_timeout(&e) && !stop.load(Ordering::SeqCst) => {}
            Err(_) => return None,
        }
    }
}

fn is_timeout(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
    )
}
