//! The validation pass: turns raw leaf values into typed settings, collecting every error.

use std::collections::BTreeMap;
use std::ops::RangeInclusive;
use std::path::PathBuf;
use std::time::Duration;

use crate::error::{ConfigError, ConfigErrors};
use crate::scalar::Scalar;
use crate::secret::Secret;
use crate::units::{format_duration, format_size, parse_duration, parse_size};

/// Joins a section path and a key: `join("storage", "retention")` is `storage.retention`.
pub(crate) fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_owned()
    } else {
        format!("{prefix}.{key}")
    }
}

/// Collects errors while raw sections are validated; knows where each value came from.
pub(crate) struct Validator {
    file: Option<PathBuf>,
    /// Key paths set by the environment or flags, with a label naming that source.
    origins: BTreeMap<String, String>,
    errors: Vec<ConfigError>,
}

impl Validator {
    pub(crate) fn new(file: Option<PathBuf>, origins: BTreeMap<String, String>) -> Self {
        Self {
            file,
            origins,
            errors: Vec::new(),
        }
    }

    /// Records an error for `path`, attributed to the file or to the variable/flag that set it.
    pub(crate) fn error(&mut self, path: &str, message: impl Into<String>) {
        let message = message.into();
        let error = match self.origin_of(path) {
            Some(label) => ConfigError::new(None, path, format!("{message} (set by {label})")),
            None => ConfigError::new(self.file.clone(), path, message),
        };
        self.errors.push(error);
    }

    fn origin_of(&self, path: &str) -> Option<&str> {
        if let Some(label) = self.origins.get(path) {
            return Some(label);
        }
        let nested = format!("{path}.");
        self.origins
            .iter()
            .find(|(key, _)| key.starts_with(&nested))
            .map(|(_, label)| label.as_str())
    }

    /// The validated value, or every error recorded.
    pub(crate) fn finish<T>(self, value: T) -> Result<T, ConfigErrors> {
        if self.errors.is_empty() {
            Ok(value)
        } else {
            Err(ConfigErrors(self.errors))
        }
    }

    /// True when no error has been recorded for `path`.
    pub(crate) fn is_clean(&self, path: &str) -> bool {
        !self.errors.iter().any(|error| error.path == path)
    }

    /// Every error recorded so far.
    pub(crate) fn into_errors(self) -> ConfigErrors {
        ConfigErrors(self.errors)
    }

    /// Parses `raw` with `parse`, recording its error message and returning `default` on failure.
    pub(crate) fn parse_or<T>(
        &mut self,
        path: &str,
        raw: Option<Scalar>,
        default: T,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> T {
        let Some(raw) = raw else { return default };
        match parse(raw.text()) {
            Ok(value) => value,
            Err(message) => {
                self.error(path, message);
                default
            }
        }
    }

    /// A duration of at least `min`.
    pub(crate) fn duration(
        &mut self,
        path: &str,
        raw: Option<Scalar>,
        default: Duration,
        min: Duration,
    ) -> Duration {
        self.parse_or(path, raw, default, |text| {
            let value = parse_duration(text)
                .ok_or_else(|| format!("{text:?} is not a duration (use e.g. 30s, 5m, 7d)"))?;
            if value < min {
                return Err(format!(
                    "{text:?} is too short (minimum {})",
                    format_duration(min)
                ));
            }
            Ok(value)
        })
    }

    /// A byte size of at least `min`.
    pub(crate) fn size(&mut self, path: &str, raw: Option<Scalar>, default: u64, min: u64) -> u64 {
        self.parse_or(path, raw, default, |text| {
            let value = parse_size(text).ok_or_else(|| {
                format!("{text:?} is not a size (use e.g. 512KiB, 8MiB, 100MB or plain bytes)")
            })?;
            if value < min {
                return Err(format!(
                    "{text:?} is too small (minimum {})",
                    format_size(min)
                ));
            }
            Ok(value)
        })
    }

    /// A whole number within `range`.
    pub(crate) fn count(
        &mut self,
        path: &str,
        raw: Option<Scalar>,
        default: usize,
        range: RangeInclusive<usize>,
    ) -> usize {
        self.parse_or(path, raw, default, |text| {
            let digits: String = text.chars().filter(|c| *c != '_').collect();
            let value: usize = digits
                .parse()
                .map_err(|_| format!("{text:?} is not a whole number"))?;
            if !range.contains(&value) {
                return Err(format!(
                    "{value} is out of range (use {} to {})",
                    range.start(),
                    range.end()
                ));
            }
            Ok(value)
        })
    }

    /// `true`/`false` (also `yes`/`no`, `on`/`off`, `1`/`0`).
    pub(crate) fn boolean(&mut self, path: &str, raw: Option<Scalar>, default: bool) -> bool {
        self.parse_or(path, raw, default, |text| {
            match text.to_ascii_lowercase().as_str() {
                "true" | "yes" | "on" | "1" => Ok(true),
                "false" | "no" | "off" | "0" => Ok(false),
                _ => Err(format!("{text:?} is not a boolean (use true or false)")),
            }
        })
    }

    /// A non-empty filesystem path.
    pub(crate) fn path(&mut self, path: &str, raw: Option<Scalar>, default: &str) -> PathBuf {
        self.optional_path(path, raw)
            .unwrap_or_else(|| PathBuf::from(default))
    }

    /// A non-empty filesystem path, if set.
    pub(crate) fn optional_path(&mut self, path: &str, raw: Option<Scalar>) -> Option<PathBuf> {
        let raw = raw?;
        if raw.text().is_empty() {
            self.error(
                path,
                "must not be empty (remove the key to use the default)",
            );
            return None;
        }
        Some(PathBuf::from(raw.text()))
    }

    /// Optional free text of at most `max_chars` characters; empty is an error.
    pub(crate) fn name(
        &mut self,
        path: &str,
        raw: Option<Scalar>,
        max_chars: usize,
    ) -> Option<String> {
        let raw = raw?;
        let text = raw.text();
        if text.is_empty() {
            self.error(path, "must not be empty (remove the key to leave it unset)");
            return None;
        }
        if text.chars().count() > max_chars || text.chars().any(char::is_control) {
            self.error(
                path,
                format!("must be at most {max_chars} printable characters"),
            );
            return None;
        }
        Some(text.to_owned())
    }

    /// A secret given inline as `key` or read from the file named by `key_file`.
    pub(crate) fn secret(
        &mut self,
        path: &str,
        inline: Option<Secret>,
        file: Option<Scalar>,
    ) -> Option<Secret> {
        let file_key = format!("{path}_file");
        let secret = match (inline, file) {
            (Some(_), Some(_)) => {
                self.error(path, format!("set either {path} or {file_key}, not both"));
                return None;
            }
            (Some(secret), None) => secret,
            (None, Some(file)) => self.read_secret_file(&file_key, file.text())?,
            (None, None) => return None,
        };
        if secret.expose().trim().is_empty() {
            self.error(path, "must not be empty");
            return None;
        }
        Some(secret)
    }

    fn read_secret_file(&mut self, file_key: &str, file: &str) -> Option<Secret> {
        match std::fs::read_to_string(file) {
            Ok(content) => Some(Secret::new(content.trim_end_matches(['\n', '\r']))),
            Err(error) => {
                self.error(file_key, format!("cannot read {file:?}: {error}"));
                None
            }
        }
    }
}
