//! Network family: per-interface traffic, packet, error and drop rates from `/proc/net/dev`.

use crate::error::CollectError;
use crate::family::{Cycle, Family};
use crate::rate::{PreviousReading, counter_rate};
use crate::read::{ProcFile, parse_u64};
use hostpulse_core::Sample;
use std::path::Path;

/// Metric names, in the order of [`NetCounters::values`].
const METRICS: [&str; 8] = [
    "net.rx_bytes_per_sec",
    "net.tx_bytes_per_sec",
    "net.rx_packets_per_sec",
    "net.tx_packets_per_sec",
    "net.rx_errors_per_sec",
    "net.tx_errors_per_sec",
    "net.rx_drops_per_sec",
    "net.tx_drops_per_sec",
];

/// Cumulative counters of one interface.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NetCounters {
    /// Bytes received.
    pub rx_bytes: u64,
    /// Packets received.
    pub rx_packets: u64,
    /// Receive errors.
    pub rx_errors: u64,
    /// Received packets dropped.
    pub rx_drops: u64,
    /// Bytes sent.
    pub tx_bytes: u64,
    /// Packets sent.
    pub tx_packets: u64,
    /// Transmit errors.
    pub tx_errors: u64,
    /// Packets dropped on sending.
    pub tx_drops: u64,
}

impl NetCounters {
    /// Counters in the order of [`METRICS`].
    fn values(&self) -> [u64; 8] {
        [
            self.rx_bytes,
            self.tx_bytes,
            self.rx_packets,
            self.tx_packets,
            self.rx_errors,
            self.tx_errors,
            self.rx_drops,
            self.tx_drops,
        ]
    }
}

/// Parses `/proc/net/dev` into `(interface, counters)`, skipping the loopback `lo`.
///
/// The name ends at the line's last `:` (names may contain `:`, and a big counter may
/// touch the colon).
pub fn parse_net_dev(text: &str) -> Result<Vec<(String, NetCounters)>, CollectError> {
    let mut interfaces = Vec::new();
    for line in text.lines().skip(2) {
        let Some((name, counters)) = line.rsplit_once(':') else {
            continue;
        };
        let name = name.trim();
        if name == "lo" || name.is_empty() {
            continue;
        }
        let mut v = [0u64; 16];
        let mut count = 0;
        for (slot, field) in v.iter_mut().zip(counters.split_ascii_whitespace()) {
            *slot = parse_u64(field, "/proc/net/dev")?;
            count += 1;
        }
        if count < 16 {
            return Err(CollectError::parse(
                "/proc/net/dev",
                format!("short line for {name}"),
            ));
        }
        interfaces.push((
            name.to_string(),
            NetCounters {
                rx_bytes: v[0],
                rx_packets: v[1],
                rx_errors: v[2],
                rx_drops: v[3],
                tx_bytes: v[8],
                tx_packets: v[9],
                tx_errors: v[10],
                tx_drops: v[11],
            },
        ));
    }
    Ok(interfaces)
}

/// Emits the rates of one interface; a counter that was reset yields no sample this time.
pub fn push_net_rates(
    iface: &str,
    prev: &NetCounters,
    cur: &NetCounters,
    elapsed_secs: f64,
    out: &mut Vec<Sample>,
) {
    for ((name, before), now) in METRICS.iter().zip(prev.values()).zip(cur.values()) {
        if let Some(rate) = counter_rate(before, now, elapsed_secs) {
            out.push(Sample::new(*name, rate).with_label("iface", iface));
        }
    }
}

/// Keeps the previous counters of each interface.
#[derive(Debug)]
pub struct NetCollector {
    file: ProcFile,
    previous: PreviousReading<NetCounters>,
}

impl NetCollector {
    /// A collector reading `PROC/net/dev`.
    pub fn new(proc_path: &Path) -> Self {
        Self {
            file: ProcFile::new(proc_path.join("net/dev")),
            previous: PreviousReading::default(),
        }
    }
}

impl Family for NetCollector {
    fn name(&self) -> &'static str {
        "net"
    }

    /// Emits per-interface rates (none on the first reading).
    fn collect(&mut self, cycle: &mut Cycle<'_>) -> Result<(), CollectError> {
        let (reader, out) = cycle.io();
        let interfaces = parse_net_dev(self.file.read(reader)?)?;
        self.previous
            .advance(interfaces, |name, before, counters, secs| {
                push_net_rates(name, before, counters, secs, out);
            });
        Ok(())
    }
}
