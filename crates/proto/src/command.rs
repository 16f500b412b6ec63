//! The hub → agent command channel. Agents open no port: an agent long-polls
//! `POST /api/v1/agent/commands/poll` (its token, the same TLS) with a [`CommandPoll`], the hub
//! answers with the [`Command`]s queued for it (and the ids it cancels), and the agent reports
//! each command's output and outcome with [`CommandUpdate`]s to
//! `POST /api/v1/agent/commands/{id}/updates`. Every command runs at most once: the agent
//! records executed ids durably and answers a repeated id with [`CommandStatus::Duplicate`].

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `containers.list`: the container inventory (read-only, allowed by default).
pub const CONTAINERS_LIST: &str = "containers.list";
/// `containers.logs`: the last `tail` lines of a container's log (read-only).
pub const CONTAINERS_LOGS: &str = "containers.logs";
/// `containers.inspect`: one container's details (read-only).
pub const CONTAINERS_INSPECT: &str = "containers.inspect";
/// `containers.restart`: restart a container (only when the agent's allow-list has it).
pub const CONTAINERS_RESTART: &str = "containers.restart";
/// `containers.start`: start a stopped container (only when allowed).
pub const CONTAINERS_START: &str = "containers.start";
/// `containers.stop`: stop a running container (only when allowed).
pub const CONTAINERS_STOP: &str = "containers.stop";
/// `containers.prune`: remove stopped containers and dangling images (only when allowed).
pub const CONTAINERS_PRUNE: &str = "containers.prune";
/// `run`: one of the agent's named commands, argument `command` (only when its name is allowed).
pub const RUN: &str = "run";

/// The actions an agent allows without being told to: they only read.
pub const READ_ONLY_ACTIONS: &[&str] = &[CONTAINERS_LIST, CONTAINERS_LOGS, CONTAINERS_INSPECT];
/// Every built-in action; named commands come on top (action [`RUN`]).
pub const BUILTIN_ACTIONS: &[&str] = &[
    CONTAINERS_LIST,
    CONTAINERS_LOGS,
    CONTAINERS_INSPECT,
    CONTAINERS_RESTART,
    CONTAINERS_START,
    CONTAINERS_STOP,
    CONTAINERS_PRUNE,
];

/// Most commands the hub hands over in one poll answer.
pub const MAX_COMMANDS_PER_POLL: usize = 16;
/// Longest a poll may wait for a command, milliseconds.
pub const MAX_POLL_WAIT_MS: u64 = 60_000;
/// Most arguments of one command.
pub const MAX_ARGS: usize = 8;
/// Longest argument name or value, bytes.
pub const MAX_ARG_LEN: usize = 256;
/// Longest command id, bytes (`[A-Za-z0-9_-]`).
pub const MAX_ID_LEN: usize = 64;
/// Most output bytes in one [`CommandUpdate`].
pub const MAX_UPDATE_OUTPUT_BYTES: usize = 64 * 1024;
/// Most output bytes of one command over all its updates; the agent stops sending at this
/// size and marks the outcome `truncated`.
pub const MAX_COMMAND_OUTPUT_BYTES: usize = 4 * 1024 * 1024;

/// What an agent sends when it asks for work.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandPoll {
    /// How long the hub may hold the request open when nothing is queued, milliseconds
    /// (at most [`MAX_POLL_WAIT_MS`]).
    pub wait_ms: u64,
    /// The actions this agent's own allow-list permits (built-in names and the names of its
    /// named commands), so the hub can list them and refuse early; the agent checks again.
    #[serde(default)]
    pub allowed: Vec<String>,
    /// The agent's named commands (allowed or not), for `/actions`.
    #[serde(default)]
    pub commands: Vec<String>,
}

/// The hub's answer to a [`CommandPoll`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandBatch {
    /// Commands to run, oldest first (at most [`MAX_COMMANDS_PER_POLL`]).
    #[serde(default)]
    pub commands: Vec<Command>,
    /// Ids of commands handed over earlier that are cancelled: stop them if running.
    #[serde(default)]
    pub cancel: Vec<String>,
}

/// One action the hub asks an agent to run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Command {
    /// Unique id given by the hub (`[A-Za-z0-9_-]`, at most [`MAX_ID_LEN`] bytes).
    pub id: String,
    /// The action: one of [`BUILTIN_ACTIONS`] or [`RUN`].
    pub action: String,
    /// The action's arguments, e.g. `container`, `tail`, `command`.
    #[serde(default)]
    pub args: BTreeMap<String, String>,
    /// Unix ms after which the agent must not start the command (and stops it if running).
    pub deadline_ms: i64,
    /// Who asked, as written to the audit log (`telegram:42`, `token:ci`, `rule:web_down`).
    #[serde(default)]
    pub requested_by: String,
}

/// Part of a command's output, or its end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandUpdate {
    /// Position of this update among the command's updates, from 0; the hub ignores a
    /// repeated `seq` (a retried post).
    pub seq: u32,
    /// Output text since the previous update (at most [`MAX_UPDATE_OUTPUT_BYTES`]).
    #[serde(default)]
    pub output: String,
    /// Set on the last update: how the command ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<CommandOutcome>,
}

