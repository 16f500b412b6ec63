//! The hub's own downtime is not the host's silence: after a start, alerts keep their state
//! until the agent has caught up (its spooled frames arrive first) or the restart grace
//! period ends. On the virtual clock over a real SQLite store.

mod common;

use common::{INTERVAL_MS, Rig};
use hostpulse_core::{AlertState, Clock, NotificationKind};

const CONFIG: &str = r#"
rules:
  - name: high_cpu
    expr: avg(cpu.usage_percent, 1m) > 85
    for: 2m
    clear: avg(cpu.usage_percent, 1m) < 75
    severity: warning
alerting:
  evaluation_interval: 5s
  restart_grace: 1m
  defaults:
    group_wait: 10s
    group_interval: 10s
    repeat_interval: 4h
"#;

/// Five minutes: longer than the built-in `host_down` (`absent(3m)`) and than 3 intervals.
const OUTAGE_MS: i64 = 300_000;

/// Replays what the agent spooled while the hub was down (`from_ms` up to now), one frame
/// per interval, as a reconnecting agent sends it: oldest first.
async fn replay_spool(rig: &mut Rig, from_ms: i64, cpu: f64) {
    let now = rig.clock.now_ms();
    let mut ts = from_ms;
    while ts < now {
        rig.push_at(ts, cpu).await;
        ts += INTERVAL_MS;
    }
}

#[tokio::test]
async fn a_firing_alert_survives_a_long_outage_without_notifications() {
    let mut rig = Rig::new(CONFIG).await;
    for _ in 0..50 {
        rig.push(99.0).await;
    }
    assert_eq!(rig.state("high_cpu"), Some(AlertState::Firing));
    assert_eq!(rig.notifications().await.len(), 1);
    let down_from = rig.clock.now_ms();

    rig.restart_after(OUTAGE_MS).await;
    // The timer evaluation at start comes before the agent is back.
    rig.tick().await;
    assert_eq!(rig.state("high_cpu"), Some(AlertState::Firing));
    assert_eq!(
        rig.state("host_down"),
        None,
        "the hub was away, not the host"
    );
    replay_spool(&mut rig, down_from, 99.0).await;
    assert_eq!(rig.state("host_down"), None);
    for _ in 0..20 {
        rig.push(99.0).await;
        rig.tick().await;
    }
    assert_eq!(rig.state("high_cpu"), Some(AlertState::Firing));
    assert_eq!(rig.state("host_down"), None);
    let sent = rig.notifications().await;
    assert_eq!(sent.len(), 1, "nothing new after the restart: {sent:#?}");
    assert_eq!(sent[0].kind, NotificationKind::Firing);
}

#[tokio::test]
async fn a_pending_timer_continues_from_its_original_start() {
    let mut rig = Rig::new(CONFIG).await;
    for _ in 0..12 {
        rig.push(20.0).await;
    }
    while rig.state("high_cpu").is_none() {
        rig.push(95.0).await;
    }
    let pending = rig.alert("high_cpu").unwrap();
    assert_eq!(pending.state, AlertState::Pending);
    for _ in 0..6 {
        rig.push(95.0).await;
    }
    let down_from = rig.clock.now_ms();

    rig.restart_after(60_000).await;
    rig.tick().await;
    assert_eq!(rig.state("high_cpu"), Some(AlertState::Pending), "restored");
    replay_spool(&mut rig, down_from, 95.0).await;
    while rig.state("high_cpu") == Some(AlertState::Pending) {
        rig.push(95.0).await;
    }
    let firing = rig.alert("high_cpu").expect("fires, not dropped");
    assert_eq!(firing.state, AlertState::Firing);
    assert_eq!(firing.active_since_ms, pending.active_since_ms);
    let fired_after = firing.firing_since_ms.unwrap() - pending.active_since_ms;
    assert!(
        (120_000..120_000 + INTERVAL_MS).contains(&fired_after),
        "fires `for` after the original start, not after the restart: {fired_after} ms"
    );
}

#[tokio::test]
async fn a_host_still_silent_when_the_grace_period_ends_is_judged_as_usual() {
    let mut rig = Rig::new(CONFIG).await;
    for _ in 0..50 {
        rig.push(99.0).await;
    }
    rig.restart_after(OUTAGE_MS).await;
    let started = rig.clock.now_ms();
    while rig.clock.now_ms() < started + 55_000 {
        rig.tick().await;
        assert_eq!(rig.state("host_down"), None);
        assert_eq!(rig.state("high_cpu"), Some(AlertState::Firing));
        rig.clock.advance(INTERVAL_MS);
    }
    rig.clock.advance(INTERVAL_MS);
    rig.tick().await;
    assert_eq!(
        rig.state("host_down"),
        Some(AlertState::Firing),
        "no data for the whole grace period: the host is down"
    );
}
