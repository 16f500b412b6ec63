//! Container actions: their arguments, checked before anything runs (a container is named by
//! `[A-Za-z0-9][A-Za-z0-9_.-]{0,127}` or a hex id; `tail` is a line count), and their run.

use std::collections::BTreeMap;

use hostpulse_proto::command::{
    CONTAINERS_INSPECT, CONTAINERS_LIST, CONTAINERS_LOGS, CONTAINERS_PRUNE, CONTAINERS_RESTART,
    CONTAINERS_START, CONTAINERS_STOP, CommandOutcome, CommandStatus,
};

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

/// Runs a checked container action.
pub fn run(action: &ContainerAction, _output: &mut Output<'_>) -> CommandOutcome {
    CommandOutcome {
        status: CommandStatus::Unsupported,
        exit_code: None,
        error: Some(format!(
            "container actions are not available in this agent build ({action:?} not run)"
        )),
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
