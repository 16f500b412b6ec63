//! The `alerting:`, `routes:`, `receivers:`, `inhibit_rules:` and `maintenance:` sections as
//! written, validated into the alert manager's and the channels' types.

mod mute;
mod receivers;
mod routes;
mod times;

use std::collections::BTreeSet;
use std::time::Duration;

use std::fmt;

use serde::Deserialize;
use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};

use crate::scalar::Scalar;
use crate::suggest::closest;
use crate::validate::{Validator, join};
use crate::yaml::TYPE_FIRST;
pub use hostpulse_alerting::AlertingConfig;
use hostpulse_notify::{BUILTIN_RECEIVER, ReceiverConfig, ReceiverKind, RetryLimits};

pub(crate) use mute::{RawInhibit, RawMaintenance};
pub(crate) use routes::RawRoute;
pub use times::parse_rfc3339_ms;

/// Longest receiver, route and window name, in characters.
const MAX_NAME_CHARS: usize = 64;

/// The `alerting:` section as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAlerting {
    evaluation_interval: Option<Scalar>,
    dry_run: Option<Scalar>,
    history_retention: Option<Scalar>,
    inhibit_host_down: Option<Scalar>,
    restart_grace: Option<Scalar>,
    defaults: Option<routes::RawRouteSettings>,
}

/// One receiver as written; the `type:` key selects the variant.
#[derive(Debug)]
pub(crate) enum RawReceiver {
    Log(RawLogReceiver),
    Telegram(receivers::RawTelegram),
    Slack(receivers::RawSlack),
    Teams(receivers::RawTeams),
    Email(receivers::RawEmail),
    Webhook(receivers::RawWebhook),
    /// No `type:` key.
    Untyped,
    /// A `type:` that is not a receiver type.
    Unknown(Scalar),
}

/// The receiver types, as written in `type:`.
const RECEIVER_TYPES: [&str; 6] = ["log", "telegram", "slack", "teams", "email", "webhook"];

impl<'de> Deserialize<'de> for RawReceiver {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_struct(TYPE_FIRST, &["type"], ReceiverVisitor)
    }
}

/// Reads `type` first, then the other keys as the settings of that type.
struct ReceiverVisitor;

impl<'de> Visitor<'de> for ReceiverVisitor {
    type Value = RawReceiver;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a receiver (a mapping with a type: key)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawReceiver, A::Error> {
        let mut kind: Option<Scalar> = None;
        let mut receiver = RawReceiver::Untyped;
        while let Some(key) = map.next_key::<String>()? {
            if key == "type" {
                kind = Some(map.next_value()?);
                continue;
            }
            receiver = match kind.as_ref().map(Scalar::text) {
                Some("log") => RawReceiver::Log(map.next_value()?),
                Some("telegram") => RawReceiver::Telegram(map.next_value()?),
                Some("slack") => RawReceiver::Slack(map.next_value()?),
                Some("teams") => RawReceiver::Teams(map.next_value()?),
                Some("email") => RawReceiver::Email(map.next_value()?),
                Some("webhook") => RawReceiver::Webhook(map.next_value()?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                    kind.clone()
                        .map_or(RawReceiver::Untyped, RawReceiver::Unknown)
                }
            };
        }
        Ok(receiver)
    }
}

impl RawReceiver {
    /// Takes the keys every receiver type accepts: `name`, `rate_limit`, `max_attempts` and
    /// `max_age`.
    fn take_shared_keys(&mut self) -> SharedKeys {
        macro_rules! take {
            ($raw:expr) => {
                SharedKeys {
                    name: $raw.name.take(),
                    rate_limit: $raw.rate_limit.take(),
                    max_attempts: $raw.max_attempts.take(),
                    max_age: $raw.max_age.take(),
                }
            };
        }
        match self {
            RawReceiver::Log(raw) => take!(raw),
            RawReceiver::Telegram(raw) => take!(raw),
            RawReceiver::Slack(raw) => take!(raw),
            RawReceiver::Teams(raw) => take!(raw),
            RawReceiver::Email(raw) => take!(raw),
            RawReceiver::Webhook(raw) => take!(raw),
            RawReceiver::Untyped | RawReceiver::Unknown(_) => SharedKeys::default(),
        }
    }

