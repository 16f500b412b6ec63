//! Agent configuration: which hub to push to, how to authenticate, what to collect, spooling.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::actions::{ActionsConfig, RawActions};
use crate::collect::{CollectSettings, RawCollect, RawPaths};
use crate::containers::RawContainers;
use crate::families::RawFamilies;
use hostpulse_config_core::ConfigErrors;
use hostpulse_config_core::layers::{Overlay, load_raw, load_raw_text};
use hostpulse_config_core::log::{LogConfig, RawLog, check_targets};
use hostpulse_config_core::scalar::Scalar;
use hostpulse_config_core::secret::Secret;
use hostpulse_config_core::url::parse_http_url;
use hostpulse_config_core::validate::Validator;

/// Default spool directory for batches the hub has not acknowledged yet.
pub const DEFAULT_SPOOL_DIR: &str = "/var/lib/hostpulse-agent/spool";
/// Default spool size cap: 100 MiB.
pub const DEFAULT_SPOOL_MAX_BYTES: u64 = 100 << 20;
/// Smallest accepted spool size cap: 1 MiB.
const MIN_SPOOL_MAX_BYTES: u64 = 1 << 20;
/// Default timeout of one request to the hub.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Validated agent configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentConfig {
    /// Base URL of the hub, without a trailing slash.
    pub hub_url: String,
    /// The host's ingest token.
    pub token: Secret,
    /// What and how often to collect.
    pub collect: CollectSettings,
    /// Where batches the hub has not acknowledged yet are kept.
    pub spool_dir: PathBuf,
    /// Spool size cap; beyond it the oldest batches are dropped.
    pub spool_max_bytes: u64,
    /// Timeout of one request to the hub.
    pub timeout: Duration,
    /// Extra CA certificate (PEM) to trust for the hub's TLS certificate.
    pub ca_file: Option<PathBuf>,
    /// Skip TLS certificate verification (testing only).
    pub insecure_skip_verify: bool,
    /// Log format and level.
    pub log: LogConfig,
    /// What the hub may ask this agent to do (`actions:`).
    pub actions: ActionsConfig,
}

/// Command-line flags of the agent; each set flag beats the file and the environment.
#[derive(Clone, Default)]
pub struct AgentOverrides {
    /// `--hub`: the hub URL.
    pub hub: Option<String>,
    /// `--token`: the ingest token.
    pub token: Option<String>,
    /// `--interval`: the collection interval.
    pub interval: Option<String>,
    /// `--spool-dir`: the spool directory.
    pub spool_dir: Option<PathBuf>,
    /// `--display-name`: the name shown instead of the hostname.
    pub display_name: Option<String>,
    /// `--log-format`: `text` or `json`.
    pub log_format: Option<String>,
}

impl fmt::Debug for AgentOverrides {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AgentOverrides")
            .field("hub", &self.hub)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("interval", &self.interval)
            .field("spool_dir", &self.spool_dir)
            .field("display_name", &self.display_name)
            .field("log_format", &self.log_format)
            .finish()
    }
}

impl AgentOverrides {
    fn overlays(&self) -> Vec<Overlay> {
        let spool_dir = self
            .spool_dir
            .as_ref()
            .map(|p| p.to_string_lossy().into_owned());
        [
            ("hub", self.hub.clone(), "--hub"),
            ("token", self.token.clone(), "--token"),
            ("interval", self.interval.clone(), "--interval"),
            ("spool_dir", spool_dir, "--spool-dir"),
            ("display_name", self.display_name.clone(), "--display-name"),
            ("log.format", self.log_format.clone(), "--log-format"),
        ]
        .into_iter()
        .filter_map(|(key, value, flag)| value.map(|value| Overlay::flag(key, value, flag)))
        .collect()
    }
}

/// Loads the agent configuration: defaults < `file` < `HOSTPULSE_*` in `env` < `overrides`.
pub fn load_agent_config(
    file: Option<&Path>,
    env: &[(String, String)],
    overrides: &AgentOverrides,
) -> Result<AgentConfig, ConfigErrors> {
    let (raw, mut validator) = load_raw::<RawAgent>(file, env, overrides.overlays())?;
    match raw.validate(&mut validator) {
        Some(config) => validator.finish(config),
        None => Err(validator.into_errors()),
    }
}

