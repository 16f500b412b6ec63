//! The names of every metric the agent sends, as documented in docs/metrics.md (a test keeps
//! the two equal); rule checks warn about names outside it.

/// Every metric name the agent's collectors emit.
pub const AGENT_METRICS: &[&str] = &[
    "cpu.usage_percent",
    "cpu.user_percent",
    "cpu.system_percent",
    "cpu.iowait_percent",
    "cpu.steal_percent",
    "cpu.cores_logical",
    "cpu.cores_physical",
    "cpu.frequency_mhz",
    "load.1",
    "load.5",
    "load.15",
    "mem.total_bytes",
    "mem.available_bytes",
    "mem.used_bytes",
    "mem.used_percent",
    "mem.cached_bytes",
    "mem.buffers_bytes",
    "swap.total_bytes",
    "swap.used_bytes",
    "swap.used_percent",
    "swap.in_pages_per_sec",
    "swap.out_pages_per_sec",
    "disk.total_bytes",
    "disk.free_bytes",
    "disk.used_percent",
    "disk.inodes_used_percent",
    "disk.read_bytes_per_sec",
    "disk.write_bytes_per_sec",
    "disk.read_ops_per_sec",
    "disk.write_ops_per_sec",
    "disk.busy_percent",
    "net.rx_bytes_per_sec",
    "net.tx_bytes_per_sec",
    "net.rx_packets_per_sec",
    "net.tx_packets_per_sec",
    "net.rx_errors_per_sec",
    "net.tx_errors_per_sec",
    "net.rx_drops_per_sec",
    "net.tx_drops_per_sec",
    "tcp.connections",
    "proc.count",
    "proc.running",
    "proc.blocked",
    "users.logged_in",
    "system.uptime_seconds",
    "system.boot_time_seconds",
    "container.running",
    "container.healthy",
    "container.restarts",
    "container.oom_kills",
    "container.cpu_percent",
    "container.mem_bytes",
    "container.mem_limit_bytes",
    "container.net_rx_bytes_per_sec",
    "container.net_tx_bytes_per_sec",
    "container.blkio_read_bytes_per_sec",
    "container.blkio_write_bytes_per_sec",
];

/// Whether the agent sends a metric of this name.
pub fn is_agent_metric(name: &str) -> bool {
    AGENT_METRICS.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// Families of docs/metrics.md whose `family.name` words in backticks are metric names.
    const FAMILIES: &[&str] = &[
        "cpu",
        "load",
        "mem",
        "swap",
        "disk",
        "net",
        "tcp",
        "proc",
        "users",
        "system",
        "container",
    ];

    fn documented() -> BTreeSet<String> {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/metrics.md");
        let text = std::fs::read_to_string(path).expect("read docs/metrics.md");
        text.split('`')
            .skip(1)
            .step_by(2)
            .filter(|word| {
                word.split_once('.').is_some_and(|(family, rest)| {
                    FAMILIES.contains(&family)
                        && !rest.is_empty()
                        && rest.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                })
            })
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn the_catalogue_is_what_docs_metrics_md_documents() {
        let catalogue: BTreeSet<String> = AGENT_METRICS.iter().map(|m| (*m).to_owned()).collect();
        assert_eq!(catalogue.len(), AGENT_METRICS.len(), "duplicates");
        let documented = documented();
        let undocumented: Vec<_> = catalogue.difference(&documented).collect();
        let missing: Vec<_> = documented.difference(&catalogue).collect();
        assert!(
            undocumented.is_empty() && missing.is_empty(),
            "not in docs/metrics.md: {undocumented:?}; documented but not in the catalogue: {missing:?}"
        );
        assert!(is_agent_metric("cpu.usage_percent"));
        assert!(!is_agent_metric("cpu.usage_percnt"));
    }
}
