//! The engine calls the agent makes, for the collector and for the command channel:
//! list, inspect, stats, events, logs, start/stop/restart and prune. Every container name
//! from a user is checked by [`validate_name`] before it becomes part of a path.

use super::ContainerError;
use super::client::Client;
use super::parse::{self, ListEntry, StatsReading};
use hostpulse_core::{ContainerEvent, ContainerInfo};

/// Body cap of the small JSON replies (list, inspect, stats, actions), bytes.
const JSON_CAP: usize = 4 << 20;

/// Longest container name accepted.
pub const MAX_NAME_LEN: usize = 128;

/// Checks a container name or id as a user gave it: `[A-Za-z0-9][A-Za-z0-9_.-]*` of at most
/// [`MAX_NAME_LEN`] bytes (a hex id matches that too); anything else is refused before a
/// request path is built from it.
pub fn validate_name(name: &str) -> Result<&str, ContainerError> {
    let mut bytes = name.bytes();
    let first_ok = bytes.next().is_some_and(|b| b.is_ascii_alphanumeric());
    let rest_ok = bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
    if first_ok && rest_ok && name.len() <= MAX_NAME_LEN {
        return Ok(name);
    }
    Err(ContainerError::BadName(
        name.chars().take(MAX_NAME_LEN).collect(),
    ))
}

impl Client {
    /// The cheap listing of every container (`all`) or only running ones: id, name, image,
    /// state, status text.
    pub fn list_entries(&self, all: bool) -> Result<Vec<ListEntry>, ContainerError> {
        let path = if all {
            "/containers/json?all=1"
        } else {
            "/containers/json"
        };
        let reply = self.request("GET", path, JSON_CAP)?;
        parse::parse_list(&whole(reply)?)
    }

