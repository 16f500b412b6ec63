//! The `actions:` section: what the hub may ask this host's agent to do. Read-only
//! container actions are allowed by default; every other built-in action and every named
//! command only when `actions.allow` lists it. Named commands are argv lists run without a
//! shell, with a timeout and an output cap. The hub cannot widen this list.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use serde::Deserialize;

use hostpulse_config_core::scalar::Scalar;
use hostpulse_config_core::suggest::closest;
use hostpulse_config_core::units::format_size;
use hostpulse_config_core::validate::{Validator, join};
use hostpulse_proto::command::{BUILTIN_ACTIONS, MAX_COMMAND_OUTPUT_BYTES, READ_ONLY_ACTIONS};

/// Default timeout of one named command.
pub const DEFAULT_ACTION_TIMEOUT: Duration = Duration::from_secs(30);
/// Default output cap of one action: 1 MiB.
pub const DEFAULT_MAX_OUTPUT: u64 = 1 << 20;
/// Smallest accepted output cap: 1 KiB.
const MIN_MAX_OUTPUT: u64 = 1 << 10;
/// Longest named command name, bytes.
const MAX_COMMAND_NAME_LEN: usize = 64;

/// The validated `actions:` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionsConfig {
    /// Built-in actions and named commands listed in `actions.allow`.
    pub allow: BTreeSet<String>,
    /// Named commands: name → argv (program first; no shell).
    pub commands: BTreeMap<String, Vec<String>>,
    /// Longest a named command may run before it is killed.
    pub timeout: Duration,
    /// Most output bytes kept of one action (at most the channel's 4 MiB).
    pub max_output: u64,
}

impl Default for ActionsConfig {
    fn default() -> Self {
        Self {
            allow: BTreeSet::new(),
            commands: BTreeMap::new(),
            timeout: DEFAULT_ACTION_TIMEOUT,
            max_output: DEFAULT_MAX_OUTPUT,
        }
    }
}

impl ActionsConfig {
    /// True when the built-in `action` may run: read-only, or listed in `actions.allow`.
    pub fn allows_builtin(&self, action: &str) -> bool {
        READ_ONLY_ACTIONS.contains(&action)
            || (BUILTIN_ACTIONS.contains(&action) && self.allow.contains(action))
    }

    /// True when the named command `name` is defined and listed in `actions.allow`.
    pub fn allows_command(&self, name: &str) -> bool {
        self.commands.contains_key(name) && self.allow.contains(name)
    }

    /// Every action and named command this agent permits, as sent to the hub.
    pub fn allowed(&self) -> Vec<String> {
        let builtins = BUILTIN_ACTIONS
            .iter()
            .filter(|action| self.allows_builtin(action))
            .map(|action| (*action).to_owned());
        let commands = self
            .commands
            .keys()
            .filter(|name| self.allow.contains(*name))
            .cloned();
        builtins.chain(commands).collect()
    }

    /// The names of the named commands, allowed or not.
    pub fn command_names(&self) -> Vec<String> {
        self.commands.keys().cloned().collect()
    }
}

/// The `actions:` section as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawActions {
    allow: Option<Vec<Scalar>>,
    commands: Option<BTreeMap<String, Vec<Scalar>>>,
    timeout: Option<Scalar>,
    max_output: Option<Scalar>,
}

impl RawActions {
    /// Validates the section found at `path` (`actions`, `local_agent.actions`), recording
    /// every error.
    pub fn validate(self, v: &mut Validator, path: &str) -> ActionsConfig {
        let commands = validate_commands(v, &join(path, "commands"), self.commands);
        let allow = validate_allow(v, &join(path, "allow"), self.allow, &commands);
        let timeout = v.duration(
            &join(path, "timeout"),
            self.timeout,
            DEFAULT_ACTION_TIMEOUT,
            Duration::from_secs(1),
        );
        let max_output = validate_max_output(v, &join(path, "max_output"), self.max_output);
        ActionsConfig {
            allow,
            commands,
            timeout,
            max_output,
        }
    }
}