    /// The validated kind (`None` when its settings had errors).
    fn validate_kind(self, v: &mut Validator, path: &str) -> Option<ReceiverKind> {
        match self {
            RawReceiver::Log(_) => Some(ReceiverKind::Log),
            RawReceiver::Telegram(raw) => raw.validate(v, path).map(ReceiverKind::Telegram),
            RawReceiver::Slack(raw) => raw.validate(v, path).map(ReceiverKind::Slack),
            RawReceiver::Teams(raw) => raw.validate(v, path).map(ReceiverKind::Teams),
            RawReceiver::Email(raw) => raw.validate(v, path).map(ReceiverKind::Email),
            RawReceiver::Webhook(raw) => raw.validate(v, path).map(ReceiverKind::Webhook),
            RawReceiver::Untyped | RawReceiver::Unknown(_) => None,
        }
    }

    /// Why the receiver has no usable type, reported at `type` (or at the receiver).
    fn type_problem(&self, v: &mut Validator, path: &str) -> bool {
        let types = RECEIVER_TYPES.join(", ");
        match self {
            RawReceiver::Untyped => {
                v.error(path, format!("needs a type: key ({types})"));
                true
            }
            RawReceiver::Unknown(kind) => {
                let kind = kind.text();
                let hint = closest(kind, &RECEIVER_TYPES)
                    .map(|t| format!(" (did you mean {t:?}?)"))
                    .unwrap_or_default();
                v.error(
                    &join(path, "type"),
                    format!("{kind:?} is not a receiver type{hint}; use one of {types}"),
                );
                true
            }
            _ => false,
        }
    }
}

/// The keys shared by every receiver type, as written.
#[derive(Debug, Default)]
struct SharedKeys {
    name: Option<Scalar>,
    rate_limit: Option<Scalar>,
    max_attempts: Option<Scalar>,
    max_age: Option<Scalar>,
}

/// A `type: log` receiver as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawLogReceiver {
    name: Option<Scalar>,
    rate_limit: Option<Scalar>,
    max_attempts: Option<Scalar>,
    max_age: Option<Scalar>,
}

/// The alert-manager sections as written, gathered for validation.
#[derive(Debug, Default)]
pub(crate) struct RawAlertingSections {
    pub(crate) alerting: Option<RawAlerting>,
    pub(crate) routes: Option<Vec<RawRoute>>,
    pub(crate) receivers: Option<Vec<RawReceiver>>,
    pub(crate) inhibit_rules: Option<Vec<RawInhibit>>,
    pub(crate) maintenance: Option<Vec<RawMaintenance>>,
}

/// Validates the alert-manager sections, reporting every problem with its key path.
pub(crate) fn validate(raw: RawAlertingSections, v: &mut Validator) -> AlertingConfig {
    let base = AlertingConfig::default();
    let receivers = validate_receivers(raw.receivers.unwrap_or_default(), v);
    let known: BTreeSet<String> = if receivers.is_empty() {
        BTreeSet::from([BUILTIN_RECEIVER.to_owned()])
    } else {
        receivers.iter().map(|r| r.name.clone()).collect()
    };
    let section = raw.alerting.unwrap_or_default();
    let defaults = match section.defaults {
        Some(settings) => settings.validate(v, "alerting.defaults", &base.defaults, &known),
        None => base.defaults.clone(),
    };
    let routes = raw.routes.unwrap_or_default().into_iter().enumerate();
    AlertingConfig {
        evaluation_interval: v.duration(
            "alerting.evaluation_interval",
            section.evaluation_interval,
            base.evaluation_interval,
            Duration::from_secs(1),
        ),
        dry_run: v.boolean("alerting.dry_run", section.dry_run, base.dry_run),
        history_retention: v.duration(
            "alerting.history_retention",
            section.history_retention,
            base.history_retention,
            Duration::from_secs(3_600),
        ),
        inhibit_host_down: v.boolean(
            "alerting.inhibit_host_down",
            section.inhibit_host_down,
            base.inhibit_host_down,
        ),
        restart_grace: v.duration(
            "alerting.restart_grace",
            section.restart_grace,
            base.restart_grace,
            Duration::ZERO,
        ),
        routes: routes
            .map(|(i, route)| route.validate(v, &format!("routes[{i}]"), &defaults, &known))
            .collect(),
        defaults,
        receivers,
        inhibit_rules: mute::validate_inhibit_rules(raw.inhibit_rules.unwrap_or_default(), v),
        maintenance: mute::validate_maintenance(raw.maintenance.unwrap_or_default(), v),
    }
}

