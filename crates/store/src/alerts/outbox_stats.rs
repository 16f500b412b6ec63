//! Per-receiver outbox statistics: counts by status, age of the queue and the latest error.

use crate::StoreError;
use crate::alerts::codec::parse_status;
use crate::alerts::types::ReceiverOutboxStats;
use crate::schema::db_error;
use hostpulse_core::DeliveryStatus;
use rusqlite::{Connection, OptionalExtension};

/// A scan of the `notifications_by_receiver` index, already in group order.
pub const COUNTS: &str = "SELECT receiver, status, COUNT(*) FROM notifications
    GROUP BY receiver, status ORDER BY receiver, status";

/// First-queued notification of a receiver (first entry of `notifications_outbox`).
pub const OLDEST_QUEUED: &str = "SELECT created_ms FROM notifications
    WHERE receiver = ?1 AND status IN ('pending', 'sending') ORDER BY id LIMIT 1";

/// Newest failure of a receiver (last entry of `notifications_failures`).
pub const LAST_ERROR: &str = "SELECT last_error FROM notifications
    WHERE receiver = ?1 AND last_error IS NOT NULL AND status IN ('pending', 'sending', 'dead')
    ORDER BY id DESC LIMIT 1";

/// Statistics of every receiver that has a notification, by receiver name, from one snapshot.
pub fn outbox_stats(connection: &Connection) -> Result<Vec<ReceiverOutboxStats>, StoreError> {
    let tx = connection.unchecked_transaction().map_err(db_error)?;
    let mut stats = counts(&tx)?;
    let mut oldest = tx.prepare_cached(OLDEST_QUEUED).map_err(db_error)?;
    let mut last_error = tx.prepare_cached(LAST_ERROR).map_err(db_error)?;
    for receiver in &mut stats {
        if receiver.pending + receiver.sending > 0 {
            receiver.oldest_queued_ms = oldest
                .query_row([&receiver.receiver], |row| row.get(0))
                .optional()
                .map_err(db_error)?;
        }
        if receiver.pending + receiver.sending + receiver.dead > 0 {
            receiver.last_error = last_error
                .query_row([&receiver.receiver], |row| row.get(0))
                .optional()
                .map_err(db_error)?;
        }
    }
    Ok(stats)
}

/// Counts by receiver and status, one entry per receiver.
fn counts(connection: &Connection) -> Result<Vec<ReceiverOutboxStats>, StoreError> {
    let mut statement = connection.prepare_cached(COUNTS).map_err(db_error)?;
    let mut rows = statement.query([]).map_err(db_error)?;
    let mut stats: Vec<ReceiverOutboxStats> = Vec::new();
    while let Some(row) = rows.next().map_err(db_error)? {
        let receiver: String = row.get(0).map_err(db_error)?;
        let status: String = row.get(1).map_err(db_error)?;
        let count: i64 = row.get(2).map_err(db_error)?;
        if stats.last().is_none_or(|last| last.receiver != receiver) {
            stats.push(ReceiverOutboxStats {
                receiver: receiver.clone(),
                ..ReceiverOutboxStats::default()
            });
        }
        let Some(entry) = stats.last_mut() else {
            continue;
        };
        let status = parse_status(&status).ok_or_else(|| {
            StoreError::Corrupt(format!(
                "notifications of {receiver:?} have unknown status {status:?}"
            ))
        })?;
        *count_of(entry, status) += count.unsigned_abs();
    }
    Ok(stats)
}

fn count_of(stats: &mut ReceiverOutboxStats, status: DeliveryStatus) -> &mut u64 {
    match status {
        DeliveryStatus::Pending => &mut stats.pending,
        DeliveryStatus::Sending => &mut stats.sending,
        DeliveryStatus::Sent => &mut stats.sent,
        DeliveryStatus::DryRun => &mut stats.dry_run,
        DeliveryStatus::Dead => &mut stats.dead,
    }
}
