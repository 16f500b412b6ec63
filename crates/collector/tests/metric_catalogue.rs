//! Every metric the collectors emit on this host is in the catalogue rule checks use
//! (`hostpulse_core::AGENT_METRICS`, itself checked against docs/metrics.md).

use hostpulse_collector::{Collector, CollectorConfig};
use hostpulse_core::is_agent_metric;
use std::collections::BTreeSet;

#[test]
fn every_collected_metric_is_in_the_catalogue() {
    let config = CollectorConfig {
        process_interval_ms: 0,
        ..CollectorConfig::default()
    };
    let mut collector = Collector::new(config);
    let first = collector.collect(1_000);
    std::thread::sleep(std::time::Duration::from_millis(50));
    let second = collector.collect(2_000);
    let names: BTreeSet<&str> = first
        .samples
        .iter()
        .chain(&second.samples)
        .map(|sample| sample.name.as_str())
        .collect();
    assert!(names.len() > 20, "too few metrics collected: {names:?}");
    let unknown: Vec<&&str> = names.iter().filter(|name| !is_agent_metric(name)).collect();
    assert!(
        unknown.is_empty(),
        "collected but not in AGENT_METRICS (and docs/metrics.md): {unknown:?}"
    );
}
