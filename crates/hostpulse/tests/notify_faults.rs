//! Delivery through the real hub binary: a hub killed with SIGKILL while 100 notifications
//! are queued and one attempt is in flight delivers every notification after the restart,
//! in order per group, sending again only the one whose outcome was unknown, with the same
//! idempotency key; plus `hostpulse notify test|receivers|requeue` end to end.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed setup step should stop the test loudly"
)]

mod common;

use common::sink::Sink;
use common::{Hub, Mode, START_TIMEOUT, text, wait_for};
use hostpulse_core::{
    Alert, AlertState, Clock, DeliveryStatus, Labels, Notification, NotificationKind, Severity,
    SystemClock, alert_fingerprint,
};
use hostpulse_store::prelude::*;
use hostpulse_store::{AlertChanges, NotificationQuery, SqliteOptions, SqliteStore};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

const QUEUED: usize = 100;
const GROUPS: usize = 10;
/// The request the sink holds unanswered: the hub is killed during it.
const HELD: usize = 30;

fn receiver_yaml(url: &str) -> String {
    format!(
        "receivers:\n  - name: hook\n    type: webhook\n    url: {url}\n    timeout: 30s\n\
         routes:\n  - receivers: [hook]\n"
    )
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

async fn open_store(data_dir: &Path) -> Arc<SqliteStore> {
    std::fs::create_dir_all(data_dir).unwrap();
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    SqliteStore::open(SqliteOptions::new(data_dir.join("hostpulse.db")), clock)
        .await
        .unwrap()
}

fn alert(host: &str, now_ms: i64) -> Alert {
    let labels = Labels::new();
    Alert {
        id: alert_fingerprint("high_cpu", host, &labels),
        rule: "high_cpu".into(),
        host: host.into(),
        labels,
        severity: Severity::Critical,
        state: AlertState::Firing,
        value: 97.0,
        threshold: Some(90.0),
        summary: format!("CPU high on {host}"),
        description: String::new(),
        annotations: Default::default(),
        active_since_ms: now_ms,
        firing_since_ms: Some(now_ms),
        resolved_ms: None,
        last_eval_ms: now_ms,
        ack: None,
        dry_run: false,
    }
}

/// 100 pending notifications for `hook`, in 10 interleaved groups.
fn queue(now_ms: i64) -> Vec<Notification> {
    (0..QUEUED)
        .map(|i| {
            let host = format!("web-{}", i % GROUPS);
            Notification {
                id: 0,
                receiver: "hook".into(),
                group_key: format!("route0{{host={host:?}}}"),
                group_labels: Labels::new(),
                kind: NotificationKind::Firing,
                severity: Severity::Critical,
                alerts: vec![alert(&host, now_ms)],
                created_ms: now_ms + i as i64,
                status: DeliveryStatus::Pending,
                attempts: 0,
                last_error: None,
                escalation_step: None,
                provider_ids: Vec::new(),
            }
        })
        .collect()
}

fn seed(test_dir: &Path) {
    runtime().block_on(async {
        let store = open_store(&test_dir.join("data")).await;
        let changes = AlertChanges {
            notifications: queue(SystemClock.now_ms()),
            ..Default::default()
        };
        store.save_alert_changes(changes).await.unwrap();
        store.shutdown().await.unwrap();
    });
}

/// Every notification in the outbox of a stopped hub, oldest first.
fn stored_outbox(data_dir: &Path) -> Vec<Notification> {
    runtime().block_on(async {
        let store = open_store(data_dir).await;
        let query = NotificationQuery {
            limit: 500,
            ..Default::default()
        };
        let mut list = store.notifications(query).await.unwrap().notifications;
        store.shutdown().await.unwrap();
        list.reverse();
        list
    })
}

/// Every notification in the outbox of a running hub, oldest first.
fn served_outbox(hub: &Hub) -> Vec<Notification> {
    let reply = hub.get("/api/v1/notifications?limit=500");
    assert_eq!(reply.status, 200, "{}", reply.json);
    let mut list: Vec<Notification> =
        serde_json::from_value(reply.json["notifications"].clone()).unwrap();
    list.reverse();
    list
}

#[test]
fn sigkill_with_100_queued_delivers_each_once_in_order_after_restart() {
    let sink = Sink::start(Duration::from_millis(5), HELD);
    let mut hub = Hub::start_with(Mode::Hub, &receiver_yaml(&sink.url), seed);
    wait_for("the held request", START_TIMEOUT, || {
        (sink.received().len() >= HELD).then_some(())
    });
    hub.kill();

    let before = stored_outbox(&hub.data_dir());
    let in_flight: Vec<&Notification> = before
        .iter()
        .filter(|n| n.status == DeliveryStatus::Sending)
        .collect();
    assert_eq!(in_flight.len(), 1, "exactly the held attempt is in flight");
    let sent_before = before
        .iter()
        .filter(|n| n.status == DeliveryStatus::Sent)
        .count();
    assert_eq!(
        sent_before,
        HELD - 1,
        "every answered attempt was recorded as sent"
    );
    let held_key = in_flight[0].idempotency_key();

    hub.restart();
    let after = wait_for("every notification sent", START_TIMEOUT, || {
        let list = served_outbox(&hub);
        (list.len() == QUEUED && list.iter().all(|n| n.status == DeliveryStatus::Sent))
            .then_some(list)
    });
    assert_eq!(after.len(), QUEUED);

    let received = sink.received();
    let mut counts: HashMap<String, usize> = HashMap::new();
    for r in &received {
        let key = r.idempotency_key.clone().expect("every request has a key");
        *counts.entry(key).or_default() += 1;
    }
    assert_eq!(counts.len(), QUEUED, "every notification arrived");
    for n in &after {
        let expected = if n.idempotency_key() == held_key {
            2
        } else {
            1
        };
        assert_eq!(
            counts.get(&n.idempotency_key()),
            Some(&expected),
            "notification {} (the in-flight one arrives twice, with one key)",
            n.id
        );
    }
    assert_eq!(received.len(), QUEUED + 1);
    assert_order_per_group(&after, &received);
    let restarted = hub.logs();
    assert!(
        restarted.contains("outcome is unknown"),
        "the re-send is logged"
    );
}

/// Within each group, first arrivals follow outbox order.
fn assert_order_per_group(outbox: &[Notification], received: &[common::sink::Received]) {
    let position: HashMap<String, (String, i64)> = outbox
        .iter()
        .map(|n| (n.idempotency_key(), (n.group_key.clone(), n.id)))
        .collect();
    let mut last: BTreeMap<String, i64> = BTreeMap::new();
    let mut seen = std::collections::HashSet::new();
    for r in received {
        let key = r.idempotency_key.clone().unwrap_or_default();
        if !seen.insert(key.clone()) {
            continue;
        }
        let (group, id) = position[&key].clone();
        if let Some(previous) = last.insert(group.clone(), id) {
            assert!(
                previous < id,
                "group {group}: {id} arrived after {previous}"
            );
        }
    }
}

#[test]
fn notify_test_receivers_and_requeue_from_the_cli() {
    let sink = Sink::start(Duration::ZERO, 0);
    let dead_url = "http://127.0.0.1:9/closed";
    let extra = format!(
        "receivers:\n  - name: hook\n    type: webhook\n    url: {}\n\
         \x20 - name: gone\n    type: webhook\n    url: {dead_url}\n    timeout: 1s\n\
         routes:\n  - receivers: [hook]\n",
        sink.url
    );
    let hub = Hub::start_with(Mode::Hub, &extra, |_| {});

    let ok = hub.cli(&["notify", "test", "hook"]);
    assert!(ok.status.success(), "{}", text(&ok.stderr));
    assert!(
        text(&ok.stdout).contains("hook (webhook): delivered"),
        "{}",
        text(&ok.stdout)
    );
    let body = &sink.received()[0].body;
    assert!(body.contains("\"version\":\"4\""), "{body}");

    let failed = hub.cli(&["notify", "test", "gone"]);
    assert!(!failed.status.success());
    let out = text(&failed.stdout);
    assert!(
        out.contains("NOT delivered") && out.contains("temporary"),
        "{out}"
    );
    assert!(
        !out.contains("/closed"),
        "the webhook URL is a secret: {out}"
    );

    let unknown = hub.cli(&["notify", "test", "nope"]);
    assert!(!unknown.status.success());
    assert!(
        text(&unknown.stderr).contains("404"),
        "{}",
        text(&unknown.stderr)
    );

    let local = common::run_cli(&[
        "notify",
        "test",
        "hook",
        "--config",
        hub.dir().join("hub.yaml").to_str().unwrap(),
    ]);
    assert!(local.status.success(), "{}", text(&local.stderr));
    assert_eq!(sink.received().len(), 2);

    let table = text(&hub.cli(&["notify", "receivers"]).stdout);
    for part in ["hook", "gone", "webhook", "none"] {
        assert!(table.contains(part), "{part}: {table}");
    }
    let missing = hub.cli(&["notify", "requeue", "424242"]);
    assert!(!missing.status.success());
    assert!(
        text(&missing.stderr).contains("404"),
        "{}",
        text(&missing.stderr)
    );

    let mut hub = hub;
    hub.terminate(Duration::from_secs(30));
    let audit = runtime().block_on(async {
        let store = open_store(&hub.data_dir()).await;
        let entries = store.audit_entries(20).await.unwrap();
        store.shutdown().await.unwrap();
        entries
    });
    let tests: Vec<_> = audit
        .iter()
        .filter(|e| e.action == "receiver.test")
        .collect();
    assert_eq!(tests.len(), 3, "{audit:?}");
    assert!(tests.iter().any(|e| e.result == "ok"));
    assert!(
        tests
            .iter()
            .any(|e| e.result.starts_with("error: not delivered"))
    );
}
