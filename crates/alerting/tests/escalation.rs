//! Escalation chains on a virtual clock, and acknowledgements stopping them.
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
use hostpulse_core::{AlertState, NotificationKind, Severity};
use hostpulse_notify::{ReceiverConfig, ReceiverKind};

fn escalating_config() -> hostpulse_alerting::AlertingConfig {
    let mut cfg = config();
    cfg.receivers = ["ops", "pager"]
        .into_iter()
        .map(|name| ReceiverConfig {
            name: name.into(),
            kind: ReceiverKind::Log,
            rate_limit: None,
            retry: Default::default(),
        })
        .collect();
    cfg.defaults.receivers = vec!["ops".into()];
    cfg.defaults.repeat_interval = Duration::from_secs(4 * 3_600);
    cfg.defaults.escalation = vec![
        EscalationStep {
            after: Duration::from_secs(15 * 60),
            severity: Some(Severity::Critical),
            receivers: vec!["pager".into()],
        },
        EscalationStep {
            after: Duration::from_secs(3_600),
            severity: None,
            receivers: vec![],
        },
    ];
    cfg
}

#[test]
fn chain_fires_each_step_once_at_its_time() {
    let mut manager = manager(&escalating_config());
    let cpu = firing("high_cpu", "web-1", 0);
    let sent = run(&mut manager, 0, 3 * HOUR, SEC, &[cpu], &[]);
    let seen: Vec<(i64, NotificationKind, String, Severity, Option<u32>)> = sent
        .iter()
        .map(|(t, n)| {
            (
                *t,
                n.kind,
                n.receiver.clone(),
                n.severity,
                n.escalation_step,
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (
                10 * SEC,
                NotificationKind::Firing,
                "ops".into(),
                Severity::Warning,
                None
            ),
            (
                15 * MIN,
                NotificationKind::Escalation,
                "pager".into(),
                Severity::Critical,
                Some(1)
            ),
            (
                HOUR,
                NotificationKind::Escalation,
                "ops".into(),
                Severity::Warning,
                Some(2)
            ),
        ]
    );
}

#[test]
fn ack_stops_escalation_and_reminders() {
    let mut manager = manager(&escalating_config());
    let cpu = firing("high_cpu", "web-1", 0);
    let early = run(
        &mut manager,
        0,
        20 * MIN,
        SEC,
        std::slice::from_ref(&cpu),
        &[],
    );
    assert_eq!(
        kinds(&early.into_iter().map(|(_, n)| n).collect::<Vec<_>>()),
        [NotificationKind::Firing, NotificationKind::Escalation]
    );
    let cpu = acked(cpu, 20 * MIN);
    assert!(run(&mut manager, 20 * MIN, 10 * HOUR, MIN, &[cpu], &[]).is_empty());
}

#[test]
fn a_new_firing_episode_escalates_again() {
    let mut manager = manager(&escalating_config());
    let first = firing("high_cpu", "web-1", 0);
    run(
        &mut manager,
        0,
        20 * MIN,
        MIN,
        std::slice::from_ref(&first),
        &[],
    );
    manager.process(21 * MIN, &[resolved(first, 21 * MIN)], &[]);
    let mut again = firing("high_cpu", "web-1", 30 * MIN);
    again.state = AlertState::Firing;
    let sent = run(&mut manager, 30 * MIN, 46 * MIN, MIN, &[again], &[]);
    let steps: Vec<(i64, Option<u32>)> = sent
        .iter()
        .filter(|(_, n)| n.kind == NotificationKind::Escalation)
        .map(|(t, n)| (*t, n.escalation_step))
        .collect();
    assert_eq!(steps, [(45 * MIN, Some(1))]);
}
