//! After a start, the hub's own downtime is not the hosts' silence. A host known at the
//! start is not evaluated until its agent has caught up — it sent data newer than what the
//! hub had at the start, recent enough not to be stale — or until its grace period ends
//! (`alerting.restart_grace`, at least 3 × the host's interval). Until then its alerts keep
//! the state they had: nothing resolves, nothing fires, pending timers keep their start.

use std::collections::HashSet;
use std::time::Duration;

/// Intervals after which a host's newest data is stale (as in rule evaluation).
const STALE_INTERVALS: i64 = 3;
/// Interval assumed for a host that never reported one.
const DEFAULT_INTERVAL_MS: i64 = 5_000;

/// The hosts whose evaluation waits for their agent after a start.
#[derive(Debug, Default)]
pub struct RestartGrace {
    started_ms: i64,
    grace_ms: i64,
    held: HashSet<String>,
}

/// What the engine knows of a host when deciding whether it is still held.
#[derive(Debug, Clone, Copy)]
pub struct HostProgress {
    /// The interval the agent reported, ms (0 or `None` when unknown).
    pub interval_ms: Option<u64>,
    /// Collection time of the newest frame (or stored point) of the host.
    pub newest_ms: Option<i64>,
}

impl RestartGrace {
    /// Holds every host in `hosts` from `started_ms`.
    pub fn new(started_ms: i64, grace: Duration, hosts: impl IntoIterator<Item = String>) -> Self {
        Self {
            started_ms,
            grace_ms: i64::try_from(grace.as_millis()).unwrap_or(i64::MAX),
            held: hosts.into_iter().collect(),
        }
    }

    /// Whether `host` is still held at `now_ms`. A host is let go for good once its newest
    /// data is recent enough not to be stale, or when its grace period has ended.
    pub fn holds(&mut self, host: &str, progress: HostProgress, now_ms: i64) -> bool {
        if !self.held.contains(host) {
            return false;
        }
        let stale_ms = stale_ms(progress.interval_ms);
        let deadline = self.started_ms.saturating_add(self.grace_ms.max(stale_ms));
        let caught_up = progress
            .newest_ms
            .is_some_and(|newest| now_ms.saturating_sub(newest) <= stale_ms);
        if !caught_up && now_ms < deadline {
            return true;
        }
        self.held.remove(host);
        if caught_up {
            tracing::info!(
                host,
                "agent caught up after the start; evaluating its rules again"
            );
        } else {
            tracing::info!(
                host,
                "no recent data from the host within the restart grace period; evaluating its rules again"
            );
        }
        false
    }
}

fn stale_ms(interval_ms: Option<u64>) -> i64 {
    interval_ms
        .and_then(|i| i64::try_from(i).ok())
        .filter(|i| *i > 0)
        .unwrap_or(DEFAULT_INTERVAL_MS)
        .saturating_mul(STALE_INTERVALS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(newest_ms: i64) -> HostProgress {
        HostProgress {
            interval_ms: Some(1000),
            newest_ms: Some(newest_ms),
        }
    }

    fn grace(start: i64, grace: Duration) -> RestartGrace {
        RestartGrace::new(start, grace, ["web-1".to_string()])
    }

    #[test]
    fn holds_until_fresh_data_arrives() {
        let start = 1_000_000;
        let mut grace = grace(start, Duration::from_secs(60));
        assert!(grace.holds("web-1", at(start - 300_000), start));
        // A replayed spool batch from the outage: newer, but still stale.
        assert!(grace.holds("web-1", at(start - 200_000), start + 2000));
        // Data of the present: caught up, and let go for good.
        assert!(!grace.holds("web-1", at(start + 2500), start + 3000));
        assert!(!grace.holds("web-1", at(start - 300_000), start + 4000));
    }

    #[test]
    fn lets_go_when_the_grace_period_ends() {
        let start = 1_000_000;
        let mut grace = grace(start, Duration::from_secs(60));
        assert!(grace.holds("web-1", at(0), start + 59_999));
        assert!(!grace.holds("web-1", at(0), start + 60_000));
    }

    #[test]
    fn the_grace_period_is_at_least_three_intervals_and_new_hosts_are_not_held() {
        let start = 1_000_000;
        let slow = HostProgress {
            interval_ms: Some(60_000),
            newest_ms: None,
        };
        let mut grace = grace(start, Duration::ZERO);
        assert!(grace.holds("web-1", slow, start + 179_999));
        assert!(!grace.holds("web-1", slow, start + 180_000));
        assert!(!grace.holds("db-1", slow, start));
    }
}