fn validate_max_output(v: &mut Validator, path: &str, raw: Option<Scalar>) -> u64 {
    let size = v.size(path, raw, DEFAULT_MAX_OUTPUT, MIN_MAX_OUTPUT);
    let most = MAX_COMMAND_OUTPUT_BYTES as u64;
    if size > most {
        v.error(
            path,
            format!(
                "is too large (at most {}, the channel's cap)",
                format_size(most)
            ),
        );
        return most;
    }
    size
}

fn validate_commands(
    v: &mut Validator,
    path: &str,
    raw: Option<BTreeMap<String, Vec<Scalar>>>,
) -> BTreeMap<String, Vec<String>> {
    let mut commands = BTreeMap::new();
    for (name, argv) in raw.unwrap_or_default() {
        let key = join(path, &name);
        let mut ok = true;
        if !is_command_name(&name) {
            v.error(
                &key,
                format!(
                    "{name:?} is not a command name (1 to {MAX_COMMAND_NAME_LEN} of a-z 0-9 _)"
                ),
            );
            ok = false;
        }
        if BUILTIN_ACTIONS.contains(&name.as_str()) {
            v.error(&key, format!("{name:?} is a built-in action's name"));
            ok = false;
        }
        let argv: Vec<String> = argv.into_iter().map(Scalar::into_string).collect();
        ok &= validate_argv(v, &key, &argv);
        if ok {
            commands.insert(name, argv);
        }
    }
    commands
}

fn validate_argv(v: &mut Validator, key: &str, argv: &[String]) -> bool {
    let Some(program) = argv.first() else {
        v.error(
            key,
            "must not be empty: the program and its arguments, e.g. [systemctl, restart, nginx]",
        );
        return false;
    };
    let bare = !program.is_empty() && !program.contains('/');
    let absolute = program.starts_with('/') && program.len() > 1;
    let spaced = program.chars().any(char::is_whitespace);
    if !(bare || absolute) || spaced {
        v.error(
            &format!("{key}[0]"),
            format!(
                "{program:?} is not a program: an absolute path or a bare program name (no shell; put each argument in its own list item)"
            ),
        );
        return false;
    }
    if let Some(i) = argv.iter().position(|arg| arg.contains('\0')) {
        v.error(&format!("{key}[{i}]"), "must not contain a NUL byte");
        return false;
    }
    true
}

fn validate_allow(
    v: &mut Validator,
    path: &str,
    raw: Option<Vec<Scalar>>,
    commands: &BTreeMap<String, Vec<String>>,
) -> BTreeSet<String> {
    let mut allow = BTreeSet::new();
    for (i, item) in raw.unwrap_or_default().into_iter().enumerate() {
        let name = item.text();
        if BUILTIN_ACTIONS.contains(&name) || commands.contains_key(name) {
            allow.insert(name.to_owned());
        } else {
            v.error(
                &format!("{path}[{i}]"),
                unknown_action_message(name, commands),
            );
        }
    }
    allow
}

/// `unknown action (did you mean "containers.restart"?); built-in actions: ...; named
/// commands: ...`.
fn unknown_action_message(name: &str, commands: &BTreeMap<String, Vec<String>>) -> String {
    let mut known: Vec<&str> = BUILTIN_ACTIONS.to_vec();
    known.extend(commands.keys().map(String::as_str));
    let hint = closest(name, &known)
        .map(|close| format!(" (did you mean {close:?}?)"))
        .unwrap_or_default();
    let defined = if commands.is_empty() {
        "none defined in commands".to_owned()
    } else {
        commands.keys().cloned().collect::<Vec<_>>().join(", ")
    };
    format!(
        "{name:?} is neither a built-in action nor a named command{hint}; built-in actions: {}; named commands: {defined}",
        BUILTIN_ACTIONS.join(", ")
    )
}

/// True for a named command's name: 1 to 64 of `a-z 0-9 _`.
pub fn is_command_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_COMMAND_NAME_LEN
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

#[cfg(test)]
mod tests;
