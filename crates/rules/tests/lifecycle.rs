//! Timeline tests of the alert lifecycle on a virtual clock.

mod common;

use std::collections::BTreeMap;

use common::*;
use hostpulse_core::{Ack, AlertState, AlertTransition, Labels};
use hostpulse_rules::{Lifecycle, MemorySource, Rule};
use hostpulse_rules::{Occurrences, RuleConfig};

/// A rule, its data and its lifecycle for host `h1`, driven by explicit times.
struct Timeline {
    src: MemorySource,
    rule: Rule,
    life: Lifecycle,
}

impl Timeline {
    fn new(rule: Rule) -> Self {
        let mut src = MemorySource::new();
        src.set_interval("h1", 5 * SEC);
        Self {
            src,
            rule,
            life: Lifecycle::new(),
        }
    }

    fn push(&mut self, metric: &str, l: &Labels, at: i64, value: f64) {
        self.src.push("h1", metric, l, at, value);
    }

    fn eval(&mut self, now: i64) -> Vec<AlertTransition> {
        let results = self.rule.evaluate("h1", now, &self.src);
        let host = BTreeMap::from([("host_ip".to_owned(), "10.0.0.1".to_owned())]);
        self.life.apply(&self.rule, "h1", &host, results, now)
    }

    /// Pushes `value` to `cpu.usage_percent` and evaluates, every 5 s from `from` for `n` steps.
    fn run(
        &mut self,
        from: i64,
        n: usize,
        value: impl Fn(i64) -> f64,
    ) -> Vec<(i64, AlertTransition)> {
        let mut all = Vec::new();
        for i in 0..n as i64 {
            let now = from + i * 5 * SEC;
            self.push("cpu.usage_percent", &Labels::new(), now, value(now));
            all.extend(self.eval(now).into_iter().map(|t| (now, t)));
        }
        all
    }
}

fn states(transitions: &[(i64, AlertTransition)]) -> Vec<(i64, AlertState)> {
    transitions.iter().map(|(at, t)| (*at, t.to)).collect()
}

fn high_cpu() -> RuleConfig {
    RuleConfig {
        for_duration: dur(2 * MIN),
        clear: Some("avg(cpu.usage_percent, 1m) < 75".into()),
        ..config("high_cpu", "avg(cpu.usage_percent, 1m) > 85")
    }
}

#[test]
fn threshold_held_for_two_minutes_fires_then_resolves() {
    let mut tl = Timeline::new(with(high_cpu()));
    let mut all = tl.run(T0, 12, |_| 50.0);
    assert!(all.is_empty());
    // From T0+60s the value is 95; the 1-minute average (12 points) passes 85 at the
    // 10th point: (2·50 + 10·95) / 12 = 87.5.
    all = tl.run(T0 + 60 * SEC, 60, |_| 95.0);
    let pending_at = T0 + 60 * SEC + 9 * 5 * SEC;
    assert_eq!(
        states(&all),
        vec![
            (pending_at, AlertState::Pending),
            (pending_at + 2 * MIN, AlertState::Firing)
        ]
    );
    let alert = tl.life.alerts().pop().expect("firing alert");
    assert_eq!(alert.state, AlertState::Firing);
    assert_eq!(alert.active_since_ms, pending_at);
    assert_eq!(alert.firing_since_ms, Some(pending_at + 2 * MIN));
    assert_eq!(alert.value, 95.0);
    assert_eq!(alert.threshold, Some(85.0));
    assert_eq!(alert.summary, "avg(cpu.usage_percent, 1m) = 95 > 85");
    assert_eq!(alert.annotations["host_ip"], "10.0.0.1");
    // Drops to 20: resolved once the average is below 75, at the 4th point:
    // (4·20 + 8·95) / 12 = 70.
    let end = T0 + 60 * SEC + 60 * 5 * SEC;
    all = tl.run(end, 24, |_| 20.0);
    assert_eq!(states(&all), vec![(end + 15 * SEC, AlertState::Resolved)]);
    assert!(tl.life.alerts().is_empty());
    let resolved = tl.life.take_resolved();
    assert_eq!(resolved.len(), 1);
    assert_eq!(resolved[0].resolved_ms, Some(end + 15 * SEC));
    assert_eq!(tl.life.take_removed(), vec![resolved[0].id.clone()]);
}

