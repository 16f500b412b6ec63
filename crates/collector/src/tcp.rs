//! TCP family: connections per state, counted with netlink sock_diag (falls back to
//! `/proc/net/sockstat` and `/proc/net/snmp`, which know fewer states).

mod netlink;

use crate::error::CollectError;
use crate::family::{Cycle, Family};
use crate::read::FileReader;
use hostpulse_core::Sample;
use std::path::{Path, PathBuf};
use std::time::Instant;

pub use netlink::{DiagSocket, DumpRequest, DumpStatus, build_request, count_dump_messages};

/// Label values of `tcp.connections`, indexed by kernel TCP state number minus one.
pub const TCP_STATES: [&str; 11] = [
    "established",
    "syn_sent",
    "syn_recv",
    "fin_wait1",
    "fin_wait2",
    "time_wait",
    "close",
    "close_wait",
    "last_ack",
    "listen",
    "closing",
];

/// Connection counts, indexed like [`TCP_STATES`].
pub type StateCounts = [u64; 11];

/// After netlink fails, how long to use the fallback before trying netlink again
/// (a missing `inet_diag` module would otherwise make the kernel try to load it every cycle).
const NETLINK_RETRY_MS: i64 = 600_000;

/// Adds one socket in kernel state `state` to `counts` (`TCP_NEW_SYN_RECV` counts as syn_recv).
pub fn count_state(counts: &mut StateCounts, state: u8) {
    let index = match state {
        12 => 2,
        1..=11 => usize::from(state - 1),
        _ => return,
    };
    counts[index] += 1;
}

/// The fallback's figures: established from `/proc/net/snmp`, time_wait from sockstat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FallbackCounts {
    /// Connections in ESTABLISHED (`CurrEstab` of `/proc/net/snmp`).
    pub established: u64,
    /// Sockets in TIME_WAIT (`tw` of `/proc/net/sockstat`).
    pub time_wait: u64,
}

/// `CurrEstab` of the `Tcp:` lines of `/proc/net/snmp` (IPv4 and IPv6 together).
pub fn parse_snmp_curr_estab(text: &str) -> Option<u64> {
    let mut tcp_lines = text.lines().filter(|l| l.starts_with("Tcp:"));
    let header = tcp_lines.next()?;
    let values = tcp_lines.next()?;
    let index = header
        .split_ascii_whitespace()
        .position(|f| f == "CurrEstab")?;
    values.split_ascii_whitespace().nth(index)?.parse().ok()
}

/// The `tw` count of the `TCP:` line of `/proc/net/sockstat`.
pub fn parse_sockstat_time_wait(text: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with("TCP:"))?;
    let mut fields = line.split_ascii_whitespace();
    fields.find(|f| *f == "tw")?;
    fields.next()?.parse().ok()
}

/// The netlink dump may use 1/10000 of one core: the kernel walks its whole TCP hash table
/// (262144 buckets on a 24 GB machine, about 1.7 ms), so a costly dump is refreshed less often.
const DUMP_COST_FACTOR: u32 = 10_000;
/// Longest time between two dumps, milliseconds.
const MAX_DUMP_INTERVAL_MS: i64 = 30_000;

/// Counts TCP connections; the counts of the last dump are emitted every cycle.
#[derive(Debug)]
pub struct TcpCollector {
    socket: Option<DiagSocket>,
    /// The legacy one-walk request failed once; use one request per address family.
    legacy_unsupported: bool,
    netlink_retry_at_ms: Option<i64>,
    next_dump_ms: Option<i64>,
    last_counts: Option<StateCounts>,
    seq: u32,
    buf: Vec<u8>,
    snmp_path: PathBuf,
    sockstat_path: PathBuf,
}

impl TcpCollector {
    /// A collector asking the kernel over netlink (sock_diag), falling back to
    /// `PROC/net/snmp` and `PROC/net/sockstat`.
    pub fn new(proc_path: &Path) -> Self {
        Self {
            socket: None,
            legacy_unsupported: false,
            netlink_retry_at_ms: None,
            next_dump_ms: None,
            last_counts: None,
            seq: 0,
            buf: Vec::new(),
            snmp_path: proc_path.join("net/snmp"),
            sockstat_path: proc_path.join("net/sockstat"),
        }
    }

