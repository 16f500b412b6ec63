//! Silences, maintenance windows, inhibition and dry run through the whole pipeline.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed setup step should stop the test loudly"
)]

mod common;

use common::*;
use hostpulse_alerting::{HOST_DOWN_RULE, MuteReason};
use hostpulse_alerting::{MaintenanceSchedule, MaintenanceWindow, WeeklySchedule};
use hostpulse_core::matcher::parse_matcher;
use hostpulse_core::{DeliveryStatus, NotificationKind, Silence};
use jiff::civil::Time;
use jiff::tz::TimeZone;

const SUNDAY: [bool; 7] = [false, false, false, false, false, false, true];

/// Epoch milliseconds of an RFC 3339 time.
fn at(text: &str) -> i64 {
    text.parse::<jiff::Timestamp>()
        .expect("time")
        .as_millisecond()
}

fn silence(matchers: &[&str], starts_ms: i64, ends_ms: i64) -> Silence {
    Silence {
        id: "s1".into(),
        matchers: matchers
            .iter()
            .map(|m| parse_matcher(m).expect("matcher"))
            .collect(),
        starts_ms,
        ends_ms,
        author: "admin".into(),
        comment: "deploy".into(),
        created_ms: 0,
    }
}

#[test]
fn silence_mutes_until_it_ends_then_the_alert_is_notified() {
    let mut manager = manager(&config());
    let cpu = firing("high_cpu", "web-1", 0);
    let silences = [silence(&["host=web-1", "rule=high_cpu"], 0, 2 * HOUR)];
    assert!(
        run(
            &mut manager,
            0,
            2 * HOUR - SEC,
            5 * SEC,
            std::slice::from_ref(&cpu),
            &silences
        )
        .is_empty()
    );
    assert_eq!(
        manager.muted_by(&cpu),
        Some(MuteReason::Silence { id: "s1".into() })
    );
    let sent = manager.process(2 * HOUR, std::slice::from_ref(&cpu), &silences);
    assert_eq!(kinds(&sent), [NotificationKind::Firing]);
    assert_eq!(manager.muted_by(&cpu), None);
}

#[test]
fn silence_added_while_firing_stops_reminders_and_expiry_brings_a_new_notice() {
    let mut manager = manager(&config());
    let cpu = firing("high_cpu", "web-1", 0);
    assert_eq!(
        manager
            .process(10 * SEC, std::slice::from_ref(&cpu), &[])
            .len(),
        1
    );
    let silences = [silence(&["rule=high_cpu"], MIN, 3 * HOUR)];
    let muted = run(
        &mut manager,
        MIN,
        3 * HOUR - MIN,
        MIN,
        std::slice::from_ref(&cpu),
        &silences,
    );
    assert!(
        muted.is_empty(),
        "no reminder and no resolved notice while silenced"
    );
    let sent = manager.process(3 * HOUR, std::slice::from_ref(&cpu), &silences);
    assert_eq!(kinds(&sent), [NotificationKind::Firing]);
}

#[test]
fn one_off_maintenance_window_mutes_hosts_of_a_group() {
    let start = at("2026-12-01T02:00:00Z");
    let mut cfg = config();
    cfg.maintenance = vec![MaintenanceWindow {
        name: "backup".into(),
        hosts: vec![],
        groups: vec!["web".into()],
        schedule: MaintenanceSchedule::Once {
            start_ms: start,
            end_ms: start + 2 * HOUR,
        },
        comment: String::new(),
    }];
    let mut manager = manager(&cfg);
    let web = firing("high_cpu", "web-1", start);
    let db = firing("high_cpu", "db-1", start);
    let during = run(
        &mut manager,
        start,
        start + 2 * HOUR - SEC,
        10 * SEC,
        &[web.clone(), db.clone()],
        &[],
    );
    assert_eq!(during.len(), 2, "db-1: first notice and one reminder");
    assert!(during.iter().all(|(_, n)| n.alerts[0].host == "db-1"));
    assert_eq!(
        manager.muted_by(&web),
        Some(MuteReason::Maintenance {
            window: "backup".into()
        })
    );
    let after = manager.process(start + 2 * HOUR, &[web, db], &[]);
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].alerts[0].host, "web-1");
}

