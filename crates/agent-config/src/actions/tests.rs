//! The `actions:` section: defaults, the allow-list, named commands and every error at once.

use std::path::Path;

use super::*;
use crate::{AgentOverrides, load_agent_config_text};

const HEAD: &str = "hub: https://hub.example.com\ntoken: t0ken\n";

fn load(text: &str) -> Result<ActionsConfig, String> {
    let text = format!("{HEAD}{text}");
    load_agent_config_text(
        &text,
        Path::new("agent.yaml"),
        &[],
        &AgentOverrides::default(),
    )
    .map(|config| config.actions)
    .map_err(|errors| errors.to_string())
}

#[test]
fn read_only_actions_are_allowed_by_default_and_nothing_else() {
    let actions = load("").unwrap();
    assert_eq!(actions, ActionsConfig::default());
    assert!(actions.allows_builtin("containers.list"));
    assert!(actions.allows_builtin("containers.logs"));
    assert!(!actions.allows_builtin("containers.restart"));
    assert!(!actions.allows_builtin("rm.rf"));
    assert_eq!(
        actions.allowed(),
        ["containers.list", "containers.logs", "containers.inspect"]
    );
}

#[test]
fn listed_actions_and_named_commands_are_allowed() {
    let actions = load(
        "actions:\n  allow: [containers.restart, restart_nginx]\n  commands:\n    restart_nginx: [systemctl, restart, nginx]\n    hello: [/bin/echo, hello]\n  timeout: 5s\n  max_output: 64KiB\n",
    )
    .unwrap();
    assert!(actions.allows_builtin("containers.restart"));
    assert!(!actions.allows_builtin("containers.stop"));
    assert!(actions.allows_command("restart_nginx"));
    assert!(!actions.allows_command("hello"), "defined but not listed");
    assert_eq!(actions.commands["hello"], ["/bin/echo", "hello"]);
    assert_eq!(actions.timeout, Duration::from_secs(5));
    assert_eq!(actions.max_output, 64 << 10);
    assert_eq!(actions.command_names(), ["hello", "restart_nginx"]);
    assert!(actions.allowed().contains(&"restart_nginx".to_owned()));
    assert!(!actions.allowed().contains(&"hello".to_owned()));
}

#[test]
fn every_error_is_reported_at_once_with_its_line() {
    let errors = load(
        "actions:\n  allow: [containers.restat, nope]\n  commands:\n    Bad-Name: [ls]\n    empty: []\n    shell: [\"sh -c 'x'\"]\n    relative: [bin/ls]\n  max_output: 8MiB\n  color: red\n",
    )
    .unwrap_err();
    assert!(errors.contains("color"), "{errors}");
    let errors = load(
        "actions:\n  allow: [containers.restat, nope]\n  commands:\n    Bad-Name: [ls]\n    empty: []\n    shell: [\"sh -c 'x'\"]\n    relative: [bin/ls]\n  max_output: 8MiB\n",
    )
    .unwrap_err();
    for expected in [
        "agent.yaml:4",
        "(did you mean \"containers.restart\"?)",
        "\"nope\" is neither a built-in action nor a named command",
        "actions.commands.Bad-Name",
        "actions.commands.empty",
        "must not be empty",
        "actions.commands.shell[0]",
        "no shell",
        "actions.commands.relative[0]",
        "actions.max_output",
        "at most 4MiB",
    ] {
        assert!(
            errors.contains(expected),
            "{expected:?} missing in:\n{errors}"
        );
    }
}

#[test]
fn command_names_and_programs() {
    assert!(is_command_name("restart_nginx2"));
    assert!(!is_command_name(""));
    assert!(!is_command_name("restart-nginx"));
    assert!(!is_command_name(&"a".repeat(65)));
    let errors = load("actions:\n  commands:\n    containers.list: [ls]\n").unwrap_err();
    assert!(errors.contains("not a command name"), "{errors}");
    assert!(load("actions:\n  commands:\n    ok: [/usr/bin/env, \"$(touch x)\"]\n").is_ok());
}
