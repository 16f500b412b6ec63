//! Reading one HTTP/1.1 reply: status line, headers (at most [`MAX_HEAD_BYTES`]), then a
//! body framed by `Content-Length`, `Transfer-Encoding: chunked` or the connection's end,
//! never more than the caller's cap.

use super::ContainerError;
use std::io::{BufRead, BufReader, Read};

/// Largest status line plus headers read, bytes.
pub const MAX_HEAD_BYTES: usize = 64 << 10;

/// One reply of the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The HTTP status code.
    pub status: u16,
    /// The body, de-chunked.
    pub body: Vec<u8>,
    /// Whether the body was cut at the cap (only when the caller allowed truncation).
    pub truncated: bool,
}

/// Reads a reply from `stream`; a body above `max_body` bytes is cut there and marked
/// truncated (callers that need the whole body treat that as an error).
pub fn read_response(stream: &mut impl Read, max_body: usize) -> Result<Response, ContainerError> {
    let mut reader = BufReader::with_capacity(8192, stream);
    let mut head_bytes = 0;
    let status_line = read_line(&mut reader, &mut head_bytes)?;
    let status = parse_status(&status_line)?;
    let (mut length, mut chunked) = (None, false);
    loop {
        let line = read_line(&mut reader, &mut head_bytes)?;
        if line.is_empty() {
            break;
        }
        let Some((name, value)) = line.split_once(':') else {
            return Err(ContainerError::Http(format!("bad header line {line:?}")));
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            let n = value.parse::<usize>();
            length = Some(n.map_err(|_| ContainerError::Http(format!("bad length {value:?}")))?);
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            chunked = value.to_ascii_lowercase().contains("chunked");
        }
    }
    let mut body = Vec::new();
    let truncated = if chunked {
        read_chunked(&mut reader, &mut body, max_body)?
    } else {
        let limit = length.unwrap_or(usize::MAX).min(max_body.saturating_add(1));
        (&mut reader)
            .take(limit as u64)
            .read_to_end(&mut body)
            .map_err(|e| ContainerError::Io(e.to_string()))?;
        cut(&mut body, max_body)
    };
    Ok(Response {
        status,
        body,
        truncated,
    })
}

/// Cuts `body` to `max` bytes; whether it was longer.
fn cut(body: &mut Vec<u8>, max: usize) -> bool {
    let over = body.len() > max;
    body.truncate(max);
    over
}

/// One CRLF-terminated line of the head (without the line end), counted against the cap.
fn read_line(reader: &mut impl BufRead, used: &mut usize) -> Result<String, ContainerError> {
    let mut line = Vec::new();
    let left = MAX_HEAD_BYTES.saturating_sub(*used) as u64;
    let n = reader
        .take(left)
        .read_until(b'\n', &mut line)
        .map_err(|e| ContainerError::Io(e.to_string()))?;
    *used += n;
    if line.last() != Some(&b'\n') {
        let why = if *used >= MAX_HEAD_BYTES {
            "reply head too large"
        } else {
            "reply ended early"
        };
        return Err(ContainerError::Http(why.into()));
    }
    while matches!(line.last(), Some(b'\n' | b'\r')) {
        line.pop();
    }
    String::from_utf8(line).map_err(|_| ContainerError::Http("reply head is not UTF-8".into()))
}

fn parse_status(line: &str) -> Result<u16, ContainerError> {
    let mut parts = line.split(' ');
    let version = parts.next().unwrap_or_default();
    let code = parts.next().and_then(|c| c.parse::<u16>().ok());
    match code {
        Some(code) if version.starts_with("HTTP/1.") => Ok(code),
        _ => Err(ContainerError::Http(format!("bad status line {line:?}"))),
    }
}

/// Reads a chunked body into `body` up to `max` bytes; whether there was more.
fn read_chunked(
    reader: &mut impl BufRead,
    body: &mut Vec<u8>,
    max: usize,
) -> Result<bool, ContainerError> {
    let io = |e: std::io::Error| ContainerError::Io(e.to_string());
    loop {
        let mut used = 0;
        let line = read_line(reader, &mut used)?;
        let size_text = line.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| ContainerError::Http(format!("bad chunk size {size_text:?}")))?;
        if size == 0 {
            return Ok(false);
        }
        let room = max.saturating_sub(body.len());
        let take = size.min(room.saturating_add(1));
        let before = body.len();
        reader.take(take as u64).read_to_end(body).map_err(io)?;
        if body.len() - before < take {
            return Err(ContainerError::Http("reply ended inside a chunk".into()));
        }
        if cut(body, max) || take < size {
            return Ok(true);
        }
        let mut crlf = [0u8; 2];
        reader.read_exact(&mut crlf).map_err(io)?;
    }
}

/// The engine's error text from a JSON `{"message": ...}` body, else the body as text.
pub fn engine_message(body: &[u8]) -> String {
    #[derive(serde::Deserialize)]
    struct Message {
        message: String,
    }
    match serde_json::from_slice::<Message>(body) {
        Ok(m) => m.message,
        Err(_) => String::from_utf8_lossy(&body[..body.len().min(512)])
            .trim()
            .to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(raw: &str, max: usize) -> Result<Response, ContainerError> {
        read_response(&mut raw.as_bytes(), max)
    }

    #[test]
    fn content_length_body_is_read_exactly() {
        let r = read(
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX: y\r\n\r\nhelloEXTRA",
            100,
        );
        let r = r.expect("parses");
        assert_eq!(
            (r.status, r.body.as_slice(), r.truncated),
            (200, &b"hello"[..], false)
        );
    }

    #[test]
    fn chunked_body_is_joined_and_capped() {
        let raw = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n4;x=1\r\ndefg\r\n0\r\n\r\n";
        let r = read(raw, 100).expect("parses");
        assert_eq!(r.body, b"abcdefg");
        let capped = read(raw, 5).expect("parses");
        assert_eq!(
            (capped.body.as_slice(), capped.truncated),
            (&b"abcde"[..], true)
        );
    }

    #[test]
    fn body_until_close_and_caps() {
        let r = read("HTTP/1.0 204 No Content\r\n\r\n", 10).expect("parses");
        assert_eq!((r.status, r.body.len()), (204, 0));
        let r = read("HTTP/1.1 200 OK\r\n\r\n0123456789abc", 10).expect("parses");
        assert_eq!((r.body.len(), r.truncated), (10, true));
    }

    #[test]
    fn malformed_replies_are_errors() {
        assert!(read("SSH-2.0-OpenSSH\r\n\r\n", 10).is_err());
        assert!(read("HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", 10).is_err());
        assert!(read("HTTP/1.1 200 OK\r\nbroken\r\n\r\n", 10).is_err());
        assert!(
            read(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
                10
            )
            .is_err()
        );
        let huge = format!(
            "HTTP/1.1 200 OK\r\nX: {}\r\n\r\n",
            "a".repeat(MAX_HEAD_BYTES)
        );
        assert!(read(&huge, 10).is_err());
    }

    #[test]
    fn engine_messages_are_read_from_json() {
        assert_eq!(
            engine_message(br#"{"cause":"x","message":"no such container"}"#),
            "no such container"
        );
        assert_eq!(engine_message(b"plain text\n"), "plain text");
    }
}
