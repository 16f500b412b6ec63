//! Value types exchanged with an [`crate::AlertStore`]: change sets, history and outbox pages,
//! delivery updates, outbox statistics, audit records.

use hostpulse_core::{Alert, AlertTransition, DeliveryStatus, Notification};
use serde::{Deserialize, Serialize};

/// Largest page any paginated alerting query returns.
pub const MAX_PAGE: usize = 500;

/// Everything one evaluation changed, stored in one transaction.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AlertChanges {
    /// Alerts to insert or replace, keyed by their id.
    pub upsert: Vec<Alert>,
    /// Ids of alerts no longer tracked.
    pub delete: Vec<String>,
    /// Lifecycle changes to append to the history.
    pub transitions: Vec<AlertTransition>,
    /// Notifications to append to the outbox (their `id` is ignored and assigned).
    pub notifications: Vec<Notification>,
    /// Opaque engine state: (namespace, key, `Some(json)` to put or `None` to delete).
    pub state: Vec<(String, String, Option<String>)>,
}

impl AlertChanges {
    /// True when there is nothing to store.
    pub fn is_empty(&self) -> bool {
        self.upsert.is_empty()
            && self.delete.is_empty()
            && self.transitions.is_empty()
            && self.notifications.is_empty()
            && self.state.is_empty()
    }
}

/// A filtered page of the alert history.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryQuery {
    /// Only entries of these hosts; empty means every host.
    pub hosts: Vec<String>,
    /// Only entries of this rule, when set.
    pub rule: Option<String>,
    /// Only entries at or after this time.
    pub since_ms: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1 to [`MAX_PAGE`] (0 means the maximum).
    pub limit: usize,
}

/// One history entry: a lifecycle transition or a notification, with its history row id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum HistoryEntry {
    Transition {
        id: i64,
        transition: AlertTransition,
    },
    Notification {
        id: i64,
        notification: Notification,
    },
}

impl HistoryEntry {
    /// Time of the entry, Unix ms.
    pub fn at_ms(&self) -> i64 {
        match self {
            HistoryEntry::Transition { transition, .. } => transition.at_ms,
            HistoryEntry::Notification { notification, .. } => notification.created_ms,
        }
    }
}

/// Entries newest first, and the cursor of the next (older) page if there is one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HistoryPage {
    pub entries: Vec<HistoryEntry>,
    pub next_cursor: Option<String>,
}

/// A filtered page of the notification outbox.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NotificationQuery {
    pub status: Option<DeliveryStatus>,
    pub receiver: Option<String>,
    /// Only notifications created at or after this time.
    pub since_ms: Option<i64>,
    pub cursor: Option<String>,
    /// Page size, 1 to [`MAX_PAGE`] (0 means the maximum).
    pub limit: usize,
}

/// Notifications newest first, and the cursor of the next (older) page if there is one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NotificationPage {
    pub notifications: Vec<Notification>,
    pub next_cursor: Option<String>,
}

/// One change of a notification's delivery columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryUpdate {
    pub id: i64,
    pub status: DeliveryStatus,
    pub attempts: u32,
    pub last_error: Option<String>,
    /// Provider ids of every part delivered so far (replaces the stored list).
    pub provider_ids: Vec<String>,
}

/// Outbox counts of one receiver, by delivery status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiverOutboxStats {
    pub receiver: String,
    pub pending: u64,
    pub sending: u64,
    pub sent: u64,
    pub dead: u64,
    pub dry_run: u64,
    /// `created_ms` of the first-queued (lowest id) pending or sending notification.
    pub oldest_queued_ms: Option<i64>,
    /// Error of the newest pending, sending or dead notification that has one.
    pub last_error: Option<String>,
}

/// One audit record of a state-changing action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub at_ms: i64,
    /// Who: the API token name, or `engine`.
    pub actor: String,
    /// What, e.g. `alert.ack`, `silence.add`, `rules.reload`.
    pub action: String,
    /// On what, e.g. an alert or silence id.
    pub target: String,
    /// `ok` or `error: ...`.
    pub result: String,
}

/// Rows removed by [`crate::AlertStore::prune_alert_history`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PruneReport {
    pub history_rows: u64,
    pub notifications: u64,
    pub silences: u64,
    pub audit_entries: u64,
}

/// Page size to use for a requested `limit`.
pub(crate) fn page_size(limit: usize) -> usize {
    if limit == 0 {
        MAX_PAGE
    } else {
        limit.min(MAX_PAGE)
    }
}
