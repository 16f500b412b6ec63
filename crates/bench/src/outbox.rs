//! Seeding a stopped hub's outbox: pending notifications for one receiver, spread over
//! groups (one host each), written through the store API in chunks.

use hostpulse_core::{
    Alert, AlertState, Clock, DeliveryStatus, Labels, Notification, NotificationKind, Severity,
    SystemClock, alert_fingerprint,
};
use hostpulse_store::prelude::*;
use hostpulse_store::{AlertChanges, SqliteOptions, SqliteStore, StoreError};
use std::path::Path;
use std::sync::Arc;

/// Rule name carried by every seeded alert.
pub const SEED_RULE: &str = "bench_cpu_high";
/// Notifications written per store transaction.
pub const SEED_CHUNK: usize = 5_000;

/// What to put in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedPlan {
    /// Receiver the notifications are addressed to (`sink` in the benchmark config).
    pub receiver: String,
    /// Pending notifications.
    pub count: usize,
    /// Groups they are spread over, round robin; each group is one host.
    pub groups: usize,
}

impl SeedPlan {
    /// `count` notifications for `receiver` over `groups` groups (`None`: count / 10, at least 1).
    pub fn new(receiver: &str, count: usize, groups: Option<usize>) -> Self {
        Self {
            receiver: receiver.to_string(),
            count,
            groups: groups.unwrap_or(count / 10).max(1),
        }
    }

    /// Host name of group `group`.
    pub fn host(group: usize) -> String {
        format!("bench-{group:06}")
    }

    /// Notification number `index` (0-based), created at `created_ms`.
    pub fn notification(&self, index: usize, created_ms: i64) -> Notification {
        let host = Self::host(index % self.groups);
        Notification {
            id: 0,
            receiver: self.receiver.clone(),
            group_key: format!("route0{{host={host:?}}}"),
            group_labels: Labels::from([("host".to_string(), host.clone())]),
            kind: NotificationKind::Firing,
            severity: Severity::Critical,
            alerts: vec![firing_alert(&host, created_ms)],
            created_ms,
            status: DeliveryStatus::Pending,
            attempts: 0,
            last_error: None,
            escalation_step: None,
            provider_ids: Vec::new(),
        }
    }
}

/// A firing CPU alert on `host`, as the rule engine would raise it.
fn firing_alert(host: &str, now_ms: i64) -> Alert {
    let labels = Labels::from([("team".to_string(), "ops".to_string())]);
    Alert {
        id: alert_fingerprint(SEED_RULE, host, &labels),
        rule: SEED_RULE.into(),
        host: host.into(),
        labels,
        severity: Severity::Critical,
        state: AlertState::Firing,
        value: 97.0,
        threshold: Some(90.0),
        summary: format!("CPU usage on {host} is 97% (threshold 90%)"),
        description: "cpu.usage_percent > 90 for 1m".into(),
        annotations: Default::default(),
        active_since_ms: now_ms - 60_000,
        firing_since_ms: Some(now_ms),
        resolved_ms: None,
        last_eval_ms: now_ms,
        ack: None,
        dry_run: false,
    }
}

/// Writes the plan's notifications into `data_dir/hostpulse.db` (created if missing) in
/// chunks of [`SEED_CHUNK`], oldest first, then shuts the store down cleanly.
pub async fn seed_outbox(data_dir: &Path, plan: &SeedPlan) -> Result<(), StoreError> {
    std::fs::create_dir_all(data_dir)?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let now_ms = clock.now_ms();
    let store = SqliteStore::open(SqliteOptions::new(data_dir.join("hostpulse.db")), clock).await?;
    // Creation times end just before now, one millisecond apart, in outbox order.
    let first_ms = now_ms - plan.count as i64;
    let mut start = 0;
    while start < plan.count {
        let end = (start + SEED_CHUNK).min(plan.count);
        let notifications = (start..end)
            .map(|i| plan.notification(i, first_ms + i as i64))
            .collect();
        let changes = AlertChanges {
            notifications,
            ..Default::default()
        };
        store.save_alert_changes(changes).await?;
        start = end;
    }
    store.shutdown().await
}

#[cfg(test)]
mod tests {
    use super::*;
    use hostpulse_store::NotificationQuery;
    use std::collections::BTreeSet;

    #[test]
    fn groups_default_to_a_tenth_and_are_never_zero() {
        assert_eq!(SeedPlan::new("sink", 100_000, None).groups, 10_000);
        assert_eq!(SeedPlan::new("sink", 5, None).groups, 1);
        assert_eq!(SeedPlan::new("sink", 50, Some(7)).groups, 7);
    }

    #[test]
    fn notifications_go_round_robin_over_one_host_per_group() {
        let plan = SeedPlan::new("sink", 30, Some(3));
        let hosts: Vec<String> = (0..6)
            .map(|i| plan.notification(i, 1_000).alerts[0].host.clone())
            .collect();
        assert_eq!(hosts[0], hosts[3]);
        assert_eq!(hosts.iter().collect::<BTreeSet<_>>().len(), 3);
        let n = plan.notification(4, 1_000);
        assert_eq!(n.receiver, "sink");
        assert_eq!(
            n.group_key,
            format!("route0{{host={:?}}}", n.alerts[0].host)
        );
        assert_eq!(n.status, DeliveryStatus::Pending);
    }

    #[tokio::test]
    async fn seeds_every_notification_pending_across_chunks() {
        let dir = tempfile::tempdir().unwrap();
        let plan = SeedPlan::new("sink", SEED_CHUNK + 7, Some(4));
        seed_outbox(dir.path(), &plan).await.unwrap();

        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let options = SqliteOptions::new(dir.path().join("hostpulse.db"));
        let store = SqliteStore::open(options, clock).await.unwrap();
        let query = NotificationQuery {
            limit: 10,
            ..Default::default()
        };
        let page = store.notifications(query).await.unwrap();
        store.shutdown().await.unwrap();
        assert_eq!(page.notifications.len(), 10);
        assert!(
            page.notifications
                .iter()
                .all(|n| n.status == DeliveryStatus::Pending && n.receiver == "sink")
        );
        let count = rusqlite::Connection::open(dir.path().join("hostpulse.db"))
            .unwrap()
            .query_row("SELECT count(*) FROM notifications", [], |row| {
                row.get::<_, i64>(0)
            })
            .unwrap();
        assert_eq!(count, (SEED_CHUNK + 7) as i64);
    }
}
