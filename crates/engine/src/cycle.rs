//! One evaluation cycle: rules over recent data → lifecycle → alert manager → one save.

use crate::Engine;
use crate::api_types::CycleStats;
use crate::restart::HostProgress;
use crate::source::EngineSource;
use crate::state::{State, merge_changes, sorted_alerts};
use hostpulse_core::{Alert, AlertState, DeliveryStatus, Notification};
use hostpulse_store::{AlertChanges, HostState};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Annotations every alert of a host carries: hostname, display name, first IP.
fn host_annotations(host: Option<&HostState>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let Some(facts) = host.and_then(|h| h.facts.as_ref()) else {
        return out;
    };
    out.insert("hostname".into(), facts.hostname.clone());
    if let Some(name) = &facts.display_name {
        out.insert("display_name".into(), name.clone());
    }
    if let Some(ip) = facts.ips.first() {
        out.insert("host_ip".into(), ip.clone());
    }
    out
}

impl Engine {
    /// Evaluates `hosts` (all known hosts when `None`) and persists what changed.
    pub(crate) async fn evaluate(&self, hosts: Option<Vec<String>>) {
        let now = self.deps.clock.now_ms();
        let host_states = match self.deps.store.hosts().await {
            Ok(list) => list
                .into_iter()
                .map(|h| (h.name.clone(), h))
                .collect::<HashMap<_, _>>(),
            Err(e) => {
                tracing::warn!(error = %e, "cannot read hosts; evaluation skipped");
                return;
            }
        };
        let mut targets = hosts.unwrap_or_else(|| host_states.keys().cloned().collect());
        let started = std::time::Instant::now();
        let mut state = self.state.lock().await;
        self.release_caught_up(&mut state, &mut targets, &host_states, now);
        let (transitions, instances) = self.run_rules(&mut state, &targets, &host_states, now);
        let changes = self.manage(&mut state, transitions, now);
        let notifications = changes.notifications.len();
        self.save(&mut state, changes).await;
        self.publish(&state);
        let stats = CycleStats {
            at_ms: now,
            hosts: targets.len(),
            instances,
            notifications,
            wall_us: u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
        };
        if let Ok(mut last) = self.last_cycle.lock() {
            *last = stats;
        }
    }

    /// Drops from `targets` the hosts still held after the start (see [`crate::restart`]).
    fn release_caught_up(
        &self,
        state: &mut State,
        targets: &mut Vec<String>,
        host_states: &HashMap<String, HostState>,
        now: i64,
    ) {
        let windows = self
            .windows
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        targets.retain(|host| {
            let progress = HostProgress {
                interval_ms: host_states.get(host).map(|h| h.interval_ms),
                newest_ms: windows.host(host).and_then(|w| w.newest_ms),
            };
            !state.restart.holds(host, progress, now)
        });
    }

    fn run_rules(
        &self,
        state: &mut State,
        targets: &[String],
        host_states: &HashMap<String, HostState>,
        now: i64,
    ) -> (Vec<hostpulse_core::AlertTransition>, usize) {
        let windows = self
            .windows
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let source = EngineSource {
            windows: &windows,
            hosts: host_states,
        };
        let State {
            rules,
            lifecycle,
            host_evaluated_ms,
            rule_evaluated_ms,
            ..
        } = state;
        let mut transitions = Vec::new();
        let mut instances = 0;
        for host in targets {
            let annotations = host_annotations(host_states.get(host));
            for rule in rules.iter().filter(|r| r.matches_host(host)) {
                let results = rule.evaluate(host, now, &source);
                instances += results.len();
                transitions.extend(lifecycle.apply(rule, host, &annotations, results, now));
                rule_evaluated_ms.insert(rule.name.clone(), now);
            }
            host_evaluated_ms.insert(host.clone(), now);
        }
        (transitions, instances)
    }

    /// Runs the alert manager and gathers everything to save.
    pub(crate) fn manage(
        &self,
        state: &mut State,
        transitions: Vec<hostpulse_core::AlertTransition>,
        now: i64,
    ) -> AlertChanges {
        let resolved = state.lifecycle.take_resolved();
        let removed = state.lifecycle.take_removed();
        let live = state.lifecycle.alerts();
        let changed: HashSet<&str> = transitions.iter().map(|t| t.alert_id.as_str()).collect();
        let upsert: Vec<Alert> = live
            .iter()
            .filter(|a| changed.contains(a.id.as_str()))
            .cloned()
            .collect();
        let mut all = live;
        all.extend(resolved);
        let heal = state.heal.step(&state.rules, &all, now);
        crate::heal::annotate(&mut all, &heal.gave_up);
        state.manager.set_healing(heal.healing);
        for request in &heal.requests {
            tracing::info!(rule = %request.rule, host = %request.host, action = %request.action, attempt = request.attempt, "heal: trying");
        }
        self.heals.push(heal.requests);
        let notifications = state.manager.process(now, &all, &state.silences);
        log_dry_runs(&notifications);
        let log_state = state.manager.log_changes().unwrap_or_else(|e| {
            tracing::error!(error = %e, "cannot serialise the notification log");
            Vec::new()
        });
        AlertChanges {
            upsert,
            delete: removed,
            transitions,
            notifications,
            state: log_state,
        }
    }

    /// Saves `changes` (plus any earlier unsaved ones); on failure keeps them for next time.
    pub(crate) async fn save(&self, state: &mut State, changes: AlertChanges) {
        merge_changes(&mut state.unsaved, changes);
        if is_empty(&state.unsaved) {
            return;
        }
        let batch = std::mem::take(&mut state.unsaved);
        let notify = batch
            .notifications
            .iter()
            .any(|n| n.status == DeliveryStatus::Pending);
        match self
            .deps
            .alert_store
            .save_alert_changes(batch.clone())
            .await
        {
            Ok(_) if notify => self.delivery.wake(),
            Ok(_) => {}
            Err(e) => {
                tracing::error!(error = %e, "cannot save alert changes; will retry");
                state.unsaved = batch;
            }
        }
    }

    /// Refreshes the snapshot the API reads.
    pub(crate) fn publish(&self, state: &State) {
        let alerts = sorted_alerts(state.lifecycle.alerts());
        let rules = crate::status::rule_statuses(state, &alerts);
        if let Ok(mut view) = self.view.write() {
            view.alerts = alerts;
            view.rules = rules;
        }
    }
}

fn is_empty(c: &AlertChanges) -> bool {
    c.upsert.is_empty()
        && c.delete.is_empty()
        && c.transitions.is_empty()
        && c.notifications.is_empty()
        && c.state.is_empty()
}

fn log_dry_runs(notifications: &[Notification]) {
    for n in notifications
        .iter()
        .filter(|n| n.status == DeliveryStatus::DryRun)
    {
        let firing = n
            .alerts
            .iter()
            .filter(|a| a.state == AlertState::Firing)
            .count();
        tracing::info!(
            receiver = %n.receiver,
            group = %n.group_key,
            kind = ?n.kind,
            alerts = n.alerts.len(),
            firing,
            "dry run: would notify"
        );
    }
}
