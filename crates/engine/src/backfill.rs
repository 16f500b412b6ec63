//! Fills the window cache from stored history, at start and after a reload adds metrics,
//! so windowed rules (averages, anomaly, forecast) work at once instead of after an hour.

use crate::Engine;
use crate::window::Extract;
use hostpulse_core::Labels;
use hostpulse_store::{HostState, RangeQuery};

/// Windows longer than this are filled from 1-minute rollups instead of raw samples.
const RAW_BACKFILL_MS: i64 = 3_600_000;

impl Engine {
    /// Backfills `metrics` (every kept metric when `None`) for every known host.
    pub(crate) async fn backfill(&self, metrics: Option<Vec<String>>) {
        let keep = self
            .windows
            .read()
            .map(|w| w.keep().clone())
            .unwrap_or_default();
        let wanted: Vec<(String, i64)> = keep
            .into_iter()
            .filter(|(m, _)| metrics.as_ref().is_none_or(|list| list.contains(m)))
            .collect();
        let hosts = self.deps.store.hosts().await.unwrap_or_default();
        let now = self.deps.clock.now_ms();
        for host in &hosts {
            for (metric, window_ms) in &wanted {
                let extract = self.history(host, metric, now - window_ms, now).await;
                if let Ok(mut windows) = self.windows.write() {
                    windows.apply(&host.name, extract);
                }
            }
        }
    }

    /// Stored points of one metric of one host in `[from_ms, to_ms]`.
    pub(crate) async fn history(
        &self,
        host: &HostState,
        metric: &str,
        from_ms: i64,
        to_ms: i64,
    ) -> Extract {
        let interval = i64::try_from(host.interval_ms).unwrap_or(5000).max(1000);
        let step_ms = if to_ms - from_ms > RAW_BACKFILL_MS {
            interval.max(60_000)
        } else {
            interval
        };
        let span_points = (to_ms - from_ms) / step_ms;
        let step_ms = if span_points > 10_000 {
            (to_ms - from_ms) / 10_000 + 1
        } else {
            step_ms
        };
        let query = RangeQuery {
            host: host.name.clone(),
            metric: metric.to_string(),
            labels: Labels::new(),
            start_ms: from_ms,
            end_ms: to_ms + 1,
            step_ms,
        };
        let Ok(result) = self.deps.store.query_range(query).await else {
            return Extract::default();
        };
        let mut points = Vec::new();
        for series in result.series {
            for p in series.points {
                points.push((metric.to_string(), series.labels.clone(), p.ts_ms, p.avg));
            }
        }
        let newest_ms = points.iter().map(|p| p.2).max();
        Extract { points, newest_ms }
    }
}