#[test]
fn recurring_maintenance_crossing_midnight_mutes_only_inside_the_window() {
    let mut cfg = config();
    cfg.maintenance = vec![MaintenanceWindow {
        name: "sunday-night".into(),
        hosts: vec!["db-*".into()],
        groups: vec![],
        schedule: MaintenanceSchedule::Weekly(WeeklySchedule {
            days: SUNDAY,
            start: Time::new(23, 0, 0, 0).expect("time"),
            duration: std::time::Duration::from_secs(2 * 3_600),
            zone: TimeZone::UTC,
        }),
        comment: String::new(),
    }];
    let sunday_2300 = at("2026-12-06T23:00:00Z");
    let mut manager = manager(&cfg);
    let db = firing("high_cpu", "db-1", sunday_2300);
    let muted = run(
        &mut manager,
        sunday_2300,
        sunday_2300 + 2 * HOUR - SEC,
        10 * SEC,
        std::slice::from_ref(&db),
        &[],
    );
    assert!(muted.is_empty(), "muted across midnight into monday");
    let sent = manager.process(sunday_2300 + 2 * HOUR, std::slice::from_ref(&db), &[]);
    assert_eq!(kinds(&sent), [NotificationKind::Firing]);
    let monday_2300 = sunday_2300 + 24 * HOUR;
    let mut fresh = manager_with_log(&cfg, Default::default());
    let monday = firing("high_cpu", "db-1", monday_2300);
    assert_eq!(
        fresh.process(monday_2300 + 10 * SEC, &[monday], &[]).len(),
        1,
        "monday is not in the window"
    );
}

#[test]
fn weekly_maintenance_in_a_named_zone_follows_daylight_saving() {
    let mut cfg = config();
    cfg.maintenance = vec![MaintenanceWindow {
        name: "sunday-backup".into(),
        hosts: vec!["db-*".into()],
        groups: vec![],
        schedule: MaintenanceSchedule::Weekly(WeeklySchedule {
            days: SUNDAY,
            start: Time::new(3, 0, 0, 0).expect("time"),
            duration: std::time::Duration::from_secs(3_600),
            zone: TimeZone::get("Europe/Berlin").expect("tzdb"),
        }),
        comment: String::new(),
    }];
    // 03:00 in Berlin on the Sundays around the last Sundays of March and October 2026:
    // 02:00 UTC in winter time (CET), 01:00 UTC in summer time (CEST).
    for opens in [
        "2026-03-22T02:00:00Z",
        "2026-03-29T01:00:00Z",
        "2026-10-18T01:00:00Z",
        "2026-10-25T02:00:00Z",
    ] {
        let open = at(opens);
        let db = firing("high_cpu", "db-1", open);
        let mut manager = manager(&cfg);
        let muted = run(
            &mut manager,
            open,
            open + HOUR - SEC,
            10 * SEC,
            std::slice::from_ref(&db),
            &[],
        );
        assert!(muted.is_empty(), "{opens}: muted for the hour");
        let sent = manager.process(open + HOUR, std::slice::from_ref(&db), &[]);
        assert_eq!(kinds(&sent), [NotificationKind::Firing], "{opens}: closed");
        let earlier = firing("high_cpu", "db-1", open - HOUR);
        let mut fresh = manager_with_log(&cfg, Default::default());
        assert_eq!(
            fresh.process(open - HOUR + 10 * SEC, &[earlier], &[]).len(),
            1,
            "{opens}: an hour before, the window is not open"
        );
    }
}

