//! The delivery workers' outbox: per-receiver paging, atomic delivery updates, provider ids
//! and reply threads.

use super::{alert, notification};
use crate::common::{T0, open};
use hostpulse_core::{AlertState, DeliveryStatus, ManualClock, Notification, NotificationKind};
use hostpulse_store::prelude::*;
use hostpulse_store::{
    AlertChanges, AlertStore, DeliveryUpdate, HistoryEntry, NotificationQuery, StoreError,
};

/// A notification of `receiver` about group `group` with the given kind and status.
pub fn made(
    receiver: &str,
    group: &str,
    kind: NotificationKind,
    status: DeliveryStatus,
) -> Notification {
    let mut n = notification(
        receiver,
        vec![alert("high_cpu", "web-1", AlertState::Firing, T0)],
        T0,
    );
    n.group_key = group.into();
    n.kind = kind;
    n.status = status;
    n
}

pub fn queued(receiver: &str) -> Notification {
    made(
        receiver,
        "g1",
        NotificationKind::Firing,
        DeliveryStatus::Pending,
    )
}

/// Stores `notifications` one change set each; returns their ids.
pub async fn save(store: &dyn AlertStore, notifications: Vec<Notification>) -> Vec<i64> {
    let mut ids = Vec::new();
    for n in notifications {
        let changes = AlertChanges {
            notifications: vec![n],
            ..AlertChanges::default()
        };
        ids.extend(store.save_alert_changes(changes).await.unwrap());
    }
    ids
}

pub fn update(
    id: i64,
    status: DeliveryStatus,
    attempts: u32,
    error: Option<&str>,
    provider_ids: &[&str],
) -> DeliveryUpdate {
    DeliveryUpdate {
        id,
        status,
        attempts,
        last_error: error.map(Into::into),
        provider_ids: provider_ids.iter().map(|p| p.to_string()).collect(),
    }
}

pub async fn one(store: &dyn AlertStore, id: i64) -> Notification {
    let page = store
        .notifications(NotificationQuery::default())
        .await
        .unwrap();
    page.notifications.into_iter().find(|n| n.id == id).unwrap()
}

pub fn ids(notifications: &[Notification]) -> Vec<i64> {
    notifications.iter().map(|n| n.id).collect()
}

#[tokio::test]
async fn receiver_queue_pages_by_id_and_skips_finished_and_other_receivers() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let store = open(dir.path(), &clock).await;
    let mut all = Vec::new();
    for i in 0..12 {
        let receiver = ["tg", "mail", "tg"][i % 3];
        let status = match i {
            4 => DeliveryStatus::Sent,
            6 => DeliveryStatus::DryRun,
            7 => DeliveryStatus::Dead,
            9 => DeliveryStatus::Sending,
            _ => DeliveryStatus::Pending,
        };
        all.push(made(receiver, "g1", NotificationKind::Firing, status));
    }
    let stored = save(store.as_ref(), all.clone()).await;
    let expected: Vec<i64> = (0..12)
        .filter(|&i| all[i].receiver == "tg" && ![4, 6, 7].contains(&i))
        .map(|i| stored[i])
        .collect();
    assert_eq!(
        expected.len(),
        7,
        "tg has 8 notifications, one of them finished"
    );

    let (mut seen, mut after) = (Vec::new(), 0);
    loop {
        let page = store.outbox_for_receiver("tg", after, 4).await.unwrap();
        assert!(page.len() <= 4);
        let Some(last) = page.last() else { break };
        after = last.id;
        assert!(page.iter().all(|n| n.receiver == "tg"));
        seen.extend(ids(&page));
    }
    assert_eq!(seen, expected, "oldest first, each once");
    let sending = store.outbox_for_receiver("tg", 0, 10).await.unwrap();
    assert_eq!(
        sending.iter().find(|n| n.id == stored[9]).unwrap().status,
        DeliveryStatus::Sending
    );

    let mail = store.outbox_for_receiver("mail", 0, 10).await.unwrap();
    assert_eq!(
        ids(&mail),
        vec![stored[1], stored[10]],
        "4 and 7 are finished"
    );
    assert!(
        store
            .outbox_for_receiver("nobody", 0, 10)
            .await
            .unwrap()
            .is_empty()
    );
    // The older global view counts sending notifications as queued too.
    let pending = store.pending_notifications(100).await.unwrap();
    assert_eq!(pending.len(), 9);
    assert!(ids(&pending).windows(2).all(|w| w[0] < w[1]));
}

