//! Self-healing: a rule's `heal:` action (a container action or a named command of the
//! host's agent, with `{{ labels.x }}` templates in its arguments), its budget, and the pure
//! decision of what to do now from the attempts made so far.

use std::collections::BTreeMap;
use std::time::Duration;

use hostpulse_config_core::scalar::Scalar;
use hostpulse_config_core::validate::{Validator, join};
use hostpulse_core::Labels;
use hostpulse_proto::command::{BUILTIN_ACTIONS, CONTAINERS_PRUNE, READ_ONLY_ACTIONS, RUN};
use minijinja::{Environment, UndefinedBehavior, context};
use serde::Deserialize;

/// Most attempts a budget may allow.
const MAX_ATTEMPTS: usize = 100;

/// What a rule does by itself when it fires, before people are told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealSpec {
    /// A built-in action (`containers.start`, `containers.restart`, ...) or the name of one of
    /// the agent's named commands.
    pub action: String,
    /// The `container` argument as a template (`{{ labels.container }}`); `None` for named
    /// commands and `containers.prune`.
    pub container: Option<String>,
    /// How long the rule must have fired before the first attempt.
    pub after: Duration,
    /// Least time between two attempts.
    pub cooldown: Duration,
    /// Most attempts within `window`; then healing stops and people are told what was tried.
    pub max_attempts: u32,
    /// The span over which attempts are counted.
    pub window: Duration,
}

/// What to do about a firing alert whose rule heals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HealDecision {
    /// Not yet: the rule has not fired for `after`; look again at `at_ms`.
    Wait {
        /// Unix ms of the first attempt.
        at_ms: i64,
    },
    /// Run the action now.
    Attempt,
    /// The last attempt is too recent; the next may run at `until_ms`.
    CoolingDown {
        /// Unix ms when the cooldown ends.
        until_ms: i64,
    },
    /// The budget is spent: stop trying and tell people.
    GiveUp {
        /// Attempts made within the window.
        attempts: u32,
    },
}

impl HealSpec {
    /// The command to queue: the action and its rendered arguments for the alert's host and
    /// labels. A named command becomes action `run` with argument `command`.
    pub fn command(
        &self,
        host: &str,
        labels: &Labels,
    ) -> Result<(String, BTreeMap<String, String>), String> {
        if !BUILTIN_ACTIONS.contains(&self.action.as_str()) {
            let args = BTreeMap::from([("command".to_owned(), self.action.clone())]);
            return Ok((RUN.to_owned(), args));
        }
        let mut args = BTreeMap::new();
        if let Some(template) = &self.container {
            args.insert("container".to_owned(), render(template, host, labels)?);
        }
        Ok((self.action.clone(), args))
    }

    /// What to do at `now_ms` for an alert firing since `firing_since_ms`, given the start
    /// times of the attempts made so far (any order).
    pub fn decide(&self, firing_since_ms: i64, attempts_ms: &[i64], now_ms: i64) -> HealDecision {
        let first_at = firing_since_ms.saturating_add(millis(self.after));
        if now_ms < first_at {
            return HealDecision::Wait { at_ms: first_at };
        }
        let window_start = now_ms.saturating_sub(millis(self.window));
        let recent: Vec<i64> = attempts_ms
            .iter()
            .copied()
            .filter(|at| *at > window_start && *at <= now_ms)
            .collect();
        let count = u32::try_from(recent.len()).unwrap_or(u32::MAX);
        if count >= self.max_attempts {
            return HealDecision::GiveUp { attempts: count };
        }
        match recent.iter().max() {
            Some(last) if now_ms < last.saturating_add(millis(self.cooldown)) => {
                HealDecision::CoolingDown {
                    until_ms: last.saturating_add(millis(self.cooldown)),
                }
            }
            _ => HealDecision::Attempt,
        }
    }
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// The template environment of heal arguments: the notification templates' language
/// (minijinja), with an unknown label an error instead of an empty text.
fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env
}

fn render(template: &str, host: &str, labels: &Labels) -> Result<String, String> {
    environment()
        .render_str(template, context! { host => host, labels => labels })
        .map(|text| text.trim().to_owned())
        .map_err(|e| format!("heal argument {template:?}: {e}"))
}

/// `heal:` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawHeal {
    action: Option<Scalar>,
    container: Option<Scalar>,
    after: Option<Scalar>,
    cooldown: Option<Scalar>,
    max_attempts: Option<Scalar>,
    window: Option<Scalar>,
}

