//! The command channel's two requests to the hub, over the pusher's HTTP client (same TLS,
//! token and connection pool): the long poll for commands and the post of one update.

use std::time::Duration;

use hostpulse_proto::command::{CommandBatch, CommandPoll, CommandUpdate};

use crate::push::Pusher;

/// Path of the poll endpoint under the hub URL.
pub const POLL_PATH: &str = "/api/v1/agent/commands/poll";
/// How much longer than the poll's wait the request may take.
const POLL_MARGIN: Duration = Duration::from_secs(15);
/// Largest poll answer read (16 commands of 8 bounded arguments fit easily).
const MAX_BATCH_BYTES: u64 = 1 << 20;

/// What one poll brought.
#[derive(Debug)]
pub enum PollAnswer {
    /// Commands to run and ids to cancel (possibly none).
    Batch(CommandBatch),
    /// 404: the hub has no command channel (an older hub).
    NotFound,
    /// 401/403: the token is refused.
    Unauthorized(u16),
    /// Another status, an unreadable answer or a timeout; after `Retry-After` if given.
    Failed(String, Option<Duration>),
    /// The hub could not be reached.
    Unreachable(String),
}

/// What became of one update post.
#[derive(Debug, PartialEq, Eq)]
pub enum PostAnswer {
    /// 2xx: the hub has it.
    Accepted,
    /// 404 (unknown command) or 409 (it already has the outcome): sending again is useless.
    Gone(String),
    /// Worth another try.
    Retry(String),
}

/// The hub's command endpoints for this agent.
#[derive(Clone)]
pub struct HubLink {
    agent: ureq::Agent,
    base: String,
    authorization: String,
    post_timeout: Duration,
}

impl HubLink {
    /// The endpoints of the hub `pusher` pushes to; an update post may take `post_timeout`.
    pub fn new(pusher: &Pusher, post_timeout: Duration) -> Self {
        let (agent, base, authorization) = pusher.client();
        Self {
            agent,
            base,
            authorization,
            post_timeout,
        }
    }

    /// The poll endpoint's URL.
    pub fn poll_url(&self) -> String {
        format!("{}{POLL_PATH}", self.base)
    }

    /// Asks for commands, letting the hub hold the request `poll.wait_ms`.
    pub fn poll(&self, poll: &CommandPoll) -> PollAnswer {
        let body = match serde_json::to_vec(poll) {
            Ok(body) => body,
            Err(e) => return PollAnswer::Failed(e.to_string(), None),
        };
        let timeout = Duration::from_millis(poll.wait_ms) + POLL_MARGIN;
        let sent = self
            .agent
            .post(self.poll_url())
            .config()
            .timeout_global(Some(timeout))
            .build()
            .header("Authorization", &self.authorization)
            .header("Content-Type", "application/json")
            .send(&body[..]);
        let mut response = match sent {
            Ok(response) => response,
            Err(ureq::Error::Timeout(t)) => {
                return PollAnswer::Failed(format!("no answer in time ({t})"), None);
            }
            Err(e) => return PollAnswer::Unreachable(e.to_string()),
        };
        let status = response.status().as_u16();
        let retry_after = crate::push::retry_after_of(&response);
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_BATCH_BYTES)
            .read_to_vec();
        match (status, body) {
            (200..=299, Ok(body)) => match serde_json::from_slice(&body) {
                Ok(batch) => PollAnswer::Batch(batch),
                Err(e) => PollAnswer::Failed(format!("unreadable answer: {e}"), None),
            },
            (404, _) => PollAnswer::NotFound,
            (401 | 403, _) => PollAnswer::Unauthorized(status),
            (_, Err(e)) => PollAnswer::Failed(format!("hub answered {status}: {e}"), retry_after),
            (_, Ok(body)) => {
                let text = String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned();
                PollAnswer::Failed(format!("hub answered {status}: {text}"), retry_after)
            }
        }
    }

    /// Posts one update of command `id`.
    pub fn post(&self, id: &str, update: &CommandUpdate) -> PostAnswer {
        let body = match serde_json::to_vec(update) {
            Ok(body) => body,
            Err(e) => return PostAnswer::Gone(format!("cannot encode the update: {e}")),
        };
        let sent = self
            .agent
            .post(format!("{}/api/v1/agent/commands/{id}/updates", self.base))
            .config()
            .timeout_global(Some(self.post_timeout))
            .build()
            .header("Authorization", &self.authorization)
            .header("Content-Type", "application/json")
            .send(&body[..]);
        match sent {
            Ok(response) => match response.status().as_u16() {
                200..=299 => PostAnswer::Accepted,
                404 => PostAnswer::Gone("the hub does not know this command (404)".into()),
                409 => PostAnswer::Gone("the hub already has its outcome (409)".into()),
                status => PostAnswer::Retry(format!("hub answered {status}")),
            },
            Err(e) => PostAnswer::Retry(e.to_string()),
        }
    }
}
