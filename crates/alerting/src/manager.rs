//! The [`AlertManager`]: runs every stage of the pipeline over the current alerts at a
//! given time and keeps the notification log.

use std::collections::{BTreeMap, HashMap, HashSet};

use hostpulse_notify::ReceiverConfig;

use crate::config::AlertingConfig;
use crate::maintenance::MaintenanceWindow;
use hostpulse_core::{Alert, AlertState, Labels, Notification, NotificationKind, Silence};
use serde::Serialize;

use crate::AlertingError;
use crate::dedup::{GroupView, decide, next_entry};
use crate::escalation::due_step;
use crate::inhibit::{CompiledInhibit, InhibitIndex};
use crate::labels::HostGroups;
use crate::log::{EscalationEntry, NotificationLog};
use crate::mute::{ActiveSilence, MuteReason, Muter, active_silences};
use crate::record::{Draft, group_key, record};
use crate::route::Router;

/// Where an alert goes: route, receivers and group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Routing {
    /// Name of the matching route: `route0`, `route1`, ... in configuration order, or `default`.
    pub route: String,
    /// Receiver names the route notifies.
    pub receivers: Vec<String>,
    /// The group the alert joins on that route, e.g. `route0{host="web-1",rule="high_cpu"}`.
    pub group_key: String,
}

/// Mute inputs of the last [`AlertManager::process`] call, for [`AlertManager::muted_by`].
#[derive(Default)]
struct MuteSnapshot {
    now_ms: i64,
    silences: Vec<ActiveSilence>,
    inhibition: InhibitIndex,
}

/// Alerts of one group gathered during a run.
struct GroupBuild<'a> {
    route: usize,
    labels: Labels,
    firing: Vec<&'a Alert>,
    resolved: Vec<&'a Alert>,
}

/// The alert manager: configuration compiled once, plus the notification log.
pub struct AlertManager {
    router: Router,
    receivers: Vec<ReceiverConfig>,
    host_groups: HostGroups,
    inhibit_rules: Vec<CompiledInhibit>,
    maintenance: Vec<MaintenanceWindow>,
    dry_run: bool,
    log: NotificationLog,
    snapshot: MuteSnapshot,
    /// Ids of the alerts their rule is healing now (muted until healing gives up).
    healing: HashSet<String>,
}

impl AlertManager {
    /// Builds the pipeline for `config`; `log` is the restored notification log (or empty).
    pub fn new(
        config: &AlertingConfig,
        host_groups: &BTreeMap<String, Vec<String>>,
        log: NotificationLog,
    ) -> Result<Self, AlertingError> {
        let mut inhibit_rules = Vec::with_capacity(config.inhibit_rules.len() + 1);
        if config.inhibit_host_down {
            inhibit_rules.push(CompiledInhibit::host_down()?);
        }
        for rule in &config.inhibit_rules {
            inhibit_rules.push(CompiledInhibit::new(rule)?);
        }
        Ok(Self {
            router: Router::new(config)?,
            receivers: config.effective_receivers(),
            host_groups: HostGroups::new(host_groups),
            inhibit_rules,
            maintenance: config.maintenance.clone(),
            dry_run: config.dry_run,
            log,
            snapshot: MuteSnapshot::default(),
            healing: HashSet::new(),
        })
    }

    /// Sets the alerts being healed (`heal:` rules): they are muted until healing gives up
    /// or they resolve, so a heal that works wakes nobody.
    pub fn set_healing(&mut self, alert_ids: HashSet<String>) {
        self.healing = alert_ids;
    }

    /// Runs the pipeline at `now_ms` over `alerts` (pending, firing and just-resolved) and
    /// returns the notifications to record. Pending alerts are never notified.
    pub fn process(
        &mut self,
        now_ms: i64,
        alerts: &[Alert],
        silences: &[Silence],
    ) -> Vec<Notification> {
        self.snapshot = MuteSnapshot {
            now_ms,
            silences: active_silences(silences, now_ms),
            inhibition: InhibitIndex::build(&self.inhibit_rules, alerts),
        };
        let mut groups: HashMap<String, GroupBuild<'_>> = HashMap::new();
        let mut escalating: Vec<(usize, String, &Alert)> = Vec::new();
        for alert in alerts.iter().filter(|a| a.state != AlertState::Pending) {
            if self.muted_by(alert).is_some() {
                continue;
            }
            for route in self.router.route_indexes(alert, &self.host_groups) {
                let Some(settings) = self.router.route(route).map(|r| &r.settings) else {
                    continue;
                };
                let name = self.route_name(route);
                let (key, labels) = group_key(&name, &settings.group_by, alert);
                let group = groups.entry(key.clone()).or_insert_with(|| GroupBuild {
                    route,
                    labels,
                    firing: Vec::new(),
                    resolved: Vec::new(),
                });
                if alert.state == AlertState::Firing {
                    group.firing.push(alert);
                    escalating.push((route, key, alert));
                } else {
                    group.resolved.push(alert);
                }
            }
        }
        let mut out = self.flush_groups(now_ms, groups);
        out.extend(self.escalate(now_ms, &escalating));
        self.forget_escalations(alerts);
        out
    }

