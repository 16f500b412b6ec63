//! Block device I/O family: throughput, operations and busy time from `/proc/diskstats`.

use crate::error::CollectError;
use crate::family::{Cycle, Family};
use crate::rate::{PreviousReading, counter_delta, counter_rate, percent, round2};
use crate::read::{ProcFile, parse_u64};
use hostpulse_core::Sample;
use std::path::Path;

/// `/proc/diskstats` sectors are always 512 bytes, whatever the device's sector size.
const SECTOR_BYTES: u64 = 512;

/// Device name prefixes that are not real storage: loop files, RAM disks, floppies, optical drives.
const SKIPPED_PREFIXES: &[&str] = &["loop", "ram", "zram", "fd", "sr"];

/// Cumulative counters of one block device.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DiskCounters {
    /// Reads completed.
    pub reads: u64,
    /// 512-byte sectors read.
    pub sectors_read: u64,
    /// Writes completed.
    pub writes: u64,
    /// 512-byte sectors written.
    pub sectors_written: u64,
    /// Milliseconds spent with I/O in flight.
    pub io_ticks_ms: u64,
}

/// Whether a device is watched: whole disks, partitions, dm-* and md* are; loop, ram, zram,
/// fd and sr devices are not.
pub fn is_monitored_device(name: &str) -> bool {
    !SKIPPED_PREFIXES.iter().any(|p| {
        name.strip_prefix(p)
            .is_some_and(|rest| rest.bytes().next().is_none_or(|b| b.is_ascii_digit()))
    })
}

/// Parses `/proc/diskstats` (11, 15, 17 or 20 counters per line) into `(device, counters)`.
pub fn parse_diskstats(text: &str) -> Result<Vec<(String, DiskCounters)>, CollectError> {
    let mut disks = Vec::new();
    for line in text.lines() {
        let mut fields = line.split_ascii_whitespace().skip(2);
        let Some(name) = fields.next() else { continue };
        if !is_monitored_device(name) {
            continue;
        }
        let mut values = [0u64; 10];
        let mut count = 0;
        for (slot, field) in values.iter_mut().zip(fields) {
            *slot = parse_u64(field, "/proc/diskstats")?;
            count += 1;
        }
        if count < 10 {
            return Err(CollectError::parse(
                "/proc/diskstats",
                format!("short line for {name}"),
            ));
        }
        disks.push((
            name.to_string(),
            DiskCounters {
                reads: values[0],
                sectors_read: values[2],
                writes: values[4],
                sectors_written: values[6],
                io_ticks_ms: values[9],
            },
        ));
    }
    Ok(disks)
}

/// Rates of one device between two readings `elapsed_secs` apart; `None` for a reset counter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DiskRates {
    /// Bytes read per second.
    pub read_bytes_per_sec: f64,
    /// Bytes written per second.
    pub write_bytes_per_sec: f64,
    /// Reads completed per second.
    pub read_ops_per_sec: f64,
    /// Writes completed per second.
    pub write_ops_per_sec: f64,
    /// Share of the interval with I/O in flight (utilisation, at most 100).
    pub busy_percent: f64,
}

/// Rates between two readings; `None` when a counter was reset.
pub fn disk_rates(prev: &DiskCounters, cur: &DiskCounters, elapsed_secs: f64) -> Option<DiskRates> {
    let busy_ms = counter_delta(prev.io_ticks_ms, cur.io_ticks_ms)?;
    Some(DiskRates {
        read_bytes_per_sec: sector_rate(prev.sectors_read, cur.sectors_read, elapsed_secs)?,
        write_bytes_per_sec: sector_rate(prev.sectors_written, cur.sectors_written, elapsed_secs)?,
        read_ops_per_sec: counter_rate(prev.reads, cur.reads, elapsed_secs)?,
        write_ops_per_sec: counter_rate(prev.writes, cur.writes, elapsed_secs)?,
        busy_percent: percent(busy_ms as f64, elapsed_secs * 1000.0),
    })
}

/// Bytes per second from sector counters (the wrap is of the sector counter, not of bytes).
fn sector_rate(prev: u64, cur: u64, elapsed_secs: f64) -> Option<f64> {
    if elapsed_secs <= 0.0 {
        return None;
    }
    let delta = counter_delta(prev, cur)?;
    Some(round2(
        delta.saturating_mul(SECTOR_BYTES) as f64 / elapsed_secs,
    ))
}

/// Keeps the previous counters of each device.
#[derive(Debug)]
pub struct DiskIoCollector {
    file: ProcFile,
    previous: PreviousReading<DiskCounters>,
}

impl DiskIoCollector {
    /// A collector reading `PROC/diskstats`.
    pub fn new(proc_path: &Path) -> Self {
        Self {
            file: ProcFile::new(proc_path.join("diskstats")),
            previous: PreviousReading::default(),
        }
    }
}

impl Family for DiskIoCollector {
    fn name(&self) -> &'static str {
        "diskio"
    }

    /// Emits per-device rates (none on the first reading).
    fn collect(&mut self, cycle: &mut Cycle<'_>) -> Result<(), CollectError> {
        let (reader, out) = cycle.io();
        let disks = parse_diskstats(self.file.read(reader)?)?;
        self.previous
            .advance(disks, |name, before, counters, secs| {
                if let Some(r) = disk_rates(before, counters, secs) {
                    push_rates(name, &r, out);
                }
            });
        Ok(())
    }
}

fn push_rates(device: &str, r: &DiskRates, out: &mut Vec<Sample>) {
    let labelled = |name: &str, value: f64| Sample::new(name, value).with_label("device", device);
    out.push(labelled("disk.read_bytes_per_sec", r.read_bytes_per_sec));
    out.push(labelled("disk.write_bytes_per_sec", r.write_bytes_per_sec));
    out.push(labelled("disk.read_ops_per_sec", r.read_ops_per_sec));
    out.push(labelled("disk.write_ops_per_sec", r.write_ops_per_sec));
    out.push(labelled("disk.busy_percent", r.busy_percent));
}
