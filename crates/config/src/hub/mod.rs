//! Hub configuration: listen address, data directory and one module per top-level section.
//!
//! A new section is one field in [`RawHub`] and [`HubConfig`] plus one module here.

mod actions;
mod alerting;
mod ingest;
mod local_agent;
mod server;
mod storage;
mod telegram;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use hostpulse_rules::{RawRule, RulesConfig, validate_rule_sections};
use serde::Deserialize;

pub use actions::{ActionsConfig, is_command_name};
pub use alerting::{AlertingConfig, parse_rfc3339_ms};
pub use ingest::IngestConfig;
pub use local_agent::LocalAgentConfig;
pub use server::ServerConfig;
pub use storage::{Retention, SqliteConfig, StorageConfig, Synchronous};
pub use telegram::{BotMode, TelegramBotConfig};

use crate::error::ConfigErrors;
use crate::layers::{Overlay, load_raw, load_raw_text};
use crate::log::{LogConfig, RawLog};
use crate::scalar::Scalar;
use crate::url::parse_http_url;
use crate::validate::Validator;

/// Default data directory, relative to the working directory.
const DEFAULT_DATA_DIR: &str = "./hostpulse-data";

/// Validated hub configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubConfig {
    /// Address and port of the API and ingest endpoint (`127.0.0.1:9810` by default: local
    /// connections only).
    pub listen: SocketAddr,
    /// Directory of the database, the admin token, `hub.url` and the lock file
    /// (`./hostpulse-data` by default, relative to the working directory).
    pub data_dir: PathBuf,
    /// URL under which operators and agents reach the hub, if it differs from `listen`.
    pub external_url: Option<String>,
    /// Checkpoint interval, retention per resolution and backend-specific settings.
    pub storage: StorageConfig,
    /// Limits on what agents may push: body sizes, samples and series per batch, sample age.
    pub ingest: IngestConfig,
    /// HTTP connection timeouts and caps, and query answer caps.
    pub server: ServerConfig,
    /// The agent that `hostpulse up` runs inside the hub process for the hub's own host.
    pub local_agent: LocalAgentConfig,
    /// Log line format and level filter.
    pub log: LogConfig,
    /// Alert rules, rule files and host groups.
    pub rules: RulesConfig,
    /// Alert manager: settings, routes, receivers, inhibition, maintenance windows.
    pub alerting: AlertingConfig,
    /// The Telegram ChatOps bot; `None` when the `telegram:` section is absent.
    pub telegram: Option<TelegramBotConfig>,
    /// Which command-channel actions operators may ask agents for.
    pub actions: ActionsConfig,
}

impl Default for HubConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 9810)),
            data_dir: PathBuf::from(DEFAULT_DATA_DIR),
            external_url: None,
            storage: StorageConfig::default(),
            ingest: IngestConfig::default(),
            server: ServerConfig::default(),
            local_agent: LocalAgentConfig::default(),
            log: LogConfig::default(),
            rules: RulesConfig::default(),
            alerting: AlertingConfig::default(),
            telegram: None,
            actions: ActionsConfig::default(),
        }
    }
}

/// Command-line flags of the hub; each set flag beats the file and the environment.
#[derive(Debug, Clone, Default)]
pub struct HubOverrides {
    /// `--listen`: the `listen` address as typed, validated like the file key; `None` when
    /// the flag is not given.
    pub listen: Option<String>,
    /// `--data-dir`: replaces `data_dir`; `None` when the flag is not given.
    pub data_dir: Option<PathBuf>,
    /// `--log-format`: `text` or `json`, validated like `log.format`; `None` when the flag
    /// is not given.
    pub log_format: Option<String>,
}

impl HubOverrides {
    fn overlays(&self) -> Vec<Overlay> {
        let data_dir = self
            .data_dir
            .as_ref()
            .map(|p| p.to_string_lossy().into_owned());
        [
            ("listen", self.listen.clone(), "--listen"),
            ("data_dir", data_dir, "--data-dir"),
            ("log.format", self.log_format.clone(), "--log-format"),
        ]
        .into_iter()
        .filter_map(|(key, value, flag)| value.map(|value| Overlay::flag(key, value, flag)))
        .collect()
    }
}

/// Loads the hub configuration: defaults < `file` < `HOSTPULSE_*` in `env` < `overrides`.
///
/// Environment variables that are not hub keys (such as `HOSTPULSE_HUB` or
/// `HOSTPULSE_TOKEN`, used by the command-line client) are ignored.
pub fn load_hub_config(
    file: Option<&Path>,
    env: &[(String, String)],
    overrides: &HubOverrides,
) -> Result<HubConfig, ConfigErrors> {
    let (raw, mut validator) = load_raw::<RawHub>(file, env, overrides.overlays())?;
    let config = raw.validate(&mut validator);
    validator.finish(config)
}

