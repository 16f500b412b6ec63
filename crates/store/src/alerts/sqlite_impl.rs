//! The alerting traits ([`crate::AlertStore`]) for [`SqliteStore`]: writes run on the single writer connection (so they
//! serialise with ingest commits), reads on the reader pool.

use crate::alerts::types::{
    AlertChanges, AuditEntry, DeliveryUpdate, HistoryPage, HistoryQuery, NotificationPage,
    NotificationQuery, PruneReport, ReceiverOutboxStats,
};
use crate::alerts::{changes, delivery, history, outbox, outbox_stats, records};
use crate::traits::{
    AlertHistoryStore, AlertStateStore, AuditStore, OutboxAdminStore, OutboxStore, SilenceStore,
    StateBlobStore,
};
use crate::writer::Command;
use crate::{SqliteStore, StoreError};
use async_trait::async_trait;
use hostpulse_core::{Alert, DeliveryStatus, Notification, Silence};
use rusqlite::Connection;

impl SqliteStore {
    /// Runs `work` on the writer connection, between ingest commits.
    async fn write<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        self.request(|reply| {
            Command::Run(Box::new(move |connection| {
                let _ = reply.send(work(connection));
            }))
        })
        .await
    }
}

#[async_trait]
impl AlertStateStore for SqliteStore {
    async fn load_alerts(&self) -> Result<Vec<Alert>, StoreError> {
        self.read(records::load_alerts).await
    }

    async fn save_alert_changes(&self, changes: AlertChanges) -> Result<Vec<i64>, StoreError> {
        if changes.is_empty() {
            return Ok(Vec::new());
        }
        let now_ms = self.clock.now_ms();
        self.write(move |c| changes::save(c, &changes, now_ms))
            .await
    }
}

#[async_trait]
impl StateBlobStore for SqliteStore {
    async fn load_state(&self, namespace: &str) -> Result<Vec<(String, String)>, StoreError> {
        let namespace = namespace.to_string();
        self.read(move |c| records::load_state(c, &namespace)).await
    }
}

#[async_trait]
impl AlertHistoryStore for SqliteStore {
    async fn alert_history(&self, query: HistoryQuery) -> Result<HistoryPage, StoreError> {
        self.read(move |c| history::page(c, &query)).await
    }

    async fn prune_alert_history(&self, before_ms: i64) -> Result<PruneReport, StoreError> {
        self.write(move |c| records::prune(c, before_ms)).await
    }
}

#[async_trait]
impl SilenceStore for SqliteStore {
    async fn silences(&self, include_expired: bool) -> Result<Vec<Silence>, StoreError> {
        let now_ms = self.clock.now_ms();
        self.read(move |c| records::silences(c, include_expired, now_ms))
            .await
    }

    async fn put_silence(&self, silence: &Silence) -> Result<(), StoreError> {
        let silence = silence.clone();
        self.write(move |c| records::put_silence(c, &silence)).await
    }

    async fn expire_silence(&self, id: &str, now_ms: i64) -> Result<Option<Silence>, StoreError> {
        let id = id.to_string();
        self.write(move |c| records::expire_silence(c, &id, now_ms))
            .await
    }
}

#[async_trait]
impl OutboxStore for SqliteStore {
    async fn pending_notifications(&self, limit: usize) -> Result<Vec<Notification>, StoreError> {
        self.read(move |c| outbox::pending(c, limit)).await
    }

    async fn outbox_for_receiver(
        &self,
        receiver: &str,
        after_id: i64,
        limit: usize,
    ) -> Result<Vec<Notification>, StoreError> {
        let receiver = receiver.to_string();
        self.read(move |c| delivery::for_receiver(c, &receiver, after_id, limit))
            .await
    }

    async fn mark_notification(
        &self,
        id: i64,
        status: DeliveryStatus,
        attempts: u32,
        last_error: Option<String>,
    ) -> Result<(), StoreError> {
        self.write(move |c| outbox::mark(c, id, status, attempts, last_error.as_deref()))
            .await
    }

    async fn record_deliveries(&self, updates: Vec<DeliveryUpdate>) -> Result<(), StoreError> {
        if updates.is_empty() {
            return Ok(());
        }
        self.write(move |c| delivery::record(c, &updates)).await
    }

    async fn thread_anchor(
        &self,
        receiver: &str,
        group_key: &str,
        before_id: i64,
    ) -> Result<Option<String>, StoreError> {
        let (receiver, group_key) = (receiver.to_string(), group_key.to_string());
        self.read(move |c| delivery::thread_anchor(c, &receiver, &group_key, before_id))
            .await
    }
}

#[async_trait]
impl OutboxAdminStore for SqliteStore {
    async fn notifications(
        &self,
        query: NotificationQuery,
    ) -> Result<NotificationPage, StoreError> {
        self.read(move |c| outbox::page(c, &query)).await
    }

    async fn outbox_stats(&self) -> Result<Vec<ReceiverOutboxStats>, StoreError> {
        self.read(outbox_stats::outbox_stats).await
    }

    async fn requeue_notification(&self, id: i64) -> Result<Option<Notification>, StoreError> {
        self.write(move |c| delivery::requeue(c, id)).await
    }

    async fn dead_letter_unknown_receivers(
        &self,
        configured: Vec<String>,
        reason: String,
    ) -> Result<u64, StoreError> {
        self.write(move |c| delivery::dead_letter_unknown(c, &configured, &reason))
            .await
    }
}

#[async_trait]
impl AuditStore for SqliteStore {
    async fn audit(&self, entry: AuditEntry) -> Result<(), StoreError> {
        self.write(move |c| records::audit(c, &entry)).await
    }

    async fn audit_entries(&self, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        self.read(move |c| records::audit_entries(c, limit)).await
    }
}
