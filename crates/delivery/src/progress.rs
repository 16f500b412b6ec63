//! Durable record of the parts of a notification as each is delivered, so that neither a
//! retry nor a restart sends a part twice.

use async_trait::async_trait;
use hostpulse_core::DeliveryStatus;
use hostpulse_notify::Progress;
use hostpulse_store::{AlertStore, DeliveryUpdate};
use std::sync::{Arc, Mutex};

/// Writes the provider ids delivered so far to the outbox row of one attempt.
pub(crate) struct StoreProgress {
    store: Arc<dyn AlertStore>,
    id: i64,
    attempts: u32,
    ids: Mutex<Vec<String>>,
}

impl StoreProgress {
    pub(crate) fn new(
        store: Arc<dyn AlertStore>,
        id: i64,
        attempts: u32,
        ids: Vec<String>,
    ) -> Self {
        Self {
            store,
            id,
            attempts,
            ids: Mutex::new(ids),
        }
    }

    /// Provider ids recorded so far (the earlier attempts' included).
    pub(crate) fn recorded(&self) -> Vec<String> {
        self.ids.lock().map(|ids| ids.clone()).unwrap_or_default()
    }
}

#[async_trait]
impl Progress for StoreProgress {
    async fn part_sent(&self, provider_ids: &[String]) -> Result<(), String> {
        let update = DeliveryUpdate {
            id: self.id,
            status: DeliveryStatus::Sending,
            attempts: self.attempts,
            last_error: None,
            provider_ids: provider_ids.to_vec(),
        };
        self.store
            .record_deliveries(vec![update])
            .await
            .map_err(|e| format!("a part was delivered but could not be recorded: {e}"))?;
        if let Ok(mut ids) = self.ids.lock() {
            *ids = provider_ids.to_vec();
        }
        Ok(())
    }
}
