//! A webhook receiver on loopback for delivery tests: records every request's
//! `Idempotency-Key` header and body in arrival order; can be told to hold one request
//! unanswered (to stop the hub in the middle of an attempt) and to answer slowly.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// One request the sink received.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub idempotency_key: Option<String>,
    pub body: String,
}

/// The running sink; it stops accepting when dropped with the test process.
#[derive(Clone)]
pub struct Sink {
    pub url: String,
    received: Arc<Mutex<Vec<Received>>>,
    /// 1-based number of the request held unanswered (0 = none).
    hold: Arc<AtomicUsize>,
    delay: Duration,
}

impl Sink {
    /// Starts a sink answering `200 {}` after `delay`; request number `hold` (1-based, 0 =
    /// none) is read and recorded but never answered.
    pub fn start(delay: Duration, hold: usize) -> Sink {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the sink");
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let sink = Sink {
            url,
            received: Arc::default(),
            hold: Arc::new(AtomicUsize::new(hold)),
            delay,
        };
        let serving = sink.clone();
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let sink = serving.clone();
                thread::spawn(move || sink.serve(stream));
            }
        });
        sink
    }

    /// Every request so far, in arrival order.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    fn serve(&self, stream: TcpStream) {
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut writer = stream;
        // Keep-alive: several requests per connection.
        while let Some(request) = read_request(&mut reader) {
            let number = {
                let mut received = self.received.lock().unwrap();
                received.push(request);
                received.len()
            };
            if number == self.hold.load(Ordering::SeqCst) {
                thread::sleep(Duration::from_secs(3600));
                return;
            }
            thread::sleep(self.delay);
            let reply =
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}";
            if writer.write_all(reply.as_bytes()).is_err() {
                return;
            }
        }
    }
}

fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Received> {
    let mut line = String::new();
    reader.read_line(&mut line).ok().filter(|n| *n > 0)?;
    let path = line.split_whitespace().nth(1)?.to_string();
    let mut length = 0usize;
    let mut key = None;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok().filter(|n| *n > 0)?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':')?;
        match name.trim().to_ascii_lowercase().as_str() {
            "content-length" => length = value.trim().parse().ok()?,
            "idempotency-key" => key = Some(value.trim().to_string()),
            _ => {}
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Received {
        path,
        idempotency_key: key,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}