/// How a command ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandOutcome {
    /// The result class.
    pub status: CommandStatus,
    /// Exit code of a named command; `None` for container actions and commands that did not run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    /// Why it failed or was refused, for people (never a secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Unix ms when the agent started it; `None` when it did not run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_ms: Option<i64>,
    /// Unix ms when it ended.
    pub finished_ms: i64,
    /// The output was cut at [`MAX_COMMAND_OUTPUT_BYTES`] (or the action's own cap).
    #[serde(default)]
    pub truncated: bool,
}

/// The result class of a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommandStatus {
    /// It ran and succeeded.
    Ok,
    /// It ran and failed (non-zero exit, the container engine refused, ...).
    Failed,
    /// The agent's allow-list does not permit it, or its arguments are invalid.
    Refused,
    /// Its deadline passed before it started, or while it ran (then it was stopped).
    Expired,
    /// The hub cancelled it.
    Cancelled,
    /// The agent had already run a command with this id; it did not run again.
    Duplicate,
    /// The agent does not know the action (a newer hub).
    Unsupported,
}

impl CommandStatus {
    /// The status as written on the wire and in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Failed => "failed",
            Self::Refused => "refused",
            Self::Expired => "expired",
            Self::Cancelled => "cancelled",
            Self::Duplicate => "duplicate",
            Self::Unsupported => "unsupported",
        }
    }
}

/// A command that breaks the channel's bounds.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    /// The id is empty, too long or has characters outside `[A-Za-z0-9_-]`.
    #[error("command id {0:?} is not valid (1 to 64 of A-Z a-z 0-9 _ -)")]
    BadId(String),
    /// Too many arguments, or one too long.
    #[error("command arguments exceed the limits ({MAX_ARGS} arguments of {MAX_ARG_LEN} bytes)")]
    Args,
    /// An update's output is over [`MAX_UPDATE_OUTPUT_BYTES`].
    #[error("command output update of {0} bytes exceeds {MAX_UPDATE_OUTPUT_BYTES}")]
    OutputTooLarge(usize),
}

/// True for a valid command id.
pub fn is_command_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

impl Command {
    /// Checks the command's id and arguments against the channel's bounds.
    pub fn validate(&self) -> Result<(), CommandError> {
        if !is_command_id(&self.id) {
            return Err(CommandError::BadId(self.id.clone()));
        }
        let too_long = |s: &String| s.len() > MAX_ARG_LEN;
        if self.args.len() > MAX_ARGS || self.args.iter().any(|(k, v)| too_long(k) || too_long(v)) {
            return Err(CommandError::Args);
        }
        Ok(())
    }
}

impl CommandUpdate {
    /// Checks the update against the channel's bounds.
    pub fn validate(&self) -> Result<(), CommandError> {
        if self.output.len() > MAX_UPDATE_OUTPUT_BYTES {
            return Err(CommandError::OutputTooLarge(self.output.len()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn command(id: &str) -> Command {
        Command {
            id: id.into(),
            action: CONTAINERS_RESTART.into(),
            args: BTreeMap::from([("container".into(), "web".into())]),
            deadline_ms: 1_700_000_060_000,
            requested_by: "telegram:42".into(),
        }
    }

    #[test]
    fn commands_round_trip_and_tolerate_unknown_fields() {
        let batch = CommandBatch {
            commands: vec![command("c-1")],
            cancel: vec!["c-0".into()],
        };
        let text = serde_json::to_string(&batch).unwrap();
        assert_eq!(serde_json::from_str::<CommandBatch>(&text).unwrap(), batch);
        let newer: CommandBatch = serde_json::from_str(
            r#"{"commands":[{"id":"c-2","action":"x","deadline_ms":1,"later":true}],"more":1}"#,
        )
        .unwrap();
        assert_eq!(newer.commands[0].requested_by, "");
        let update: CommandUpdate = serde_json::from_str(
            r#"{"seq":3,"outcome":{"status":"refused","finished_ms":5,"error":"not allowed"}}"#,
        )
        .unwrap();
        let outcome = update.outcome.unwrap();
        assert_eq!(outcome.status, CommandStatus::Refused);
        assert_eq!(outcome.status.as_str(), "refused");
    }

    #[test]
    fn bounds_are_checked() {
        assert!(command("c-1").validate().is_ok());
        assert!(matches!(
            command("").validate(),
            Err(CommandError::BadId(_))
        ));
        assert!(command("a/b").validate().is_err());
        assert!(command(&"x".repeat(65)).validate().is_err());
        let mut long = command("c-1");
        long.args.insert("k".into(), "v".repeat(MAX_ARG_LEN + 1));
        assert_eq!(long.validate(), Err(CommandError::Args));
        let update = CommandUpdate {
            seq: 0,
            output: "x".repeat(MAX_UPDATE_OUTPUT_BYTES + 1),
            outcome: None,
        };
        assert!(update.validate().is_err());
        assert!(
            READ_ONLY_ACTIONS
                .iter()
                .all(|a| BUILTIN_ACTIONS.contains(a))
        );
    }
}