    fn route_name(&self, index: usize) -> String {
        self.router
            .route(index)
            .map(|r| r.name.clone())
            .unwrap_or_default()
    }

    fn route_index(&self, name: &str) -> usize {
        (0..)
            .map_while(|i| self.router.route(i).map(|r| (i, r)))
            .find(|(_, r)| r.name == name)
            .or_else(|| {
                (0..)
                    .map_while(|i| self.router.route(i).map(|r| (i, r)))
                    .last()
            })
            .map_or(0, |(i, _)| i)
    }

    /// Dedup, repeat and record for every current group and every group in the log.
    fn flush_groups(
        &mut self,
        now_ms: i64,
        mut groups: HashMap<String, GroupBuild<'_>>,
    ) -> Vec<Notification> {
        let logged: Vec<(String, String)> = self
            .log
            .groups()
            .filter(|(key, _)| !groups.contains_key(*key))
            .map(|(key, entry)| (key.clone(), entry.route.clone()))
            .collect();
        for (key, route) in logged {
            let route = self.route_index(&route);
            groups.insert(
                key,
                GroupBuild {
                    route,
                    labels: Labels::new(),
                    firing: Vec::new(),
                    resolved: Vec::new(),
                },
            );
        }
        let mut keys: Vec<String> = groups.keys().cloned().collect();
        keys.sort_unstable();
        let mut out = Vec::new();
        for key in keys {
            if let Some(group) = groups.get(&key) {
                out.extend(self.flush_group(now_ms, &key, group));
            }
        }
        out
    }

    fn flush_group(&mut self, now_ms: i64, key: &str, group: &GroupBuild<'_>) -> Vec<Notification> {
        let Some(route) = self.router.route(group.route) else {
            return Vec::new();
        };
        let last = self.log.group(key).cloned();
        let firing_ids: HashSet<&str> = group.firing.iter().map(|a| a.id.as_str()).collect();
        let mut resolved: BTreeMap<&str, &Alert> = BTreeMap::new();
        if let Some(entry) = &last {
            let announced =
                |a: &&Alert| entry.firing.contains(&a.id) && !firing_ids.contains(a.id.as_str());
            for alert in entry
                .resolved
                .values()
                .chain(group.resolved.iter().copied())
                .filter(announced)
            {
                resolved.insert(&alert.id, alert);
            }
        }
        let view = GroupView {
            firing: group.firing.clone(),
            resolved: resolved.into_values().collect(),
        };
        let kind = decide(&view, last.as_ref(), &route.settings, now_ms);
        let entry = next_entry(
            &view,
            last.as_ref(),
            &route.name,
            &route.settings,
            kind,
            now_ms,
        );
        let out = match kind {
            Some(kind) => {
                let alerts = match kind {
                    NotificationKind::Resolved => {
                        view.resolved.iter().map(|a| (*a).clone()).collect()
                    }
                    NotificationKind::Repeat => view.firing.iter().map(|a| (*a).clone()).collect(),
                    _ => view
                        .firing
                        .iter()
                        .chain(view.resolved.iter())
                        .map(|a| (*a).clone())
                        .collect(),
                };
                let labels = if group.labels.is_empty() {
                    labels_of(&view, route)
                } else {
                    group.labels.clone()
                };
                let draft = Draft {
                    group_key: key,
                    group_labels: &labels,
                    kind,
                    alerts,
                    severity: None,
                    escalation_step: None,
                    dry_run: self.dry_run,
                };
                record(draft, &route.settings.receivers, now_ms)
            }
            None => Vec::new(),
        };
        self.log.set_group(key, entry);
        out
    }

