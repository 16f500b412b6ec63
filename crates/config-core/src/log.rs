//! Logging settings shared by the hub and the agent (`log:` section).

use serde::Deserialize;

use crate::scalar::Scalar;
use crate::validate::{Validator, join};

const LEVELS: &[&str] = &["trace", "debug", "info", "warn", "error", "off"];

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

impl LogFormat {
    fn parse(text: &str) -> Result<Self, String> {
        match text.to_ascii_lowercase().as_str() {
            "text" => Ok(Self::Text),
            "json" => Ok(Self::Json),
            _ => Err(format!("{text:?} is not a log format (use text or json)")),
        }
    }
}

/// Logging settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogConfig {
    /// How each log line is written (`log.format`; `text` by default).
    pub format: LogFormat,
    /// A level (`trace`, `debug`, `info`, `warn`, `error`, `off`) or a list of
    /// directives such as `info,hostpulse_store=debug`.
    pub level: String,
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            format: LogFormat::Text,
            level: "info".to_owned(),
        }
    }
}

/// Whether text logs on stderr may carry ANSI colours: only on a terminal, and never when
/// `NO_COLOR` is set to a non-empty value (<https://no-color.org>).
pub fn log_colours() -> bool {
    use std::io::IsTerminal;
    colours_wanted(
        std::io::stderr().is_terminal(),
        std::env::var_os("NO_COLOR"),
    )
}

fn colours_wanted(terminal: bool, no_color: Option<std::ffi::OsString>) -> bool {
    terminal && no_color.is_none_or(|value| value.is_empty())
}

/// The `log:` section as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLog {
    format: Option<Scalar>,
    level: Option<Scalar>,
}

/// Checks a directive list (`info,hostpulse_store=debug`) beyond a plain level name.
pub type FilterCheck = fn(&str) -> Result<(), String>;

impl RawLog {
    /// Validates the section at `path`; `check` judges a directive list (the program's
    /// log filter decides which syntax it takes).
    pub fn validate(self, v: &mut Validator, path: &str, check: FilterCheck) -> LogConfig {
        let defaults = LogConfig::default();
        LogConfig {
            format: v.parse_or(
                &join(path, "format"),
                self.format,
                defaults.format,
                LogFormat::parse,
            ),
            level: v.parse_or(&join(path, "level"), self.level, defaults.level, |text| {
                parse_level(text, check)
            }),
        }
    }
}

/// Accepts a plain level name, or a directive list that `check` accepts.
fn parse_level(text: &str, check: FilterCheck) -> Result<String, String> {
    let lower = text.to_ascii_lowercase();
    if LEVELS.contains(&lower.as_str()) {
        return Ok(lower);
    }
    let hint = "use trace, debug, info, warn, error, off, or a directive like info,hostpulse=debug";
    if !text.contains('=') && !text.contains(',') {
        return Err(format!("{text:?} is not a log level ({hint})"));
    }
    match check(text) {
        Ok(()) => Ok(text.to_owned()),
        Err(error) => Err(format!(
            "{text:?} is not a valid log filter: {error} ({hint})"
        )),
    }
}

/// The directive syntax of `tracing_subscriber::filter::Targets`: comma-separated
/// `target=level` pairs and bare levels (what the agent's log filter takes).
pub fn check_targets(text: &str) -> Result<(), String> {
    text.parse::<tracing_subscriber::filter::Targets>()
        .map(|_| ())
        .map_err(|error| error.to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn colours_only_on_a_terminal_without_no_color() {
        assert!(super::colours_wanted(true, None));
        assert!(super::colours_wanted(true, Some("".into())));
        assert!(!super::colours_wanted(true, Some("1".into())));
        assert!(!super::colours_wanted(false, None));
    }

    use super::*;

    #[test]
    fn accepts_levels_and_directives() {
        assert_eq!(parse_level("INFO", check_targets), Ok("info".to_owned()));
        assert_eq!(parse_level("warn", check_targets), Ok("warn".to_owned()));
        assert!(parse_level("info,hostpulse_store=debug", check_targets).is_ok());
    }

    #[test]
    fn rejects_typos_and_bad_directives() {
        assert!(parse_level("inf", check_targets).is_err());
        assert!(parse_level("hostpulse=loud", check_targets).is_err());
        assert!(LogFormat::parse("xml").is_err());
        assert_eq!(LogFormat::parse("JSON"), Ok(LogFormat::Json));
    }
}
