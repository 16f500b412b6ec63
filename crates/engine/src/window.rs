//! Recent samples of the metrics that rules read, per host and series, trimmed to the
//! longest window any rule needs. Fed from ingest; read by rule evaluation.

use hostpulse_core::Labels;
use hostpulse_proto::IngestBatch;
use std::collections::HashMap;

/// Points of one series, oldest first: a vector whose expired prefix is dropped lazily.
#[derive(Debug, Default)]
pub struct SeriesWindow {
    points: Vec<(i64, f64)>,
    start: usize,
}

impl SeriesWindow {
    fn push(&mut self, ts_ms: i64, value: f64, keep_from_ms: i64) {
        if self.points.last().is_some_and(|&(last, _)| ts_ms <= last) {
            return;
        }
        self.points.push((ts_ms, value));
        self.trim(keep_from_ms);
    }

    fn trim(&mut self, keep_from_ms: i64) {
        let live = &self.points[self.start..];
        self.start += live.partition_point(|&(ts, _)| ts < keep_from_ms);
        if self.start > 64 && self.start * 2 > self.points.len() {
            self.points.drain(..self.start);
            self.start = 0;
        }
    }

    /// The kept points, oldest first.
    pub fn as_slice(&self) -> &[(i64, f64)] {
        &self.points[self.start..]
    }

    /// Number of kept points.
    pub fn len(&self) -> usize {
        self.points.len() - self.start
    }

    /// Whether no point is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Every kept series of one metric on one host.
pub type MetricWindows = HashMap<Labels, SeriesWindow>;

/// Windows of one host.
#[derive(Debug, Default)]
pub struct HostWindows {
    pub metrics: HashMap<String, MetricWindows>,
    /// Collection time of the newest frame (or stored point) of the host seen so far.
    pub newest_ms: Option<i64>,
}

/// Recent samples of one batch, restricted to the metrics rules read.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Extract {
    pub points: Vec<(String, Labels, i64, f64)>,
    /// Collection time of the newest frame, also when no sample of it is kept.
    pub newest_ms: Option<i64>,
}

/// All hosts' windows plus how long each metric is kept.
#[derive(Debug, Default)]
pub struct WindowCache {
    /// Metric → how far back to keep, milliseconds.
    keep_ms: HashMap<String, i64>,
    hosts: HashMap<String, HostWindows>,
}

impl WindowCache {
    /// A cache keeping each metric for the given duration.
    pub fn new(keep_ms: HashMap<String, i64>) -> Self {
        Self {
            keep_ms,
            hosts: HashMap::new(),
        }
    }

    /// Changes what is kept (after a rules reload); drops metrics no rule reads.
    pub fn set_keep(&mut self, keep_ms: HashMap<String, i64>) {
        for host in self.hosts.values_mut() {
            host.metrics
                .retain(|metric, _| keep_ms.contains_key(metric));
        }
        self.keep_ms = keep_ms;
    }

    /// Metrics kept and for how long.
    pub fn keep(&self) -> &HashMap<String, i64> {
        &self.keep_ms
    }

    /// The samples of `batch` this cache keeps.
    pub fn extract(&self, batch: &IngestBatch) -> Extract {
        let mut points = Vec::new();
        for frame in &batch.frames {
            for sample in &frame.samples {
                if self.keep_ms.contains_key(&sample.name) {
                    points.push((
                        sample.name.clone(),
                        sample.labels.clone(),
                        frame.ts_ms,
                        sample.value,
                    ));
                }
            }
        }
        let newest_ms = batch.frames.iter().map(|f| f.ts_ms).max();
        Extract { points, newest_ms }
    }

    /// Adds extracted points of `host`.
    pub fn apply(&mut self, host: &str, extract: Extract) {
        let windows = self.hosts.entry(host.to_string()).or_default();
        windows.newest_ms = windows.newest_ms.max(extract.newest_ms);
        for (metric, labels, ts_ms, value) in extract.points {
            let Some(&keep) = self.keep_ms.get(&metric) else {
                continue;
            };
            windows
                .metrics
                .entry(metric)
                .or_default()
                .entry(labels)
                .or_default()
                .push(ts_ms, value, ts_ms - keep);
        }
    }

    /// Drops points older than each metric's window as of `now_ms`, and series left empty.
    pub fn trim(&mut self, now_ms: i64) {
        for host in self.hosts.values_mut() {
            for (metric, series) in &mut host.metrics {
                let keep = self.keep_ms.get(metric).copied().unwrap_or(0);
                for window in series.values_mut() {
                    window.trim(now_ms - keep);
                }
                series.retain(|_, w| !w.is_empty());
            }
        }
    }

    /// One host's windows.
    pub fn host(&self, host: &str) -> Option<&HostWindows> {
        self.hosts.get(host)
    }

    /// Number of points held, for metrics.
    pub fn point_count(&self) -> usize {
        self.hosts
            .values()
            .flat_map(|h| h.metrics.values())
            .flat_map(|m| m.values())
            .map(SeriesWindow::len)
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hostpulse_core::Sample;
    use hostpulse_proto::Frame;

    fn batch(ts: i64, samples: Vec<Sample>) -> IngestBatch {
        IngestBatch {
            frames: vec![Frame {
                ts_ms: ts,
                samples,
                ..Frame::default()
            }],
            ..IngestBatch::default()
        }
    }

    #[test]
    fn keeps_only_referenced_metrics_within_their_window() {
        let keep = HashMap::from([("cpu.usage_percent".to_string(), 10_000)]);
        let mut cache = WindowCache::new(keep);
        for i in 0..5 {
            let b = batch(
                i * 5000,
                vec![
                    Sample::new("cpu.usage_percent", i as f64),
                    Sample::new("load.1", 1.0),
                ],
            );
            let extract = cache.extract(&b);
            assert_eq!(extract.points.len(), 1);
            cache.apply("web-1", extract);
        }
        let host = cache.host("web-1").unwrap();
        let window = host
            .metrics
            .get("cpu.usage_percent")
            .unwrap()
            .get(&Labels::new())
            .unwrap();
        assert_eq!(
            window.as_slice(),
            &[(10_000, 2.0), (15_000, 3.0), (20_000, 4.0)]
        );
        assert!(!host.metrics.contains_key("load.1"));
    }

    #[test]
    fn ignores_out_of_order_points_and_trims_by_time() {
        let keep = HashMap::from([("x.y".to_string(), 1000)]);
        let mut cache = WindowCache::new(keep);
        cache.apply(
            "h",
            cache.extract(&batch(5000, vec![Sample::new("x.y", 1.0)])),
        );
        cache.apply(
            "h",
            cache.extract(&batch(4000, vec![Sample::new("x.y", 2.0)])),
        );
        assert_eq!(cache.point_count(), 1);
        cache.trim(10_000);
        assert_eq!(cache.point_count(), 0);
    }
}
