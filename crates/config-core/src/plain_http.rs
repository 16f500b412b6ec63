//! Advice for an `https://` hub URL whose port speaks plain HTTP: after a failed TLS handshake
//! the clients (CLI, agent) ask the port over plain HTTP and, when it answers, say so.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// When `url` is `https://…` and its host and port answer a plain HTTP request within
/// `timeout`, the message to show instead of the TLS error; `None` otherwise.
pub fn plain_http_advice(url: &str, timeout: Duration) -> Option<String> {
    let rest = url
        .get(..8)
        .filter(|s| s.eq_ignore_ascii_case("https://"))?;
    let rest = &url[rest.len()..];
    let authority = rest.split(['/', '?', '#']).next()?;
    let answered = speaks_http(authority, timeout).unwrap_or(false);
    answered.then(|| format!("the hub at {url} answered plain HTTP; use http://{rest}"))
}

/// Whether `authority` (`host`, `host:port`, `[v6]:port`; port 443 when absent) answers
/// `GET /healthz` in plain HTTP with a 2xx status, as a hub does. A TLS server that answers
/// plain requests with an HTTP error (nginx: 400 "plain HTTP request was sent to HTTPS
/// port") does not count: its handshake failed for another reason.
fn speaks_http(authority: &str, timeout: Duration) -> std::io::Result<bool> {
    let has_port = match authority.rfind(']') {
        Some(close) => authority[close..].contains(':'),
        None => authority.contains(':'),
    };
    let target = if has_port {
        authority.to_owned()
    } else {
        format!("{authority}:443")
    };
    let Some(address) = target.to_socket_addrs()?.next() else {
        return Ok(false);
    };
    let mut stream = TcpStream::connect_timeout(&address, timeout)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    let request =
        format!("GET /healthz HTTP/1.0\r\nHost: {authority}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes())?;
    let mut head = [0u8; 12];
    stream.read_exact(&mut head)?;
    let status_line = String::from_utf8_lossy(&head);
    let status = status_line
        .strip_prefix("HTTP/")
        .and_then(|rest| rest.split_once(' '))
        .map(|(_, code)| code);
    Ok(status.is_some_and(|code| code.starts_with('2')))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    fn one_reply_server(reply: &'static [u8]) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            if let Ok((mut stream, _)) = listener.accept() {
                let mut buffer = [0u8; 256];
                let _ = stream.read(&mut buffer);
                let _ = stream.write_all(reply);
            }
        });
        address.to_string()
    }

    #[test]
    fn a_plain_http_port_gets_the_http_url() {
        let address = one_reply_server(b"HTTP/1.1 200 OK\r\n\r\n");
        let advice = plain_http_advice(&format!("https://{address}/x"), Duration::from_secs(5));
        assert_eq!(
            advice,
            Some(format!(
                "the hub at https://{address}/x answered plain HTTP; use http://{address}/x"
            ))
        );
    }

    #[test]
    fn other_answers_and_http_urls_get_no_advice() {
        let timeout = Duration::from_secs(5);
        let nginx = one_reply_server(b"HTTP/1.1 400 Bad Request\r\n\r\n");
        assert_eq!(
            plain_http_advice(&format!("https://{nginx}"), timeout),
            None
        );
        let address = one_reply_server(b"\x15\x03\x03\x00\x02\x02\x28\x00\x00\x00\x00\x00");
        assert_eq!(
            plain_http_advice(&format!("https://{address}"), timeout),
            None
        );
        assert_eq!(
            plain_http_advice(&format!("http://{address}"), timeout),
            None
        );
    }
}
