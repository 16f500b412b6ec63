//! The hub's `log:` section: the shared one, with the directive syntax of the hub's
//! `EnvFilter` (spans and fields too, besides `target=level`).

use serde::Deserialize;

pub use hostpulse_config_core::log::{LogConfig, LogFormat};

use crate::validate::Validator;

/// The `log:` section as written.
#[derive(Debug, Default, Deserialize)]
#[serde(transparent)]
pub(crate) struct RawLog(hostpulse_config_core::log::RawLog);

impl RawLog {
    /// Validates the section at `path`, directives checked as the hub's log filter reads them.
    pub(crate) fn validate(self, v: &mut Validator, path: &str) -> LogConfig {
        self.0.validate(v, path, check_env_filter)
    }
}

/// The directive syntax of `tracing_subscriber::EnvFilter`.
fn check_env_filter(text: &str) -> Result<(), String> {
    tracing_subscriber::EnvFilter::try_new(text)
        .map(|_| ())
        .map_err(|error| error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hub_takes_env_filter_directives() {
        assert!(check_env_filter("info,hostpulse_store=debug").is_ok());
        assert!(check_env_filter("info,[ingest{agent=web}]=debug").is_ok());
        assert!(check_env_filter("hostpulse=loud").is_err());
    }
}
