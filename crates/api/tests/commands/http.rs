//! A plain HTTP/1.1 client over a TCP stream (one request per connection) and a fake agent
//! speaking the command channel's documented protocol over it.

#![allow(dead_code)]
#![allow(
    clippy::unwrap_used,
    reason = "test support: a failed step stops the test loudly"
)]

use hostpulse_proto::command::{CommandBatch, CommandOutcome, CommandStatus, CommandUpdate};
use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// One answer: status code and body parsed as JSON (`Null` when empty or not JSON).
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub json: serde_json::Value,
}

/// Sends one request and reads the whole answer.
pub async fn send(addr: SocketAddr, method: &str, path: &str, token: &str, body: &str) -> Reply {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nhost: hub\r\nauthorization: Bearer {token}\r\n\
         content-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    let text = String::from_utf8_lossy(&raw);
    let status = text[9..12].parse().unwrap();
    let body = text.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    Reply {
        status,
        json: serde_json::from_str(body).unwrap_or(serde_json::Value::Null),
    }
}

/// What the fake agent does with a command.
#[derive(Clone, Copy)]
pub enum Behaviour {
    /// Answers `ok` with output `did <action> <args>`.
    Answer,
    /// Takes commands and never answers.
    Silent,
}

/// Polls as the agent with `token`, reporting `allowed`, until the task is aborted.
pub fn spawn_agent(
    addr: SocketAddr,
    token: String,
    allowed: &[&str],
    behaviour: Behaviour,
) -> tokio::task::JoinHandle<()> {
    let poll =
        serde_json::json!({ "wait_ms": 2_000, "allowed": allowed, "commands": ["restart_nginx"] });
    tokio::spawn(async move {
        loop {
            let reply = send(
                addr,
                "POST",
                "/api/v1/agent/commands/poll",
                &token,
                &poll.to_string(),
            )
            .await;
            assert_eq!(reply.status, 200, "{}", reply.json);
            let batch: CommandBatch = serde_json::from_value(reply.json).unwrap();
            for command in batch.commands {
                if let Behaviour::Silent = behaviour {
                    continue;
                }
                let args: Vec<String> = command.args.values().cloned().collect();
                let update = CommandUpdate {
                    seq: 0,
                    output: format!("did {} {}", command.action, args.join(" ")),
                    outcome: Some(CommandOutcome {
                        status: CommandStatus::Ok,
                        exit_code: None,
                        error: None,
                        started_ms: Some(1),
                        finished_ms: 2,
                        truncated: false,
                    }),
                };
                let path = format!("/api/v1/agent/commands/{}/updates", command.id);
                let body = serde_json::to_string(&update).unwrap();
                let reply = send(addr, "POST", &path, &token, &body).await;
                assert_eq!(reply.status, 204, "{}", reply.json);
            }
        }
    })
}