impl RawHeal {
    /// Validates `heal:` at `path`; `None` when it is unusable.
    pub fn validate(self, v: &mut Validator, path: &str) -> Option<HealSpec> {
        let action = validate_action(v, &join(path, "action"), self.action)?;
        let container = validate_container(v, path, &action, self.container);
        let window = v.duration(
            &join(path, "window"),
            self.window,
            Duration::from_secs(3600),
            Duration::from_secs(1),
        );
        let cooldown = v.duration(
            &join(path, "cooldown"),
            self.cooldown,
            Duration::from_secs(300),
            Duration::ZERO,
        );
        let max_attempts = v.count(
            &join(path, "max_attempts"),
            self.max_attempts,
            3,
            1..=MAX_ATTEMPTS,
        );
        Some(HealSpec {
            action,
            container,
            after: v.duration(
                &join(path, "after"),
                self.after,
                Duration::ZERO,
                Duration::ZERO,
            ),
            cooldown,
            max_attempts: u32::try_from(max_attempts).unwrap_or(3),
            window,
        })
    }
}

fn validate_action(v: &mut Validator, path: &str, raw: Option<Scalar>) -> Option<String> {
    let Some(action) = raw.map(|r| r.text().to_owned()) else {
        v.error(path, "is required (a container action such as containers.start, or a named command of the agent)");
        return None;
    };
    if READ_ONLY_ACTIONS.contains(&action.as_str()) {
        v.error(
            path,
            format!(
                "{action:?} only reads; a heal action must change something (e.g. containers.start)"
            ),
        );
        return None;
    }
    let named = !action.is_empty()
        && action
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !BUILTIN_ACTIONS.contains(&action.as_str()) && !named {
        let hint = hostpulse_config_core::closest(&action, BUILTIN_ACTIONS)
            .map(|name| format!(" (did you mean {name:?}?)"))
            .unwrap_or_default();
        v.error(
            path,
            format!("{action:?} is neither a container action{hint} nor a command name (lowercase letters, digits and _)"),
        );
        return None;
    }
    Some(action)
}

fn validate_container(
    v: &mut Validator,
    path: &str,
    action: &str,
    raw: Option<Scalar>,
) -> Option<String> {
    let key = join(path, "container");
    let needs_container = BUILTIN_ACTIONS.contains(&action) && action != CONTAINERS_PRUNE;
    let template = raw.map(|r| r.text().to_owned());
    match (&template, needs_container) {
        (None, true) => v.error(
            &key,
            format!("{action} needs the container, e.g. container: \"{{{{ labels.container }}}}\""),
        ),
        (Some(_), false) => v.error(&key, format!("{action} takes no container")),
        (Some(text), true) => {
            if let Err(e) = environment().template_from_str(text) {
                v.error(&key, format!("is not a valid template: {e}"));
            }
        }
        (None, false) => {}
    }
    template.filter(|_| needs_container)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000;

    fn spec() -> HealSpec {
        HealSpec {
            action: "containers.start".into(),
            container: Some("{{ labels.container }}".into()),
            after: Duration::from_secs(60),
            cooldown: Duration::from_secs(300),
            max_attempts: 3,
            window: Duration::from_secs(3600),
        }
    }

    #[test]
    fn waits_attempts_cools_down_and_gives_up() {
        let s = spec();
        assert_eq!(s.decide(0, &[], 30_000), HealDecision::Wait { at_ms: MIN });
        assert_eq!(s.decide(0, &[], MIN), HealDecision::Attempt);
        assert_eq!(
            s.decide(0, &[MIN], 2 * MIN),
            HealDecision::CoolingDown { until_ms: 6 * MIN }
        );
        assert_eq!(s.decide(0, &[MIN], 6 * MIN), HealDecision::Attempt);
        let three = [MIN, 6 * MIN, 11 * MIN];
        assert_eq!(
            s.decide(0, &three, 16 * MIN),
            HealDecision::GiveUp { attempts: 3 }
        );
        // An hour after the first attempt it no longer counts: one more try.
        assert_eq!(s.decide(0, &three, 62 * MIN), HealDecision::Attempt);
    }

    #[test]
    fn arguments_render_from_labels_and_named_commands_run() {
        let labels = Labels::from([("container".to_owned(), "web".to_owned())]);
        let (action, args) = spec().command("web-1", &labels).unwrap();
        assert_eq!(action, "containers.start");
        assert_eq!(args["container"], "web");
        let missing = spec().command("web-1", &Labels::new()).unwrap_err();
        assert!(missing.contains("labels.container"), "{missing}");
        let named = HealSpec {
            action: "restart_nginx".into(),
            container: None,
            ..spec()
        };
        let (action, args) = named.command("web-1", &labels).unwrap();
        assert_eq!(
            (action.as_str(), args["command"].as_str()),
            ("run", "restart_nginx")
        );
    }
}
