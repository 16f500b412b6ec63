//! Property tests of the dedup decisions, through the whole manager on a virtual clock:
//! random sequences of alerts firing, resolving and being acknowledged.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed setup step should stop the test loudly"
)]

mod common;

use common::*;
use hostpulse_alerting::{AlertManager, NotificationLog};
use hostpulse_alerting::{AlertingConfig, RouteSettings};
use hostpulse_core::{Alert, AlertState, Notification, NotificationKind};
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

const GROUP_WAIT: i64 = 10 * SEC;
const GROUP_INTERVAL: i64 = MIN;
const REPEAT_INTERVAL: i64 = HOUR;

/// Four alerts in two groups (grouped by rule).
const ALERTS: [(&str, &str); 4] = [
    ("high_cpu", "web-1"),
    ("high_cpu", "web-2"),
    ("high_cpu", "db-1"),
    ("disk_full", "web-1"),
];

#[derive(Debug, Clone, Copy)]
enum Action {
    Fire,
    Resolve,
    Ack,
    Nothing,
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        3 => Just(Action::Fire),
        2 => Just(Action::Resolve),
        1 => Just(Action::Ack),
        2 => Just(Action::Nothing),
    ]
}

/// Time until the next evaluation: steps around every pacing boundary.
fn step_ms() -> impl Strategy<Value = i64> {
    prop_oneof![
        2 => Just(SEC),
        1 => Just(0),
        1 => Just(GROUP_WAIT),
        1 => Just(GROUP_INTERVAL - 1),
        1 => Just(GROUP_INTERVAL),
        1 => Just(REPEAT_INTERVAL),
        2 => 0..2 * REPEAT_INTERVAL,
    ]
}

/// One evaluation: time passes, one alert changes, and whether the manager restarts
/// from its notification log before it runs.
fn events() -> impl Strategy<Value = Vec<(i64, usize, Action, bool)>> {
    prop::collection::vec(
        (
            step_ms(),
            0..ALERTS.len(),
            action(),
            prop::bool::weighted(0.1),
        ),
        1..80,
    )
}

fn config(send_resolved: bool) -> AlertingConfig {
    AlertingConfig {
        defaults: RouteSettings {
            group_by: vec!["rule".into()],
            group_wait: Duration::from_millis(GROUP_WAIT as u64),
            group_interval: Duration::from_millis(GROUP_INTERVAL as u64),
            repeat_interval: Duration::from_millis(REPEAT_INTERVAL as u64),
            send_resolved,
            ..RouteSettings::default()
        },
        ..AlertingConfig::default()
    }
}

/// The alerts as the engine holds them.
struct World {
    alerts: Vec<Option<Alert>>,
    now: i64,
}

impl World {
    fn new() -> Self {
        Self {
            alerts: vec![None; ALERTS.len()],
            now: 0,
        }
    }

    fn apply(&mut self, index: usize, action: Action) {
        let (rule, host) = ALERTS[index];
        let slot = &mut self.alerts[index];
        let is_firing = slot.as_ref().is_some_and(|a| a.state == AlertState::Firing);
        match action {
            Action::Fire if !is_firing => *slot = Some(firing(rule, host, self.now)),
            Action::Resolve if is_firing => {
                *slot = slot.take().map(|a| resolved(a, self.now));
            }
            Action::Ack if is_firing => *slot = slot.take().map(|a| acked(a, self.now)),
            _ => {}
        }
    }

    fn live(&self) -> Vec<Alert> {
        self.alerts.iter().flatten().cloned().collect()
    }
}

/// What is compared between runs: when, which group, which kind, which alerts in which state.
type Sent = (i64, String, NotificationKind, Vec<(String, AlertState)>);

fn sent(now: i64, n: &Notification) -> Sent {
    let alerts = n.alerts.iter().map(|a| (a.id.clone(), a.state)).collect();
    (now, n.group_key.clone(), n.kind, alerts)
}

