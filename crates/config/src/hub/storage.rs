//! The `storage:` section: checkpointing, retention per resolution, and the SQLite-only
//! settings under `storage.sqlite:`.

use std::time::Duration;

use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::scalar::Scalar;
use crate::validate::{Validator, join};
use hostpulse_core::duration::format_duration;

const DAY: Duration = Duration::from_secs(86_400);

/// SQLite `synchronous` pragma for the hub database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Synchronous {
    /// Every commit is durable on power loss.
    #[default]
    Full,
    /// Faster; the last commits may be lost on power loss (never corrupted in WAL mode).
    Normal,
}

impl Synchronous {
    /// The pragma value: `FULL` or `NORMAL`.
    pub fn as_pragma(self) -> &'static str {
        match self {
            Self::Full => "FULL",
            Self::Normal => "NORMAL",
        }
    }

    fn parse(text: &str) -> Result<Self, String> {
        match text.to_ascii_lowercase().as_str() {
            "full" => Ok(Self::Full),
            "normal" => Ok(Self::Normal),
            _ => Err(format!(
                "{text:?} is not a synchronous mode (use full or normal)"
            )),
        }
    }
}

/// How long samples are kept at each resolution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retention {
    /// Raw samples as received.
    pub raw: Duration,
    /// One-minute rollups.
    pub minute: Duration,
    /// One-hour rollups.
    pub hour: Duration,
}

impl Default for Retention {
    fn default() -> Self {
        Self {
            raw: 7 * DAY,
            minute: 90 * DAY,
            hour: 730 * DAY,
        }
    }
}

/// Settings that only the SQLite backend has (`storage.sqlite:`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SqliteConfig {
    /// The `synchronous` pragma: how durable each commit is on power loss.
    pub synchronous: Synchronous,
}

/// Storage settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageConfig {
    /// How often in-memory head chunks are written as compressed chunks and the ingest log
    /// is truncated; at least one second.
    pub checkpoint_interval: Duration,
    /// How long samples are kept at each resolution.
    pub retention: Retention,
    /// Settings of the SQLite backend.
    pub sqlite: SqliteConfig,
}

impl Default for StorageConfig {
    fn default() -> Self {
        Self {
            checkpoint_interval: Duration::from_secs(60),
            retention: Retention::default(),
            sqlite: SqliteConfig::default(),
        }
    }
}

/// The `storage:` section as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawStorage {
    checkpoint_interval: Option<Scalar>,
    retention: Option<RawRetention>,
    sqlite: Option<RawSqlite>,
    /// Moved to `storage.sqlite.synchronous`; read only to say so.
    synchronous: Option<IgnoredAny>,
}

impl RawStorage {
    pub(crate) fn validate(self, v: &mut Validator, path: &str) -> StorageConfig {
        let defaults = StorageConfig::default();
        let sqlite_path = join(path, "sqlite");
        if self.synchronous.is_some() {
            moved_to_sqlite(v, path, &sqlite_path, "synchronous");
        }
        StorageConfig {
            checkpoint_interval: v.duration(
                &join(path, "checkpoint_interval"),
                self.checkpoint_interval,
                defaults.checkpoint_interval,
                Duration::from_secs(1),
            ),
            retention: self
                .retention
                .unwrap_or_default()
                .validate(v, &join(path, "retention")),
            sqlite: self.sqlite.unwrap_or_default().validate(v, &sqlite_path),
        }
    }
}

/// Reports `key`, written under `path`, as moved into the `storage.sqlite:` section.
fn moved_to_sqlite(v: &mut Validator, path: &str, sqlite_path: &str, key: &str) {
    let new_path = join(sqlite_path, key);
    v.error(
        &join(path, key),
        format!(
            "moved to {new_path}: it is a SQLite-only setting; write it under \
             `sqlite:` in the `{path}:` section"
        ),
    );
}

/// The `storage.sqlite:` section as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSqlite {
    synchronous: Option<Scalar>,
}

impl RawSqlite {
    fn validate(self, v: &mut Validator, path: &str) -> SqliteConfig {
        SqliteConfig {
            synchronous: v.parse_or(
                &join(path, "synchronous"),
                self.synchronous,
                Synchronous::default(),
                Synchronous::parse,
            ),
        }
    }
}

/// The `storage.retention:` section as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRetention {
    raw: Option<Scalar>,
    minute: Option<Scalar>,
    hour: Option<Scalar>,
}

impl RawRetention {
    fn validate(self, v: &mut Validator, path: &str) -> Retention {
        let defaults = Retention::default();
        let hour = Duration::from_secs(3_600);
        let raw_path = join(path, "raw");
        let minute_path = join(path, "minute");
        let hour_path = join(path, "hour");
        let retention = Retention {
            raw: v.duration(&raw_path, self.raw, defaults.raw, hour),
            minute: v.duration(&minute_path, self.minute, defaults.minute, hour),
            hour: v.duration(&hour_path, self.hour, defaults.hour, hour),
        };
        if v.is_clean(&raw_path) && v.is_clean(&minute_path) && retention.raw > retention.minute {
            v.error(
                &raw_path,
                order_message(retention.raw, &minute_path, retention.minute),
            );
        }
        if v.is_clean(&minute_path) && v.is_clean(&hour_path) && retention.minute > retention.hour {
            v.error(
                &minute_path,
                order_message(retention.minute, &hour_path, retention.hour),
            );
        }
        retention
    }
}

fn order_message(value: Duration, longer_path: &str, longer: Duration) -> String {
    format!(
        "{} is longer than {longer_path} ({}); coarser resolutions must be kept at least as long",
        format_duration(value),
        format_duration(longer)
    )
}
