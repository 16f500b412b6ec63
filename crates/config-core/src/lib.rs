//! Configuration loading shared by the hub and the agent.
//!
//! Settings are layered: built-in defaults < YAML file < `HOSTPULSE_*` environment variables
//! < command-line flags. The file is parsed into a tree that knows where every key is
//! written; raw values are parsed leniently, then validated in one pass that reports every
//! problem at once, each naming the file, the line, the key path and what to fix.

pub mod error;
pub mod fields;
pub mod layers;
pub mod log;
pub mod plain_http;
pub mod scalar;
pub mod secret;
pub mod suggest;
pub mod units;
pub mod url;
pub mod validate;
pub mod yaml;

pub use error::{ConfigError, ConfigErrors};
pub use layers::ENV_PREFIX;
pub use log::{LogConfig, LogFormat, check_targets, log_colours};
pub use plain_http::plain_http_advice;
pub use secret::Secret;
pub use suggest::closest;
pub use units::{format_size, parse_size};
pub use url::parse_http_url;
pub use yaml::{Position, TextSpan};
