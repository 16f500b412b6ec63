//! The notification log: what each alert group was last told and when, and which escalation
//! steps each alert has had. It is the only state of the pipeline; the hub persists it as
//! one JSON value per entry and restores it on restart, so nothing is sent twice or forgotten.

use std::collections::{BTreeMap, BTreeSet};

use hostpulse_core::Alert;
use serde::{Deserialize, Serialize};

use crate::AlertingError;

/// Namespace of the log's entries in the store's engine state.
pub const LOG_NAMESPACE: &str = "alerting.notification_log";

const GROUP_PREFIX: &str = "group/";
const ESCALATION_PREFIX: &str = "escalation/";

/// What one alert group was last notified about.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LogEntry {
    /// Name of the route the group belongs to.
    pub route: String,
    /// Ids of the firing alerts the receivers were last told about.
    pub firing: BTreeSet<String>,
    /// When the group was last notified (firing, resolved or reminder).
    pub last_sent_ms: i64,
    /// Announced alerts that resolved and whose resolved notification is still due.
    #[serde(default)]
    pub resolved: BTreeMap<String, Alert>,
}

/// Escalation progress of one alert on one route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EscalationEntry {
    /// The firing episode the steps belong to; a new episode starts over.
    pub firing_since_ms: i64,
    /// Highest step already notified (1-based).
    pub step: u32,
}

/// The persisted dedup state of the alert manager.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct NotificationLog {
    groups: BTreeMap<String, LogEntry>,
    escalations: BTreeMap<String, EscalationEntry>,
    /// Storage keys changed since the last [`NotificationLog::take_changes`].
    #[serde(skip)]
    dirty: BTreeSet<String>,
}

impl NotificationLog {
    /// An empty log.
    pub fn new() -> Self {
        Self::default()
    }

    /// Rebuilds the log from stored `(key, json)` entries (see [`LOG_NAMESPACE`]).
    pub fn from_state(
        entries: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, AlertingError> {
        let mut log = Self::default();
        for (key, json) in entries {
            let bad = |e: serde_json::Error| AlertingError::State(format!("{key}: {e}"));
            if let Some(group) = key.strip_prefix(GROUP_PREFIX) {
                log.groups
                    .insert(group.to_owned(), serde_json::from_str(&json).map_err(bad)?);
            } else if let Some(id) = key.strip_prefix(ESCALATION_PREFIX) {
                log.escalations
                    .insert(id.to_owned(), serde_json::from_str(&json).map_err(bad)?);
            } else {
                return Err(AlertingError::State(format!("unknown log entry {key:?}")));
            }
        }
        Ok(log)
    }

    /// Entries changed since the last call, as `(namespace, key, Some(json) | None)`, ready
    /// for the store's engine state; `None` deletes the entry.
    pub fn take_changes(&mut self) -> Result<Vec<(String, String, Option<String>)>, AlertingError> {
        let dirty = std::mem::take(&mut self.dirty);
        let mut changes = Vec::with_capacity(dirty.len());
        for key in dirty {
            let json = if let Some(group) = key.strip_prefix(GROUP_PREFIX) {
                self.groups
                    .get(group)
                    .map(serde_json::to_string)
                    .transpose()
            } else {
                let id = key.strip_prefix(ESCALATION_PREFIX).unwrap_or(&key);
                self.escalations
                    .get(id)
                    .map(serde_json::to_string)
                    .transpose()
            };
            let json = json.map_err(|e| AlertingError::State(format!("{key}: {e}")))?;
            changes.push((LOG_NAMESPACE.to_owned(), key, json));
        }
        Ok(changes)
    }

    /// Whether there are changes not yet taken.
    pub fn is_dirty(&self) -> bool {
        !self.dirty.is_empty()
    }

    /// The entry of alert group `key`.
    pub fn group(&self, key: &str) -> Option<&LogEntry> {
        self.groups.get(key)
    }

    /// Every group entry.
    pub fn groups(&self) -> impl Iterator<Item = (&String, &LogEntry)> {
        self.groups.iter()
    }

    /// Replaces (or with `None` removes) the entry of group `key`, noting real changes.
    pub fn set_group(&mut self, key: &str, entry: Option<LogEntry>) {
        if self.groups.get(key) == entry.as_ref() {
            return;
        }
        match entry {
            Some(entry) => self.groups.insert(key.to_owned(), entry),
            None => self.groups.remove(key),
        };
        self.dirty.insert(format!("{GROUP_PREFIX}{key}"));
    }

    /// Escalation progress under `key` (`route/alert id`).
    pub fn escalation(&self, key: &str) -> Option<&EscalationEntry> {
        self.escalations.get(key)
    }

    /// Every escalation key.
    pub fn escalation_keys(&self) -> impl Iterator<Item = &String> {
        self.escalations.keys()
    }

    /// Replaces (or removes) escalation progress, noting real changes.
    pub fn set_escalation(&mut self, key: &str, entry: Option<EscalationEntry>) {
        if self.escalations.get(key) == entry.as_ref() {
            return;
        }
        match entry {
            Some(entry) => self.escalations.insert(key.to_owned(), entry),
            None => self.escalations.remove(key),
        };
        self.dirty.insert(format!("{ESCALATION_PREFIX}{key}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_round_trip_through_state_entries() {
        let mut log = NotificationLog::new();
        let entry = LogEntry {
            route: "default".into(),
            firing: BTreeSet::from(["a1".to_owned()]),
            last_sent_ms: 42,
            resolved: BTreeMap::new(),
        };
        log.set_group("default{host=\"h\"}", Some(entry.clone()));
        log.set_escalation(
            "default/a1",
            Some(EscalationEntry {
                firing_since_ms: 1,
                step: 2,
            }),
        );
        let changes = log.take_changes().unwrap();
        assert_eq!(changes.len(), 2);
        assert!(!log.is_dirty());
        let rows = changes.into_iter().map(|(ns, key, json)| {
            assert_eq!(ns, LOG_NAMESPACE);
            (key, json.unwrap())
        });
        let restored = NotificationLog::from_state(rows).unwrap();
        assert_eq!(restored.group("default{host=\"h\"}"), Some(&entry));
        assert_eq!(restored.escalation("default/a1").map(|e| e.step), Some(2));
    }

    #[test]
    fn unchanged_writes_are_not_dirty_and_removals_are() {
        let mut log = NotificationLog::new();
        log.set_group("g", None);
        assert!(!log.is_dirty());
        log.set_group("g", Some(LogEntry::default()));
        log.take_changes().unwrap();
        log.set_group("g", Some(LogEntry::default()));
        assert!(!log.is_dirty());
        log.set_group("g", None);
        assert_eq!(
            log.take_changes().unwrap(),
            [(LOG_NAMESPACE.to_owned(), "group/g".to_owned(), None)]
        );
    }

    #[test]
    fn corrupt_state_is_an_error() {
        let rows = [("group/g".to_owned(), "{".to_owned())];
        assert!(NotificationLog::from_state(rows).is_err());
        assert!(NotificationLog::from_state([("x".to_owned(), "{}".to_owned())]).is_err());
    }
}
