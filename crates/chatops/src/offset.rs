//! The persisted update offset: the id of the next update to handle, kept in the alert
//! store's engine state (`telegram` / `offset`) so a restart neither loses nor repeats one.

use hostpulse_store::{AlertChanges, AlertStore, StoreError};

const NAMESPACE: &str = "telegram";
const KEY: &str = "offset";

/// The saved offset, if any (an unreadable value counts as none).
pub async fn load_offset(store: &dyn AlertStore) -> Result<Option<i64>, StoreError> {
    let rows = store.load_state(NAMESPACE).await?;
    Ok(rows
        .into_iter()
        .find(|(key, _)| key == KEY)
        .and_then(|(_, json)| serde_json::from_str(&json).ok()))
}

/// Saves `offset` (`update_id + 1` of the last update taken).
pub async fn save_offset(store: &dyn AlertStore, offset: i64) -> Result<(), StoreError> {
    let changes = AlertChanges {
        state: vec![(NAMESPACE.into(), KEY.into(), Some(offset.to_string()))],
        ..AlertChanges::default()
    };
    store.save_alert_changes(changes).await.map(drop)
}
