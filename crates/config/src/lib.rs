//! hostpulse configuration for the hub and the agent.
//!
//! Settings are layered: built-in defaults < YAML file < `HOSTPULSE_*` environment variables
//! < command-line flags. Raw values are parsed leniently, then validated in one pass that
//! reports every problem at once, each naming the file, the key path and what to fix.

mod agent;
mod check;
mod collect;
mod error;
mod fields;
#[doc(hidden)]
pub mod fuzz;
mod hub;
mod layers;
mod log;
mod plain_http;
mod rule_set;
mod scalar;
mod secret;
mod suggest;
mod units;
mod url;
mod validate;
mod yaml;

pub use agent::{AgentConfig, AgentOverrides, load_agent_config, load_agent_config_text};
// The alert manager's and the channels' types the hub configuration is validated into.
pub use hostpulse_alerting::{
    EscalationStep, InhibitRule, MaintenanceSchedule, MaintenanceWindow, RouteConfig, RouteMatch,
    RouteSettings, WeeklySchedule,
};
pub use hostpulse_notify::{
    BUILTIN_RECEIVER, DEFAULT_SEND_TIMEOUT, EmailSettings, RateLimit, ReceiverConfig,
    ReceiverKind, RetryLimits, SLACK_API_URL, SlackSettings, SlackTarget, SmtpSettings, SmtpTls,
    TELEGRAM_API_URL, TeamsFormat, TeamsSettings, TelegramSettings, WebhookSettings,
};
pub use hub::parse_rfc3339_ms;
pub use check::{ConfigKind, check_config_file, check_config_file_with_env, detect_config_kind};
pub use collect::{CollectSettings, HostPaths};
pub use error::{ConfigError, ConfigErrors};
pub use hub::{
    AlertingConfig, BotMode, HubConfig, HubOverrides, IngestConfig, LocalAgentConfig, RawRule,
    Retention, Role, RuleConfig, RulesConfig, StorageConfig, Synchronous, TelegramBotConfig,
    load_hub_config, load_hub_config_partial, load_hub_config_text,
};
pub use layers::ENV_PREFIX;
pub use log::{LogConfig, LogFormat, log_colours};
pub use plain_http::plain_http_advice;
pub use rule_set::{
    Occurrences, RuleOrigin, load_rule_file, load_rule_file_partial, parse_rule_text,
};
pub use secret::Secret;
pub use suggest::closest;
pub use units::{format_size, parse_size};
pub use url::parse_http_url;
pub use yaml::{Position, TextSpan};
