//! hostpulse hub configuration: the hub file mapped onto the domain types of the crates that
//! use it, and `config check` for hub and agent files.
//!
//! The loader (YAML with positions, layering, validation, errors) is
//! `hostpulse-config-core`'s and the agent's configuration is `hostpulse-agent-config`'s;
//! this crate adds the hub's.
//!
//! Settings are layered: built-in defaults < YAML file < `HOSTPULSE_*` environment variables
//! < command-line flags. Raw values are parsed leniently, then validated in one pass that
//! reports every problem at once, each naming the file, the key path and what to fix.

// The shared loader's modules, under the names the hub's modules use.
use hostpulse_agent_config::{agent, collect};
#[cfg(test)]
use hostpulse_config_core::fields;
use hostpulse_config_core::{error, layers, scalar, secret, suggest, url, validate, yaml};

mod check;
#[doc(hidden)]
pub mod fuzz;
mod hub;
mod log;

pub use check::{ConfigKind, check_config_file, check_config_file_with_env, detect_config_kind};
pub use error::{ConfigError, ConfigErrors};
pub use hub::parse_rfc3339_ms;
pub use hub::{
    ActionsConfig, BotMode, HubConfig, HubOverrides, IngestConfig, LocalAgentConfig, Retention,
    SqliteConfig, StorageConfig, Synchronous, TelegramBotConfig, is_command_name, load_hub_config,
    load_hub_config_partial, load_hub_config_text,
};
pub use layers::ENV_PREFIX;
pub use log::{LogConfig, LogFormat};
pub use secret::Secret;
pub use yaml::{Position, TextSpan};
