//! The dedup and repeat stage, as pure functions over the notification log: send on change
//! only (new firing alerts after group_wait / group_interval, resolved alerts), remind after
//! repeat_interval while unacknowledged alerts keep firing, and nothing otherwise.

use std::collections::BTreeMap;

use crate::config::RouteSettings;
use hostpulse_core::{Alert, NotificationKind};

use crate::log::LogEntry;

/// One alert group as the pipeline sees it at one moment (muted alerts excluded).
#[derive(Debug, Clone)]
pub(crate) struct GroupView<'a> {
    /// Firing alerts of the group.
    pub(crate) firing: Vec<&'a Alert>,
    /// Resolved alerts the receivers were told were firing (and are not firing again).
    pub(crate) resolved: Vec<&'a Alert>,
}

impl GroupView<'_> {
    fn has_new_firing(&self, last: Option<&LogEntry>) -> bool {
        self.firing
            .iter()
            .any(|a| last.is_none_or(|entry| !entry.firing.contains(&a.id)))
    }
}

fn ms(duration: std::time::Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// Decides whether group `group` is notified at `now_ms`, and why.
///
/// - `Firing` when firing alerts appeared that the last notification did not carry: a new
///   group waits `group_wait` from its earliest firing alert, an existing one
///   `group_interval` from its last notification;
/// - `Resolved` when announced alerts resolved (if `send_resolved`), with the same pacing;
/// - `Repeat` when `repeat_interval` passed since the last notification and some firing
///   alert is not acknowledged;
/// - nothing otherwise.
pub(crate) fn decide(
    group: &GroupView<'_>,
    last: Option<&LogEntry>,
    route: &RouteSettings,
    now_ms: i64,
) -> Option<NotificationKind> {
    let new_firing = group.has_new_firing(last);
    let resolved = route.send_resolved && !group.resolved.is_empty();
    let announced = last.filter(|entry| !entry.firing.is_empty());
    if new_firing || resolved {
        let ready_ms = match announced {
            Some(entry) => entry.last_sent_ms.saturating_add(ms(route.group_interval)),
            None => first_firing_ms(group)?.saturating_add(ms(route.group_wait)),
        };
        if now_ms < ready_ms {
            return None;
        }
        return Some(if new_firing {
            NotificationKind::Firing
        } else {
            NotificationKind::Resolved
        });
    }
    let entry = announced?;
    let unacknowledged = group.firing.iter().any(|a| a.ack.is_none());
    let due = now_ms >= entry.last_sent_ms.saturating_add(ms(route.repeat_interval));
    (unacknowledged && due).then_some(NotificationKind::Repeat)
}

fn first_firing_ms(group: &GroupView<'_>) -> Option<i64> {
    group
        .firing
        .iter()
        .map(|a| a.firing_since_ms.unwrap_or(a.last_eval_ms))
        .min()
}

/// The group's log entry after the decision: a notification records the current firing set;
/// otherwise alerts that stopped firing without a due resolved notification (muted, gone,
/// or resolved without `send_resolved`) leave the set silently. `None` removes the entry.
pub(crate) fn next_entry(
    group: &GroupView<'_>,
    last: Option<&LogEntry>,
    route_name: &str,
    route: &RouteSettings,
    sent: Option<NotificationKind>,
    now_ms: i64,
) -> Option<LogEntry> {
    if sent.is_some() {
        let firing: std::collections::BTreeSet<String> =
            group.firing.iter().map(|a| a.id.clone()).collect();
        return (!firing.is_empty()).then(|| LogEntry {
            route: route_name.to_owned(),
            firing,
            last_sent_ms: now_ms,
            resolved: BTreeMap::new(),
        });
    }
    let last = last?;
    let resolved: BTreeMap<String, Alert> = if route.send_resolved {
        group
            .resolved
            .iter()
            .map(|a| (a.id.clone(), (*a).clone()))
            .collect()
    } else {
        BTreeMap::new()
    };
    let firing: std::collections::BTreeSet<String> = last
        .firing
        .iter()
        .filter(|id| resolved.contains_key(*id) || group.firing.iter().any(|a| &a.id == *id))
        .cloned()
        .collect();
    (!firing.is_empty()).then(|| LogEntry {
        route: route_name.to_owned(),
        firing,
        last_sent_ms: last.last_sent_ms,
        resolved,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::tests::alert;
    use hostpulse_core::{Ack, AlertState};
    use std::collections::BTreeSet;
    use std::time::Duration;

    fn route() -> RouteSettings {
        RouteSettings {
            group_wait: Duration::from_secs(10),
            group_interval: Duration::from_secs(60),
            repeat_interval: Duration::from_secs(3_600),
            ..RouteSettings::default()
        }
    }

    fn entry(ids: &[&str], last_sent_ms: i64) -> LogEntry {
        LogEntry {
            route: "default".into(),
            firing: ids
                .iter()
                .map(|id| (*id).to_owned())
                .collect::<BTreeSet<_>>(),
            last_sent_ms,
            resolved: BTreeMap::new(),
        }
    }

    fn view<'a>(firing: &'a [Alert], resolved: &'a [Alert]) -> GroupView<'a> {
        GroupView {
            firing: firing.iter().collect(),
            resolved: resolved.iter().collect(),
        }
    }

    #[test]
    fn new_group_waits_group_wait_from_first_firing() {
        let a = [alert("r", "h", &[], 1_000)];
        let g = view(&a, &[]);
        assert_eq!(decide(&g, None, &route(), 10_999), None);
        assert_eq!(
            decide(&g, None, &route(), 11_000),
            Some(NotificationKind::Firing)
        );
    }

    #[test]
    fn same_set_is_not_sent_again_until_repeat_interval() {
        let a = [alert("r", "h", &[], 0)];
        let last = entry(&[&a[0].id], 10_000);
        let g = view(&a, &[]);
        assert_eq!(decide(&g, Some(&last), &route(), 10_000 + 3_599_999), None);
        assert_eq!(
            decide(&g, Some(&last), &route(), 10_000 + 3_600_000),
            Some(NotificationKind::Repeat)
        );
    }

    #[test]
    fn acknowledged_alerts_get_no_repeat() {
        let mut a = alert("r", "h", &[], 0);
        a.ack = Some(Ack {
            by: "admin".into(),
            at_ms: 5,
            comment: String::new(),
        });
        let alerts = [a];
        let last = entry(&[&alerts[0].id], 0);
        assert_eq!(
            decide(&view(&alerts, &[]), Some(&last), &route(), 99_000_000),
            None
        );
    }

    #[test]
    fn new_alert_in_existing_group_waits_group_interval() {
        let alerts = [alert("r", "h1", &[], 0), alert("r", "h2", &[], 20_000)];
        let last = entry(&[&alerts[0].id], 10_000);
        let g = view(&alerts, &[]);
        assert_eq!(decide(&g, Some(&last), &route(), 69_999), None);
        assert_eq!(
            decide(&g, Some(&last), &route(), 70_000),
            Some(NotificationKind::Firing)
        );
    }

    #[test]
    fn resolved_alerts_are_sent_only_with_send_resolved() {
        let mut gone = alert("r", "h", &[], 0);
        gone.state = AlertState::Resolved;
        let resolved = [gone];
        let last = entry(&[&resolved[0].id], 10_000);
        let g = view(&[], &resolved);
        assert_eq!(
            decide(&g, Some(&last), &route(), 70_000),
            Some(NotificationKind::Resolved)
        );
        let quiet = RouteSettings {
            send_resolved: false,
            ..route()
        };
        assert_eq!(decide(&g, Some(&last), &quiet, 70_000), None);
        assert_eq!(
            next_entry(&g, Some(&last), "default", &quiet, None, 70_000),
            None
        );
    }

    #[test]
    fn muted_alert_leaves_the_set_silently_and_returns_as_new() {
        let alerts = [alert("r", "h", &[], 0)];
        let last = entry(&[&alerts[0].id], 10_000);
        let muted = view(&[], &[]);
        assert_eq!(decide(&muted, Some(&last), &route(), 20_000), None);
        let after = next_entry(&muted, Some(&last), "default", &route(), None, 20_000);
        assert_eq!(after, None);
        let back = view(&alerts, &[]);
        assert_eq!(
            decide(&back, after.as_ref(), &route(), 30_000),
            Some(NotificationKind::Firing)
        );
    }

    #[test]
    fn pending_resolved_notice_is_kept_until_sent() {
        let mut gone = alert("r", "h", &[], 0);
        gone.state = AlertState::Resolved;
        let resolved = [gone];
        let last = entry(&[&resolved[0].id], 10_000);
        let g = view(&[], &resolved);
        assert_eq!(decide(&g, Some(&last), &route(), 30_000), None);
        let kept = next_entry(&g, Some(&last), "default", &route(), None, 30_000).unwrap();
        assert!(kept.resolved.contains_key(&resolved[0].id));
        assert_eq!(kept.last_sent_ms, 10_000);
    }
}
