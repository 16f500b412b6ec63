//! Container actions: their arguments, checked before anything runs (a container is named by
//! `[A-Za-z0-9][A-Za-z0-9_.-]{0,127}` or a hex id; `tail` is a line count), and their run
//! through the collector's container engine client.

use std::collections::BTreeMap;

use hostpulse_proto::command::{
    CONTAINERS_INSPECT, CONTAINERS_LIST, CONTAINERS_LOGS, CONTAINERS_PRUNE, CONTAINERS_RESTART,
    CONTAINERS_START, CONTAINERS_STOP, CommandOutcome, CommandStatus,
};

use hostpulse_collector::containers::{Client, ContainerError};

use crate::output::Output;

/// Lines of log sent when `tail` is not given.
pub const DEFAULT_TAIL: usize = 100;
/// Most lines of log one `containers.logs` sends.
pub const MAX_TAIL: usize = 10_000;
/// Longest container name.
const MAX_NAME_LEN: usize = 128;

/// A checked container action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContainerAction {
    /// `containers.list`.
    List,
    /// `containers.inspect` of a container.
    Inspect(String),
    /// `containers.logs`: a container's last `tail` lines.
    Logs(String, usize),
    /// `containers.start`.
    Start(String),
    /// `containers.stop`.
    Stop(String),
    /// `containers.restart`.
    Restart(String),
    /// `containers.prune`.
    Prune,
}

impl ContainerAction {
    /// The action `action` with `args`, or why the arguments are refused.
    pub fn parse(action: &str, args: &BTreeMap<String, String>) -> Result<Self, String> {
        let takes: &[&str] = match action {
            CONTAINERS_LIST | CONTAINERS_PRUNE => &[],
            CONTAINERS_LOGS => &["container", "tail"],
            _ => &["container"],
        };
        if let Some(extra) = args.keys().find(|key| !takes.contains(&key.as_str())) {
            return Err(format!("{action} takes no argument {extra:?}"));
        }
        let container = || container_arg(action, args);
        Ok(match action {
            CONTAINERS_LIST => Self::List,
            CONTAINERS_PRUNE => Self::Prune,
            CONTAINERS_INSPECT => Self::Inspect(container()?),
            CONTAINERS_LOGS => Self::Logs(container()?, tail_arg(args)?),
            CONTAINERS_START => Self::Start(container()?),
            CONTAINERS_STOP => Self::Stop(container()?),
            CONTAINERS_RESTART => Self::Restart(container()?),
            other => return Err(format!("{other} is not a container action")),
        })
    }
}

fn container_arg(action: &str, args: &BTreeMap<String, String>) -> Result<String, String> {
    let Some(name) = args.get("container") else {
        return Err(format!("{action} needs the argument container"));
    };
    if !is_container_name(name) {
        return Err(format!(
            "{name:?} is not a container name or id ([A-Za-z0-9][A-Za-z0-9_.-], at most {MAX_NAME_LEN})"
        ));
    }
    Ok(name.clone())
}

fn tail_arg(args: &BTreeMap<String, String>) -> Result<usize, String> {
    let Some(text) = args.get("tail") else {
        return Ok(DEFAULT_TAIL);
    };
    match text.parse::<usize>() {
        Ok(tail) if (1..=MAX_TAIL).contains(&tail) => Ok(tail),
        _ => Err(format!(
            "tail {text:?} is not a line count from 1 to {MAX_TAIL}"
        )),
    }
}

/// True for a container name (`[A-Za-z0-9][A-Za-z0-9_.-]{0,127}`, which covers hex ids).
pub fn is_container_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphanumeric())
        && name.len() <= MAX_NAME_LEN
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

/// Seconds the engine waits for a container to stop before killing it (stop, restart).
const STOP_TIMEOUT_SECS: u32 = 10;

/// Runs a checked container action through `client`; without one (no engine found on
/// this host) the action is `unsupported`. List and inspect answer JSON (the inventory
/// record, never the container's environment), logs the text, the others a sentence.
pub fn run(
    action: &ContainerAction,
    client: Option<&Client>,
    cap: usize,
    output: &mut Output<'_>,
) -> CommandOutcome {
    let Some(client) = client else {
        return outcome(
            CommandStatus::Unsupported,
            Some("no container engine on this host (containers are off)".to_owned()),
        );
    };
    match call(action, client, cap) {
        Ok(text) => {
            output.push(&text);
            outcome(CommandStatus::Ok, None)
        }
        Err(e) => outcome(CommandStatus::Failed, Some(e.to_string())),
    }
}

fn call(action: &ContainerAction, client: &Client, cap: usize) -> Result<String, ContainerError> {
    let json = |value: Result<String, serde_json::Error>| {
        value.map_err(|e| ContainerError::Parse(e.to_string()))
    };
    match action {
        ContainerAction::List => json(serde_json::to_string_pretty(&client.list(true)?)),
        ContainerAction::Inspect(name) => {
            json(serde_json::to_string_pretty(&client.inspect(name)?))
        }
        ContainerAction::Logs(name, tail) => client.logs(name, *tail, cap),
        ContainerAction::Start(name) => client.start(name).map(|()| format!("started {name}\n")),
        ContainerAction::Stop(name) => client
            .stop(name, STOP_TIMEOUT_SECS)
            .map(|()| format!("stopped {name}\n")),
        ContainerAction::Restart(name) => client
            .restart(name, STOP_TIMEOUT_SECS)
            .map(|()| format!("restarted {name}\n")),
        ContainerAction::Prune => client.prune().map(|bytes| {
            format!("pruned stopped containers and dangling images; {bytes} bytes reclaimed\n")
        }),
    }
}

fn outcome(status: CommandStatus, error: Option<String>) -> CommandOutcome {
    CommandOutcome {
        status,
        exit_code: None,
        error,
        started_ms: None,
        finished_ms: 0,
        truncated: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn container_arguments_are_checked() {
        let web = args(&[("container", "web-1.blue_2")]);
        assert_eq!(
            ContainerAction::parse(CONTAINERS_RESTART, &web),
            Ok(ContainerAction::Restart("web-1.blue_2".into()))
        );
        assert_eq!(
            ContainerAction::parse(
                CONTAINERS_LOGS,
                &args(&[("container", "ab12"), ("tail", "5")])
            ),
            Ok(ContainerAction::Logs("ab12".into(), 5))
        );
        for bad in ["", "-rf", "a b", "x;rm", "$(id)", &"a".repeat(129)] {
            let refused = ContainerAction::parse(CONTAINERS_STOP, &args(&[("container", bad)]));
            assert!(refused.is_err(), "{bad:?}");
        }
        assert!(ContainerAction::parse(CONTAINERS_START, &args(&[])).is_err());
        assert!(ContainerAction::parse(CONTAINERS_LIST, &web).is_err());
        let tail = args(&[("container", "web"), ("tail", "0")]);
        assert!(ContainerAction::parse(CONTAINERS_LOGS, &tail).is_err());
        assert_eq!(
            ContainerAction::parse(CONTAINERS_PRUNE, &args(&[])),
            Ok(ContainerAction::Prune)
        );
    }
}