    /// Escalation steps due for unacknowledged firing alerts, batched per group and step.
    fn escalate(
        &mut self,
        now_ms: i64,
        escalating: &[(usize, String, &Alert)],
    ) -> Vec<Notification> {
        let mut batches: BTreeMap<(String, u32), (usize, Vec<Alert>)> = BTreeMap::new();
        for (route_index, key, alert) in escalating {
            let Some(route) = self.router.route(*route_index) else {
                continue;
            };
            if route.settings.escalation.is_empty() {
                continue;
            }
            let log_key = format!("{}/{}", route.name, alert.id);
            let done = self.log.escalation(&log_key);
            let Some(step) = due_step(&route.settings.escalation, alert, done, now_ms) else {
                continue;
            };
            let firing_since_ms = alert.firing_since_ms.unwrap_or(now_ms);
            self.log.set_escalation(
                &log_key,
                Some(EscalationEntry {
                    firing_since_ms,
                    step,
                }),
            );
            let batch = batches
                .entry((key.clone(), step))
                .or_insert_with(|| (*route_index, Vec::new()));
            batch.1.push((*alert).clone());
        }
        let mut out = Vec::new();
        for ((key, step), (route_index, alerts)) in batches {
            let Some(route) = self.router.route(route_index) else {
                continue;
            };
            let Some(spec) = usize::try_from(step - 1)
                .ok()
                .and_then(|i| route.settings.escalation.get(i))
            else {
                continue;
            };
            let receivers = if spec.receivers.is_empty() {
                &route.settings.receivers
            } else {
                &spec.receivers
            };
            let (_, labels) = group_key(&route.name, &route.settings.group_by, &alerts[0]);
            let draft = Draft {
                group_key: &key,
                group_labels: &labels,
                kind: NotificationKind::Escalation,
                alerts,
                severity: spec.severity,
                escalation_step: Some(step),
                dry_run: self.dry_run,
            };
            out.extend(record(draft, receivers, now_ms));
        }
        out
    }

    /// Drops escalation progress of alerts that are no longer pending or firing.
    fn forget_escalations(&mut self, alerts: &[Alert]) {
        let live: HashSet<&str> = alerts
            .iter()
            .filter(|a| a.state != AlertState::Resolved)
            .map(|a| a.id.as_str())
            .collect();
        let stale: Vec<String> = self
            .log
            .escalation_keys()
            .filter(|key| key.rsplit('/').next().is_none_or(|id| !live.contains(id)))
            .cloned()
            .collect();
        for key in stale {
            self.log.set_escalation(&key, None);
        }
    }

    /// Why `alert` is muted, as of the last [`AlertManager::process`] call.
    pub fn muted_by(&self, alert: &Alert) -> Option<MuteReason> {
        Muter {
            silences: &self.snapshot.silences,
            maintenance: &self.maintenance,
            host_groups: &self.host_groups,
            inhibition: &self.snapshot.inhibition,
            healing: &self.healing,
            now_ms: self.snapshot.now_ms,
        }
        .reason(alert)
    }

    /// The routes, receivers and groups `alert` goes to.
    pub fn route_for(&self, alert: &Alert) -> Vec<Routing> {
        self.router
            .route_indexes(alert, &self.host_groups)
            .into_iter()
            .filter_map(|i| self.router.route(i))
            .map(|route| Routing {
                route: route.name.clone(),
                receivers: route.settings.receivers.clone(),
                group_key: group_key(&route.name, &route.settings.group_by, alert).0,
            })
            .collect()
    }

    /// The receivers notifications are addressed to (the built-in `log` one if none).
    pub fn receivers(&self) -> &[ReceiverConfig] {
        &self.receivers
    }

    /// The notification log.
    pub fn log(&self) -> &NotificationLog {
        &self.log
    }

    /// Log entries changed since the last call, as `(namespace, key, Some(json) | None)`.
    pub fn log_changes(&mut self) -> Result<Vec<(String, String, Option<String>)>, AlertingError> {
        self.log.take_changes()
    }

    /// Takes the notification log out (e.g. to rebuild the manager after a reload).
    pub fn into_log(self) -> NotificationLog {
        self.log
    }
}

/// Group labels of a group known only from the log: taken from any of its alerts.
fn labels_of(view: &GroupView<'_>, route: &crate::route::Route) -> Labels {
    view.firing
        .iter()
        .chain(view.resolved.iter())
        .next()
        .map(|a| group_key(&route.name, &route.settings.group_by, a).1)
        .unwrap_or_default()
}
