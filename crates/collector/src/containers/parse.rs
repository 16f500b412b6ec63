//! Pure parsers of the engine's JSON replies (Docker Engine API v1.41, as Docker and
//! podman's compatible service write them) and of its multiplexed log stream.

use super::ContainerError;
use hostpulse_core::{ContainerEvent, ContainerInfo};
use serde::Deserialize;
use std::collections::HashMap;

mod stats;
pub use stats::{StatsReading, parse_stats};

/// One row of `GET /containers/json`: what the cheap list call tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListEntry {
    /// Full container id.
    pub id: String,
    /// Name without the leading `/`.
    pub name: String,
    /// Image name.
    pub image: String,
    /// State word (`running`, `exited`, ...).
    pub state: String,
    /// The engine's status text (`Up 3 minutes (healthy)`), which changes with health.
    pub status: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawListEntry {
    id: String,
    #[serde(default)]
    names: Vec<String>,
    #[serde(default)]
    image: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    status: String,
}

fn json<'a, T: Deserialize<'a>>(what: &str, body: &'a [u8]) -> Result<T, ContainerError> {
    serde_json::from_slice(body).map_err(|e| ContainerError::Parse(format!("{what}: {e}")))
}

fn strip_slash(name: &str) -> String {
    name.strip_prefix('/').unwrap_or(name).to_owned()
}

/// Parses the reply of `GET /containers/json?all=1`.
pub fn parse_list(body: &[u8]) -> Result<Vec<ListEntry>, ContainerError> {
    let raw: Vec<RawListEntry> = json("container list", body)?;
    Ok(raw
        .into_iter()
        .map(|r| ListEntry {
            name: r
                .names
                .first()
                .map_or_else(|| r.id.clone(), |n| strip_slash(n)),
            id: r.id,
            image: r.image,
            state: r.state,
            status: r.status,
        })
        .collect())
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawInspect {
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    restart_count: u64,
    #[serde(default)]
    state: RawState,
    #[serde(default)]
    config: RawConfig,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct RawState {
    #[serde(default)]
    status: String,
    #[serde(default, rename = "OOMKilled")]
    oom_killed: bool,
    #[serde(default)]
    exit_code: i64,
    #[serde(default)]
    started_at: String,
    #[serde(default)]
    health: Option<RawHealth>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct RawHealth {
    #[serde(default)]
    status: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct RawConfig {
    #[serde(default)]
    image: String,
}

/// Parses the reply of `GET /containers/{id}/json` into the inventory record.
pub fn parse_inspect(body: &[u8]) -> Result<ContainerInfo, ContainerError> {
    let raw: RawInspect = json("container inspect", body)?;
    let never = raw.state.started_at.starts_with("0001-01-01");
    Ok(ContainerInfo {
        name: strip_slash(&raw.name),
        id: raw.id,
        image: raw.config.image,
        state: raw.state.status,
        health: raw.state.health.map(|h| h.status).unwrap_or_default(),
        restart_count: raw.restart_count,
        started_at: if never {
            String::new()
        } else {
            raw.state.started_at
        },
        exit_code: raw.state.exit_code,
        oom_killed: raw.state.oom_killed,
    })
}

#[derive(Deserialize)]
struct RawEvent {
    #[serde(default, rename = "Type")]
    kind: String,
    #[serde(default, rename = "Action")]
    action: String,
    #[serde(default, rename = "Actor")]
    actor: RawActor,
    #[serde(default, rename = "timeNano")]
    time_nano: i64,
    #[serde(default)]
    time: i64,
    #[serde(default, rename = "HealthStatus")]
    health_status: String,
}

#[derive(Deserialize, Default)]
struct RawActor {
    #[serde(default, rename = "ID")]
    id: String,
    #[serde(default, rename = "Attributes")]
    attributes: HashMap<String, String>,
}

/// Parses the newline-separated JSON objects of `GET /events?since=&until=`, keeping the
/// container events `die` (podman: `died`), `oom` and `health_status`, oldest first.
pub fn parse_events(body: &[u8]) -> Result<Vec<ContainerEvent>, ContainerError> {
    let mut events = Vec::new();
    for item in serde_json::Deserializer::from_slice(body).into_iter::<RawEvent>() {
        let raw = item.map_err(|e| ContainerError::Parse(format!("events: {e}")))?;
        let action = match raw.action.split(':').next().unwrap_or_default().trim() {
            "die" | "died" => "die",
            "oom" => "oom",
            "health_status" => "health_status",
            _ => continue,
        };
        if raw.kind != "container" {
            continue;
        }
        let attrs = &raw.actor.attributes;
        let detail = match action {
            "die" => attrs
                .get("exitCode")
                .or_else(|| attrs.get("containerExitCode")),
            "health_status" => attrs.get("health_status").or(Some(&raw.health_status)),
            _ => None,
        };
        let docker_health = raw.action.split_once(':').map(|(_, s)| s.trim().to_owned());
        let detail = docker_health.or(detail.cloned()).filter(|d| !d.is_empty());
        let ts_ms = if raw.time_nano > 0 {
            raw.time_nano / 1_000_000
        } else {
            raw.time * 1000
        };
        events.push(ContainerEvent {
            ts_ms,
            container: attrs.get("name").cloned().unwrap_or(raw.actor.id),
            action: action.to_owned(),
            detail: detail.unwrap_or_default(),
        });
    }
    events.sort_by_key(|e| e.ts_ms);
    Ok(events)
}

/// The text of a `GET /containers/{id}/logs` body: Docker's multiplexed stream (frames of an
/// 8-byte header — stream, 3 zero bytes, big-endian length — and payload) is unframed;
/// a TTY container's raw stream is taken as it is. Invalid UTF-8 is replaced.
pub fn demux_logs(body: &[u8]) -> String {
    if !is_multiplexed(body) {
        return String::from_utf8_lossy(body).into_owned();
    }
    let mut out = Vec::with_capacity(body.len());
    let mut rest = body;
    while rest.len() >= 8 {
        let len = u32::from_be_bytes([rest[4], rest[5], rest[6], rest[7]]) as usize;
        let end = (8 + len).min(rest.len());
        out.extend_from_slice(&rest[8..end]);
        rest = &rest[end..];
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether `body` starts with a multiplexed-stream frame header.
fn is_multiplexed(body: &[u8]) -> bool {
    body.len() >= 8 && body[0] <= 2 && body[1..4] == [0, 0, 0]
}

/// Whether a `GET /version` reply is podman's (a component named `Podman Engine`).
pub fn parse_is_podman(body: &[u8]) -> bool {
    #[derive(Deserialize)]
    struct Component {
        #[serde(default, rename = "Name")]
        name: String,
    }
    #[derive(Deserialize)]
    struct Version {
        #[serde(default, rename = "Components")]
        components: Vec<Component>,
    }
    serde_json::from_slice::<Version>(body)
        .is_ok_and(|v| v.components.iter().any(|c| c.name.contains("Podman")))
}

/// The `SpaceReclaimed` of a prune reply, bytes.
pub fn parse_prune(body: &[u8]) -> Result<u64, ContainerError> {
    #[derive(Deserialize)]
    struct Prune {
        #[serde(default, rename = "SpaceReclaimed")]
        space_reclaimed: u64,
    }
    Ok(json::<Prune>("prune", body)?.space_reclaimed)
}

#[cfg(test)]
#[allow(clippy::panic, clippy::expect_used, reason = "test code")]
mod tests;
