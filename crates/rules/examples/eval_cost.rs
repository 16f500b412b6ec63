//! Evaluation cost: the built-in rules plus an anomaly rule over 1,000 hosts with realistic
//! 5-second data held in memory; prints CPU time per evaluation cycle (evaluate + lifecycle).
//!
//! Run: `cargo run --release -p hostpulse-rules --example eval_cost`

use std::collections::BTreeMap;

use hostpulse_core::Labels;
use hostpulse_rules::RuleConfig;
use hostpulse_rules::{Lifecycle, MemorySource, Rule, compile_all, default_rules};

const HOSTS: usize = 1_000;
const STEP_MS: i64 = 5_000;
const HOUR_MS: i64 = 3_600_000;
const NOW: i64 = 1_700_000_000_000;
const CYCLES: usize = 5;

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Deterministic pseudo-noise in [0, 1).
fn noise(seed: u64) -> f64 {
    let x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(17) ^ 0xA5A5_5A5A;
    (x.wrapping_mul(0xBF58_476D_1CE4_E5B9) >> 11) as f64 / (1u64 << 53) as f64
}

fn fill_host(src: &mut MemorySource, host: &str, h: u64) {
    src.set_interval(host, STEP_MS);
    let cores: Vec<Labels> = (0..4).map(|c| labels(&[("cpu", &c.to_string())])).collect();
    let mounts = [labels(&[("mount", "/")]), labels(&[("mount", "/var")])];
    let tcp = labels(&[("state", "established")]);
    let points = HOUR_MS / STEP_MS;
    for i in 0..=points {
        let t = NOW - HOUR_MS + i * STEP_MS;
        let seed = h * 1_000_003 + i as u64;
        // One host in 20 is busy, so some alerts go pending.
        let base = if h.is_multiple_of(20) { 88.0 } else { 30.0 };
        let cpu = base + 10.0 * noise(seed);
        src.push(host, "cpu.usage_percent", &Labels::new(), t, cpu);
        for (c, core) in cores.iter().enumerate() {
            src.push(
                host,
                "cpu.usage_percent",
                core,
                t,
                cpu + 10.0 * noise(seed + c as u64),
            );
        }
        src.push(
            host,
            "cpu.iowait_percent",
            &Labels::new(),
            t,
            2.0 * noise(seed + 7),
        );
        src.push(
            host,
            "mem.used_percent",
            &Labels::new(),
            t,
            60.0 + noise(seed + 8),
        );
        src.push(host, "mem.available_bytes", &Labels::new(), t, 4e9);
        src.push(host, "swap.used_percent", &Labels::new(), t, 5.0);
        src.push(
            host,
            "tcp.connections",
            &tcp,
            t,
            100.0 + 50.0 * noise(seed + 9),
        );
    }
    // Disk usage at one-minute resolution over 6 hours (as kept beyond the raw hour).
    for i in 0..=360 {
        let t = NOW - 6 * HOUR_MS + i * 60_000;
        for (m, mount) in mounts.iter().enumerate() {
            let used = 40.0 + 10.0 * m as f64 + i as f64 * 0.01 + noise(h + i as u64);
            src.push(host, "disk.used_percent", mount, t, used);
        }
    }
}

fn rules() -> Vec<Rule> {
    let mut configs = default_rules();
    configs.push(RuleConfig {
        name: "cpu_anomaly".into(),
        expr: "anomaly(cpu.usage_percent, window=1h, sigma=3)".into(),
        ..RuleConfig::default()
    });
    let (rules, errors) = compile_all(&configs, None, &BTreeMap::new());
    assert!(errors.is_empty(), "{errors:?}");
    rules
}

fn cpu_seconds() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec for the duration of the call.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 + ts.tv_nsec as f64 / 1e9
}

fn main() {
    let mut src = MemorySource::new();
    let hosts: Vec<String> = (0..HOSTS).map(|h| format!("host-{h:04}")).collect();
    for (h, host) in hosts.iter().enumerate() {
        fill_host(&mut src, host, h as u64);
    }
    let rules = rules();
    let mut lifecycle = Lifecycle::new();
    let annotations = BTreeMap::from([("host_ip".to_owned(), "10.0.0.1".to_owned())]);
    println!("{} hosts, {} rules per host", hosts.len(), rules.len());
    for cycle in 0..CYCLES {
        let now = NOW - (CYCLES - 1 - cycle) as i64 * STEP_MS;
        let (start, mut instances, mut transitions) = (cpu_seconds(), 0, 0);
        for host in &hosts {
            for rule in rules.iter().filter(|r| r.matches_host(host)) {
                let results = rule.evaluate(host, now, &src);
                instances += results.len();
                transitions += lifecycle
                    .apply(rule, host, &annotations, results, now)
                    .len();
            }
        }
        let cpu = cpu_seconds() - start;
        println!(
            "cycle {cycle}: {instances} rule instances, {transitions} transitions, {:.1} ms CPU",
            cpu * 1000.0
        );
    }
}
