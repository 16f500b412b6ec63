//! Traits of the alerting side: live alerts, engine state blobs, history, silences, the
//! notification outbox and the audit log, bundled by [`AlertStore`].

use crate::StoreError;
use crate::alerts::{
    AlertChanges, AuditEntry, DeliveryUpdate, HistoryPage, HistoryQuery, NotificationPage,
    NotificationQuery, PruneReport, ReceiverOutboxStats,
};
use async_trait::async_trait;
use hostpulse_core::{Alert, DeliveryStatus, Notification, Silence};

/// Live alerts and the one transaction in which an evaluation saves what it changed.
#[async_trait]
pub trait AlertStateStore: Send + Sync + 'static {
    /// Alerts that were pending or firing at the last save (restored on restart).
    async fn load_alerts(&self) -> Result<Vec<Alert>, StoreError>;

    /// One transaction: upsert alerts, delete alert ids, append transitions (history), append
    /// notifications (returns their new ids in order), and put/delete opaque engine state
    /// blobs (namespace, key, `Some(json)` | `None`). Nothing is stored if any part fails.
    async fn save_alert_changes(&self, changes: AlertChanges) -> Result<Vec<i64>, StoreError>;
}

/// Opaque engine state (JSON by namespace and key), written through
/// [`AlertStateStore::save_alert_changes`].
#[async_trait]
pub trait StateBlobStore: Send + Sync + 'static {
    /// Every (key, json) stored under `namespace`, by key.
    async fn load_state(&self, namespace: &str) -> Result<Vec<(String, String)>, StoreError>;
}

/// The alert history and the retention of everything alerting keeps.
#[async_trait]
pub trait AlertHistoryStore: Send + Sync + 'static {
    /// Paginated history (transitions and notifications interleaved by time, newest first),
    /// filtered.
    async fn alert_history(&self, query: HistoryQuery) -> Result<HistoryPage, StoreError>;

    /// Deletes history rows, notifications that are no longer queued (sent, dry run or dead),
    /// ended silences and audit records older than `before_ms` (history retention). Pending and
    /// sending notifications are never deleted.
    async fn prune_alert_history(&self, before_ms: i64) -> Result<PruneReport, StoreError>;
}

/// Silences.
#[async_trait]
pub trait SilenceStore: Send + Sync + 'static {
    /// Silences that have not ended yet (by the backend's clock), or all of them with
    /// `include_expired`.
    async fn silences(&self, include_expired: bool) -> Result<Vec<Silence>, StoreError>;

    /// Inserts or replaces a silence (by id).
    async fn put_silence(&self, silence: &Silence) -> Result<(), StoreError>;

    /// Sets ends_ms = min(ends_ms, now_ms); `None` if unknown.
    async fn expire_silence(&self, id: &str, now_ms: i64) -> Result<Option<Silence>, StoreError>;
}

/// The delivery side of the notification outbox: what is queued and what became of it.
#[async_trait]
pub trait OutboxStore: Send + Sync + 'static {
    /// The oldest `Pending` or `Sending` notifications, oldest first.
    async fn pending_notifications(&self, limit: usize) -> Result<Vec<Notification>, StoreError>;

    /// Pending or sending notifications of `receiver` with `id > after_id`, oldest first.
    async fn outbox_for_receiver(
        &self,
        receiver: &str,
        after_id: i64,
        limit: usize,
    ) -> Result<Vec<Notification>, StoreError>;

    /// Records the outcome of a delivery attempt.
    async fn mark_notification(
        &self,
        id: i64,
        status: DeliveryStatus,
        attempts: u32,
        last_error: Option<String>,
    ) -> Result<(), StoreError>;

    /// Applies `updates` in one transaction (e.g. "N is sent" + "N+1 is sending"); nothing is
    /// applied if any id is unknown ([`StoreError::InvalidQuery`] naming the id).
    async fn record_deliveries(&self, updates: Vec<DeliveryUpdate>) -> Result<(), StoreError>;

    /// First provider id of the newest `sent` notification with kind `firing` of
    /// (`receiver`, `group_key`) whose id is below `before_id` and which has provider ids: the
    /// message a later notification of the group (e.g. its resolution) replies to.
    async fn thread_anchor(
        &self,
        receiver: &str,
        group_key: &str,
        before_id: i64,
    ) -> Result<Option<String>, StoreError>;
}

/// The operator's side of the notification log: listing, statistics, requeue and
/// dead-lettering.
#[async_trait]
pub trait OutboxAdminStore: Send + Sync + 'static {
    /// Paginated notifications, newest first, filtered.
    async fn notifications(&self, query: NotificationQuery)
    -> Result<NotificationPage, StoreError>;

    /// Per receiver that has any notification, by name: counts by status, the age of its queue
    /// and its latest error.
    async fn outbox_stats(&self) -> Result<Vec<ReceiverOutboxStats>, StoreError>;

    /// Puts a dead notification back to `pending` (attempts, provider ids and last error kept);
    /// `None` if there is no such notification, [`StoreError::InvalidQuery`] if it is not dead.
    async fn requeue_notification(&self, id: i64) -> Result<Option<Notification>, StoreError>;

    /// Dead-letters every pending or sending notification whose receiver is not in
    /// `configured`, with `reason` as its last error; returns how many.
    async fn dead_letter_unknown_receivers(
        &self,
        configured: Vec<String>,
        reason: String,
    ) -> Result<u64, StoreError>;
}

/// The append-only audit log of state-changing actions.
#[async_trait]
pub trait AuditStore: Send + Sync + 'static {
    /// Appends one audit record (who did what, when, result).
    async fn audit(&self, entry: AuditEntry) -> Result<(), StoreError>;

    /// The newest `limit` audit records, newest first (in reverse order of appending).
    async fn audit_entries(&self, limit: usize) -> Result<Vec<AuditEntry>, StoreError>;
}

/// Everything alerting stores. Implemented for every type that implements the seven traits.
pub trait AlertStore:
    AlertStateStore
    + StateBlobStore
    + AlertHistoryStore
    + SilenceStore
    + OutboxStore
    + OutboxAdminStore
    + AuditStore
{
}

impl<T> AlertStore for T where
    T: AlertStateStore
        + StateBlobStore
        + AlertHistoryStore
        + SilenceStore
        + OutboxStore
        + OutboxAdminStore
        + AuditStore
        + ?Sized
{
}