    /// The connection counts from netlink, or from `/proc` while netlink fails.
    fn emit(
        &mut self,
        reader: &mut FileReader,
        now_ms: i64,
        out: &mut Vec<Sample>,
    ) -> Result<(), CollectError> {
        if self.netlink_retry_at_ms.is_none_or(|at| now_ms >= at) {
            match self.cached_or_dumped_counts(now_ms) {
                Ok(counts) => {
                    self.netlink_retry_at_ms = None;
                    push_counts(TCP_STATES.iter().copied().zip(counts), out);
                    return Ok(());
                }
                Err(e) => {
                    tracing::debug!(error = %e, "netlink sock_diag unavailable, using /proc fallback");
                    self.socket = None;
                    self.last_counts = None;
                    self.netlink_retry_at_ms = Some(now_ms.saturating_add(NETLINK_RETRY_MS));
                }
            }
        }
        let counts = self.fallback_counts(reader)?;
        push_counts(
            [
                ("established", counts.established),
                ("time_wait", counts.time_wait),
            ],
            out,
        );
        Ok(())
    }

    fn cached_or_dumped_counts(&mut self, now_ms: i64) -> Result<StateCounts, CollectError> {
        let due = self
            .next_dump_ms
            .is_none_or(|next| now_ms >= next || now_ms + MAX_DUMP_INTERVAL_MS < next);
        if let (Some(counts), false) = (self.last_counts, due) {
            return Ok(counts);
        }
        let started = Instant::now();
        let counts = self.netlink_counts()?;
        let cost = started.elapsed() * DUMP_COST_FACTOR;
        let wait_ms = i64::try_from(cost.as_millis()).unwrap_or(MAX_DUMP_INTERVAL_MS);
        self.next_dump_ms = Some(now_ms.saturating_add(wait_ms.min(MAX_DUMP_INTERVAL_MS)));
        self.last_counts = Some(counts);
        Ok(counts)
    }

    fn netlink_counts(&mut self) -> Result<StateCounts, CollectError> {
        if self.socket.is_none() {
            let socket =
                DiagSocket::open().map_err(|e| CollectError::Netlink(format!("sock_diag: {e}")))?;
            self.socket = Some(socket);
            self.buf.resize(netlink::RECV_BUFFER_BYTES, 0);
        }
        if !self.legacy_unsupported {
            match self.dump_all(&[DumpRequest::Legacy]) {
                Ok(counts) => return Ok(counts),
                Err(e) => {
                    tracing::debug!(error = %e, "legacy TCP dump refused, dumping per family");
                    self.legacy_unsupported = true;
                }
            }
        }
        let families = [libc::AF_INET, libc::AF_INET6].map(|f| DumpRequest::Family(f as u8));
        self.dump_all(&families)
    }

    fn dump_all(&mut self, requests: &[DumpRequest]) -> Result<StateCounts, CollectError> {
        let socket = self
            .socket
            .as_ref()
            .ok_or_else(|| CollectError::Netlink("no socket".into()))?;
        let mut counts = StateCounts::default();
        for request in requests {
            self.seq = self.seq.wrapping_add(1);
            socket.dump(*request, self.seq, &mut self.buf, &mut counts)?;
        }
        Ok(counts)
    }

    fn fallback_counts(&self, reader: &mut FileReader) -> Result<FallbackCounts, CollectError> {
        let snmp = reader.read(&self.snmp_path)?;
        let established = parse_snmp_curr_estab(snmp)
            .ok_or_else(|| CollectError::parse("/proc/net/snmp", "no Tcp CurrEstab"))?;
        let sockstat = reader.read(&self.sockstat_path)?;
        let time_wait = parse_sockstat_time_wait(sockstat)
            .ok_or_else(|| CollectError::parse("/proc/net/sockstat", "no TCP tw"))?;
        Ok(FallbackCounts {
            established,
            time_wait,
        })
    }
}

impl Family for TcpCollector {
    fn name(&self) -> &'static str {
        "tcp"
    }

    /// Emits `tcp.connections` per state: all 11 with netlink, 2 with the fallback.
    fn collect(&mut self, cycle: &mut Cycle<'_>) -> Result<(), CollectError> {
        let now_ms = cycle.now_ms();
        let (reader, out) = cycle.io();
        self.emit(reader, now_ms, out)
    }
}

fn push_counts<'a>(counts: impl IntoIterator<Item = (&'a str, u64)>, out: &mut Vec<Sample>) {
    for (state, count) in counts {
        out.push(Sample::new("tcp.connections", count as f64).with_label("state", state));
    }
}
