//! A small, bounded, blocking HTTP/1.1 client for the container engine's local API (the
//! Docker Engine API, which podman's service also speaks): one request per connection over
//! a Unix socket (or plain TCP for `DOCKER_HOST=tcp://`), timeouts on every call, caps on
//! header and body size. No TLS: the engine is spoken to on this host only.

use super::ContainerError;
use super::http::{self, Response};
use std::io::Write;
use std::net::TcpStream;
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::time::Duration;

/// The API version prefix of every request path (Docker 20.10+, podman 3+).
pub const API_PREFIX: &str = "/v1.41";

/// Largest reply body read, bytes; a larger one is an error.
pub const MAX_BODY_BYTES: usize = 8 << 20;

/// Where the container engine listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// A Unix socket path (`unix:///var/run/docker.sock`).
    Unix(PathBuf),
    /// `host:port` of a plain-TCP engine (`tcp://127.0.0.1:2375`).
    Tcp(String),
}

impl Endpoint {
    /// Parses `unix:///path`, `tcp://host:port` or an absolute socket path.
    pub fn parse(text: &str) -> Result<Endpoint, String> {
        if let Some(path) = text.strip_prefix("unix://") {
            if path.starts_with('/') {
                return Ok(Endpoint::Unix(PathBuf::from(path)));
            }
            return Err(format!(
                "{text:?}: a unix:// endpoint needs an absolute path"
            ));
        }
        if let Some(addr) = text.strip_prefix("tcp://") {
            let addr = addr.trim_end_matches('/');
            let port_ok = addr
                .rsplit_once(':')
                .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok());
            if port_ok {
                return Ok(Endpoint::Tcp(addr.to_owned()));
            }
            return Err(format!("{text:?}: a tcp:// endpoint needs host:port"));
        }
        if text.starts_with('/') {
            return Ok(Endpoint::Unix(PathBuf::from(text)));
        }
        Err(format!(
            "{text:?}: expected unix:///path/to/socket or tcp://host:port (TLS is not supported)"
        ))
    }
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Endpoint::Unix(path) => write!(f, "unix://{}", path.display()),
            Endpoint::Tcp(addr) => write!(f, "tcp://{addr}"),
        }
    }
}

/// A blocking client of one engine endpoint; each call opens its own connection.
#[derive(Debug, Clone)]
pub struct Client {
    endpoint: Endpoint,
    timeout: Duration,
}

/// Either kind of connection, read and written the same way.
enum Conn {
    Unix(UnixStream),
    Tcp(TcpStream),
}

impl Client {
    /// A client of `endpoint` whose every call (connect, write, each read) times out after
    /// `timeout`.
    pub fn new(endpoint: Endpoint, timeout: Duration) -> Client {
        Client { endpoint, timeout }
    }

