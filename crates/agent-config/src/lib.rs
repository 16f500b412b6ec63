//! The agent's configuration: which hub to push to, how to authenticate, what to collect,
//! spooling and logging; and the collection settings the hub's local agent shares.
//!
//! Loaded through `hostpulse-config-core` (defaults < file < `HOSTPULSE_*` < flags), so
//! the agent links no part of the hub's configuration.

pub mod actions;
pub mod agent;
pub mod collect;
pub mod containers;
pub mod families;

pub use actions::{ActionsConfig, RawActions};
pub use agent::{
    AgentConfig, AgentOverrides, DEFAULT_SPOOL_DIR, DEFAULT_SPOOL_MAX_BYTES, load_agent_config,
    load_agent_config_text,
};
pub use collect::{CollectSettings, HostPaths};
pub use containers::ContainersSettings;
pub use families::all_families;
