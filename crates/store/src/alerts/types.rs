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
    /// An alert changed state (e.g. pending to firing, acknowledged, resolved).
    Transition {
        /// The history row id (increasing in insertion order).
        id: i64,
        /// The change.
        transition: AlertTransition,
    },
    /// A notification was made for an alert group.
    Notification {
        /// The history row id (increasing in insertion order).
        id: i64,
        /// The notification as made (its delivery state lives in the outbox).
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
    /// The page's entries, newest first.
    pub entries: Vec<HistoryEntry>,
    /// Cursor for [`HistoryQuery::cursor`] to read the next, older page; `None` on the last
    /// page.
    pub next_cursor: Option<String>,
}

/// A filtered page of the notification outbox.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NotificationQuery {
    /// Only notifications in this delivery status, when set.
    pub status: Option<DeliveryStatus>,
    /// Only notifications for this receiver, when set.
    pub receiver: Option<String>,
    /// Only notifications created at or after this time.
    pub since_ms: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1 to [`MAX_PAGE`] (0 means the maximum).
    pub limit: usize,
}

/// Notifications newest first, and the cursor of the next (older) page if there is one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NotificationPage {
    /// The page's notifications, newest first.
    pub notifications: Vec<Notification>,
    /// Cursor for [`NotificationQuery::cursor`] to read the next, older page; `None` on the
    /// last page.
    pub next_cursor: Option<String>,
}

/// One change of a notification's delivery columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryUpdate {
    /// Outbox id of the notification.
    pub id: i64,
    /// Its new delivery status.
    pub status: DeliveryStatus,
    /// Delivery attempts made so far (replaces the stored count).
    pub attempts: u32,
    /// The error to store (replacing the stored one); `None` stores none.
    pub last_error: Option<String>,
    /// Provider ids of every part delivered so far (replaces the stored list).
    pub provider_ids: Vec<String>,
}

/// Outbox counts of one receiver, by delivery status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiverOutboxStats {
    /// Name of the receiver.
    pub receiver: String,
    /// Notifications waiting for a (further) attempt.
    pub pending: u64,
    /// Notifications with an attempt under way (or interrupted by a stop).
    pub sending: u64,
    /// Notifications delivered.
    pub sent: u64,
    /// Notifications refused for good (dead letters).
    pub dead: u64,
    /// Notifications recorded by a dry run, never sent.
    pub dry_run: u64,
    /// `created_ms` of the first-queued (lowest id) pending or sending notification.
    pub oldest_queued_ms: Option<i64>,
    /// Error of the newest pending, sending or dead notification that has one.
    pub last_error: Option<String>,
}

/// One audit record of a state-changing action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// When the action happened, Unix ms.
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
    /// Alert history rows (transitions and notification records) deleted.
    pub history_rows: u64,
    /// Outbox notifications deleted (sent, dry run or dead; never queued ones).
    pub notifications: u64,
    /// Ended silences deleted.
    pub silences: u64,
    /// Audit records deleted.
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