#[test]
fn host_down_mutes_that_hosts_other_alerts_until_it_resolves() {
    let mut manager = manager(&config());
    let down = firing(HOST_DOWN_RULE, "web-1", 0);
    let cpu = firing("high_cpu", "web-1", 0);
    let other = firing("high_cpu", "web-2", 0);
    let alerts = [down.clone(), cpu.clone(), other.clone()];
    let sent = manager.process(10 * SEC, &alerts, &[]);
    let mut notified: Vec<(String, String)> = sent
        .iter()
        .map(|n| (n.alerts[0].rule.clone(), n.alerts[0].host.clone()))
        .collect();
    notified.sort();
    assert_eq!(
        notified,
        [
            ("high_cpu".into(), "web-2".into()),
            (HOST_DOWN_RULE.into(), "web-1".into())
        ]
    );
    assert!(
        matches!(manager.muted_by(&cpu), Some(MuteReason::Inhibited { by, .. }) if by == down.id)
    );
    let back = [resolved(down, MIN), cpu.clone(), other];
    let sent = manager.process(MIN + 10 * SEC, &back, &[]);
    let mut after: Vec<(NotificationKind, String)> = sent
        .iter()
        .map(|n| (n.kind, n.alerts[0].rule.clone()))
        .collect();
    after.sort_by(|a, b| a.1.cmp(&b.1));
    assert_eq!(
        after,
        [
            (NotificationKind::Firing, "high_cpu".into()),
            (NotificationKind::Resolved, HOST_DOWN_RULE.into())
        ]
    );
    assert_eq!(manager.muted_by(&cpu), None);
}

#[test]
fn inhibition_can_be_turned_off() {
    let mut cfg = config();
    cfg.inhibit_host_down = false;
    let mut manager = manager(&cfg);
    let alerts = [
        firing(HOST_DOWN_RULE, "web-1", 0),
        firing("high_cpu", "web-1", 0),
    ];
    assert_eq!(manager.process(10 * SEC, &alerts, &[]).len(), 2);
}

#[test]
fn global_dry_run_records_would_notify_only() {
    let mut cfg = config();
    cfg.dry_run = true;
    let mut manager = manager(&cfg);
    let sent = run(
        &mut manager,
        0,
        2 * HOUR + MIN,
        MIN,
        &[firing("high_cpu", "web-1", 0)],
        &[],
    );
    assert_eq!(sent.len(), 3, "firing and two reminders, all recorded");
    assert!(sent.iter().all(|(_, n)| n.status == DeliveryStatus::DryRun));
}

#[test]
fn dry_run_alerts_never_share_a_notification_with_real_ones() {
    let mut cfg = config();
    cfg.defaults.group_by = vec!["host".into()];
    let mut manager = manager(&cfg);
    let mut trial = firing("new_rule", "web-1", 0);
    trial.dry_run = true;
    let real = firing("high_cpu", "web-1", 0);
    let sent = manager.process(10 * SEC, &[trial, real], &[]);
    let mut statuses: Vec<(String, DeliveryStatus)> = sent
        .iter()
        .map(|n| (n.alerts[0].rule.clone(), n.status))
        .collect();
    statuses.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        statuses,
        [
            ("high_cpu".into(), DeliveryStatus::Pending),
            ("new_rule".into(), DeliveryStatus::DryRun)
        ]
    );
}

#[test]
fn a_healing_alert_wakes_nobody_unless_healing_gives_up() {
    let mut healer = manager(&config());
    let down = firing("container_down", "web-1", 0);
    healer.set_healing(std::collections::HashSet::from([down.id.clone()]));
    assert!(
        healer
            .process(0, std::slice::from_ref(&down), &[])
            .is_empty()
    );
    assert_eq!(
        healer.muted_by(&down),
        Some(MuteReason::Healing {
            rule: "container_down".into()
        })
    );
    // Healed: it resolves while muted, and no resolved notice follows a firing never sent.
    let healed = resolved(down.clone(), 4 * SEC);
    healer.set_healing(std::collections::HashSet::new());
    assert!(healer.process(4 * SEC, &[healed], &[]).is_empty());

    // Another instance whose healing gives up is notified at once.
    let mut other = manager(&config());
    other.set_healing(std::collections::HashSet::from([down.id.clone()]));
    assert!(
        other
            .process(0, std::slice::from_ref(&down), &[])
            .is_empty()
    );
    other.set_healing(std::collections::HashSet::new());
    let sent = other.process(MIN, std::slice::from_ref(&down), &[]);
    assert_eq!(kinds(&sent), [NotificationKind::Firing]);
}