/// [`load_hub_config`], also when there are errors: the configuration as far as it
/// validated (defaults in place of invalid values, invalid rules left out) and every error,
/// so that later checks (rule compilation) report in the same run. `Err` only when the file
/// cannot be read as YAML at all.
pub fn load_hub_config_partial(
    file: Option<&Path>,
    env: &[(String, String)],
    overrides: &HubOverrides,
) -> Result<(HubConfig, ConfigErrors), ConfigErrors> {
    let (raw, mut validator) = load_raw::<RawHub>(file, env, overrides.overlays())?;
    let config = raw.validate(&mut validator);
    Ok(validator.partial(config))
}

/// [`load_hub_config`] over file text already in memory; errors name the file `name`.
/// Files the configuration refers to (rule files, `*_file` secrets) are still read.
pub fn load_hub_config_text(
    text: &str,
    name: &Path,
    env: &[(String, String)],
    overrides: &HubOverrides,
) -> Result<HubConfig, ConfigErrors> {
    let (raw, mut validator) =
        load_raw_text::<RawHub>(Some((name, text)), env, overrides.overlays())?;
    let config = raw.validate(&mut validator);
    validator.finish(config)
}

/// The hub file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawHub {
    listen: Option<Scalar>,
    data_dir: Option<Scalar>,
    external_url: Option<Scalar>,
    storage: Option<storage::RawStorage>,
    ingest: Option<ingest::RawIngest>,
    server: Option<server::RawServer>,
    local_agent: Option<local_agent::RawLocalAgent>,
    log: Option<RawLog>,
    rules: Option<Vec<RawRule>>,
    rule_files: Option<Vec<Scalar>>,
    host_groups: Option<std::collections::BTreeMap<String, Vec<Scalar>>>,
    alerting: Option<alerting::RawAlerting>,
    routes: Option<Vec<alerting::RawRoute>>,
    receivers: Option<Vec<alerting::RawReceiver>>,
    inhibit_rules: Option<Vec<alerting::RawInhibit>>,
    maintenance: Option<Vec<alerting::RawMaintenance>>,
    telegram: Option<telegram::RawTelegramBot>,
    actions: Option<actions::RawActions>,
}

impl RawHub {
    fn validate(self, v: &mut Validator) -> HubConfig {
        let defaults = HubConfig::default();
        HubConfig {
            listen: v.parse_or("listen", self.listen, defaults.listen, parse_listen),
            data_dir: v.path("data_dir", self.data_dir, DEFAULT_DATA_DIR),
            external_url: self.external_url.and_then(|raw| {
                v.parse_or("external_url", Some(raw), None, |t| {
                    parse_http_url(t).map(Some)
                })
            }),
            storage: self.storage.unwrap_or_default().validate(v, "storage"),
            ingest: self.ingest.unwrap_or_default().validate(v, "ingest"),
            server: self.server.unwrap_or_default().validate(v, "server"),
            local_agent: self
                .local_agent
                .unwrap_or_default()
                .validate(v, "local_agent"),
            log: self.log.unwrap_or_default().validate(v, "log"),
            rules: validate_rule_sections(self.rules, self.rule_files, self.host_groups, v),
            alerting: alerting::validate(
                alerting::RawAlertingSections {
                    alerting: self.alerting,
                    routes: self.routes,
                    receivers: self.receivers,
                    inhibit_rules: self.inhibit_rules,
                    maintenance: self.maintenance,
                },
                v,
            ),
            telegram: self.telegram.and_then(|raw| raw.validate(v, "telegram")),
            actions: self.actions.unwrap_or_default().validate(v, "actions"),
        }
    }
}

fn parse_listen(text: &str) -> Result<SocketAddr, String> {
    text.parse().map_err(|_| {
        format!(
            "{text:?} is not a listen address (use e.g. 127.0.0.1:9810, 0.0.0.0:9810 or [::]:9810)"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::RawPaths;
    use crate::fields::documented::assert_keys_documented;
    use crate::fields::struct_fields;

    #[test]
    fn every_hub_key_is_in_the_example_and_the_docs() {
        assert_keys_documented(
            &[
                ("", struct_fields::<RawHub>()),
                ("storage", struct_fields::<storage::RawStorage>()),
                (
                    "storage.retention",
                    struct_fields::<storage::RawRetention>(),
                ),
                ("storage.sqlite", struct_fields::<storage::RawSqlite>()),
                ("ingest", struct_fields::<ingest::RawIngest>()),
                ("server", struct_fields::<server::RawServer>()),
                ("local_agent", struct_fields::<local_agent::RawLocalAgent>()),
                ("local_agent.paths", struct_fields::<RawPaths>()),
                ("log", struct_fields::<RawLog>()),
                ("telegram", struct_fields::<telegram::RawTelegramBot>()),
                ("actions", struct_fields::<actions::RawActions>()),
            ],
            "hostpulse.example.yaml",
        );
    }
}
