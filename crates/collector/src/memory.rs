//! Memory family: RAM and swap from `/proc/meminfo`, swap paging rates from `/proc/vmstat`.

use crate::error::CollectError;
use crate::family::{Cycle, Family};
use crate::rate::{counter_rate, percent};
use crate::read::{ProcFile, field_after, parse_u64};
use hostpulse_core::Sample;
use std::path::Path;
use std::time::Instant;

/// `/proc/meminfo` values the family uses, in bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MemInfo {
    /// `MemTotal`: usable RAM.
    pub total: u64,
    /// `MemFree`: RAM not used for anything.
    pub free: u64,
    /// `MemAvailable`: RAM that can be had without swapping (free plus reclaimable caches).
    pub available: u64,
    /// `Cached`: page cache.
    pub cached: u64,
    /// `Buffers`: block device buffers.
    pub buffers: u64,
    /// `SwapTotal`: swap space.
    pub swap_total: u64,
    /// `SwapFree`: swap space not in use.
    pub swap_free: u64,
}

/// Parses `/proc/meminfo`; kernels before 3.14 lack `MemAvailable`, estimated as free + buffers + cached.
pub fn parse_meminfo(text: &str) -> Result<MemInfo, CollectError> {
    let kib = |key: &str| -> Result<Option<u64>, CollectError> {
        field_after(text, key)
            .map(|v| parse_u64(v, "/proc/meminfo").map(|k| k * 1024))
            .transpose()
    };
    let required = |key: &str| -> Result<u64, CollectError> {
        kib(key)?.ok_or_else(|| CollectError::parse("/proc/meminfo", format!("no {key}")))
    };
    let total = required("MemTotal")?;
    let free = required("MemFree")?;
    let buffers = kib("Buffers")?.unwrap_or(0);
    let cached = kib("Cached")?.unwrap_or(0);
    let available = kib("MemAvailable")?
        .unwrap_or(free + buffers + cached)
        .min(total);
    Ok(MemInfo {
        total,
        free,
        available,
        cached,
        buffers,
        swap_total: kib("SwapTotal")?.unwrap_or(0),
        swap_free: kib("SwapFree")?.unwrap_or(0),
    })
}

/// Pages swapped in and out since boot (`pswpin`, `pswpout` of `/proc/vmstat`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SwapActivity {
    /// Pages swapped in (`pswpin`).
    pub pages_in: u64,
    /// Pages swapped out (`pswpout`).
    pub pages_out: u64,
}

/// Parses the swap counters of `/proc/vmstat`.
pub fn parse_vmstat(text: &str) -> Result<SwapActivity, CollectError> {
    let counter = |key: &str| {
        field_after(text, key)
            .ok_or_else(|| CollectError::parse("/proc/vmstat", format!("no {key}")))
            .and_then(|v| parse_u64(v, "/proc/vmstat"))
    };
    Ok(SwapActivity {
        pages_in: counter("pswpin")?,
        pages_out: counter("pswpout")?,
    })
}

/// Samples of one meminfo reading.
pub fn memory_samples(m: &MemInfo, out: &mut Vec<Sample>) {
    let used = m.total.saturating_sub(m.available);
    let swap_used = m.swap_total.saturating_sub(m.swap_free);
    out.extend([
        Sample::new("mem.total_bytes", m.total as f64),
        Sample::new("mem.available_bytes", m.available as f64),
        Sample::new("mem.used_bytes", used as f64),
        Sample::new("mem.used_percent", percent(used as f64, m.total as f64)),
        Sample::new("mem.cached_bytes", m.cached as f64),
        Sample::new("mem.buffers_bytes", m.buffers as f64),
        Sample::new("swap.total_bytes", m.swap_total as f64),
        Sample::new("swap.used_bytes", swap_used as f64),
        Sample::new(
            "swap.used_percent",
            percent(swap_used as f64, m.swap_total as f64),
        ),
    ]);
}

/// Keeps the previous swap counters for rates.
#[derive(Debug)]
pub struct MemoryCollector {
    meminfo: ProcFile,
    vmstat: ProcFile,
    previous: Option<(SwapActivity, Instant)>,
}

impl MemoryCollector {
    /// A collector reading `PROC/meminfo` and `PROC/vmstat`.
    pub fn new(proc_path: &Path) -> Self {
        Self {
            meminfo: ProcFile::new(proc_path.join("meminfo")),
            vmstat: ProcFile::new(proc_path.join("vmstat")),
            previous: None,
        }
    }
}

impl Family for MemoryCollector {
    fn name(&self) -> &'static str {
        "memory"
    }

    /// Emits memory and swap samples.
    fn collect(&mut self, cycle: &mut Cycle<'_>) -> Result<(), CollectError> {
        let (reader, out) = cycle.io();
        let info = parse_meminfo(self.meminfo.read(reader)?)?;
        memory_samples(&info, out);
        let activity = parse_vmstat(self.vmstat.read(reader)?)?;
        let now = Instant::now();
        if let Some((before, at)) = self.previous {
            let secs = now.duration_since(at).as_secs_f64();
            if let Some(rate) = counter_rate(before.pages_in, activity.pages_in, secs) {
                out.push(Sample::new("swap.in_pages_per_sec", rate));
            }
            if let Some(rate) = counter_rate(before.pages_out, activity.pages_out, secs) {
                out.push(Sample::new("swap.out_pages_per_sec", rate));
            }
        }
        self.previous = Some((activity, now));
        Ok(())
    }
}