#[tokio::test]
async fn delivery_updates_apply_together_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let store = open(dir.path(), &clock).await;
    let stored = save(store.as_ref(), vec![queued("tg"), queued("tg")]).await;
    let (first, second) = (stored[0], stored[1]);

    let error = store
        .record_deliveries(vec![
            update(first, DeliveryStatus::Sent, 1, None, &["m1"]),
            update(9999, DeliveryStatus::Sending, 1, None, &[]),
        ])
        .await
        .unwrap_err();
    assert!(
        matches!(&error, StoreError::InvalidQuery(m) if m.contains("9999")),
        "{error}"
    );
    let unchanged = one(store.as_ref(), first).await;
    assert_eq!(
        (unchanged.status, unchanged.attempts),
        (DeliveryStatus::Pending, 0)
    );
    assert!(unchanged.provider_ids.is_empty());

    store
        .record_deliveries(vec![
            update(first, DeliveryStatus::Sent, 1, None, &["m1"]),
            update(second, DeliveryStatus::Sending, 1, Some("timeout"), &[]),
        ])
        .await
        .unwrap();
    let sent = one(store.as_ref(), first).await;
    assert_eq!(
        (sent.status, sent.provider_ids.clone()),
        (DeliveryStatus::Sent, vec!["m1".to_string()])
    );
    let sending = one(store.as_ref(), second).await;
    assert_eq!(sending.status, DeliveryStatus::Sending);
    assert_eq!(sending.last_error.as_deref(), Some("timeout"));
    assert_eq!(
        ids(&store.outbox_for_receiver("tg", 0, 10).await.unwrap()),
        vec![second]
    );
    store.record_deliveries(Vec::new()).await.unwrap();
}

#[tokio::test]
async fn provider_ids_are_replaced_and_survive_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let store = open(dir.path(), &clock).await;
    let mut with_ids = queued("tg");
    with_ids.provider_ids = vec!["given".into()];
    let stored = save(store.as_ref(), vec![queued("tg"), with_ids]).await;
    assert_eq!(
        one(store.as_ref(), stored[1]).await.provider_ids,
        vec!["given"]
    );

    // Two parts of a long message: the first, then both.
    let part = |ids: &[&str]| update(stored[0], DeliveryStatus::Sending, 1, None, ids);
    store.record_deliveries(vec![part(&["41"])]).await.unwrap();
    store
        .record_deliveries(vec![part(&["41", "42"])])
        .await
        .unwrap();
    store
        .record_deliveries(vec![update(
            stored[1],
            DeliveryStatus::Pending,
            1,
            Some("429"),
            &[],
        )])
        .await
        .unwrap();
    store.shutdown().await.unwrap();
    drop(store);

    let store = open(dir.path(), &clock).await;
    let queue = store.outbox_for_receiver("tg", 0, 10).await.unwrap();
    assert_eq!(queue[0].provider_ids, vec!["41", "42"]);
    assert!(
        queue[1].provider_ids.is_empty(),
        "an empty list replaces the stored one"
    );
    let history = store.alert_history(Default::default()).await.unwrap();
    let listed: Vec<Vec<String>> = history
        .entries
        .iter()
        .filter_map(|e| match e {
            HistoryEntry::Notification { notification, .. } => {
                Some(notification.provider_ids.clone())
            }
            _ => None,
        })
        .collect();
    assert!(
        listed.contains(&vec!["41".to_string(), "42".to_string()]),
        "{listed:?}"
    );
}

#[tokio::test]
async fn thread_anchor_is_the_newest_sent_firing_of_the_group_below_the_id() {
    use DeliveryStatus::{Dead, Pending, Sent};
    use NotificationKind::{Firing, Repeat, Resolved};
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let store = open(dir.path(), &clock).await;
    let rows = [
        ("tg", "g1", Firing, Sent, vec!["100", "101"]),
        ("tg", "g1", Firing, Sent, vec!["200"]),
        ("tg", "g1", Resolved, Sent, vec!["300"]),
        ("tg", "g1", Repeat, Sent, vec!["350"]),
        ("tg", "g1", Firing, Dead, vec!["400"]),
        ("mail", "g1", Firing, Sent, vec!["500"]),
        ("tg", "g2", Firing, Sent, vec!["600"]),
        ("tg", "g1", Firing, Sent, vec![]),
        ("tg", "g1", Resolved, Pending, vec![]),
    ];
    let notifications = rows
        .iter()
        .map(|(receiver, group, kind, status, provider_ids)| {
            let mut n = made(receiver, group, *kind, *status);
            n.provider_ids = provider_ids.iter().map(|p| p.to_string()).collect();
            n
        })
        .collect();
    let id = save(store.as_ref(), notifications).await;
    let anchor = |receiver: &'static str, group: &'static str, before: i64| {
        let store = store.clone();
        async move { store.thread_anchor(receiver, group, before).await.unwrap() }
    };
    assert_eq!(anchor("tg", "g1", id[8]).await.as_deref(), Some("200"));
    assert_eq!(anchor("tg", "g1", id[1]).await.as_deref(), Some("100"));
    assert_eq!(anchor("tg", "g1", id[0]).await, None);
    assert_eq!(anchor("tg", "g2", id[8]).await.as_deref(), Some("600"));
    assert_eq!(anchor("mail", "g1", id[8]).await.as_deref(), Some("500"));
    assert_eq!(anchor("sms", "g1", id[8]).await, None);

    // A firing that becomes sent with provider ids (through an update) is the new anchor.
    store
        .record_deliveries(vec![update(id[4], Sent, 2, None, &["450"])])
        .await
        .unwrap();
    assert_eq!(anchor("tg", "g1", id[8]).await.as_deref(), Some("450"));
}
