//! Value of each function on hand-made series.

mod common;

use common::*;
use hostpulse_core::CollectorError;
use hostpulse_rules::MemorySource;

fn ramp() -> MemorySource {
    let mut src = MemorySource::new();
    src.set_interval("h1", 5 * SEC);
    // 0, 1, 2, ..., 119 every 5 s: ten minutes.
    fill(
        &mut src,
        "cpu.usage_percent",
        &labels(&[]),
        T0,
        5 * SEC,
        120,
        |i| i as f64,
    );
    src
}

fn value(expr: &str, src: &MemorySource, now: i64) -> f64 {
    eval_one(&rule(expr), src, now).value
}

#[test]
fn aggregates_over_windows_end_at_now() {
    let src = ramp();
    let now = T0 + 119 * 5 * SEC;
    assert_eq!(value("last(cpu.usage_percent) > 0", &src, now), 119.0);
    assert_eq!(value("cpu.usage_percent > 0", &src, now), 119.0);
    // (now-1m, now]: 12 points 108..=119.
    assert_eq!(value("avg(cpu.usage_percent, 1m) > 0", &src, now), 113.5);
    assert_eq!(value("min(cpu.usage_percent, 1m) > 0", &src, now), 108.0);
    assert_eq!(value("max(cpu.usage_percent, 1m) > 0", &src, now), 119.0);
    assert_eq!(value("sum(cpu.usage_percent, 1m) > 0", &src, now), 1362.0);
    assert_eq!(value("count(cpu.usage_percent, 1m) > 0", &src, now), 12.0);
    assert_eq!(value("delta(cpu.usage_percent, 1m) > 0", &src, now), 11.0);
    // 1 unit per 5 s.
    assert!((value("rate(cpu.usage_percent, 5m) > 0", &src, now) - 0.2).abs() < 1e-9);
    assert_eq!(
        value("percentile(cpu.usage_percent, 50, 1m) > 0", &src, now),
        113.5
    );
    assert_eq!(
        value("percentile(cpu.usage_percent, 100, 1m) > 0", &src, now),
        119.0
    );
    // Evaluated in the past: later points are ignored.
    assert_eq!(
        value("last(cpu.usage_percent) > 0", &src, T0 + 10 * 5 * SEC),
        10.0
    );
    assert_eq!(
        value("max(cpu.usage_percent, 1m) > 0", &src, T0 + 20 * 5 * SEC),
        20.0
    );
}

#[test]
fn arithmetic_and_units() {
    let mut src = MemorySource::new();
    let root = labels(&[("mount", "/")]);
    src.push("h1", "disk.total_bytes", &root, T0, 1e9);
    src.push("h1", "disk.free_bytes", &root, T0, 2e8);
    let r = eval_one(
        &rule("(disk.total_bytes - disk.free_bytes) / disk.total_bytes * 100 > 75"),
        &src,
        T0,
    );
    assert!(r.holds);
    assert!((r.value - 80.0).abs() < 1e-9);
    assert_eq!(r.labels, root);
    assert!(eval_one(&rule("disk.free_bytes < 500MB"), &src, T0).holds);
    assert!(!eval_one(&rule("disk.free_bytes < 100MB"), &src, T0).holds);
}

#[test]
fn stale_series_are_absent() {
    let src = ramp();
    let last = T0 + 119 * 5 * SEC;
    assert_eq!(
        rule("cpu.usage_percent > 0")
            .evaluate("h1", last + 15 * SEC, &src)
            .len(),
        1
    );
    assert!(
        rule("cpu.usage_percent > 0")
            .evaluate("h1", last + 16 * SEC, &src)
            .is_empty()
    );
}

#[test]
fn per_label_instances_and_matchers() {
    let mut src = MemorySource::new();
    src.push("h1", "cpu.usage_percent", &labels(&[]), T0, 40.0);
    for (cpu, v) in [("0", 99.0), ("1", 10.0)] {
        src.push("h1", "cpu.usage_percent", &labels(&[("cpu", cpu)]), T0, v);
    }
    // A bare reference is the host total.
    let total = rule("cpu.usage_percent > 95").evaluate("h1", T0, &src);
    assert_eq!(total.len(), 1);
    assert!(total[0].labels.is_empty() && !total[0].holds);
    let cores = rule("cpu.usage_percent{cpu!=\"\"} > 95").evaluate("h1", T0, &src);
    assert_eq!(cores.len(), 2);
    let hot: Vec<_> = cores.iter().filter(|r| r.holds).collect();
    assert_eq!(hot.len(), 1);
    assert_eq!(hot[0].labels, labels(&[("cpu", "0")]));
    assert_eq!(
        hot[0].summary,
        "cpu.usage_percent{cpu!=\"\"}{cpu=\"0\"} = 99 > 95"
    );
    let re = rule("cpu.usage_percent{cpu=~\"1|2\"} > 5").evaluate("h1", T0, &src);
    assert_eq!(re.len(), 1);
    assert_eq!(re[0].labels, labels(&[("cpu", "1")]));
}