fn validate_receivers(raw: Vec<RawReceiver>, v: &mut Validator) -> Vec<ReceiverConfig> {
    let mut seen = BTreeSet::new();
    let mut receivers = Vec::new();
    for (i, mut receiver) in raw.into_iter().enumerate() {
        let path = format!("receivers[{i}]");
        if receiver.type_problem(v, &path) {
            continue;
        }
        let shared = receiver.take_shared_keys();
        let kind = receiver.validate_kind(v, &path);
        let rate_limit = receivers::rate_limit(
            v,
            &join(&path, "rate_limit"),
            shared.rate_limit,
            kind.as_ref(),
        );
        let Some(name) = required_name(v, &join(&path, "name"), shared.name) else {
            continue;
        };
        if !seen.insert(name.clone()) {
            v.error(
                &join(&path, "name"),
                format!("receiver {name:?} is defined twice"),
            );
            continue;
        }
        let retry = retry_limits(v, &path, shared.max_attempts, shared.max_age);
        if let Some(kind) = kind {
            receivers.push(ReceiverConfig {
                name,
                kind,
                rate_limit,
                retry,
            });
        }
    }
    receivers
}

/// `max_attempts` (1 to 1000) and `max_age` (at least 1s) of the receiver at `path`.
fn retry_limits(
    v: &mut Validator,
    path: &str,
    max_attempts: Option<Scalar>,
    max_age: Option<Scalar>,
) -> RetryLimits {
    let attempts = v.count(
        &join(path, "max_attempts"),
        max_attempts,
        RetryLimits::DEFAULT_MAX_ATTEMPTS as usize,
        1..=1000,
    );
    RetryLimits {
        max_attempts: u32::try_from(attempts).unwrap_or(RetryLimits::DEFAULT_MAX_ATTEMPTS),
        max_age: v.duration(
            &join(path, "max_age"),
            max_age,
            RetryLimits::DEFAULT_MAX_AGE,
            Duration::from_secs(1),
        ),
    }
}

/// A required name of letters, digits, `_`, `-` and `.`.
pub(super) fn required_name(v: &mut Validator, path: &str, raw: Option<Scalar>) -> Option<String> {
    let Some(raw) = raw else {
        v.error(path, "is required");
        return None;
    };
    let name = raw.text();
    let valid = |c: char| c.is_ascii_alphanumeric() || "_-.".contains(c);
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS || !name.chars().all(valid) {
        v.error(
            path,
            format!("{name:?} is not a name (1 to {MAX_NAME_CHARS} letters, digits, _ - .)"),
        );
        return None;
    }
    Some(name.to_owned())
}

/// Label names (or pseudo-labels `host`, `rule`, `severity`) for `group_by` and `equal`.
pub(super) fn label_names(v: &mut Validator, path: &str, raw: Vec<Scalar>) -> Vec<String> {
    let mut names = Vec::new();
    for (i, name) in raw.into_iter().enumerate() {
        let text = name.text();
        let valid = !text.is_empty()
            && !text.starts_with(|c: char| c.is_ascii_digit())
            && text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
        if valid {
            names.push(text.to_owned());
        } else {
            v.error(
                &format!("{path}[{i}]"),
                format!("{text:?} is not a label name"),
            );
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::documented::assert_keys_documented;
    use crate::fields::struct_fields;

    #[test]
    fn every_alerting_key_is_in_the_example_and_the_docs() {
        assert_keys_documented(
            &[
                ("alerting", struct_fields::<RawAlerting>()),
                (
                    "alerting.defaults",
                    struct_fields::<routes::RawRouteSettings>(),
                ),
                ("routes", struct_fields::<RawRoute>()),
                ("routes.match", struct_fields::<routes::RawRouteMatch>()),
                (
                    "routes.escalation",
                    struct_fields::<routes::RawEscalation>(),
                ),
                ("receivers", struct_fields::<RawLogReceiver>()),
                ("receivers", struct_fields::<receivers::RawTelegram>()),
                ("receivers", struct_fields::<receivers::RawSlack>()),
                ("receivers", struct_fields::<receivers::RawTeams>()),
                ("receivers", struct_fields::<receivers::RawEmail>()),
                ("receivers.smtp", struct_fields::<receivers::RawSmtp>()),
                ("receivers", struct_fields::<receivers::RawWebhook>()),
                ("inhibit_rules", struct_fields::<RawInhibit>()),
                ("maintenance", struct_fields::<RawMaintenance>()),
                ("maintenance.every", struct_fields::<mute::RawEvery>()),
            ],
            "hostpulse.example.yaml",
        );
    }
}
