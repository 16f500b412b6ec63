//! Opening a database whose `notifications` table an earlier version created, and what the
//! outbox columns hold on disk.

use super::{alert, notification};
use crate::common::{T0, open, options};
use hostpulse_core::{AlertState, DeliveryStatus, ManualClock, NotificationKind};
use hostpulse_store::prelude::*;
use hostpulse_store::{AlertChanges, DeliveryUpdate};
use rusqlite::{Connection, params};
use std::path::Path;

/// The outbox table and its indexes as the previous version created them.
const OLD_NOTIFICATIONS: &str = "
CREATE TABLE IF NOT EXISTS notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_ms INTEGER NOT NULL,
    receiver TEXT NOT NULL,
    group_key TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    last_error TEXT,
    json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS notifications_by_status ON notifications (status, id);
CREATE INDEX IF NOT EXISTS notifications_by_time ON notifications (created_ms);
";

/// Writes an old-version database holding one sent and one pending firing notification of `tg`.
fn write_old_database(path: &Path) {
    let connection = Connection::open(path).unwrap();
    connection.execute_batch(OLD_NOTIFICATIONS).unwrap();
    let a = alert("high_cpu", "web-1", AlertState::Firing, T0);
    for (status, attempts) in [("sent", 1), ("pending", 2)] {
        let n = notification("tg", vec![a.clone()], T0);
        connection
            .execute(
                "INSERT INTO notifications (created_ms, receiver, group_key, status, attempts, last_error, json)
                 VALUES (?1, 'tg', ?2, ?3, ?4, NULL, ?5)",
                params![T0, n.group_key, status, attempts, serde_json::to_string(&n).unwrap()],
            )
            .unwrap();
    }
}

fn column_count(connection: &Connection, name: &str) -> i64 {
    connection
        .query_row(
            "SELECT COUNT(*) FROM pragma_table_info('notifications') WHERE name = ?1",
            [name],
            |row| row.get(0),
        )
        .unwrap()
}

#[tokio::test]
async fn an_old_outbox_is_upgraded_in_place_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = options(dir.path()).path;
    write_old_database(&path);
    let clock = ManualClock::new(T0);
    let store = open(dir.path(), &clock).await;
    let queue = store.outbox_for_receiver("tg", 0, 10).await.unwrap();
    assert_eq!(queue.len(), 1);
    assert_eq!((queue[0].id, queue[0].attempts), (2, 2));
    assert_eq!(queue[0].kind, NotificationKind::Firing);
    assert!(queue[0].provider_ids.is_empty());
    // The kind column was filled from the JSON: the sent firing anchors a thread once it has ids.
    let group = queue[0].group_key.clone();
    let sent = DeliveryUpdate {
        id: 1,
        status: DeliveryStatus::Sent,
        attempts: 1,
        last_error: None,
        provider_ids: vec!["77".into()],
    };
    store.record_deliveries(vec![sent]).await.unwrap();
    assert_eq!(
        store
            .thread_anchor("tg", &group, 2)
            .await
            .unwrap()
            .as_deref(),
        Some("77")
    );
    store.shutdown().await.unwrap();
    drop(store);

    // Opening again changes nothing and keeps what was stored.
    let store = open(dir.path(), &clock).await;
    assert_eq!(
        store
            .thread_anchor("tg", &group, 2)
            .await
            .unwrap()
            .as_deref(),
        Some("77")
    );
    assert_eq!(
        store.outbox_for_receiver("tg", 0, 10).await.unwrap().len(),
        1
    );
    store.shutdown().await.unwrap();
    drop(store);
    let connection = Connection::open(&path).unwrap();
    for column in ["provider_ids", "kind"] {
        assert_eq!(column_count(&connection, column), 1, "{column}");
    }
    let outbox_index: i64 = connection
        .query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'notifications_outbox'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(outbox_index, 1);
}

#[tokio::test]
async fn provider_ids_live_in_their_column_and_the_json_is_never_rewritten() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let store = open(dir.path(), &clock).await;
    let mut n = notification(
        "tg",
        vec![alert("high_cpu", "web-1", AlertState::Firing, T0)],
        T0,
    );
    n.provider_ids = vec!["1".into()];
    let changes = AlertChanges {
        notifications: vec![n],
        ..AlertChanges::default()
    };
    let id = store.save_alert_changes(changes).await.unwrap()[0];
    let read = |path: &Path| -> (String, Option<String>, Option<String>) {
        let connection = Connection::open(path).unwrap();
        connection
            .query_row(
                "SELECT json, provider_ids, kind FROM notifications WHERE id = ?1",
                [id],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .unwrap()
    };
    let path = options(dir.path()).path;
    let (json, ids, kind) = read(&path);
    assert!(!json.contains("provider_ids"), "{json}");
    assert_eq!(
        (ids.as_deref(), kind.as_deref()),
        (Some(r#"["1"]"#), Some("firing"))
    );

    let update = DeliveryUpdate {
        id,
        status: DeliveryStatus::Sent,
        attempts: 1,
        last_error: None,
        provider_ids: vec!["1".into(), "2".into()],
    };
    store.record_deliveries(vec![update]).await.unwrap();
    let (json_after, ids, _) = read(&path);
    assert_eq!(json_after, json);
    assert_eq!(ids.as_deref(), Some(r#"["1","2"]"#));
}
