//! The alerting persistence over real SQLite files: round trips, atomic change sets,
//! paged history and outbox, silences, retention and persistence across reopening; the
//! delivery outbox (`alerts/outbox.rs`, `alerts/outbox_admin.rs`), the history of several hosts
//! (`alerts/history_hosts.rs`) and the upgrade of older databases (`alerts/migration.rs`).
#![allow(
    clippy::unwrap_used,
    reason = "test code: a failed step stops the test loudly (clippy.toml allows this in #[test] functions, not in their helpers)"
)]

mod common;
#[path = "alerts/history_hosts.rs"]
mod history_hosts;
#[path = "alerts/migration.rs"]
mod migration;
#[path = "alerts/outbox.rs"]
mod outbox;
#[path = "alerts/outbox_admin.rs"]
mod outbox_admin;

use common::{T0, open};
use hostpulse_core::{
    Alert, AlertState, AlertTransition, DeliveryStatus, Labels, ManualClock, MatchOp, Matcher,
    Notification, NotificationKind, Severity, Silence, alert_fingerprint,
};
use hostpulse_store::prelude::*;
use hostpulse_store::{
    AlertChanges, AlertStore, AuditEntry, HistoryEntry, HistoryQuery, NotificationQuery, StoreError,
};

fn alert(rule: &str, host: &str, state: AlertState, at_ms: i64) -> Alert {
    let labels = Labels::new();
    Alert {
        id: alert_fingerprint(rule, host, &labels),
        rule: rule.into(),
        host: host.into(),
        labels,
        severity: Severity::Warning,
        state,
        value: 91.5,
        threshold: Some(85.0),
        summary: format!("{rule} on {host}"),
        description: "CPU held high".into(),
        annotations: [("host_ip".to_string(), "10.0.0.5".to_string())].into(),
        active_since_ms: at_ms,
        firing_since_ms: (state == AlertState::Firing).then_some(at_ms),
        resolved_ms: None,
        last_eval_ms: at_ms,
        ack: None,
        dry_run: false,
    }
}

fn transition(a: &Alert, from: Option<AlertState>, to: AlertState, at_ms: i64) -> AlertTransition {
    AlertTransition {
        alert_id: a.id.clone(),
        rule: a.rule.clone(),
        host: a.host.clone(),
        labels: a.labels.clone(),
        severity: a.severity,
        from,
        to,
        at_ms,
        value: a.value,
        summary: a.summary.clone(),
    }
}

fn notification(receiver: &str, alerts: Vec<Alert>, at_ms: i64) -> Notification {
    Notification {
        id: 0,
        receiver: receiver.into(),
        group_key: format!("route0{{host={:?}}}", alerts[0].host),
        group_labels: Labels::new(),
        kind: NotificationKind::Firing,
        severity: Severity::Warning,
        alerts,
        created_ms: at_ms,
        status: DeliveryStatus::Pending,
        attempts: 0,
        last_error: None,
        escalation_step: None,
        provider_ids: Vec::new(),
    }
}

fn silence(id: &str, starts_ms: i64, ends_ms: i64) -> Silence {
    Silence {
        id: id.into(),
        matchers: vec![Matcher {
            name: "host".into(),
            op: MatchOp::Eq,
            value: "web-1".into(),
        }],
        starts_ms,
        ends_ms,
        author: "admin".into(),
        comment: "deploy".into(),
        created_ms: starts_ms,
    }
}

