//! Running an action on a host for an actor: the role check (viewers read, operators what
//! `actions.operator` lists, admins everything), the arguments, the host's agent (known,
//! connected, allowing it), the command through the queue, and the audit record.

use super::CommandResult;
use super::queue::new_command_id;
use crate::Service;
use crate::action::{Action, Operation};
use crate::actor::Actor;
use crate::error::ServiceError;
use hostpulse_config::is_command_name;
use hostpulse_core::Role;
use hostpulse_proto::command::{
    BUILTIN_ACTIONS, CONTAINERS_INSPECT, CONTAINERS_LOGS, CONTAINERS_PRUNE, CONTAINERS_RESTART,
    CONTAINERS_START, CONTAINERS_STOP, Command, CommandStatus, READ_ONLY_ACTIONS, RUN,
};
use std::collections::BTreeMap;

/// Most log lines one `containers.logs` asks for.
pub const MAX_TAIL: u32 = 10_000;
/// Longest container name, bytes.
const MAX_CONTAINER_NAME: usize = 128;
/// Actions that name a container.
const CONTAINER_ACTIONS: &[&str] = &[
    CONTAINERS_LOGS,
    CONTAINERS_INSPECT,
    CONTAINERS_RESTART,
    CONTAINERS_START,
    CONTAINERS_STOP,
];

/// One action to run on one host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionRequest {
    /// The host, i.e. its agent's name.
    pub host: String,
    /// A built-in action name or `run`.
    pub action: String,
    /// Its arguments: `container`, `tail`, `command`.
    pub args: BTreeMap<String, String>,
    /// Where the request came from, for the audit log (`api`, `telegram`, `cli`).
    pub origin: String,
}

impl ActionRequest {
    /// What the role check and the agent's allow-list look for: the named command's name
    /// for `run`, else the action.
    pub fn permission(&self) -> &str {
        if self.action == RUN {
            self.args.get("command").map_or("", String::as_str)
        } else {
            &self.action
        }
    }

    fn audit_target(&self) -> String {
        let args: Vec<String> = self.args.iter().map(|(k, v)| format!("{k}={v}")).collect();
        format!(
            "{} {} {} (via {})",
            self.host,
            self.action,
            args.join(" "),
            self.origin
        )
        .replace("  ", " ")
    }
}

/// Container names: `[A-Za-z0-9][A-Za-z0-9_.-]{0,127}`.
pub fn validate_container_name(name: &str) -> Result<(), ServiceError> {
    let ok_char = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-');
    let valid = (1..=MAX_CONTAINER_NAME).contains(&name.len())
        && name.as_bytes()[0].is_ascii_alphanumeric()
        && name.bytes().all(ok_char);
    if valid {
        return Ok(());
    }
    Err(ServiceError::Invalid(format!(
        "invalid container name {name:?}: use 1-128 letters, digits, '_', '.' or '-', starting with a letter or digit"
    )))
}

fn validate_request(request: &ActionRequest) -> Result<(), ServiceError> {
    let action = request.action.as_str();
    if !BUILTIN_ACTIONS.contains(&action) && action != RUN {
        return Err(ServiceError::Invalid(format!(
            "unknown action {action:?}: use run or one of {}",
            BUILTIN_ACTIONS.join(", ")
        )));
    }
    for (key, value) in &request.args {
        match key.as_str() {
            "container" => validate_container_name(value)?,
            "tail" => validate_tail(value)?,
            "command" if !is_command_name(value) => {
                return Err(ServiceError::Invalid(format!(
                    "invalid command name {value:?}: use 1-64 of a-z 0-9 _"
                )));
            }
            "command" => {}
            other => return Err(ServiceError::Invalid(format!("unknown argument {other:?}"))),
        }
    }
    let needs = if CONTAINER_ACTIONS.contains(&action) {
        Some("container")
    } else if action == RUN {
        Some("command")
    } else {
        None
    };
    match needs {
        Some(key) if !request.args.contains_key(key) => Err(ServiceError::Invalid(format!(
            "{action} needs the argument {key}"
        ))),
        _ => Ok(()),
    }
}

fn validate_tail(value: &str) -> Result<(), ServiceError> {
    match value.parse::<u32>() {
        Ok(n) if (1..=MAX_TAIL).contains(&n) => Ok(()),
        _ => Err(ServiceError::Invalid(format!(
            "tail must be a whole number from 1 to {MAX_TAIL}, not {value:?}"
        ))),
    }
}

