//! Every metric the collectors emit on this host is in the catalogue rule checks use
//! (`hostpulse_core::AGENT_METRICS`, itself checked against docs/metrics.md), and each
//! family sends only the metrics docs/metrics.md's family table lists for it.
#![allow(
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed setup step should stop the test loudly"
)]

use hostpulse_collector::{Collector, CollectorConfig, FAMILIES};
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

/// The metric names docs/metrics.md's family table gives `family`.
fn documented_metrics(family: &str) -> BTreeSet<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/metrics.md");
    let text = std::fs::read_to_string(path).expect("read docs/metrics.md");
    let row_start = format!("| `{family}` |");
    let row = text
        .lines()
        .find(|line| line.starts_with(&row_start))
        .unwrap_or_else(|| panic!("docs/metrics.md has no family row for {family}"));
    let metrics = row.split('|').nth(2).unwrap_or_default();
    metrics
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

#[test]
fn each_family_alone_sends_the_metrics_its_docs_row_lists() {
    // `containers` needs an engine: tests/containers_podman.rs checks it against podman.
    for family in FAMILIES.iter().filter(|f| **f != "containers") {
        let mut collector = Collector::new(CollectorConfig {
            process_interval_ms: 0,
            families: vec![(*family).to_owned()],
            ..CollectorConfig::default()
        });
        assert_eq!(collector.family_names(), [*family]);
        let first = collector.collect(1_000);
        std::thread::sleep(std::time::Duration::from_millis(50));
        let second = collector.collect(2_000);
        let sent: BTreeSet<String> = first
            .samples
            .iter()
            .chain(&second.samples)
            .map(|sample| sample.name.clone())
            .collect();
        let documented = documented_metrics(family);
        assert!(!sent.is_empty(), "{family} sent nothing");
        assert!(
            sent.is_subset(&documented),
            "{family} sent {sent:?}, docs/metrics.md lists {documented:?}"
        );
    }
}
