//! Operating the outbox: statistics per receiver, requeueing dead notifications,
//! dead-lettering those of removed receivers, and retention.

use super::outbox::{ids, made, one, queued, save, update};
use crate::common::{T0, open};
use hostpulse_core::{DeliveryStatus, ManualClock, NotificationKind};
use hostpulse_store::prelude::*;
use hostpulse_store::{NotificationQuery, ReceiverOutboxStats, StoreError};

#[tokio::test]
async fn stats_count_each_receiver_by_status() {
    use DeliveryStatus::{Dead, DryRun, Pending, Sending, Sent};
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let store = open(dir.path(), &clock).await;
    assert!(store.outbox_stats().await.unwrap().is_empty());
    let rows = [
        ("tg", Sent, 10, None),
        ("tg", Dead, 11, Some("400 Bad Request")),
        ("tg", Pending, 12, Some("timeout")),
        ("tg", Pending, 13, None),
        ("tg", Sending, 14, None),
        ("mail", Sent, 20, None),
        ("mail", DryRun, 21, None),
        ("mail", Dead, 22, Some("550 no such user")),
        ("log", Sent, 30, None),
    ];
    let notifications = rows
        .iter()
        .map(|(receiver, status, at, error)| {
            let mut n = made(receiver, "g1", NotificationKind::Firing, *status);
            n.created_ms = T0 + at;
            n.last_error = error.map(Into::into);
            n
        })
        .collect();
    save(store.as_ref(), notifications).await;

    let stats = store.outbox_stats().await.unwrap();
    let expected = vec![
        ReceiverOutboxStats {
            receiver: "log".into(),
            sent: 1,
            ..ReceiverOutboxStats::default()
        },
        ReceiverOutboxStats {
            receiver: "mail".into(),
            sent: 1,
            dry_run: 1,
            dead: 1,
            last_error: Some("550 no such user".into()),
            ..ReceiverOutboxStats::default()
        },
        ReceiverOutboxStats {
            receiver: "tg".into(),
            pending: 2,
            sending: 1,
            sent: 1,
            dead: 1,
            oldest_queued_ms: Some(T0 + 12),
            last_error: Some("timeout".into()),
            ..ReceiverOutboxStats::default()
        },
    ];
    assert_eq!(stats, expected);
}

#[tokio::test]
async fn requeue_puts_only_dead_notifications_back() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let store = open(dir.path(), &clock).await;
    let stored = save(store.as_ref(), vec![queued("tg"), queued("tg")]).await;
    store
        .record_deliveries(vec![update(
            stored[0],
            DeliveryStatus::Dead,
            5,
            Some("403"),
            &["7"],
        )])
        .await
        .unwrap();

    let requeued = store
        .requeue_notification(stored[0])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(requeued.status, DeliveryStatus::Pending);
    assert_eq!(
        (requeued.attempts, requeued.last_error.as_deref()),
        (5, Some("403"))
    );
    assert_eq!(requeued.provider_ids, vec!["7"]);
    assert_eq!(one(store.as_ref(), stored[0]).await, requeued);
    assert_eq!(
        ids(&store.outbox_for_receiver("tg", 0, 10).await.unwrap()),
        stored
    );

    let error = store.requeue_notification(stored[1]).await.unwrap_err();
    assert!(matches!(error, StoreError::InvalidQuery(_)), "{error}");
    assert_eq!(store.requeue_notification(9999).await.unwrap(), None);
}

#[tokio::test]
async fn queued_notifications_of_unknown_receivers_are_dead_lettered() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let store = open(dir.path(), &clock).await;
    let mut sent = queued("old");
    sent.status = DeliveryStatus::Sent;
    let mut sending = queued("old");
    sending.status = DeliveryStatus::Sending;
    let batch = vec![
        queued("tg"),
        queued("old"),
        sending,
        sent,
        queued("gone"),
        queued("mail"),
    ];
    let stored = save(store.as_ref(), batch).await;

    let configured = vec!["tg".to_string(), "mail".to_string()];
    let reason = "receiver is no longer configured".to_string();
    let dead = store
        .dead_letter_unknown_receivers(configured.clone(), reason.clone())
        .await
        .unwrap();
    assert_eq!(dead, 3);
    for id in [stored[1], stored[2], stored[4]] {
        let n = one(store.as_ref(), id).await;
        assert_eq!(n.status, DeliveryStatus::Dead);
        assert_eq!(n.last_error.as_deref(), Some(reason.as_str()));
    }
    assert_eq!(
        one(store.as_ref(), stored[3]).await.status,
        DeliveryStatus::Sent
    );
    let queue = ids(&store.pending_notifications(10).await.unwrap());
    assert_eq!(queue, vec![stored[0], stored[5]]);
    assert_eq!(
        store
            .dead_letter_unknown_receivers(configured, reason)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store
            .dead_letter_unknown_receivers(Vec::new(), "none".into())
            .await
            .unwrap(),
        2
    );
}

#[tokio::test]
async fn pruning_keeps_pending_and_sending_notifications() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let store = open(dir.path(), &clock).await;
    let statuses = [
        DeliveryStatus::Pending,
        DeliveryStatus::Sending,
        DeliveryStatus::Sent,
        DeliveryStatus::Dead,
    ];
    let batch = statuses
        .iter()
        .map(|s| made("tg", "g1", NotificationKind::Firing, *s))
        .collect();
    let stored = save(store.as_ref(), batch).await;
    let report = store.prune_alert_history(T0 + 1).await.unwrap();
    assert_eq!(report.notifications, 2);
    let left = store
        .notifications(NotificationQuery::default())
        .await
        .unwrap();
    assert_eq!(ids(&left.notifications), vec![stored[1], stored[0]]);
}
