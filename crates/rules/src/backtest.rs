//! Backtest: replays history through rules step by step, as the lifecycle would have run,
//! and reports when each rule would have fired for each host.

use std::collections::BTreeMap;

use hostpulse_core::{AlertState, Labels};

use crate::lifecycle::Lifecycle;
use crate::rule::Rule;
use crate::source::SeriesSource;

/// One period during which a rule would have fired.
#[derive(Debug, Clone, PartialEq)]
pub struct Firing {
    /// The alert's labels: the series' labels plus the rule's own (series labels win).
    pub labels: Labels,
    /// Evaluation step (Unix ms) at which it would have started firing.
    pub from_ms: i64,
    /// When it would have resolved; `None` if still firing at the end.
    pub to_ms: Option<i64>,
    /// Highest value seen while firing.
    pub peak: f64,
}

/// The firings of one rule on one host.
#[derive(Debug, Clone, PartialEq)]
pub struct BacktestResult {
    /// Name of the rule replayed.
    pub rule: String,
    /// Host the rule was replayed for.
    pub host: String,
    /// Every firing period of any instance (label set), sorted by start; empty when the
    /// rule would never have fired.
    pub firings: Vec<Firing>,
}

impl BacktestResult {
    /// Total time firing, counting open firings up to `to_ms`.
    pub fn total_firing_ms(&self, to_ms: i64) -> i64 {
        self.firings
            .iter()
            .map(|f| f.to_ms.unwrap_or(to_ms) - f.from_ms)
            .sum()
    }
}

/// Replays `rules` for `hosts` from `from_ms` to `to_ms` every `step_ms`, evaluating at each
/// step with only the data at or before that time. One result per rule and matching host.
pub fn backtest(
    rules: &[Rule],
    hosts: &[String],
    src: &dyn SeriesSource,
    from_ms: i64,
    to_ms: i64,
    step_ms: i64,
) -> Vec<BacktestResult> {
    let step_ms = step_ms.max(1);
    let mut out = Vec::new();
    for rule in rules {
        for host in hosts.iter().filter(|h| rule.matches_host(h)) {
            let firings = replay(rule, host, src, from_ms, to_ms, step_ms);
            out.push(BacktestResult {
                rule: rule.name.clone(),
                host: host.clone(),
                firings,
            });
        }
    }
    out
}

fn replay(
    rule: &Rule,
    host: &str,
    src: &dyn SeriesSource,
    from_ms: i64,
    to_ms: i64,
    step_ms: i64,
) -> Vec<Firing> {
    let mut lifecycle = Lifecycle::new();
    let mut open: BTreeMap<String, Firing> = BTreeMap::new();
    let mut done = Vec::new();
    let no_annotations = BTreeMap::new();
    let mut now = from_ms;
    while now <= to_ms {
        let results = rule.evaluate(host, now, src);
        for t in lifecycle.apply(rule, host, &no_annotations, results, now) {
            match t.to {
                AlertState::Firing => {
                    let firing = Firing {
                        labels: t.labels,
                        from_ms: now,
                        to_ms: None,
                        peak: t.value,
                    };
                    open.insert(t.alert_id, firing);
                }
                AlertState::Resolved => {
                    if let Some(mut firing) = open.remove(&t.alert_id) {
                        firing.to_ms = Some(now);
                        done.push(firing);
                    }
                }
                AlertState::Pending => {}
            }
        }
        for alert in lifecycle
            .alerts()
            .iter()
            .filter(|a| a.state == AlertState::Firing)
        {
            if let Some(firing) = open.get_mut(&alert.id) {
                firing.peak = firing.peak.max(alert.value);
            }
        }
        now += step_ms;
    }
    done.extend(open.into_values());
    done.sort_by_key(|f| f.from_ms);
    done
}