#[test]
fn pending_that_stops_holding_is_dropped_without_transition() {
    let mut tl = Timeline::new(with(high_cpu()));
    let all = tl.run(T0, 20, |_| 95.0);
    assert_eq!(states(&all), vec![(T0, AlertState::Pending)]);
    let id = tl.life.alerts()[0].id.clone();
    let all = tl.run(T0 + 20 * 5 * SEC, 24, |_| 10.0);
    assert!(all.is_empty(), "{all:?}");
    assert!(tl.life.alerts().is_empty());
    assert_eq!(tl.life.take_removed(), vec![id]);
}

/// 84 and 86 alternating every 10 s: around the 85 threshold.
fn oscillating(now: i64) -> f64 {
    if (now / (10 * SEC)) % 2 == 0 {
        86.0
    } else {
        84.0
    }
}

#[test]
fn hysteresis_stops_flapping_around_the_threshold() {
    let with_clear = RuleConfig {
        clear: Some("cpu.usage_percent < 75".into()),
        ..config("hot", "cpu.usage_percent > 85")
    };
    let mut tl = Timeline::new(with(with_clear));
    let all = tl.run(T0, 120, oscillating);
    assert_eq!(states(&all), vec![(T0, AlertState::Firing)]);
    // Without a clear condition the same data flaps on every swing.
    let mut tl = Timeline::new(rule("cpu.usage_percent > 85"));
    let flaps = tl.run(T0, 120, oscillating);
    assert!(flaps.len() > 50, "{}", flaps.len());
}

#[test]
fn clear_for_holds_resolution_back() {
    let cfg = RuleConfig {
        clear_for: dur(MIN),
        ..config("hot", "cpu.usage_percent > 85")
    };
    let mut tl = Timeline::new(with(cfg));
    assert_eq!(
        states(&tl.run(T0, 2, |_| 90.0)),
        vec![(T0, AlertState::Firing)]
    );
    // Below for 50 s, back above: still firing, the clear timer restarts.
    assert!(tl.run(T0 + 10 * SEC, 11, |_| 50.0).is_empty());
    assert!(tl.run(T0 + 65 * SEC, 1, |_| 90.0).is_empty());
    let start = T0 + 70 * SEC;
    let all = tl.run(start, 20, |_| 50.0);
    assert_eq!(states(&all), vec![(start + MIN, AlertState::Resolved)]);
    // The oscillating value also resolves with clear_for but does not flap in between.
    let cfg = RuleConfig {
        clear_for: dur(MIN),
        ..config("hot", "cpu.usage_percent > 85")
    };
    let mut tl = Timeline::new(with(cfg));
    assert_eq!(tl.run(T0, 120, oscillating).len(), 1);
}

#[test]
fn n_of_m_occurrences() {
    let cfg = RuleConfig {
        occurrences: Some(Occurrences { n: 3, of: 5 }),
        ..config("spiky", "cpu.usage_percent > 85")
    };
    let pattern = |bits: &'static [bool]| {
        move |now: i64| {
            if bits[((now - T0) / (5 * SEC)) as usize] {
                90.0
            } else {
                10.0
            }
        }
    };
    let mut tl = Timeline::new(with(cfg.clone()));
    let all = tl.run(T0, 5, pattern(&[true, false, true, false, true]));
    assert_eq!(states(&all), vec![(T0 + 20 * SEC, AlertState::Firing)]);
    let mut tl = Timeline::new(with(cfg.clone()));
    assert!(
        tl.run(
            T0,
            8,
            pattern(&[true, false, false, true, false, false, true, false])
        )
        .is_empty()
    );
    // Once firing it resolves when fewer than 3 of the last 5 held.
    let mut tl = Timeline::new(with(cfg));
    let all = tl.run(
        T0,
        8,
        pattern(&[true, true, true, false, false, false, false, false]),
    );
    assert_eq!(
        states(&all),
        vec![
            (T0 + 10 * SEC, AlertState::Firing),
            (T0 + 25 * SEC, AlertState::Resolved)
        ]
    );
}

#[test]
fn host_down_fires_after_silence_and_resolves_on_return() {
    let cfg = RuleConfig {
        severity: hostpulse_core::Severity::Critical,
        ..config("host_down", "absent(5m)")
    };
    let mut tl = Timeline::new(with(cfg));
    tl.src.touch("h1", T0);
    assert!(tl.eval(T0 + 5 * MIN).is_empty());
    let down = tl.eval(T0 + 5 * MIN + 30 * SEC);
    assert_eq!(down.len(), 1);
    assert_eq!((down[0].from, down[0].to), (None, AlertState::Firing));
    assert!(down[0].labels.is_empty());
    assert!(tl.eval(T0 + 10 * MIN).is_empty());
    tl.src.touch("h1", T0 + 11 * MIN);
    let back = tl.eval(T0 + 11 * MIN);
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].to, AlertState::Resolved);
}