impl Service {
    /// Runs `request` as `actor` through the host's agent and waits for its outcome (until
    /// the command's deadline: then it is `expired` and cancelled). A refusal by the agent's
    /// allow-list (known from its last poll, or from the agent) is an `Ok` result with status
    /// `refused`. Every request is audited, refused ones too.
    pub async fn run_action(
        &self,
        actor: &Actor,
        request: ActionRequest,
    ) -> Result<CommandResult, ServiceError> {
        let kind = if READ_ONLY_ACTIONS.contains(&request.action.as_str()) {
            Action::HostRead
        } else {
            Action::HostAction
        };
        let operation = Operation::new(kind, request.audit_target());
        let result = self.run_checked(actor, kind, &request).await;
        let text = match &result {
            Ok(done) => result_text(done),
            Err(error) => format!("error: {error}"),
        };
        self.record_text(actor, &operation, text).await;
        result
    }

    async fn run_checked(
        &self,
        actor: &Actor,
        kind: Action,
        request: &ActionRequest,
    ) -> Result<CommandResult, ServiceError> {
        self.authorize(actor, kind)?;
        self.authorize_permission(actor, request)?;
        validate_request(request)?;
        self.require_agent(&request.host).await?;
        let actions = self.commands.host_actions(&request.host);
        if !actions.connected {
            return Err(ServiceError::Conflict(format!(
                "the agent of {} is not connected (no command poll in the last {} s)",
                request.host,
                self.commands.limits().connected_within_ms / 1000
            )));
        }
        let permission = request.permission();
        if let Some(allowed) = &actions.allowed
            && !allowed.iter().any(|a| a == permission)
        {
            return Ok(refused_early(request));
        }
        self.queue_and_wait(actor, request).await
    }

    /// `Forbidden` unless the actor's role covers this particular action.
    fn authorize_permission(
        &self,
        actor: &Actor,
        request: &ActionRequest,
    ) -> Result<(), ServiceError> {
        let read_only = READ_ONLY_ACTIONS.contains(&request.action.as_str());
        let allowed = match actor.role() {
            Role::Admin => true,
            Role::Operator => read_only || self.actions.operator_may(request.permission()),
            Role::Viewer => read_only,
        };
        if allowed {
            return Ok(());
        }
        tracing::warn!(actor = %actor.audit_name(), action = %request.permission(), "action refused: not in actions.operator");
        Err(ServiceError::Forbidden {
            action: Action::HostAction,
            needed: Role::Admin,
        })
    }

    /// What host `host`'s agent allows (from its last poll) and whether it is connected;
    /// `NotFound` for a host without an active agent. Any role may read it.
    pub async fn host_actions(&self, host: &str) -> Result<super::HostActions, ServiceError> {
        self.require_agent(host).await?;
        Ok(self.commands.host_actions(host))
    }

    async fn require_agent(&self, host: &str) -> Result<(), ServiceError> {
        let agents = self.store.list_agents().await?;
        if agents
            .iter()
            .any(|a| a.name == host && a.revoked_ms.is_none())
        {
            return Ok(());
        }
        Err(ServiceError::NotFound(format!(
            "no host (agent) named {host:?}"
        )))
    }

    async fn queue_and_wait(
        &self,
        actor: &Actor,
        request: &ActionRequest,
    ) -> Result<CommandResult, ServiceError> {
        let limits = self.commands.limits();
        let slow = [CONTAINERS_LOGS, CONTAINERS_PRUNE].contains(&request.action.as_str());
        let span = if slow {
            limits.long_deadline_ms
        } else {
            limits.default_deadline_ms
        };
        let deadline_ms = self.clock.now_ms() + span;
        let command = Command {
            id: new_command_id(),
            action: request.action.clone(),
            args: request.args.clone(),
            deadline_ms,
            requested_by: actor.audit_name(),
        };
        command
            .validate()
            .map_err(|e| ServiceError::Invalid(e.to_string()))?;
        let id = command.id.clone();
        let done = self
            .commands
            .submit(&request.host, command)
            .map_err(ServiceError::Unavailable)?;
        Ok(self.commands.wait_result(&id, deadline_ms, &done).await)
    }
}

fn refused_early(request: &ActionRequest) -> CommandResult {
    CommandResult {
        id: String::new(),
        status: CommandStatus::Refused,
        output: String::new(),
        exit_code: None,
        error: Some(format!(
            "the agent of {} does not allow {} (its actions.allow)",
            request.host,
            request.permission()
        )),
        truncated: false,
        duration_ms: 0,
    }
}

fn result_text(result: &CommandResult) -> String {
    let mut text = result.status.as_str().to_string();
    if let Some(code) = result.exit_code {
        text.push_str(&format!(" exit={code}"));
    }
    if let Some(error) = &result.error {
        text.push_str(&format!(": {error}"));
    }
    format!("{text} ({} ms)", result.duration_ms)
}