    /// Every container (`all`) or the running ones, each inspected for health, restart
    /// count, start time and exit code; sorted by name. A container removed between the
    /// list and its inspect is left out.
    pub fn list(&self, all: bool) -> Result<Vec<ContainerInfo>, ContainerError> {
        let mut out = Vec::new();
        for entry in self.list_entries(all)? {
            match self.inspect_id(&entry.id) {
                Ok(info) => out.push(info),
                Err(ContainerError::Status { status: 404, .. }) => {}
                Err(e) => return Err(e),
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// The inventory record of one container, by name or id (checked by [`validate_name`]).
    pub fn inspect(&self, name_or_id: &str) -> Result<ContainerInfo, ContainerError> {
        self.inspect_id(validate_name(name_or_id)?)
    }

    /// The engine's whole inspect document of one container, by name or id.
    pub fn inspect_raw(&self, name_or_id: &str) -> Result<serde_json::Value, ContainerError> {
        let name = validate_name(name_or_id)?;
        let reply = self.request("GET", &format!("/containers/{name}/json"), JSON_CAP)?;
        serde_json::from_slice(&whole(reply)?).map_err(|e| ContainerError::Parse(e.to_string()))
    }

    fn inspect_id(&self, id: &str) -> Result<ContainerInfo, ContainerError> {
        let reply = self.request("GET", &format!("/containers/{id}/json"), JSON_CAP)?;
        parse::parse_inspect(&whole(reply)?)
    }

    /// One stats reading of a running container (no streaming, no second sample).
    pub fn stats(&self, id: &str) -> Result<StatsReading, ContainerError> {
        let id = validate_name(id)?;
        let path = format!("/containers/{id}/stats?stream=false&one-shot=true");
        parse::parse_stats(&whole(self.request("GET", &path, JSON_CAP)?)?)
    }

    /// Whether the engine is podman (its `/version` names a `Podman Engine` component).
    pub fn is_podman(&self) -> Result<bool, ContainerError> {
        let body = whole(self.request("GET", "/version", JSON_CAP)?)?;
        Ok(parse::parse_is_podman(&body))
    }

    /// The container events (`die`, `oom`, `health_status`) recorded since `since` (Unix
    /// seconds), without waiting for new ones: up to `until` with Docker (`Some`), or up to
    /// now with podman (`None`: `stream=false`, since podman 4 returns nothing for an
    /// `until` in the past and Docker ignores `stream`).
    pub fn events(
        &self,
        since: i64,
        until: Option<i64>,
    ) -> Result<Vec<ContainerEvent>, ContainerError> {
        let filters = "%7B%22type%22%3A%5B%22container%22%5D%7D"; // {"type":["container"]}
        let path = match until {
            Some(until) => format!("/events?since={since}&until={until}&filters={filters}"),
            None => format!("/events?since={since}&stream=false&filters={filters}"),
        };
        parse::parse_events(&whole(self.request("GET", &path, JSON_CAP)?)?)
    }

    /// The last `tail` lines of a container's stdout and stderr, at most `max_bytes` of
    /// them (the rest is cut; a cut line may end the text).
    pub fn logs(
        &self,
        name: &str,
        tail: usize,
        max_bytes: usize,
    ) -> Result<String, ContainerError> {
        let name = validate_name(name)?;
        let path = format!("/containers/{name}/logs?stdout=1&stderr=1&tail={tail}");
        // The frame headers take room too: read a little more than the caller's cap.
        let reply = self.request("GET", &path, max_bytes.saturating_mul(2).max(4096))?;
        let mut text = parse::demux_logs(&reply.body);
        if text.len() > max_bytes {
            let mut cut = max_bytes;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text.truncate(cut);
        }
        Ok(text)
    }

    /// Starts a container; starting a running one is not an error.
    pub fn start(&self, name: &str) -> Result<(), ContainerError> {
        self.action(name, "start", None)
    }

    /// Stops a container, killing it after `timeout_secs`; a stopped one is not an error.
    pub fn stop(&self, name: &str, timeout_secs: u32) -> Result<(), ContainerError> {
        self.action(name, "stop", Some(timeout_secs))
    }

    /// Restarts a container, killing it after `timeout_secs` if it does not stop.
    pub fn restart(&self, name: &str, timeout_secs: u32) -> Result<(), ContainerError> {
        self.action(name, "restart", Some(timeout_secs))
    }

    fn action(&self, name: &str, verb: &str, timeout: Option<u32>) -> Result<(), ContainerError> {
        let name = validate_name(name)?;
        let path = match timeout {
            Some(t) => format!("/containers/{name}/{verb}?t={t}"),
            None => format!("/containers/{name}/{verb}"),
        };
        match self.request("POST", &path, JSON_CAP) {
            Ok(_) | Err(ContainerError::Status { status: 304, .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Removes stopped containers, then dangling images; the bytes reclaimed.
    pub fn prune(&self) -> Result<u64, ContainerError> {
        let containers = whole(self.request("POST", "/containers/prune", JSON_CAP)?)?;
        let images = whole(self.request("POST", "/images/prune", JSON_CAP)?)?;
        Ok(parse::parse_prune(&containers)?.saturating_add(parse::parse_prune(&images)?))
    }
}

/// The body of a reply that must be whole to be parsed.
fn whole(reply: super::http::Response) -> Result<Vec<u8>, ContainerError> {
    if reply.truncated {
        return Err(ContainerError::Http("reply larger than its cap".into()));
    }
    Ok(reply.body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked_before_any_path_is_built() {
        for ok in ["web", "web-1", "a.b_c", "0123abcdef", &"a".repeat(128)] {
            assert!(validate_name(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "-x",
            ".x",
            "_x",
            "a/b",
            "../x",
            "a b",
            "a?b",
            "a%2f",
            "é",
            &"a".repeat(129),
        ] {
            assert!(
                matches!(validate_name(bad), Err(ContainerError::BadName(_))),
                "{bad}"
            );
        }
    }
}