#[tokio::test]
async fn change_set_round_trips_and_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let store = open(dir.path(), &clock).await;
    let firing = alert("high_cpu", "web-1", AlertState::Firing, T0);
    let pending = alert("disk_almost_full", "web-2", AlertState::Pending, T0);
    let changes = AlertChanges {
        upsert: vec![firing.clone(), pending.clone()],
        delete: vec![],
        transitions: vec![transition(&firing, None, AlertState::Firing, T0)],
        notifications: vec![
            notification("log", vec![firing.clone()], T0),
            notification("ops", vec![firing.clone()], T0),
        ],
        state: vec![
            ("dedup".into(), "g1".into(), Some(r#"{"sent":1}"#.into())),
            ("dedup".into(), "g2".into(), Some("{}".into())),
        ],
    };
    let ids = store.save_alert_changes(changes).await.unwrap();
    assert_eq!(ids.len(), 2);
    assert!(ids[0] < ids[1]);

    // A later change deletes one alert and one state key.
    let later = AlertChanges {
        delete: vec![pending.id.clone()],
        state: vec![("dedup".into(), "g2".into(), None)],
        ..AlertChanges::default()
    };
    assert!(store.save_alert_changes(later).await.unwrap().is_empty());
    store.shutdown().await.unwrap();
    drop(store);

    let store = open(dir.path(), &clock).await;
    assert_eq!(store.load_alerts().await.unwrap(), vec![firing.clone()]);
    assert_eq!(
        store.load_state("dedup").await.unwrap(),
        vec![("g1".to_string(), r#"{"sent":1}"#.to_string())]
    );
    assert!(store.load_state("other").await.unwrap().is_empty());
    let pending_out = store.pending_notifications(10).await.unwrap();
    assert_eq!(pending_out.len(), 2);
    assert_eq!(pending_out[0].id, ids[0]);
    assert_eq!(pending_out[0].alerts, vec![firing]);
}

#[tokio::test]
async fn a_failing_part_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let store = open(dir.path(), &clock).await;
    let good = alert("high_cpu", "web-1", AlertState::Firing, T0);
    let mut broken = alert("high_cpu", "web-2", AlertState::Firing, T0);
    broken.value = f64::NAN;
    let changes = AlertChanges {
        upsert: vec![good.clone()],
        transitions: vec![transition(&good, None, AlertState::Firing, T0)],
        // The notification comes after the alert and transition rows in the transaction.
        notifications: vec![notification("log", vec![good.clone(), broken], T0)],
        state: vec![("ns".into(), "k".into(), Some("1".into()))],
        ..AlertChanges::default()
    };
    let error = store.save_alert_changes(changes).await.unwrap_err();
    assert!(matches!(error, StoreError::InvalidQuery(_)), "{error}");

    assert!(store.load_alerts().await.unwrap().is_empty());
    assert!(store.load_state("ns").await.unwrap().is_empty());
    assert!(store.pending_notifications(10).await.unwrap().is_empty());
    let history = store.alert_history(HistoryQuery::default()).await.unwrap();
    assert!(history.entries.is_empty());

    // An empty namespace is refused as well, after the other parts were written.
    let changes = AlertChanges {
        upsert: vec![good],
        state: vec![(String::new(), "k".into(), Some("1".into()))],
        ..AlertChanges::default()
    };
    assert!(store.save_alert_changes(changes).await.is_err());
    assert!(store.load_alerts().await.unwrap().is_empty());
}

/// Stores, per minute i, a transition for web-1 or web-2 and every third minute a notification.
pub async fn fill_history(store: &dyn AlertStore) {
    for i in 0..30i64 {
        let host = if i % 2 == 0 { "web-1" } else { "web-2" };
        let rule = if i % 4 < 2 { "high_cpu" } else { "disk_full" };
        let at = T0 + i * 60_000;
        let a = alert(rule, host, AlertState::Firing, at);
        let mut changes = AlertChanges {
            transitions: vec![transition(
                &a,
                Some(AlertState::Pending),
                AlertState::Firing,
                at,
            )],
            ..AlertChanges::default()
        };
        if i % 3 == 0 {
            // Covers two hosts: one history entry, listed under each host.
            let other = alert(rule, "db-1", AlertState::Firing, at);
            changes.notifications = vec![notification("log", vec![a, other], at)];
        }
        store.save_alert_changes(changes).await.unwrap();
    }
}

/// Every history entry `query` matches, read page by page (each page checked to hold at
/// most `query.limit` entries).
pub async fn all_pages(store: &dyn AlertStore, mut query: HistoryQuery) -> Vec<HistoryEntry> {
    let mut entries = Vec::new();
    loop {
        let page = store.alert_history(query.clone()).await.unwrap();
        assert!(page.entries.len() <= query.limit);
        entries.extend(page.entries);
        match page.next_cursor {
            Some(cursor) => query.cursor = Some(cursor),
            None => return entries,
        }
    }
}

#[tokio::test]
async fn history_pages_newest_first_with_filters() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let store = open(dir.path(), &clock).await;
    fill_history(store.as_ref()).await;

    let query = |hosts: &[&str], rule: Option<&str>, since: Option<i64>| HistoryQuery {
        hosts: hosts.iter().map(|h| h.to_string()).collect(),
        rule: rule.map(Into::into),
        since_ms: since,
        cursor: None,
        limit: 4,
    };
    let everything = all_pages(store.as_ref(), query(&[], None, None)).await;
    // 30 transitions + 10 notifications, each notification once although it has two rows.
    assert_eq!(everything.len(), 40);
    let times: Vec<i64> = everything.iter().map(HistoryEntry::at_ms).collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");
    let mut ids: Vec<i64> = everything
        .iter()
        .map(|e| match e {
            HistoryEntry::Transition { id, .. } | HistoryEntry::Notification { id, .. } => *id,
        })
        .collect();
    ids.dedup();
    assert_eq!(ids.len(), 40, "no entry repeats across pages");

    let web1 = all_pages(store.as_ref(), query(&["web-1"], None, None)).await;
    // Even minutes: 15 transitions; notifications at minutes divisible by 6: 5.
    assert_eq!(web1.len(), 20);
    let db1 = all_pages(store.as_ref(), query(&["db-1"], None, None)).await;
    assert_eq!(db1.len(), 10);
    assert!(
        db1.iter()
            .all(|e| matches!(e, HistoryEntry::Notification { .. }))
    );

    let cpu_web1 = all_pages(store.as_ref(), query(&["web-1"], Some("high_cpu"), None)).await;
    assert!(cpu_web1.iter().all(|e| {
        match e {
            HistoryEntry::Transition { transition, .. } => {
                transition.host == "web-1" && transition.rule == "high_cpu"
            }
            HistoryEntry::Notification { notification, .. } => notification
                .alerts
                .iter()
                .any(|a| a.host == "web-1" && a.rule == "high_cpu"),
        }
    }));
    assert_eq!(cpu_web1.len(), 8 + 3);

    let recent = all_pages(store.as_ref(), query(&[], None, Some(T0 + 25 * 60_000))).await;
    assert_eq!(recent.len(), 5 + 1);

    let bad = HistoryQuery {
        cursor: Some("somewhere".into()),
        ..HistoryQuery::default()
    };
    assert!(matches!(
        store.alert_history(bad).await,
        Err(StoreError::InvalidQuery(_))
    ));
}

#[tokio::test]
async fn outbox_order_status_updates_and_pages() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let store = open(dir.path(), &clock).await;
    let a = alert("high_cpu", "web-1", AlertState::Firing, T0);
    let mut ids = Vec::new();
    for i in 0..6i64 {
        let receiver = if i % 2 == 0 { "log" } else { "ops" };
        let mut n = notification(receiver, vec![a.clone()], T0 + i);
        if i == 5 {
            n.status = DeliveryStatus::DryRun;
        }
        let changes = AlertChanges {
            notifications: vec![n],
            ..AlertChanges::default()
        };
        ids.extend(store.save_alert_changes(changes).await.unwrap());
    }
    let pending = store.pending_notifications(3).await.unwrap();
    let pending_ids: Vec<i64> = pending.iter().map(|n| n.id).collect();
    assert_eq!(pending_ids, ids[..3].to_vec(), "oldest first");

    store
        .mark_notification(ids[0], DeliveryStatus::Sent, 1, None)
        .await
        .unwrap();
    store
        .mark_notification(
            ids[1],
            DeliveryStatus::Dead,
            5,
            Some("403 Forbidden".into()),
        )
        .await
        .unwrap();
    assert!(
        store
            .mark_notification(9999, DeliveryStatus::Sent, 1, None)
            .await
            .is_err()
    );
    let pending_ids: Vec<i64> = store
        .pending_notifications(10)
        .await
        .unwrap()
        .iter()
        .map(|n| n.id)
        .collect();
    assert_eq!(pending_ids, ids[2..5].to_vec());

    let dead = store
        .notifications(NotificationQuery {
            status: Some(DeliveryStatus::Dead),
            ..NotificationQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(dead.notifications.len(), 1);
    assert_eq!(dead.notifications[0].attempts, 5);
    assert_eq!(
        dead.notifications[0].last_error.as_deref(),
        Some("403 Forbidden")
    );

    let first = store
        .notifications(NotificationQuery {
            receiver: Some("log".into()),
            limit: 2,
            ..NotificationQuery::default()
        })
        .await
        .unwrap();
    let first_ids: Vec<i64> = first.notifications.iter().map(|n| n.id).collect();
    assert_eq!(first_ids, vec![ids[4], ids[2]]);
    let second = store
        .notifications(NotificationQuery {
            receiver: Some("log".into()),
            limit: 2,
            cursor: first.next_cursor,
            ..NotificationQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(second.notifications.len(), 1);
    assert_eq!(second.notifications[0].id, ids[0]);
    assert_eq!(second.notifications[0].status, DeliveryStatus::Sent);
    assert_eq!(second.next_cursor, None);
}

#[tokio::test]
async fn silences_list_expire_and_persist() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let store = open(dir.path(), &clock).await;
    store
        .put_silence(&silence("s1", T0, T0 + 3_600_000))
        .await
        .unwrap();
    store
        .put_silence(&silence("s2", T0 + 60_000, T0 + 7_200_000))
        .await
        .unwrap();
    store
        .put_silence(&silence("old", T0 - 10, T0 - 5))
        .await
        .unwrap();

    let active: Vec<String> = store
        .silences(false)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(active, vec!["s1", "s2"]);
    assert_eq!(store.silences(true).await.unwrap().len(), 3);

    clock.advance(30_000);
    let expired = store.expire_silence("s1", clock_now(&clock)).await.unwrap();
    assert_eq!(expired.map(|s| s.ends_ms), Some(T0 + 30_000));
    // Expiring again keeps the earlier end.
    let again = store.expire_silence("s1", T0 + 90_000).await.unwrap();
    assert_eq!(again.map(|s| s.ends_ms), Some(T0 + 30_000));
    assert_eq!(store.expire_silence("nope", T0).await.unwrap(), None);

    store.shutdown().await.unwrap();
    drop(store);
    let store = open(dir.path(), &clock).await;
    let active: Vec<String> = store
        .silences(false)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(active, vec!["s2"]);
    let s2 = &store.silences(false).await.unwrap()[0];
    assert_eq!(s2.comment, "deploy");
    assert_eq!(s2.matchers[0].op, MatchOp::Eq);
}

fn clock_now(clock: &ManualClock) -> i64 {
    use hostpulse_core::Clock;
    clock.now_ms()
}

#[tokio::test]
async fn prune_removes_old_rows_but_keeps_pending_notifications() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let store = open(dir.path(), &clock).await;
    fill_history(store.as_ref()).await;
    let pending_before = store.pending_notifications(100).await.unwrap();
    assert_eq!(pending_before.len(), 10);
    // Deliver the first two (minutes 0 and 3).
    for n in &pending_before[..2] {
        store
            .mark_notification(n.id, DeliveryStatus::Sent, 1, None)
            .await
            .unwrap();
    }
    store
        .put_silence(&silence("old", T0, T0 + 60_000))
        .await
        .unwrap();
    store
        .audit(AuditEntry {
            at_ms: T0,
            actor: "admin".into(),
            action: "silence.add".into(),
            target: "old".into(),
            result: "ok".into(),
        })
        .await
        .unwrap();

    let report = store.prune_alert_history(T0 + 10 * 60_000).await.unwrap();
    // Minutes 0..9: 10 transitions + notifications at 0, 3, 6, 9 with two rows each.
    assert_eq!(report.history_rows, 10 + 8);
    assert_eq!(report.notifications, 2, "only delivered ones");
    assert_eq!(report.silences, 1);
    assert_eq!(report.audit_entries, 1);

    let left = all_pages(
        store.as_ref(),
        HistoryQuery {
            limit: 500,
            ..HistoryQuery::default()
        },
    )
    .await;
    assert_eq!(left.len(), 20 + 6);
    assert!(left.iter().all(|e| e.at_ms() >= T0 + 10 * 60_000));
    assert_eq!(store.pending_notifications(100).await.unwrap().len(), 8);
    assert!(store.audit_entries(10).await.unwrap().is_empty());
}

#[tokio::test]
async fn audit_entries_are_kept_newest_first() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let store = open(dir.path(), &clock).await;
    for (i, action) in ["alert.ack", "silence.add", "rules.reload"]
        .iter()
        .enumerate()
    {
        store
            .audit(AuditEntry {
                at_ms: T0 + i as i64,
                actor: "admin".into(),
                action: (*action).into(),
                target: format!("t{i}"),
                result: "ok".into(),
            })
            .await
            .unwrap();
    }
    store.shutdown().await.unwrap();
    drop(store);
    let store = open(dir.path(), &clock).await;
    let entries = store.audit_entries(2).await.unwrap();
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, vec!["rules.reload", "silence.add"]);
    assert_eq!(entries[0].target, "t2");
}

#[tokio::test]
async fn api_token_lookup_gives_name_and_role() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let store = open(dir.path(), &clock).await;
    store
        .add_api_token("ops-admin", "h1", "admin")
        .await
        .unwrap();
    let token = store.api_token("h1").await.unwrap().unwrap();
    assert_eq!(
        (token.name.as_str(), token.role.as_str()),
        ("ops-admin", "admin")
    );
    assert_eq!(store.api_token("h2").await.unwrap(), None);
}
