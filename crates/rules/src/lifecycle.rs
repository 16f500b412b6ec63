//! The alert lifecycle: inactive → pending → firing → resolved, per rule, host and label set.
//!
//! - The condition holds and `for` is 0: the alert fires at once; otherwise it is pending
//!   and fires once the condition has held for `for`.
//! - A pending alert whose condition stops holding is dropped without a transition (it
//!   never notified anyone); its id is reported by [`Lifecycle::take_removed`].
//! - A firing alert resolves when its clear condition (the rule's `clear`, or else the
//!   condition not holding) has held for `clear_for`.
//! - With `occurrences: {n, of}` the condition counts as holding while it held in at least
//!   `n` of the last `of` evaluations (this count is not persisted across restarts).
//! - An instance that is not in the results (series gone) counts as not holding.

use std::collections::{BTreeMap, HashMap, VecDeque};

use hostpulse_core::{Ack, Alert, AlertState, AlertTransition, Labels, alert_fingerprint};

use crate::eval::InstanceResult;
use crate::rule::Rule;

/// One tracked instance: its alert (when pending or firing) and recent outcomes.
#[derive(Debug, Clone, Default)]
struct Instance {
    alert: Option<Alert>,
    /// Recent outcomes for `occurrences` (newest last).
    recent: VecDeque<bool>,
    /// Since when the clear condition holds, while firing.
    clear_since: Option<i64>,
    /// The `apply` call that last saw it in the results.
    seen: u64,
}

/// Every alert instance that is pending or firing (plus occurrence counters).
#[derive(Debug, Clone, Default)]
pub struct Lifecycle {
    /// (rule, host) → fingerprint → instance.
    groups: HashMap<(String, String), HashMap<String, Instance>>,
    out: Sink,
    pass: u64,
}

/// Changes not yet taken by the caller.
#[derive(Debug, Clone, Default)]
struct Sink {
    transitions: Vec<AlertTransition>,
    removed: Vec<String>,
    resolved: Vec<Alert>,
}

impl Sink {
    fn resolve(&mut self, alert: Alert, now_ms: i64) {
        let (alert, transition) = resolve(alert, now_ms);
        self.removed.push(alert.id.clone());
        self.transitions.push(transition);
        self.resolved.push(alert);
    }
}

/// What one evaluation says about one instance.
struct Outcome<'a> {
    result: Option<&'a InstanceResult>,
    holds: bool,
    clear: bool,
}

impl Lifecycle {
    /// A lifecycle with no alerts: every instance starts inactive.
    pub fn new() -> Self {
        Self::default()
    }

    /// A lifecycle holding the alerts saved before a restart (resolved ones are ignored).
    pub fn restore(alerts: Vec<Alert>) -> Self {
        let mut lifecycle = Self::new();
        for alert in alerts
            .into_iter()
            .filter(|a| a.state != AlertState::Resolved)
        {
            let group = lifecycle
                .groups
                .entry((alert.rule.clone(), alert.host.clone()))
                .or_default();
            let instance = Instance {
                alert: Some(alert.clone()),
                ..Instance::default()
            };
            group.insert(alert.id, instance);
        }
        lifecycle
    }

    /// Applies one evaluation of `rule` for `host`; returns the transitions it caused.
    /// `host_annotations` (e.g. `hostname`, `host_ip`) are copied into the alerts.
    pub fn apply(
        &mut self,
        rule: &Rule,
        host: &str,
        host_annotations: &BTreeMap<String, String>,
        results: Vec<InstanceResult>,
        now_ms: i64,
    ) -> Vec<AlertTransition> {
        self.pass += 1;
        let pass = self.pass;
        let group = self
            .groups
            .entry((rule.name.clone(), host.to_owned()))
            .or_default();
        let step = Step {
            rule,
            host,
            host_annotations,
            now_ms,
        };
        for result in &results {
            let id = alert_fingerprint(&rule.name, host, &result.labels);
            let instance = group.entry(id.clone()).or_default();
            instance.seen = pass;
            let outcome = outcome(rule, instance, Some(result));
            step.run(&id, instance, &outcome, &mut self.out);
        }
        for (id, instance) in group.iter_mut().filter(|(_, i)| i.seen != pass) {
            let outcome = outcome(rule, instance, None);
            step.run(id, instance, &outcome, &mut self.out);
        }
        group.retain(|_, i| i.alert.is_some() || i.recent.iter().any(|held| *held));
        std::mem::take(&mut self.out.transitions)
    }

    /// Resolves the alerts of rules no longer in `rules` and of hosts a rule no longer
    /// applies to (firing ones get a transition to resolved; pending ones are dropped).
    pub fn retain_rules(&mut self, rules: &[Rule], now_ms: i64) -> Vec<AlertTransition> {
        let out = &mut self.out;
        self.groups.retain(|(name, host), group| {
            let keep = rules
                .iter()
                .any(|r| &r.name == name && r.matches_host(host));
            if !keep {
                for alert in group.values_mut().filter_map(|i| i.alert.take()) {
                    if alert.state == AlertState::Firing {
                        out.resolve(alert, now_ms);
                    } else {
                        out.removed.push(alert.id);
                    }
                }
            }
            keep
        });
        std::mem::take(&mut self.out.transitions)
    }

    /// Alerts that are pending or firing.
    pub fn alerts(&self) -> Vec<Alert> {
        self.iter().cloned().collect()
    }

    fn iter(&self) -> impl Iterator<Item = &Alert> {
        self.groups
            .values()
            .flat_map(|g| g.values())
            .filter_map(|i| i.alert.as_ref())
    }

