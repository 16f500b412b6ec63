//! The samples of one container, labelled `container` (its name) and `image`.

use super::parse::StatsReading;
use crate::rate::{counter_delta, counter_rate, round2};
use hostpulse_core::{ContainerInfo, Sample};

fn sample(name: &str, value: f64, info: &ContainerInfo) -> Sample {
    Sample::new(name, value)
        .with_label("container", info.name.as_str())
        .with_label("image", info.image.as_str())
}

/// `container.running`, `container.restarts`, `container.oom_kills` and, for a container
/// with a health check that has a verdict, `container.healthy`.
pub fn push_state(out: &mut Vec<Sample>, info: &ContainerInfo, oom_kills: u64) {
    let running = if info.state == "running" { 1.0 } else { 0.0 };
    out.push(sample("container.running", running, info));
    out.push(sample(
        "container.restarts",
        info.restart_count as f64,
        info,
    ));
    out.push(sample("container.oom_kills", oom_kills as f64, info));
    let healthy = match info.health.as_str() {
        "healthy" => Some(1.0),
        "unhealthy" => Some(0.0),
        _ => None,
    };
    if let Some(value) = healthy {
        out.push(sample("container.healthy", value, info));
    }
}

/// `container.mem_bytes` and `container.mem_limit_bytes` of every reading.
pub fn push_stats<'a>(
    out: &mut Vec<Sample>,
    readings: &[(String, StatsReading)],
    info_of: impl Fn(&str) -> Option<&'a ContainerInfo>,
) {
    for (id, r) in readings {
        if let Some(info) = info_of(id) {
            out.push(sample("container.mem_bytes", r.mem_bytes as f64, info));
            out.push(sample(
                "container.mem_limit_bytes",
                r.mem_limit_bytes as f64,
                info,
            ));
        }
    }
}

/// CPU use (percent of one core) and the network and block I/O rates between two readings
/// `secs` apart; a counter that went down (the container restarted) gives no rate.
pub fn push_rates(
    out: &mut Vec<Sample>,
    info: &ContainerInfo,
    before: &StatsReading,
    now: &StatsReading,
    secs: f64,
) {
    if secs <= 0.0 {
        return;
    }
    if now.cpu_total_ns >= before.cpu_total_ns {
        let used = (now.cpu_total_ns - before.cpu_total_ns) as f64 / 1e9;
        out.push(sample(
            "container.cpu_percent",
            round2(used / secs * 100.0),
            info,
        ));
    }
    let pairs = [
        (
            "container.net_rx_bytes_per_sec",
            before.net_rx_bytes,
            now.net_rx_bytes,
        ),
        (
            "container.net_tx_bytes_per_sec",
            before.net_tx_bytes,
            now.net_tx_bytes,
        ),
        (
            "container.blkio_read_bytes_per_sec",
            before.blkio_read_bytes,
            now.blkio_read_bytes,
        ),
        (
            "container.blkio_write_bytes_per_sec",
            before.blkio_write_bytes,
            now.blkio_write_bytes,
        ),
    ];
    for (name, b, n) in pairs {
        // 64-bit counters: a decrease is a reset, never a 32-bit wrap.
        if n < b || counter_delta(b, n).is_none() {
            continue;
        }
        if let Some(rate) = counter_rate(b, n, secs) {
            out.push(sample(name, rate, info));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(state: &str, health: &str) -> ContainerInfo {
        ContainerInfo {
            name: "web".into(),
            image: "nginx".into(),
            state: state.into(),
            health: health.into(),
            restart_count: 2,
            ..ContainerInfo::default()
        }
    }

    fn value(out: &[Sample], name: &str) -> Option<f64> {
        out.iter().find(|s| s.name == name).map(|s| s.value)
    }

    #[test]
    fn state_gauges_for_running_stopped_and_health() {
        let mut out = Vec::new();
        push_state(&mut out, &info("running", "healthy"), 1);
        assert_eq!(value(&out, "container.running"), Some(1.0));
        assert_eq!(value(&out, "container.healthy"), Some(1.0));
        assert_eq!(value(&out, "container.restarts"), Some(2.0));
        assert_eq!(value(&out, "container.oom_kills"), Some(1.0));
        let mut out = Vec::new();
        push_state(&mut out, &info("exited", ""), 0);
        assert_eq!(value(&out, "container.running"), Some(0.0));
        assert_eq!(value(&out, "container.healthy"), None);
        assert_eq!(
            out[0].labels.get("container").map(String::as_str),
            Some("web")
        );
        assert_eq!(
            out[0].labels.get("image").map(String::as_str),
            Some("nginx")
        );
    }

    #[test]
    fn rates_over_the_interval_and_none_after_a_reset() {
        let before = StatsReading {
            cpu_total_ns: 1_000_000_000,
            net_rx_bytes: 100,
            blkio_write_bytes: 1 << 40,
            ..StatsReading::default()
        };
        let now = StatsReading {
            cpu_total_ns: 1_500_000_000,
            net_rx_bytes: 300,
            blkio_write_bytes: 5,
            ..StatsReading::default()
        };
        let mut out = Vec::new();
        push_rates(&mut out, &info("running", ""), &before, &now, 2.0);
        assert_eq!(value(&out, "container.cpu_percent"), Some(25.0));
        assert_eq!(value(&out, "container.net_rx_bytes_per_sec"), Some(100.0));
        assert_eq!(value(&out, "container.net_tx_bytes_per_sec"), Some(0.0));
        assert_eq!(value(&out, "container.blkio_write_bytes_per_sec"), None);
        let restarted = StatsReading {
            cpu_total_ns: 10,
            ..StatsReading::default()
        };
        let mut out = Vec::new();
        push_rates(&mut out, &info("running", ""), &now, &restarted, 1.0);
        assert_eq!(value(&out, "container.cpu_percent"), None);
        assert_eq!(value(&out, "container.net_rx_bytes_per_sec"), None);
    }
}
