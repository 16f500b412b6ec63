//! The stats reply of one container: CPU time, memory less cache, network and block I/O
//! byte counters.

use super::json;
use crate::containers::ContainerError;
use serde::Deserialize;
use std::collections::HashMap;

/// The counters of one `GET /containers/{id}/stats?stream=false` reply.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StatsReading {
    /// CPU time used since the container started, nanoseconds.
    pub cpu_total_ns: u64,
    /// Memory in use less the reclaimable file cache, bytes.
    pub mem_bytes: u64,
    /// The memory limit (the host's memory when unlimited), bytes.
    pub mem_limit_bytes: u64,
    /// Bytes received over every interface.
    pub net_rx_bytes: u64,
    /// Bytes sent over every interface.
    pub net_tx_bytes: u64,
    /// Bytes read from block devices.
    pub blkio_read_bytes: u64,
    /// Bytes written to block devices.
    pub blkio_write_bytes: u64,
}

#[derive(Deserialize, Default)]
struct RawStats {
    #[serde(default)]
    cpu_stats: RawCpu,
    #[serde(default)]
    memory_stats: RawMemory,
    #[serde(default)]
    networks: Option<HashMap<String, RawNet>>,
    #[serde(default)]
    blkio_stats: RawBlkio,
}

#[derive(Deserialize, Default)]
struct RawCpu {
    #[serde(default)]
    cpu_usage: RawCpuUsage,
}

#[derive(Deserialize, Default)]
struct RawCpuUsage {
    #[serde(default)]
    total_usage: u64,
}

#[derive(Deserialize, Default)]
struct RawMemory {
    #[serde(default)]
    usage: u64,
    #[serde(default)]
    limit: u64,
    #[serde(default)]
    stats: Option<HashMap<String, u64>>,
}

#[derive(Deserialize, Default)]
struct RawNet {
    #[serde(default)]
    rx_bytes: u64,
    #[serde(default)]
    tx_bytes: u64,
}

#[derive(Deserialize, Default)]
struct RawBlkio {
    #[serde(default)]
    io_service_bytes_recursive: Option<Vec<RawBlkioEntry>>,
}

#[derive(Deserialize)]
struct RawBlkioEntry {
    #[serde(default)]
    op: String,
    #[serde(default)]
    value: u64,
}

/// Parses one stats reply. Memory is `usage` less the inactive file cache (cgroup v2
/// `inactive_file`, v1 `total_inactive_file`), as `docker stats` shows it.
pub fn parse_stats(body: &[u8]) -> Result<StatsReading, ContainerError> {
    let raw: RawStats = json("container stats", body)?;
    let m = &raw.memory_stats;
    let cache = m.stats.as_ref().map_or(0, |s| {
        s.get("inactive_file")
            .or_else(|| s.get("total_inactive_file"))
            .copied()
            .unwrap_or(0)
    });
    let nets = raw.networks.unwrap_or_default();
    let blk = raw
        .blkio_stats
        .io_service_bytes_recursive
        .unwrap_or_default();
    let op_sum = |op: &str| -> u64 {
        blk.iter()
            .filter(|e| e.op.eq_ignore_ascii_case(op))
            .map(|e| e.value)
            .sum()
    };
    Ok(StatsReading {
        cpu_total_ns: raw.cpu_stats.cpu_usage.total_usage,
        mem_bytes: m.usage.saturating_sub(cache),
        mem_limit_bytes: m.limit,
        net_rx_bytes: nets.values().map(|n| n.rx_bytes).sum(),
        net_tx_bytes: nets.values().map(|n| n.tx_bytes).sum(),
        blkio_read_bytes: op_sum("read"),
        blkio_write_bytes: op_sum("write"),
    })
}
