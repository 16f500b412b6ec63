//! The mute stage: silences, maintenance windows and inhibition decide which alerts are not
//! notified, and say why.

use crate::maintenance::MaintenanceWindow;
use hostpulse_core::glob::glob_match;
use hostpulse_core::{Alert, Silence};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

use crate::AlertingError;
use crate::inhibit::InhibitIndex;
use crate::labels::{CompiledMatcher, HostGroups, all_match};

/// Why an alert is muted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MuteReason {
    /// A silence matching the alert is in force.
    Silence {
        /// Id of the first matching silence.
        id: String,
    },
    /// A maintenance window covering the alert's host is open.
    Maintenance {
        /// Name of the open window, as configured.
        window: String,
    },
    /// A firing alert inhibits it.
    Inhibited {
        /// Name of the inhibition rule (e.g. the built-in host-down rule).
        rule: String,
        /// Id (fingerprint) of the firing source alert that inhibits this one.
        by: String,
    },
    /// The alert's rule is healing it (`heal:`): people are told only if healing gives up.
    Healing {
        /// Name of the rule whose heal action is being tried.
        rule: String,
    },
}

/// A silence with compiled matchers.
#[derive(Debug, Clone)]
pub(crate) struct ActiveSilence {
    id: String,
    matchers: Vec<CompiledMatcher>,
}

/// The silences in force at `now_ms`, compiled; a silence with a broken regex is skipped.
pub(crate) fn active_silences(silences: &[Silence], now_ms: i64) -> Vec<ActiveSilence> {
    silences
        .iter()
        .filter(|s| s.is_active(now_ms) && !s.matchers.is_empty())
        .filter_map(|s| {
            let matchers: Result<Vec<_>, AlertingError> = CompiledMatcher::all(&s.matchers);
            Some(ActiveSilence {
                id: s.id.clone(),
                matchers: matchers.ok()?,
            })
        })
        .collect()
}

/// Everything that can mute an alert at one moment.
pub(crate) struct Muter<'a> {
    pub(crate) silences: &'a [ActiveSilence],
    pub(crate) maintenance: &'a [MaintenanceWindow],
    pub(crate) host_groups: &'a HostGroups,
    pub(crate) inhibition: &'a InhibitIndex,
    pub(crate) healing: &'a HashSet<String>,
    pub(crate) now_ms: i64,
}

impl Muter<'_> {
    /// The first reason `alert` is muted: silence, then maintenance, then inhibition, then
    /// a heal in progress.
    pub(crate) fn reason(&self, alert: &Alert) -> Option<MuteReason> {
        if let Some(silence) = self.silences.iter().find(|s| all_match(&s.matchers, alert)) {
            return Some(MuteReason::Silence {
                id: silence.id.clone(),
            });
        }
        if let Some(window) = self.open_window(&alert.host) {
            return Some(MuteReason::Maintenance {
                window: window.name.clone(),
            });
        }
        if let Some(reason) = self.inhibition.inhibited_by(alert) {
            return Some(reason);
        }
        self.healing
            .contains(&alert.id)
            .then(|| MuteReason::Healing {
                rule: alert.rule.clone(),
            })
    }

    fn open_window(&self, host: &str) -> Option<&MaintenanceWindow> {
        self.maintenance.iter().find(|window| {
            window.schedule.is_active(self.now_ms)
                && (window.hosts.iter().any(|h| glob_match(h, host))
                    || window
                        .groups
                        .iter()
                        .any(|g| self.host_groups.contains(g, host)))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::tests::alert;
    use crate::maintenance::MaintenanceSchedule;
    use hostpulse_core::matcher::parse_matcher;
    use std::collections::BTreeMap;

    fn silence(id: &str, matchers: &[&str], starts_ms: i64, ends_ms: i64) -> Silence {
        Silence {
            id: id.into(),
            matchers: matchers.iter().map(|m| parse_matcher(m).unwrap()).collect(),
            starts_ms,
            ends_ms,
            author: "ops".into(),
            comment: String::new(),
            created_ms: 0,
        }
    }

    fn reason(
        silences: &[Silence],
        windows: &[MaintenanceWindow],
        a: &Alert,
        now_ms: i64,
    ) -> Option<MuteReason> {
        let active = active_silences(silences, now_ms);
        let mut map = BTreeMap::new();
        map.insert("web".to_owned(), vec!["web-*".to_owned()]);
        let groups = HostGroups::new(&map);
        let inhibition = InhibitIndex::default();
        Muter {
            silences: &active,
            maintenance: windows,
            host_groups: &groups,
            inhibition: &inhibition,
            healing: &HashSet::new(),
            now_ms,
        }
        .reason(a)
    }

    #[test]
    fn silence_mutes_matching_alerts_only_while_active() {
        let silences = [silence("s1", &["host=web-1", "rule=high_cpu"], 100, 200)];
        let cpu = alert("high_cpu", "web-1", &[], 0);
        let other = alert("high_cpu", "web-2", &[], 0);
        assert_eq!(
            reason(&silences, &[], &cpu, 150),
            Some(MuteReason::Silence { id: "s1".into() })
        );
        assert_eq!(reason(&silences, &[], &other, 150), None);
        assert_eq!(reason(&silences, &[], &cpu, 99), None);
        assert_eq!(reason(&silences, &[], &cpu, 200), None);
    }

    #[test]
    fn silence_without_matchers_mutes_nothing() {
        let silences = [silence("all", &[], 0, 1_000)];
        assert_eq!(reason(&silences, &[], &alert("r", "h", &[], 0), 10), None);
    }

    #[test]
    fn maintenance_mutes_hosts_and_groups() {
        let window = MaintenanceWindow {
            name: "patch".into(),
            hosts: vec!["db-*".into()],
            groups: vec!["web".into()],
            schedule: MaintenanceSchedule::Once {
                start_ms: 10,
                end_ms: 20,
            },
            comment: String::new(),
        };
        let windows = [window];
        let muted = Some(MuteReason::Maintenance {
            window: "patch".into(),
        });
        assert_eq!(
            reason(&[], &windows, &alert("r", "db-7", &[], 0), 10),
            muted
        );
        assert_eq!(
            reason(&[], &windows, &alert("r", "web-2", &[], 0), 19),
            muted
        );
        assert_eq!(
            reason(&[], &windows, &alert("r", "cache-1", &[], 0), 15),
            None
        );
        assert_eq!(reason(&[], &windows, &alert("r", "db-7", &[], 0), 20), None);
    }
}