/// [`load_agent_config`] over file text already in memory; errors name the file `name`.
/// A `token_file` or `ca_file` it names is still read.
pub fn load_agent_config_text(
    text: &str,
    name: &Path,
    env: &[(String, String)],
    overrides: &AgentOverrides,
) -> Result<AgentConfig, ConfigErrors> {
    let (raw, mut validator) =
        load_raw_text::<RawAgent>(Some((name, text)), env, overrides.overlays())?;
    match raw.validate(&mut validator) {
        Some(config) => validator.finish(config),
        None => Err(validator.into_errors()),
    }
}

/// The agent file as written: a flat set of keys plus `paths:` and `log:` sections.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAgent {
    hub: Option<Scalar>,
    token: Option<Secret>,
    token_file: Option<Scalar>,
    interval: Option<Scalar>,
    display_name: Option<Scalar>,
    process_interval: Option<Scalar>,
    users_interval: Option<Scalar>,
    top_n: Option<Scalar>,
    families: Option<RawFamilies>,
    paths: Option<RawPaths>,
    containers: Option<RawContainers>,
    spool_dir: Option<Scalar>,
    spool_max_bytes: Option<Scalar>,
    timeout: Option<Scalar>,
    ca_file: Option<Scalar>,
    insecure_skip_verify: Option<Scalar>,
    log: Option<RawLog>,
    actions: Option<RawActions>,
}

impl RawAgent {
    /// The validated configuration, or `None` when a required key is missing or invalid.
    fn validate(self, v: &mut Validator) -> Option<AgentConfig> {
        let hub_url = validate_hub(v, self.hub);
        let token = validate_token(v, self.token, self.token_file);
        let collect = RawCollect {
            interval: self.interval,
            display_name: self.display_name,
            process_interval: self.process_interval,
            users_interval: self.users_interval,
            top_n: self.top_n,
            families: self.families,
            paths: self.paths,
            containers: self.containers,
        }
        .validate(v, "");
        let ca_file = validate_ca_file(v, self.ca_file);
        let spool_dir = v.path("spool_dir", self.spool_dir, DEFAULT_SPOOL_DIR);
        let spool_max_bytes = v.size(
            "spool_max_bytes",
            self.spool_max_bytes,
            DEFAULT_SPOOL_MAX_BYTES,
            MIN_SPOOL_MAX_BYTES,
        );
        let timeout = v.duration(
            "timeout",
            self.timeout,
            DEFAULT_TIMEOUT,
            Duration::from_secs(1),
        );
        let insecure_skip_verify =
            v.boolean("insecure_skip_verify", self.insecure_skip_verify, false);
        let log = self
            .log
            .unwrap_or_default()
            .validate(v, "log", check_targets);
        let actions = self.actions.unwrap_or_default().validate(v, "actions");
        Some(AgentConfig {
            hub_url: hub_url?,
            token: token?,
            collect,
            spool_dir,
            spool_max_bytes,
            timeout,
            ca_file,
            insecure_skip_verify,
            log,
            actions,
        })
    }
}

fn validate_token(
    v: &mut Validator,
    inline: Option<Secret>,
    file: Option<Scalar>,
) -> Option<Secret> {
    let token = v.secret("token", inline, file);
    if token.is_none() && v.is_clean("token") && v.is_clean("token_file") {
        v.error(
            "token",
            "required: set token or token_file (or HOSTPULSE_TOKEN, HOSTPULSE_TOKEN_FILE, --token)",
        );
    }
    token
}

fn validate_ca_file(v: &mut Validator, raw: Option<Scalar>) -> Option<PathBuf> {
    let path = v.optional_path("ca_file", raw)?;
    if let Err(error) = std::fs::File::open(&path) {
        v.error(
            "ca_file",
            format!("cannot read {:?}: {error}", path.display()),
        );
    }
    Some(path)
}

fn validate_hub(v: &mut Validator, hub: Option<Scalar>) -> Option<String> {
    let Some(hub) = hub else {
        v.error(
            "hub",
            "required: the hub URL, e.g. https://hub.example.com:9810 (or HOSTPULSE_HUB, --hub)",
        );
        return None;
    };
    match parse_http_url(hub.text()) {
        Ok(url) => Some(url),
        Err(message) => {
            v.error("hub", message);
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hostpulse_config_core::fields::documented::assert_keys_documented;
    use hostpulse_config_core::fields::struct_fields;

    #[test]
    fn every_agent_key_is_in_the_example_and_the_docs() {
        assert_keys_documented(
            &[
                ("", struct_fields::<RawAgent>()),
                ("paths", struct_fields::<RawPaths>()),
                ("containers", struct_fields::<RawContainers>()),
                ("log", struct_fields::<RawLog>()),
                ("actions", struct_fields::<RawActions>()),
            ],
            "hostpulse-agent.example.yaml",
        );
    }
}
