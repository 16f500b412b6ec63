//! The `actions:` section: which actions of the hub → agent command channel operators may
//! ask for (viewers only read, admins may ask for everything; each agent's own allow-list
//! decides again).

use hostpulse_proto::command::BUILTIN_ACTIONS;
use serde::Deserialize;

use crate::scalar::Scalar;
use crate::suggest::closest;
use crate::validate::{Validator, join};

/// Longest named-command name, bytes.
const MAX_COMMAND_NAME: usize = 64;

/// Who may ask agents for which action.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActionsConfig {
    /// Actions the operator role may ask for besides the read-only ones: built-in action
    /// names (`containers.restart`) and names of agents' named commands (`restart_nginx`).
    pub operator: Vec<String>,
}

impl ActionsConfig {
    /// Whether operators may ask for `action` (a built-in name or a named command's name).
    pub fn operator_may(&self, action: &str) -> bool {
        self.operator.iter().any(|a| a == action)
    }
}

/// The `actions:` section as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawActions {
    operator: Option<Vec<Scalar>>,
}

impl RawActions {
    /// The validated section; invalid entries are reported and left out.
    pub(crate) fn validate(self, v: &mut Validator, path: &str) -> ActionsConfig {
        let key = join(path, "operator");
        let mut operator: Vec<String> = Vec::new();
        for (i, raw) in self.operator.unwrap_or_default().into_iter().enumerate() {
            let item = format!("{key}[{i}]");
            let Some(name) = v.parse_or(&item, Some(raw), None, |t| parse_action(t).map(Some))
            else {
                continue;
            };
            if operator.contains(&name) {
                v.error(&item, format!("{name:?} is listed twice"));
                continue;
            }
            operator.push(name);
        }
        ActionsConfig { operator }
    }
}

/// A built-in action name (`containers.*`) or a named command's name (`[a-z0-9_]+`).
fn parse_action(text: &str) -> Result<String, String> {
    let text = text.trim();
    if BUILTIN_ACTIONS.contains(&text) {
        return Ok(text.to_string());
    }
    if is_command_name(text) {
        return Ok(text.to_string());
    }
    let mut message = format!(
        "{text:?} is neither a built-in action ({}) nor a named command's name \
         (1-{MAX_COMMAND_NAME} of a-z 0-9 _)",
        BUILTIN_ACTIONS.join(", ")
    );
    if let Some(near) = closest(text, BUILTIN_ACTIONS) {
        message.push_str(&format!("; did you mean {near:?}?"));
    }
    Err(message)
}

/// Whether `name` may name an agent's named command: 1-64 of `[a-z0-9_]`.
pub fn is_command_name(name: &str) -> bool {
    (1..=MAX_COMMAND_NAME).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_names_and_command_names_are_accepted() {
        assert_eq!(
            parse_action("containers.restart").unwrap(),
            "containers.restart"
        );
        assert_eq!(parse_action("restart_nginx").unwrap(), "restart_nginx");
        assert!(parse_action("Restart-Nginx").is_err());
        assert!(parse_action("").is_err());
    }

    #[test]
    fn a_mistyped_built_in_name_gets_a_suggestion() {
        let error = parse_action("containers.restrat").unwrap_err();
        assert!(
            error.contains("did you mean \"containers.restart\""),
            "{error}"
        );
    }

    #[test]
    fn errors_name_the_file_and_line() {
        let text = "actions:\n  operator:\n    - containers.restart\n    - containers.stpo\n    - restart_nginx\n    - restart_nginx\n";
        let name = std::path::Path::new("hub.yaml");
        let errors = crate::load_hub_config_text(text, name, &[], &Default::default())
            .unwrap_err()
            .to_string();
        assert!(errors.contains("hub.yaml:4"), "{errors}");
        assert!(
            errors.contains("did you mean \"containers.stop\""),
            "{errors}"
        );
        assert!(
            errors.contains("hub.yaml:6") && errors.contains("listed twice"),
            "{errors}"
        );
        let good = "actions:\n  operator: [containers.restart, restart_nginx]\n";
        let config = crate::load_hub_config_text(good, name, &[], &Default::default()).unwrap();
        assert!(config.actions.operator_may("restart_nginx"));
        assert!(!config.actions.operator_may("containers.stop"));
    }
}
