//! Grouping, dedup, repeat and resolved timings on a virtual clock.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed setup step should stop the test loudly"
)]

mod common;

use common::*;
use hostpulse_core::{AlertState, DeliveryStatus, NotificationKind};

#[test]
fn first_notification_waits_group_wait_then_nothing_until_repeat() {
    let mut manager = manager(&config());
    let cpu = firing("high_cpu", "web-1", 0);
    let sent = run(
        &mut manager,
        0,
        2 * HOUR + 30 * MIN,
        SEC,
        std::slice::from_ref(&cpu),
        &[],
    );
    let times: Vec<(i64, NotificationKind)> = sent.iter().map(|(t, n)| (*t, n.kind)).collect();
    assert_eq!(
        times,
        [
            (10 * SEC, NotificationKind::Firing),
            (10 * SEC + HOUR, NotificationKind::Repeat),
            (10 * SEC + 2 * HOUR, NotificationKind::Repeat),
        ]
    );
    let first = &sent[0].1;
    assert_eq!(first.receiver, "log");
    assert_eq!(first.status, DeliveryStatus::Pending);
    assert_eq!(first.group_key, r#"default{host="web-1",rule="high_cpu"}"#);
    assert_eq!(first.alerts, [cpu]);
}

#[test]
fn pending_alerts_are_never_notified() {
    let mut manager = manager(&config());
    let mut pending = firing("high_cpu", "web-1", 0);
    pending.state = AlertState::Pending;
    pending.firing_since_ms = None;
    assert!(run(&mut manager, 0, HOUR, 10 * SEC, &[pending], &[]).is_empty());
}

#[test]
fn new_alert_joining_a_group_waits_group_interval() {
    let mut cfg = config();
    cfg.defaults.group_by = vec!["rule".into()];
    let mut manager = manager(&cfg);
    let web1 = firing("high_cpu", "web-1", 0);
    let web2 = firing("high_cpu", "web-2", 15 * SEC);
    assert_eq!(
        kinds(&manager.process(10 * SEC, std::slice::from_ref(&web1), &[])),
        [NotificationKind::Firing]
    );
    let both = [web1.clone(), web2.clone()];
    assert!(manager.process(15 * SEC, &both, &[]).is_empty());
    assert!(manager.process(69 * SEC, &both, &[]).is_empty());
    let second = manager.process(70 * SEC, &both, &[]);
    assert_eq!(kinds(&second), [NotificationKind::Firing]);
    assert_eq!(second[0].alerts.len(), 2);
    assert!(
        manager.process(71 * SEC, &both, &[]).is_empty(),
        "sent on change only"
    );
}

#[test]
fn alerts_of_one_group_arriving_within_group_wait_go_out_together() {
    let mut cfg = config();
    cfg.defaults.group_by = vec!["host".into()];
    let mut manager = manager(&cfg);
    let cpu = firing("high_cpu", "web-1", 0);
    let mem = firing("high_mem", "web-1", 4 * SEC);
    assert!(
        manager
            .process(4 * SEC, &[cpu.clone(), mem.clone()], &[])
            .is_empty()
    );
    let sent = manager.process(10 * SEC, &[cpu, mem], &[]);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].alerts.len(), 2);
}

#[test]
fn resolved_notification_follows_group_interval_even_if_seen_once() {
    let mut manager = manager(&config());
    let cpu = firing("high_cpu", "web-1", 0);
    assert_eq!(
        manager
            .process(10 * SEC, std::slice::from_ref(&cpu), &[])
            .len(),
        1
    );
    let gone = resolved(cpu, 30 * SEC);
    assert!(
        manager
            .process(30 * SEC, std::slice::from_ref(&gone), &[])
            .is_empty()
    );
    assert!(manager.process(69 * SEC, &[], &[]).is_empty());
    let sent = manager.process(70 * SEC, &[], &[]);
    assert_eq!(kinds(&sent), [NotificationKind::Resolved]);
    assert_eq!(sent[0].alerts, [gone]);
    assert!(run(&mut manager, 71 * SEC, 5 * HOUR, MIN, &[], &[]).is_empty());
    assert!(manager.log().groups().next().is_none(), "log entry removed");
}

#[test]
fn without_send_resolved_a_resolution_is_silent() {
    let mut cfg = config();
    cfg.defaults.send_resolved = false;
    let mut manager = manager(&cfg);
    let cpu = firing("high_cpu", "web-1", 0);
    manager.process(10 * SEC, std::slice::from_ref(&cpu), &[]);
    let gone = resolved(cpu, 30 * SEC);
    assert!(run(&mut manager, 30 * SEC, 3 * HOUR, MIN, &[gone], &[]).is_empty());
}

#[test]
fn acknowledged_alert_gets_no_reminder() {
    let mut manager = manager(&config());
    let cpu = firing("high_cpu", "web-1", 0);
    manager.process(10 * SEC, std::slice::from_ref(&cpu), &[]);
    let cpu = acked(cpu, 20 * SEC);
    assert!(run(&mut manager, 20 * SEC, 5 * HOUR, MIN, &[cpu], &[]).is_empty());
}

#[test]
fn unmatched_alerts_take_the_default_route_and_routes_pick_receivers() {
    let mut cfg = config();
    cfg.receivers = ["ops", "db-team"]
        .into_iter()
        .map(|name| hostpulse_notify::ReceiverConfig {
            name: name.into(),
            kind: hostpulse_notify::ReceiverKind::Log,
            rate_limit: None,
            retry: Default::default(),
        })
        .collect();
    cfg.routes = vec![hostpulse_alerting::RouteConfig {
        matcher: hostpulse_alerting::RouteMatch {
            host: Some("db-*".into()),
            ..Default::default()
        },
        settings: hostpulse_alerting::RouteSettings {
            receivers: vec!["db-team".into()],
            ..cfg.defaults.clone()
        },
        continue_matching: false,
    }];
    let mut manager = manager(&cfg);
    let db = firing("disk_full", "db-1", 0);
    let web = firing("disk_full", "web-1", 0);
    let sent = manager.process(10 * SEC, &[db.clone(), web.clone()], &[]);
    let mut routed: Vec<(String, String)> = sent
        .iter()
        .map(|n| (n.alerts[0].host.clone(), n.receiver.clone()))
        .collect();
    routed.sort();
    assert_eq!(
        routed,
        [
            ("db-1".into(), "db-team".into()),
            ("web-1".into(), "db-team".into()),
            ("web-1".into(), "ops".into())
        ]
    );
    assert_eq!(manager.route_for(&db)[0].route, "route0");
    assert_eq!(manager.route_for(&web)[0].receivers, ["ops", "db-team"]);
}
