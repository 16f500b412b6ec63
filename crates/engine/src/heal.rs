//! Self-healing at run time: for every firing alert whose rule has `heal:`, decide each
//! cycle whether to try the action now, wait, or give up; hand the attempts to the service
//! layer (which runs them through the host's agent) and keep their outcomes, so that the
//! notification sent when healing gives up says what was tried.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::Mutex;
use std::sync::atomic::Ordering;

use tokio::sync::Notify;

use crate::Engine;

use hostpulse_core::{Alert, AlertState};
use hostpulse_rules::{HealDecision, Rule};

/// Most attempts waiting for the service to pick them up; older ones are dropped.
pub(crate) const MAX_QUEUED_REQUESTS: usize = 256;
/// Most outcome lines kept per alert.
const MAX_OUTCOMES: usize = 10;
/// The annotation that carries what healing tried, on the notification sent when it gives up.
pub const HEAL_ANNOTATION: &str = "heal";

/// One heal attempt to run: the action of the alert's rule, rendered for the alert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealRequest {
    /// The alert being healed.
    pub alert_id: String,
    /// Its rule.
    pub rule: String,
    /// The host whose agent runs the action.
    pub host: String,
    /// A built-in action or `run` (a named command).
    pub action: String,
    /// The rendered arguments (`container`, or `command` for a named command).
    pub args: BTreeMap<String, String>,
    /// When the attempt was decided, Unix ms.
    pub at_ms: i64,
    /// 1 for the first attempt within the rule's window, 2 for the next, ...
    pub attempt: u32,
}

/// What healing did for one alert.
#[derive(Debug, Default, Clone)]
struct HealEntry {
    /// Start times of the attempts, Unix ms.
    attempts_ms: Vec<i64>,
    /// One line per finished attempt, oldest first.
    outcomes: VecDeque<String>,
    /// An attempt was handed over and has not finished.
    in_flight: bool,
    /// Healing gave up (this text says what was tried): no more attempts until the alert
    /// resolves, so a restart loop cannot go on behind people's backs.
    gave_up: Option<String>,
}

/// What one cycle decided.
#[derive(Debug, Default)]
pub(crate) struct HealStep {
    /// Attempts to run now.
    pub requests: Vec<HealRequest>,
    /// Alerts muted because healing is still trying.
    pub healing: HashSet<String>,
    /// Alert id → what was tried, for the alerts whose healing gave up.
    pub gave_up: HashMap<String, String>,
}

/// The attempts and outcomes of every alert being healed.
#[derive(Debug, Default)]
pub(crate) struct HealBook {
    entries: HashMap<String, HealEntry>,
}

impl HealBook {
    /// Decides for every firing alert of a healing rule at `now_ms`; forgets the alerts
    /// that are no longer firing.
    pub(crate) fn step(&mut self, rules: &[Rule], alerts: &[Alert], now_ms: i64) -> HealStep {
        let by_name: HashMap<&str, &Rule> = rules.iter().map(|r| (r.name.as_str(), r)).collect();
        let firing: Vec<(&Alert, &Rule)> = alerts
            .iter()
            .filter(|a| a.state == AlertState::Firing)
            .filter_map(|a| Some((a, *by_name.get(a.rule.as_str())?)))
            .filter(|(_, rule)| rule.heal.is_some())
            .collect();
        let live: HashSet<&str> = firing.iter().map(|(a, _)| a.id.as_str()).collect();
        self.entries.retain(|id, _| live.contains(id.as_str()));
        let mut step = HealStep::default();
        for (alert, rule) in firing {
            self.decide(alert, rule, now_ms, &mut step);
        }
        step
    }

