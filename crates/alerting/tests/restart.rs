//! Restart: the notification log goes through its stored form and a new manager neither
//! repeats a notification nor forgets a reminder, a pending resolved notice or an escalation.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed setup step should stop the test loudly"
)]

mod common;

use std::time::Duration;

use common::*;
use hostpulse_alerting::EscalationStep;
use hostpulse_alerting::{AlertManager, NotificationLog};
use hostpulse_core::NotificationKind;

/// Simulates the hub's store: applies every change, then restarts from what was stored.
fn restart(
    manager: AlertManager,
    stored: &mut std::collections::BTreeMap<String, String>,
    cfg: &hostpulse_alerting::AlertingConfig,
) -> AlertManager {
    let mut manager = manager;
    for (_, key, json) in manager.log_changes().expect("changes") {
        match json {
            Some(json) => stored.insert(key, json),
            None => stored.remove(&key),
        };
    }
    let log = NotificationLog::from_state(stored.clone()).expect("restore");
    manager_with_log(cfg, log)
}

#[test]
fn restart_while_firing_sends_no_duplicate_and_keeps_the_reminder() {
    let cfg = config();
    let mut stored = std::collections::BTreeMap::new();
    let mut manager = manager(&cfg);
    let cpu = firing("high_cpu", "web-1", 0);
    assert_eq!(
        manager
            .process(10 * SEC, std::slice::from_ref(&cpu), &[])
            .len(),
        1
    );
    let mut manager = restart(manager, &mut stored, &cfg);
    let sent = run(&mut manager, 11 * SEC, HOUR + 10 * SEC, SEC, &[cpu], &[]);
    let times: Vec<(i64, NotificationKind)> = sent.iter().map(|(t, n)| (*t, n.kind)).collect();
    assert_eq!(times, [(HOUR + 10 * SEC, NotificationKind::Repeat)]);
}

#[test]
fn restart_before_the_first_notification_still_sends_it_once() {
    let cfg = config();
    let mut stored = std::collections::BTreeMap::new();
    let mut manager = manager(&cfg);
    let cpu = firing("high_cpu", "web-1", 0);
    assert!(
        manager
            .process(5 * SEC, std::slice::from_ref(&cpu), &[])
            .is_empty()
    );
    let mut manager = restart(manager, &mut stored, &cfg);
    let sent = run(&mut manager, 6 * SEC, 30 * SEC, SEC, &[cpu], &[]);
    assert_eq!(sent.iter().map(|(t, _)| *t).collect::<Vec<_>>(), [10 * SEC]);
}

#[test]
fn restart_keeps_a_due_resolved_notice() {
    let cfg = config();
    let mut stored = std::collections::BTreeMap::new();
    let mut manager = manager(&cfg);
    let cpu = firing("high_cpu", "web-1", 0);
    manager.process(10 * SEC, std::slice::from_ref(&cpu), &[]);
    let gone = resolved(cpu, 20 * SEC);
    assert!(
        manager
            .process(20 * SEC, std::slice::from_ref(&gone), &[])
            .is_empty()
    );
    let mut manager = restart(manager, &mut stored, &cfg);
    let sent = run(&mut manager, 21 * SEC, 2 * MIN, SEC, &[], &[]);
    assert_eq!(sent.len(), 1);
    assert_eq!(
        (sent[0].0, sent[0].1.kind),
        (70 * SEC, NotificationKind::Resolved)
    );
    assert_eq!(sent[0].1.alerts, [gone]);
}

#[test]
fn restart_does_not_repeat_an_escalation_step() {
    let mut cfg = config();
    cfg.defaults.repeat_interval = Duration::from_secs(4 * 3_600);
    cfg.defaults.escalation = vec![
        EscalationStep {
            after: Duration::from_secs(15 * 60),
            severity: None,
            receivers: vec![],
        },
        EscalationStep {
            after: Duration::from_secs(3_600),
            severity: None,
            receivers: vec![],
        },
    ];
    let mut stored = std::collections::BTreeMap::new();
    let mut manager = manager(&cfg);
    let cpu = firing("high_cpu", "web-1", 0);
    run(
        &mut manager,
        0,
        20 * MIN,
        MIN,
        std::slice::from_ref(&cpu),
        &[],
    );
    let mut manager = restart(manager, &mut stored, &cfg);
    let sent = run(&mut manager, 21 * MIN, 2 * HOUR, MIN, &[cpu], &[]);
    let steps: Vec<(i64, Option<u32>)> =
        sent.iter().map(|(t, n)| (*t, n.escalation_step)).collect();
    assert_eq!(steps, [(HOUR, Some(2))]);
}