    /// The endpoint this client talks to.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// Sends `method path_and_query` (the version prefix is added) and reads the reply, a
    /// body of at most `max_body` bytes (capped at [`MAX_BODY_BYTES`]). Replies with a
    /// status of 400 and above are errors carrying the engine's message.
    pub fn request(
        &self,
        method: &str,
        path_and_query: &str,
        max_body: usize,
    ) -> Result<Response, ContainerError> {
        let conn = self.connect()?;
        let head = format!(
            "{method} {API_PREFIX}{path_and_query} HTTP/1.1\r\nHost: docker\r\n\
             User-Agent: hostpulse-agent\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        );
        let io = |e| ContainerError::Io(format!("{method} {path_and_query}: {e}"));
        let max_body = max_body.min(MAX_BODY_BYTES);
        let response = match conn {
            Conn::Unix(mut s) => {
                s.write_all(head.as_bytes()).map_err(io)?;
                http::read_response(&mut s, max_body)
            }
            Conn::Tcp(mut s) => {
                s.write_all(head.as_bytes()).map_err(io)?;
                http::read_response(&mut s, max_body)
            }
        }
        .map_err(|e| e.context(&format!("{method} {path_and_query}")))?;
        if response.status >= 400 {
            return Err(ContainerError::Status {
                status: response.status,
                message: http::engine_message(&response.body),
            });
        }
        Ok(response)
    }

    fn connect(&self) -> Result<Conn, ContainerError> {
        let t = Some(self.timeout);
        let fail =
            |e: std::io::Error| ContainerError::Io(format!("connect {}: {e}", self.endpoint));
        match &self.endpoint {
            Endpoint::Unix(path) => {
                let s = UnixStream::connect(path).map_err(fail)?;
                s.set_read_timeout(t).map_err(fail)?;
                s.set_write_timeout(t).map_err(fail)?;
                Ok(Conn::Unix(s))
            }
            Endpoint::Tcp(addr) => {
                let addrs =
                    std::net::ToSocketAddrs::to_socket_addrs(addr.as_str()).map_err(fail)?;
                let mut last = None;
                for a in addrs {
                    match TcpStream::connect_timeout(&a, self.timeout) {
                        Ok(s) => {
                            s.set_read_timeout(t).map_err(fail)?;
                            s.set_write_timeout(t).map_err(fail)?;
                            return Ok(Conn::Tcp(s));
                        }
                        Err(e) => last = Some(e),
                    }
                }
                Err(fail(last.unwrap_or_else(|| {
                    std::io::Error::new(std::io::ErrorKind::NotFound, "no address")
                })))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_parse_unix_tcp_and_refuse_the_rest() {
        assert_eq!(
            Endpoint::parse("unix:///run/podman/podman.sock"),
            Ok(Endpoint::Unix("/run/podman/podman.sock".into()))
        );
        assert_eq!(
            Endpoint::parse("/var/run/docker.sock"),
            Ok(Endpoint::Unix("/var/run/docker.sock".into()))
        );
        assert_eq!(
            Endpoint::parse("tcp://127.0.0.1:2375"),
            Ok(Endpoint::Tcp("127.0.0.1:2375".into()))
        );
        assert!(Endpoint::parse("tcp://host").is_err());
        assert!(Endpoint::parse("unix://relative").is_err());
        assert!(Endpoint::parse("https://x:1").is_err());
        assert_eq!(
            Endpoint::parse("tcp://h:1").map(|e| e.to_string()),
            Ok("tcp://h:1".into())
        );
    }

    /// A one-connection TCP engine that reads the request head and writes `reply`; the
    /// request head it read.
    fn one_reply(reply: &'static str) -> (String, std::thread::JoinHandle<String>) {
        use std::io::{BufRead, BufReader};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr").to_string();
        let handle = std::thread::spawn(move || {
            let (stream, _) = listener.accept().expect("accept");
            let mut reader = BufReader::new(stream);
            let mut head = String::new();
            while reader.read_line(&mut head).is_ok_and(|n| n > 2) {}
            let mut stream = reader.into_inner();
            stream.write_all(reply.as_bytes()).expect("reply");
            head
        });
        (addr, handle)
    }

    #[test]
    fn tcp_endpoints_get_a_versioned_request_with_the_docker_host() {
        let (addr, server) =
            one_reply("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nOK\r\n0\r\n\r\n");
        let client = Client::new(Endpoint::Tcp(addr), Duration::from_secs(5));
        let reply = client.request("GET", "/_ping", 100).expect("reply");
        assert_eq!((reply.status, reply.body.as_slice()), (200, &b"OK"[..]));
        let head = server.join().expect("server");
        assert!(head.starts_with("GET /v1.41/_ping HTTP/1.1\r\n"), "{head}");
        assert!(head.contains("\r\nHost: docker\r\n"), "{head}");
    }

    #[test]
    fn error_statuses_carry_the_engines_message_and_silence_times_out() {
        let (addr, server) = one_reply(
            "HTTP/1.1 404 Not Found\r\nContent-Length: 29\r\n\r\n{\"message\":\"no such thing\"}\n\n\n",
        );
        let client = Client::new(Endpoint::Tcp(addr), Duration::from_secs(5));
        let err = client.request("POST", "/containers/x/start", 100).err();
        let expected = ContainerError::Status {
            status: 404,
            message: "no such thing".into(),
        };
        assert_eq!(err, Some(expected));
        server.join().expect("server");

        let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = silent.local_addr().expect("addr").to_string();
        let client = Client::new(Endpoint::Tcp(addr), Duration::from_millis(200));
        let started = std::time::Instant::now();
        let err = client.request("GET", "/_ping", 100).err();
        assert!(matches!(err, Some(ContainerError::Io(_))), "{err:?}");
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "the read timeout applies"
        );
        drop(silent);
    }

    #[test]
    fn a_missing_socket_is_an_io_error() {
        let client = Client::new(
            Endpoint::Unix("/nonexistent/hostpulse.sock".into()),
            Duration::from_secs(1),
        );
        let err = client.request("GET", "/_ping", 100).err();
        assert!(matches!(err, Some(ContainerError::Io(_))), "{err:?}");
    }
}