    fn decide(&mut self, alert: &Alert, rule: &Rule, now_ms: i64, step: &mut HealStep) {
        let Some(spec) = &rule.heal else { return };
        let entry = self.entries.entry(alert.id.clone()).or_default();
        if let Some(text) = &entry.gave_up {
            step.gave_up.insert(alert.id.clone(), text.clone());
            return;
        }
        if entry.in_flight {
            step.healing.insert(alert.id.clone());
            return;
        }
        let since = alert.firing_since_ms.unwrap_or(alert.active_since_ms);
        match spec.decide(since, &entry.attempts_ms, now_ms) {
            HealDecision::Wait { .. } | HealDecision::CoolingDown { .. } => {
                step.healing.insert(alert.id.clone());
            }
            HealDecision::GiveUp { attempts } => {
                let text = summary(entry, attempts, spec.window);
                entry.gave_up = Some(text.clone());
                step.gave_up.insert(alert.id.clone(), text);
            }
            HealDecision::Attempt => match spec.command(&alert.host, &alert.labels) {
                Ok((action, args)) => {
                    entry.attempts_ms.push(now_ms);
                    entry.in_flight = true;
                    step.healing.insert(alert.id.clone());
                    step.requests.push(HealRequest {
                        alert_id: alert.id.clone(),
                        rule: rule.name.clone(),
                        host: alert.host.clone(),
                        action,
                        args,
                        at_ms: now_ms,
                        attempt: u32::try_from(entry.attempts_ms.len()).unwrap_or(u32::MAX),
                    });
                }
                Err(why) => {
                    let text = format!("cannot heal: {why}");
                    entry.gave_up = Some(text.clone());
                    step.gave_up.insert(alert.id.clone(), text);
                }
            },
        }
    }

    /// Records the outcome of the attempt of `alert_id`; unknown alerts (resolved since)
    /// are ignored.
    pub(crate) fn finished(&mut self, alert_id: &str, outcome: String) {
        if let Some(entry) = self.entries.get_mut(alert_id) {
            entry.in_flight = false;
            if entry.outcomes.len() == MAX_OUTCOMES {
                entry.outcomes.pop_front();
            }
            entry.outcomes.push_back(outcome);
        }
    }
}

fn summary(entry: &HealEntry, attempts: u32, window: std::time::Duration) -> String {
    let tried: Vec<&str> = entry.outcomes.iter().map(String::as_str).collect();
    format!(
        "healing gave up after {attempts} attempt{} within {}: {}",
        if attempts == 1 { "" } else { "s" },
        hostpulse_core::duration::format_duration(window),
        tried.join("; ")
    )
}

/// Attempts decided by the engine, waiting for the service layer to run them.
#[derive(Debug, Default)]
pub(crate) struct HealQueue {
    requests: Mutex<VecDeque<HealRequest>>,
    wake: Notify,
}

impl HealQueue {
    /// Queues `requests`; beyond [`MAX_QUEUED_REQUESTS`] the oldest are dropped (logged).
    pub(crate) fn push(&self, requests: Vec<HealRequest>) {
        if requests.is_empty() {
            return;
        }
        if let Ok(mut queue) = self.requests.lock() {
            queue.extend(requests);
            while queue.len() > MAX_QUEUED_REQUESTS {
                if let Some(dropped) = queue.pop_front() {
                    tracing::warn!(rule = %dropped.rule, host = %dropped.host, "heal queue full: attempt dropped");
                }
            }
        }
        self.wake.notify_one();
    }

    fn take(&self) -> Vec<HealRequest> {
        self.requests
            .lock()
            .map(|mut q| q.drain(..).collect())
            .unwrap_or_default()
    }
}

impl Engine {
    /// Waits for heal attempts to run (the service layer runs them through the hosts'
    /// agents and reports back with [`Engine::heal_finished`]); empty once the engine stops.
    pub async fn next_heal_requests(&self) -> Vec<HealRequest> {
        loop {
            let requests = self.heals.take();
            if !requests.is_empty() || self.stopping.load(Ordering::SeqCst) {
                return requests;
            }
            tokio::select! {
                () = self.heals.wake.notified() => {}
                () = self.stop.notified() => {}
            }
        }
    }

    /// Records how the heal attempt for `alert_id` ended (one line, e.g. `containers.start
    /// web: ok in 1.2 s`) and evaluates soon, so the next decision does not wait a cycle.
    pub async fn heal_finished(&self, alert_id: &str, outcome: String) {
        self.state.lock().await.heal.finished(alert_id, outcome);
        self.eval_wake.notify_one();
    }
}

/// Adds what healing tried to the alerts whose healing gave up (the copies sent to the alert
/// manager, so the notification carries it).
pub(crate) fn annotate(alerts: &mut [Alert], gave_up: &HashMap<String, String>) {
    for alert in alerts.iter_mut() {
        if let Some(text) = gave_up.get(&alert.id) {
            alert
                .annotations
                .insert(HEAL_ANNOTATION.to_owned(), text.clone());
        }
    }
}

#[cfg(test)]
mod tests;
