//! The engine on a virtual clock over a real SQLite store: samples in, alert states and
//! outbox notifications out, across a restart.

mod common;

use common::Rig;
use hostpulse_core::{AlertState, DeliveryStatus, NotificationKind};
use hostpulse_store::prelude::*;

const CONFIG: &str = r#"
rules:
  - name: high_cpu
    expr: avg(cpu.usage_percent, 1m) > 85
    for: 2m
    clear: avg(cpu.usage_percent, 1m) < 75
    severity: warning
alerting:
  evaluation_interval: 5s
  defaults:
    group_wait: 10s
    group_interval: 1m
    repeat_interval: 4h
"#;

#[tokio::test]
async fn held_threshold_fires_after_for_and_resolves_with_hysteresis() {
    let mut rig = Rig::new(CONFIG).await;
    for _ in 0..12 {
        rig.push(20.0).await;
    }
    assert_eq!(rig.state("high_cpu"), None);
    // Hot for a while: pending once the 1-minute average crosses 85, firing 2 minutes later.
    let mut pending_seen = false;
    for _ in 0..40 {
        rig.push(95.0).await;
        pending_seen |= rig.state("high_cpu") == Some(AlertState::Pending);
    }
    assert!(pending_seen, "the alert must pass through pending");
    assert_eq!(rig.state("high_cpu"), Some(AlertState::Firing));
    let sent = rig.notifications().await;
    assert_eq!(sent.len(), 1, "{sent:#?}");
    assert_eq!(sent[0].kind, NotificationKind::Firing);
    assert_eq!(sent[0].status, DeliveryStatus::Sent);
    assert_eq!(sent[0].alerts[0].host, "web-1");

    // Between the clear (75) and fire (85) thresholds: still firing, nothing new sent.
    for _ in 0..30 {
        rig.push(80.0).await;
    }
    assert_eq!(rig.state("high_cpu"), Some(AlertState::Firing));
    assert_eq!(rig.notifications().await.len(), 1);

    // Below the clear threshold: resolved, and a resolved notification after group_interval.
    for _ in 0..30 {
        rig.push(10.0).await;
    }
    assert_eq!(rig.state("high_cpu"), None);
    let sent = rig.notifications().await;
    assert_eq!(sent.len(), 2, "{sent:#?}");
    assert_eq!(sent[1].kind, NotificationKind::Resolved);
}

#[tokio::test]
async fn restart_keeps_firing_alerts_without_a_second_notification() {
    let mut rig = Rig::new(CONFIG).await;
    for _ in 0..50 {
        rig.push(99.0).await;
    }
    assert_eq!(rig.state("high_cpu"), Some(AlertState::Firing));
    assert_eq!(rig.notifications().await.len(), 1);
    rig.restart().await;
    assert_eq!(
        rig.state("high_cpu"),
        Some(AlertState::Firing),
        "restored from the store"
    );
    for _ in 0..20 {
        rig.push(99.0).await;
    }
    assert_eq!(rig.state("high_cpu"), Some(AlertState::Firing));
    assert_eq!(
        rig.notifications().await.len(),
        1,
        "no notification storm after a restart"
    );
}

#[tokio::test]
async fn ack_is_recorded_and_unknown_ids_are_refused() {
    let mut rig = Rig::new(CONFIG).await;
    for _ in 0..50 {
        rig.push(99.0).await;
    }
    let alert = rig.engine.active_alerts().remove(0);
    let acked = rig.engine.ack(&alert.id, "admin", "looking").await.unwrap();
    assert_eq!(acked.ack.as_ref().unwrap().by, "admin");
    assert!(rig.engine.ack("nope", "admin", "").await.is_err());
    let restored = rig.store.load_alerts().await.unwrap();
    assert!(restored.iter().any(|a| a.id == alert.id && a.ack.is_some()));
}

#[tokio::test]
async fn ack_of_a_pending_alert_is_refused_and_records_nothing() {
    let mut rig = Rig::new(CONFIG).await;
    while rig.state("high_cpu").is_none() {
        rig.push(99.0).await;
    }
    let alert = rig.alert("high_cpu").unwrap();
    assert_eq!(alert.state, AlertState::Pending);
    let refused = rig.engine.ack(&alert.id, "admin", "").await.unwrap_err();
    assert!(
        matches!(&refused, hostpulse_engine::EngineError::Conflict(m) if m.contains("is pending, not firing")),
        "{refused}"
    );
    assert!(rig.alert("high_cpu").unwrap().ack.is_none());
    while rig.state("high_cpu") == Some(AlertState::Pending) {
        rig.push(99.0).await;
    }
    assert!(
        rig.alert("high_cpu").unwrap().ack.is_none(),
        "fires unacknowledged"
    );
}