/// Runs `events`, then two quiet hours; restarts from the log where an event says so when
/// `restarts`.
fn simulate(
    config: &AlertingConfig,
    events: &[(i64, usize, Action, bool)],
    restarts: bool,
) -> Vec<Sent> {
    let mut manager = manager(config);
    let mut world = World::new();
    let mut out = Vec::new();
    let quiet = (0..240).map(|_| (30 * SEC, 0, Action::Nothing, false));
    for (step, index, action, restart) in events.iter().copied().chain(quiet) {
        world.now += step;
        world.apply(index, action);
        if restarts && restart {
            manager = restart_from(config, manager);
        }
        let notifications = manager.process(world.now, &world.live(), &[]);
        out.extend(notifications.iter().map(|n| sent(world.now, n)));
    }
    out
}

fn restart_from(config: &AlertingConfig, manager: AlertManager) -> AlertManager {
    let log: NotificationLog = manager.into_log();
    manager_with_log(config, log)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The decision is a pure function of the alerts, the time and the persisted log: a
    /// manager rebuilt from its log at any point sends exactly what one that kept running
    /// sends.
    #[test]
    fn restart_from_the_log_changes_no_decision(events in events(), send_resolved: bool) {
        let config = config(send_resolved);
        prop_assert_eq!(simulate(&config, &events, true), simulate(&config, &events, false));
    }

    /// Nothing is sent twice for the same state: a group's notifications are paced by
    /// group_interval, and a reminder needs repeat_interval and an unacknowledged alert.
    #[test]
    fn same_state_is_not_sent_again_before_its_interval(events in events()) {
        let mut last: BTreeMap<String, (i64, BTreeSet<String>)> = BTreeMap::new();
        for (now, group, kind, alerts) in simulate(&config(true), &events, false) {
            let firing: BTreeSet<String> = alerts
                .iter()
                .filter(|(_, state)| *state == AlertState::Firing)
                .map(|(id, _)| id.clone())
                .collect();
            if let Some((at, announced)) = last.get(&group) {
                if !announced.is_empty() {
                    prop_assert!(now - at >= GROUP_INTERVAL, "{group}: {kind:?} {} ms after the last", now - at);
                }
                match kind {
                    NotificationKind::Firing => prop_assert!(
                        !firing.is_subset(announced) || announced.is_empty(),
                        "{group}: FIRING at {now} announces nothing new"
                    ),
                    NotificationKind::Repeat => {
                        prop_assert!(now - at >= REPEAT_INTERVAL, "{group}: early reminder");
                        prop_assert!(!firing.is_empty(), "{group}: reminder without a firing alert");
                    }
                    _ => {}
                }
            }
            last.insert(group, (now, firing));
        }
    }

    /// RESOLVED is sent only for an alert the receivers were told is firing (and not yet
    /// told it resolved), so at most once per announcement; and, after two quiet hours, no
    /// resolved alert the receivers think is firing is left without its RESOLVED. An alert
    /// that resolves and fires again within group_interval stays announced (no new FIRING).
    #[test]
    fn resolved_follows_an_announced_firing_exactly_once(events in events()) {
        let mut world = World::new();
        let mut manager = manager(&config(true));
        // Alert ids the receivers were last told are firing.
        let mut announced: BTreeSet<String> = BTreeSet::new();
        let quiet = (0..240).map(|_| (30 * SEC, 0, Action::Nothing, false));
        for (step, index, action, _) in events.iter().copied().chain(quiet) {
            world.now += step;
            world.apply(index, action);
            for n in manager.process(world.now, &world.live(), &[]) {
                for alert in &n.alerts {
                    if n.kind == NotificationKind::Resolved || alert.state == AlertState::Resolved {
                        prop_assert_eq!(alert.state, AlertState::Resolved);
                        prop_assert!(
                            announced.remove(&alert.id),
                            "RESOLVED of {} at {} without an announced FIRING", alert.id, world.now
                        );
                    } else {
                        announced.insert(alert.id.clone());
                    }
                }
            }
        }
        for alert in world.alerts.iter().flatten() {
            prop_assert!(
                alert.state == AlertState::Firing || !announced.contains(&alert.id),
                "RESOLVED of {} never sent", alert.id
            );
        }
    }
}
