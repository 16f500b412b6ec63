//! Backtests: replaying history, including a real NAB series for the anomaly rule.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed setup step should stop the test loudly"
)]

mod common;

use common::*;
use hostpulse_rules::{MemorySource, backtest};

#[test]
fn replays_only_past_data_at_each_step() {
    let mut src = MemorySource::new();
    src.set_interval("h1", 5 * SEC);
    // Hot from 10 to 20 minutes.
    fill(
        &mut src,
        "cpu.usage_percent",
        &labels(&[]),
        T0,
        5 * SEC,
        360,
        |i| {
            if (120..240).contains(&i) {
                95.0 + (i % 3) as f64
            } else {
                20.0
            }
        },
    );
    let rules = vec![with(hostpulse_rules::RuleConfig {
        for_duration: dur(2 * MIN),
        ..config("hot", "cpu.usage_percent > 85")
    })];
    let hosts = vec!["h1".to_owned(), "h2".to_owned()];
    let report = backtest(&rules, &hosts, &src, T0, T0 + 30 * MIN, 5 * SEC);
    assert_eq!(report.len(), 2);
    let h1 = &report[0];
    assert_eq!((h1.rule.as_str(), h1.host.as_str()), ("hot", "h1"));
    assert_eq!(h1.firings.len(), 1);
    let f = &h1.firings[0];
    assert_eq!(f.from_ms, T0 + 12 * MIN);
    assert_eq!(f.to_ms, Some(T0 + 20 * MIN));
    assert_eq!(f.peak, 97.0);
    assert_eq!(h1.total_firing_ms(T0 + 30 * MIN), 8 * MIN);
    assert!(report[1].firings.is_empty());
    // Ending while hot leaves the firing open.
    let open = backtest(&rules, &hosts[..1], &src, T0, T0 + 15 * MIN, 5 * SEC);
    assert_eq!(open[0].firings[0].to_ms, None);
}

fn nab_series() -> (MemorySource, i64, i64) {
    let text = include_str!("data/ec2_cpu_utilization_5f5533.csv");
    let mut src = MemorySource::new();
    src.set_interval("ec2", 5 * MIN);
    let (mut first, mut last) = (i64::MAX, 0);
    for line in text.lines().skip(1) {
        let (stamp, value) = line.split_once(',').expect("two columns");
        let at = epoch_ms(stamp);
        src.push(
            "ec2",
            "cpu.usage_percent",
            &labels(&[]),
            at,
            value.parse().expect("number"),
        );
        first = first.min(at);
        last = last.max(at);
    }
    (src, first, last)
}

/// `YYYY-MM-DD HH:MM:SS` (UTC) to epoch ms.
fn epoch_ms(stamp: &str) -> i64 {
    let civil: jiff::civil::DateTime = stamp.parse().expect("a NAB timestamp");
    jiff::tz::TimeZone::UTC
        .to_timestamp(civil)
        .expect("in range")
        .as_millisecond()
}

#[test]
fn anomaly_on_real_cpu_data_fires_inside_the_labelled_window() {
    assert_eq!(epoch_ms("1970-01-02 00:00:00"), 86_400_000);
    let (src, first, last) = nab_series();
    let rules = vec![rule(
        "anomaly(cpu.usage_percent, window=6h, sigma=4, min_history=3h)",
    )];
    let report = backtest(&rules, &["ec2".to_owned()], &src, first, last, 5 * MIN);
    let firings = &report[0].firings;
    assert!(!firings.is_empty() && firings.len() <= 3, "{firings:?}");
    let windows = [
        (
            epoch_ms("2014-02-18 16:02:00"),
            epoch_ms("2014-02-19 08:42:00"),
        ),
        (
            epoch_ms("2014-02-24 10:17:00"),
            epoch_ms("2014-02-25 02:57:00"),
        ),
    ];
    let inside = firings
        .iter()
        .filter(|f| windows.iter().any(|(a, b)| (*a..=*b).contains(&f.from_ms)))
        .count();
    assert!(inside >= 1, "{firings:?}");
    assert!(
        inside * 2 >= firings.len(),
        "mostly false alarms: {firings:?}"
    );
}
