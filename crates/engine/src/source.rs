//! The rules' view of recent data: the window cache plus a snapshot of host states.

use crate::window::WindowCache;
use hostpulse_core::CollectorError;
use hostpulse_rules::{SeriesSource, SeriesVisitor};
use hostpulse_store::HostState;
use std::collections::HashMap;

/// Recent samples and host states as of one evaluation.
pub struct EngineSource<'a> {
    pub windows: &'a WindowCache,
    pub hosts: &'a HashMap<String, HostState>,
}

impl SeriesSource for EngineSource<'_> {
    fn for_each_series(&self, host: &str, metric: &str, f: &mut SeriesVisitor<'_>) {
        let Some(series) = self.windows.host(host).and_then(|h| h.metrics.get(metric)) else {
            return;
        };
        for (labels, window) in series {
            f(labels, window.as_slice());
        }
    }

    fn last_seen_ms(&self, host: &str) -> Option<i64> {
        self.hosts.get(host).map(|h| h.last_seen_ms)
    }

    fn interval_ms(&self, host: &str) -> Option<i64> {
        self.hosts
            .get(host)
            .and_then(|h| i64::try_from(h.interval_ms).ok())
    }

    fn collector_errors(&self, host: &str) -> Vec<CollectorError> {
        self.hosts
            .get(host)
            .map(|h| h.collector_errors.clone())
            .unwrap_or_default()
    }
}