#[test]
fn or_and_combine_by_label_set_and_broadcast_unlabelled() {
    let mut src = MemorySource::new();
    src.push("h1", "mem.used_percent", &labels(&[]), T0, 50.0);
    src.push("h1", "mem.available_bytes", &labels(&[]), T0, 3e8);
    let r = eval_one(
        &rule("mem.used_percent > 90 or mem.available_bytes < 500MB"),
        &src,
        T0,
    );
    assert!(r.holds);
    assert_eq!(r.value, 3e8);
    assert!(
        !eval_one(
            &rule("mem.used_percent > 90 and mem.available_bytes < 500MB"),
            &src,
            T0
        )
        .holds
    );
    assert!(eval_one(&rule("not mem.used_percent > 90"), &src, T0).holds);
    for (mount, v) in [("/", 95.0), ("/var", 50.0)] {
        src.push(
            "h1",
            "disk.used_percent",
            &labels(&[("mount", mount)]),
            T0,
            v,
        );
    }
    let both = rule("disk.used_percent > 90 and mem.used_percent > 10").evaluate("h1", T0, &src);
    assert_eq!(both.len(), 2);
    assert!(
        both.iter()
            .any(|r| r.holds && r.labels == labels(&[("mount", "/")]))
    );
    assert!(
        both.iter()
            .any(|r| !r.holds && r.labels == labels(&[("mount", "/var")]))
    );
}

#[test]
fn absent_counts_silence() {
    let mut src = MemorySource::new();
    src.touch("h1", T0);
    let r = rule("absent(5m)");
    assert!(!eval_one(&r, &src, T0 + 5 * MIN).holds);
    let down = eval_one(&r, &src, T0 + 5 * MIN + 1);
    assert!(down.holds);
    assert!(
        down.summary.starts_with("no data from h1 for 5m"),
        "{}",
        down.summary
    );
    assert!(eval_one(&r, &MemorySource::new(), T0).holds);
}

#[test]
fn collector_failed_one_instance_per_family() {
    let mut src = MemorySource::new();
    let error = |family: &str| CollectorError {
        family: family.into(),
        message: "statvfs failed".into(),
    };
    src.set_collector_errors("h1", vec![error("disk"), error("tcp")]);
    let all = rule("collector_failed()").evaluate("h1", T0, &src);
    assert_eq!(all.len(), 2);
    assert!(all.iter().all(|r| r.holds));
    let disk = eval_one(&rule("collector_failed(\"disk\")"), &src, T0);
    assert_eq!(disk.labels, labels(&[("family", "disk")]));
    assert!(
        rule("collector_failed(\"net\")")
            .evaluate("h1", T0, &src)
            .is_empty()
    );
}

/// A flat series with small deterministic noise, then one value at the end.
fn noisy_then(last: f64) -> MemorySource {
    let mut src = MemorySource::new();
    src.set_interval("h1", 5 * SEC);
    fill(
        &mut src,
        "cpu.usage_percent",
        &labels(&[]),
        T0,
        5 * SEC,
        720,
        |i| 10.0 + [0.0, 0.05, -0.05, 0.1, -0.1][i % 5],
    );
    src.push(
        "h1",
        "cpu.usage_percent",
        &labels(&[]),
        T0 + 720 * 5 * SEC,
        last,
    );
    src
}

#[test]
fn anomaly_ignores_noise_below_min_deviation_and_flags_spikes() {
    let now = T0 + 720 * 5 * SEC;
    let r = rule("anomaly(cpu.usage_percent, window=1h, sigma=2, min_deviation=2)");
    // 10.5 is many sigmas above a near-flat series, but only 0.5 away: no alert.
    let quiet = eval_one(&r, &noisy_then(10.5), now);
    assert!(!quiet.holds);
    let spike = eval_one(&r, &noisy_then(40.0), now);
    assert!(spike.holds);
    assert_eq!(spike.value, 40.0);
    let bound = spike.threshold.expect("bound");
    assert!(bound > 10.0 && bound < 10.3, "{bound}");
    assert!(
        spike.annotations["baseline"].starts_with("10 ± 2·0.07"),
        "{:?}",
        spike.annotations
    );
    // Direction below ignores the spike up; both catches a dip.
    assert!(
        !eval_one(
            &rule("anomaly(cpu.usage_percent, direction=below)"),
            &noisy_then(40.0),
            now
        )
        .holds
    );
    assert!(
        eval_one(
            &rule("anomaly(cpu.usage_percent, direction=both)"),
            &noisy_then(1.0),
            now
        )
        .holds
    );
    // Not enough history yet: no verdict.
    assert!(
        rule("anomaly(cpu.usage_percent, window=1h)")
            .evaluate("h1", T0 + 10 * MIN, &noisy_then(40.0))
            .is_empty()
    );
}

#[test]
fn forecast_of_a_linear_fill_says_when_it_crosses() {
    let mut src = MemorySource::new();
    src.set_interval("h1", MIN);
    let root = labels(&[("mount", "/")]);
    // 50 % rising 2 % per hour, one point a minute for 6 hours, with small noise.
    fill(&mut src, "disk.used_percent", &root, T0, MIN, 361, |i| {
        50.0 + 2.0 * i as f64 / 60.0 + [0.0, 0.3, -0.3][i % 3]
    });
    let now = T0 + 360 * MIN;
    // Now at 62 %: +12 in 6 h reaches 74 %; 100 % is 19 h away.
    let six = eval_one(&rule("forecast(disk.used_percent, 6h) > 100"), &src, now);
    assert!(!six.holds);
    assert!((six.value - 74.0).abs() < 0.5, "{}", six.value);
    let day = eval_one(&rule("forecast(disk.used_percent, 24h) > 100"), &src, now);
    assert!(day.holds);
    let text = &day.annotations["forecast"];
    let hours: i64 = text
        .strip_prefix("crosses 100 in ")
        .and_then(|rest| rest.split('h').next())
        .and_then(|h| h.parse().ok())
        .unwrap_or_else(|| panic!("unexpected annotation {text}"));
    assert!((18..=19).contains(&hours), "{text}");
    // Too little history: no forecast.
    assert!(
        rule("forecast(disk.used_percent, 24h) > 100")
            .evaluate("h1", T0 + 30 * MIN, &src)
            .is_empty()
    );
}
