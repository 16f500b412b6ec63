//! What rule evaluation reads: recent samples per host, last-seen times, collector errors;
//! plus [`MemorySource`], a simple in-memory implementation for tests, backtests and benches.

use std::collections::HashMap;

use hostpulse_core::{CollectorError, Labels};

/// One sample of a series: (time ms, value).
pub type Point = (i64, f64);

/// Receives each series of a metric: its labels and its points, sorted by time.
pub type SeriesVisitor<'a> = dyn FnMut(&Labels, &[Point]) + 'a;

/// Recent data of every host, as the engine keeps it.
pub trait SeriesSource {
    /// Calls `f` with every series of `metric` on `host`: its labels and its points
    /// `(time ms, value)` sorted by time. Points after the evaluation time may be present
    /// (backtests); evaluation ignores them.
    fn for_each_series(&self, host: &str, metric: &str, f: &mut SeriesVisitor<'_>);

    /// When the host last sent data, if ever.
    fn last_seen_ms(&self, host: &str) -> Option<i64>;

    /// When the host last sent data at or before `at_ms`. The provided implementation
    /// clamps [`SeriesSource::last_seen_ms`] to `at_ms`, which is right for live data;
    /// sources holding history (backtests) must override it.
    fn last_seen_at(&self, host: &str, at_ms: i64) -> Option<i64> {
        self.last_seen_ms(host).map(|seen| seen.min(at_ms))
    }

    /// The host's collection interval, if known (used for staleness: 3 intervals).
    fn interval_ms(&self, host: &str) -> Option<i64>;

    /// Collector families the host currently reports as failing.
    fn collector_errors(&self, host: &str) -> Vec<CollectorError>;
}

/// Series of one host.
#[derive(Debug, Default, Clone)]
struct HostData {
    metrics: HashMap<String, Vec<(Labels, Vec<Point>)>>,
    /// Times data arrived, sorted.
    seen: Vec<i64>,
    interval_ms: Option<i64>,
    errors: Vec<CollectorError>,
}

/// An in-memory [`SeriesSource`] holding whole histories.
#[derive(Debug, Default, Clone)]
pub struct MemorySource {
    hosts: HashMap<String, HostData>,
}

impl MemorySource {
    /// A source with no hosts.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends one point; points of a series must be pushed in time order.
    pub fn push(&mut self, host: &str, metric: &str, labels: &Labels, at_ms: i64, value: f64) {
        let data = self.hosts.entry(host.to_owned()).or_default();
        let series = data.metrics.entry(metric.to_owned()).or_default();
        match series.iter_mut().find(|(l, _)| l == labels) {
            Some((_, points)) => points.push((at_ms, value)),
            None => series.push((labels.clone(), vec![(at_ms, value)])),
        }
        if data.seen.last().is_none_or(|last| *last < at_ms) {
            data.seen.push(at_ms);
        }
    }

    /// Records that the host sent data at `at_ms` without any sample.
    pub fn touch(&mut self, host: &str, at_ms: i64) {
        let data = self.hosts.entry(host.to_owned()).or_default();
        if data.seen.last().is_none_or(|last| *last < at_ms) {
            data.seen.push(at_ms);
        }
    }

    /// Sets the host's collection interval in ms (staleness counts 3 of them); creates the
    /// host if new.
    pub fn set_interval(&mut self, host: &str, interval_ms: i64) {
        self.hosts.entry(host.to_owned()).or_default().interval_ms = Some(interval_ms);
    }

    /// Replaces the collector families the host reports as failing (read by
    /// `collector_failed(...)`); creates the host if new.
    pub fn set_collector_errors(&mut self, host: &str, errors: Vec<CollectorError>) {
        self.hosts.entry(host.to_owned()).or_default().errors = errors;
    }

    /// Every host name, sorted.
    pub fn hosts(&self) -> Vec<String> {
        let mut hosts: Vec<String> = self.hosts.keys().cloned().collect();
        hosts.sort();
        hosts
    }
}

impl SeriesSource for MemorySource {
    fn for_each_series(&self, host: &str, metric: &str, f: &mut SeriesVisitor<'_>) {
        let Some(series) = self.hosts.get(host).and_then(|d| d.metrics.get(metric)) else {
            return;
        };
        for (labels, points) in series {
            f(labels, points);
        }
    }

    fn last_seen_ms(&self, host: &str) -> Option<i64> {
        self.hosts.get(host)?.seen.last().copied()
    }

    fn last_seen_at(&self, host: &str, at_ms: i64) -> Option<i64> {
        let seen = &self.hosts.get(host)?.seen;
        let end = seen.partition_point(|t| *t <= at_ms);
        end.checked_sub(1).map(|i| seen[i])
    }

    fn interval_ms(&self, host: &str) -> Option<i64> {
        self.hosts.get(host)?.interval_ms
    }

    fn collector_errors(&self, host: &str) -> Vec<CollectorError> {
        self.hosts
            .get(host)
            .map(|d| d.errors.clone())
            .unwrap_or_default()
    }
}