#[test]
fn one_alert_per_mount() {
    let mut tl = Timeline::new(with(config("disk_almost_full", "disk.used_percent > 90")));
    let (root, var) = (labels(&[("mount", "/")]), labels(&[("mount", "/var")]));
    tl.push("disk.used_percent", &root, T0, 95.0);
    tl.push("disk.used_percent", &var, T0, 50.0);
    let first = tl.eval(T0);
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].labels, root);
    tl.push("disk.used_percent", &root, T0 + 5 * SEC, 96.0);
    tl.push("disk.used_percent", &var, T0 + 5 * SEC, 93.0);
    let second = tl.eval(T0 + 5 * SEC);
    assert_eq!(second.len(), 1);
    assert_eq!(second[0].labels, var);
    assert_ne!(first[0].alert_id, second[0].alert_id);
    assert_eq!(tl.life.alerts().len(), 2);
    // /var disappears (unmounted): its alert resolves, / keeps firing.
    tl.push("disk.used_percent", &root, T0 + 60 * SEC, 96.0);
    let gone = tl.eval(T0 + 60 * SEC);
    assert_eq!(gone.len(), 1);
    assert_eq!(
        (gone[0].labels.clone(), gone[0].to),
        (var, AlertState::Resolved)
    );
}

#[test]
fn restart_restores_every_state() {
    // Pending: restored, it fires when `for` has elapsed since it started, not since restart.
    let mut tl = Timeline::new(with(high_cpu()));
    tl.run(T0, 13, |_| 95.0);
    let saved = tl.life.alerts();
    assert_eq!(saved[0].state, AlertState::Pending);
    tl.life = Lifecycle::restore(saved);
    let all = tl.run(T0 + 13 * 5 * SEC, 20, |_| 95.0);
    assert_eq!(states(&all), vec![(T0 + 2 * MIN, AlertState::Firing)]);
    // Firing: restored without a new transition while it holds (no notification storm).
    let saved = tl.life.alerts();
    tl.life = Lifecycle::restore(saved.clone());
    assert!(tl.run(T0 + 33 * 5 * SEC, 4, |_| 95.0).is_empty());
    assert_eq!(
        tl.life.alerts()[0].firing_since_ms,
        saved[0].firing_since_ms
    );
    // Firing, and the problem went away during the restart: resolves on the first evaluations.
    tl.life = Lifecycle::restore(saved);
    let all = tl.run(T0 + 40 * 5 * SEC, 14, |_| 10.0);
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].1.to, AlertState::Resolved);
    // Resolved alerts are not restored.
    let mut gone = tl.life.take_resolved();
    assert_eq!(gone.len(), 1);
    gone[0].state = AlertState::Resolved;
    assert!(Lifecycle::restore(gone).alerts().is_empty());
}

#[test]
fn ack_rule_labels_dry_run_and_removed_rules() {
    let cfg = RuleConfig {
        labels: BTreeMap::from([("team".to_owned(), "ops".to_owned())]),
        dry_run: true,
        description: "too hot".into(),
        ..config("hot", "cpu.usage_percent > 85")
    };
    let mut tl = Timeline::new(with(cfg));
    tl.run(T0, 1, |_| 90.0);
    let alert = tl.life.alerts().pop().expect("alert");
    assert_eq!(alert.labels, labels(&[("team", "ops")]));
    assert!(alert.dry_run);
    assert_eq!(alert.description, "too hot");
    let ack = Ack {
        by: "admin".into(),
        at_ms: T0,
        comment: "on it".into(),
    };
    assert_eq!(
        tl.life.set_ack(&alert.id, ack.clone()).and_then(|a| a.ack),
        Some(ack)
    );
    assert!(
        tl.life
            .set_ack(
                "nope",
                Ack {
                    by: "x".into(),
                    at_ms: 0,
                    comment: String::new()
                }
            )
            .is_none()
    );
    let resolved = tl.life.retain_rules(&[], T0 + SEC);
    assert_eq!(resolved.len(), 1);
    assert_eq!(resolved[0].to, AlertState::Resolved);
    assert!(tl.life.alerts().is_empty());
}