    /// The pending or firing alert with this id.
    pub fn get(&self, id: &str) -> Option<&Alert> {
        self.iter().find(|a| a.id == id)
    }

    /// Records an acknowledgement; returns the updated alert, `None` if unknown.
    pub fn set_ack(&mut self, id: &str, ack: Ack) -> Option<Alert> {
        let instance = self.groups.values_mut().find_map(|g| g.get_mut(id))?;
        let alert = instance.alert.as_mut()?;
        alert.ack = Some(ack);
        Some(alert.clone())
    }

    /// Ids of alerts that left the live set (resolved or dropped) since the last call.
    pub fn take_removed(&mut self) -> Vec<String> {
        std::mem::take(&mut self.out.removed)
    }

    /// Alerts that resolved since the last call, in their final (resolved) state.
    pub fn take_resolved(&mut self) -> Vec<Alert> {
        std::mem::take(&mut self.out.resolved)
    }
}

fn outcome<'a>(
    rule: &Rule,
    instance: &mut Instance,
    result: Option<&'a InstanceResult>,
) -> Outcome<'a> {
    let held = result.is_some_and(|r| r.holds);
    let holds = match rule.occurrences {
        Some(o) => {
            instance.recent.push_back(held);
            while instance.recent.len() > o.of as usize {
                instance.recent.pop_front();
            }
            instance.recent.iter().filter(|h| **h).count() >= o.n as usize
        }
        None => held,
    };
    let clear = result.and_then(|r| r.clear).unwrap_or(!holds);
    Outcome {
        result,
        holds,
        clear,
    }
}

/// One evaluation's context while stepping instances.
struct Step<'a> {
    rule: &'a Rule,
    host: &'a str,
    host_annotations: &'a BTreeMap<String, String>,
    now_ms: i64,
}

impl Step<'_> {
    fn run(&self, id: &str, inst: &mut Instance, o: &Outcome, out: &mut Sink) {
        let now = self.now_ms;
        let Some(alert) = inst.alert.as_mut() else {
            if let (true, Some(result)) = (o.holds, o.result) {
                let alert = self.new_alert(id, result);
                out.transitions.push(transition(&alert, None));
                inst.alert = Some(alert);
            }
            return;
        };
        self.update(alert, o.result);
        match alert.state {
            AlertState::Pending if !o.holds => {
                out.removed.push(id.to_owned());
                inst.alert = None;
            }
            AlertState::Pending if now - alert.active_since_ms >= self.rule.for_ms => {
                alert.state = AlertState::Firing;
                alert.firing_since_ms = Some(now);
                out.transitions
                    .push(transition(alert, Some(AlertState::Pending)));
            }
            AlertState::Firing if o.clear => {
                let since = *inst.clear_since.get_or_insert(now);
                if now - since >= self.rule.clear_for_ms {
                    if let Some(alert) = inst.alert.take() {
                        out.resolve(alert, now);
                    }
                    inst.clear_since = None;
                }
            }
            AlertState::Firing => inst.clear_since = None,
            _ => {}
        }
    }

    fn new_alert(&self, id: &str, r: &InstanceResult) -> Alert {
        let mut labels: Labels = r.labels.clone();
        for (k, v) in &self.rule.labels {
            labels.entry(k.clone()).or_insert_with(|| v.clone());
        }
        let firing = self.rule.for_ms == 0;
        let mut alert = Alert {
            id: id.to_owned(),
            rule: self.rule.name.clone(),
            host: self.host.to_owned(),
            labels,
            severity: self.rule.severity,
            state: if firing {
                AlertState::Firing
            } else {
                AlertState::Pending
            },
            value: r.value,
            threshold: r.threshold,
            summary: r.summary.clone(),
            description: self.rule.description.clone(),
            annotations: BTreeMap::new(),
            active_since_ms: self.now_ms,
            firing_since_ms: firing.then_some(self.now_ms),
            resolved_ms: None,
            last_eval_ms: self.now_ms,
            ack: None,
            dry_run: self.rule.dry_run,
        };
        self.update(&mut alert, Some(r));
        alert
    }

    fn update(&self, alert: &mut Alert, result: Option<&InstanceResult>) {
        alert.last_eval_ms = self.now_ms;
        alert.severity = self.rule.severity;
        alert.description.clone_from(&self.rule.description);
        alert.dry_run = self.rule.dry_run;
        for (k, v) in self.host_annotations {
            alert.annotations.insert(k.clone(), v.clone());
        }
        let Some(r) = result else { return };
        alert.value = r.value;
        alert.threshold = r.threshold;
        if r.holds {
            alert.summary.clone_from(&r.summary);
        }
        for (k, v) in &r.annotations {
            alert.annotations.insert(k.clone(), v.clone());
        }
    }
}

fn transition(alert: &Alert, from: Option<AlertState>) -> AlertTransition {
    AlertTransition {
        alert_id: alert.id.clone(),
        rule: alert.rule.clone(),
        host: alert.host.clone(),
        labels: alert.labels.clone(),
        severity: alert.severity,
        from,
        to: alert.state,
        at_ms: alert.last_eval_ms,
        value: alert.value,
        summary: alert.summary.clone(),
    }
}

fn resolve(mut alert: Alert, now_ms: i64) -> (Alert, AlertTransition) {
    let from = alert.state;
    alert.state = AlertState::Resolved;
    alert.resolved_ms = Some(now_ms);
    alert.last_eval_ms = now_ms;
    let t = transition(&alert, Some(from));
    (alert, t)
}
