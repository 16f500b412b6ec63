//! The validation pass: turns raw leaf values into typed settings, collecting every error.

use std::collections::BTreeMap;
use std::ops::RangeInclusive;
use std::path::PathBuf;
use std::time::Duration;

use crate::error::{ConfigError, ConfigErrors};
use crate::scalar::Scalar;
use crate::secret::Secret;
use crate::units::{format_size, parse_size};
use crate::yaml::{Issue, Places, Position, TextSpan, render_path};
use hostpulse_core::duration::{format_duration, parse_duration};

/// Joins a section path and a key: `join("storage", "retention")` is `storage.retention`.
pub fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_owned()
    } else {
        format!("{prefix}.{key}")
    }
}

/// Collects errors while raw sections are validated; knows where each value came from.
pub struct Validator {
    file: Option<PathBuf>,
    /// Key paths set by the environment or flags, with a label naming that source.
    origins: BTreeMap<String, String>,
    /// Where each key path is written in the file.
    places: Places,
    /// Paths already reported as malformed: nothing under them is reported again.
    malformed: Vec<String>,
    errors: Vec<ConfigError>,
}

impl Validator {
    /// A validator reporting errors in `file` (`None` when no file was read); `origins` maps
    /// each dotted key path set by the environment or a flag to that source's name
    /// (`HOSTPULSE_LISTEN`, `--listen`), so errors about it name the source instead of a line.
    pub(crate) fn new(file: Option<PathBuf>, origins: BTreeMap<String, String>) -> Self {
        Self {
            file,
            origins,
            places: Places::default(),
            malformed: Vec::new(),
            errors: Vec::new(),
        }
    }

    /// The validator of a file whose key paths are written at `places`.
    pub fn with_places(mut self, places: Places) -> Self {
        self.places = places;
        self
    }

    /// Records an error for `path`, attributed to the file (at the line and column of the
    /// path, or of its nearest written parent) or to the variable/flag that set it.
    pub fn error(&mut self, path: &str, message: impl Into<String>) {
        let position = self.places.nearest(path);
        self.error_at(path, position, message);
    }

    /// Records an error at byte `offset` of the text of the scalar at `path` (the place a
    /// template or expression fails), or at the value when the offset is unknown.
    pub fn error_in_text(
        &mut self,
        path: &str,
        text: &str,
        offset: Option<usize>,
        message: impl Into<String>,
    ) {
        let position = match (self.text_span(path), offset) {
            (Some(span), Some(offset)) => Some(span.position_of(text, offset)),
            _ => self.places.nearest(path),
        };
        self.error_at(path, position, message);
    }

    /// Records an error for `path` at a known position.
    fn error_at(&mut self, path: &str, position: Option<Position>, message: impl Into<String>) {
        if self.is_under_malformed(path) {
            return;
        }
        let message = message.into();
        let error = match self.origin_of(path) {
            Some(label) => ConfigError::new(None, path, format!("{message} (set by {label})")),
            None => ConfigError::new(self.file.clone(), path, message).at(position),
        };
        self.errors.push(error);
    }

    /// Records a problem found while reading the file.
    pub fn issue(&mut self, issue: Issue) {
        let path = render_path(&issue.path);
        self.error_at(&path, issue.at, issue.message);
        if issue.malformed {
            self.malformed.push(path);
        }
    }

    /// Where `path` (or its nearest written parent) is in the file.
    pub fn position(&self, path: &str) -> Option<Position> {
        self.places.nearest(path)
    }

    /// Where `path` itself is written, if it is in the file.
    pub fn written_at(&self, path: &str) -> Option<Position> {
        self.places.get(path).and_then(|place| place.best())
    }

    /// Where the text of the scalar at `path` is written, if it is in the file.
    pub fn text_span(&self, path: &str) -> Option<TextSpan> {
        self.places.get(path).and_then(|place| place.text)
    }

    /// True for a path at, under, or holding as a list item, a malformed value.
    fn is_under_malformed(&self, path: &str) -> bool {
        self.malformed.iter().any(|bad| {
            let below = |outer: &str, inner: &str| {
                inner == outer
                    || outer.is_empty()
                    || inner
                        .strip_prefix(outer)
                        .is_some_and(|rest| rest.starts_with(['.', '[']))
            };
            below(bad, path) || bad.strip_prefix(path).is_some_and(|r| r.starts_with('['))
        })
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
    pub fn finish<T>(self, value: T) -> Result<T, ConfigErrors> {
        let (value, errors) = self.partial(value);
        if errors.is_empty() {
            Ok(value)
        } else {
            Err(errors)
        }
    }

    /// The value as far as it validated, with every error recorded (in file order).
    pub fn partial<T>(self, value: T) -> (T, ConfigErrors) {
        (value, self.into_errors())
    }

    /// True when no error has been recorded for `path`.
    pub fn is_clean(&self, path: &str) -> bool {
        !self.errors.iter().any(|error| error.path == path)
    }

    /// Every error recorded so far, in file order (errors without a position last).
    pub fn into_errors(self) -> ConfigErrors {
        let mut errors = self.errors;
        errors.sort_by_key(|error| (error.position.is_none(), error.position));
        ConfigErrors(errors)
    }

    /// Parses `raw` with `parse`, recording its error message and returning `default` on failure.
    pub fn parse_or<T>(
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
    pub fn duration(
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
    pub fn size(&mut self, path: &str, raw: Option<Scalar>, default: u64, min: u64) -> u64 {
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
    pub fn count(
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
    pub fn boolean(&mut self, path: &str, raw: Option<Scalar>, default: bool) -> bool {
        self.parse_or(path, raw, default, |text| {
            match text.to_ascii_lowercase().as_str() {
                "true" | "yes" | "on" | "1" => Ok(true),
                "false" | "no" | "off" | "0" => Ok(false),
                _ => Err(format!("{text:?} is not a boolean (use true or false)")),
            }
        })
    }

    /// A non-empty filesystem path.
    pub fn path(&mut self, path: &str, raw: Option<Scalar>, default: &str) -> PathBuf {
        self.optional_path(path, raw)
            .unwrap_or_else(|| PathBuf::from(default))
    }

    /// A non-empty filesystem path, if set.
    pub fn optional_path(&mut self, path: &str, raw: Option<Scalar>) -> Option<PathBuf> {
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
    pub fn name(&mut self, path: &str, raw: Option<Scalar>, max_chars: usize) -> Option<String> {
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
    pub fn secret(
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
