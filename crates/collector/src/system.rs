//! System and load families: uptime, boot time (`/proc/uptime`, `btime`) and load averages.

use crate::error::CollectError;
use crate::family::{Cycle, Family};
use crate::read::ProcFile;
use hostpulse_core::Sample;
use std::path::Path;

/// Load averages over 1, 5 and 15 minutes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LoadAverage {
    /// Average over 1 minute.
    pub one: f64,
    /// Average over 5 minutes.
    pub five: f64,
    /// Average over 15 minutes.
    pub fifteen: f64,
}

/// Parses `/proc/loadavg`.
pub fn parse_loadavg(text: &str) -> Result<LoadAverage, CollectError> {
    let mut fields = text.split_ascii_whitespace().map(|f| {
        f.parse::<f64>()
            .map_err(|_| CollectError::parse("/proc/loadavg", format!("bad load {f:?}")))
    });
    let mut next = || {
        fields
            .next()
            .unwrap_or_else(|| Err(CollectError::parse("/proc/loadavg", "too few fields")))
    };
    Ok(LoadAverage {
        one: next()?,
        five: next()?,
        fifteen: next()?,
    })
}

/// Parses the uptime in seconds, the first field of `/proc/uptime`.
pub fn parse_uptime(text: &str) -> Result<f64, CollectError> {
    let field = text.split_ascii_whitespace().next().unwrap_or("");
    field
        .parse()
        .map_err(|_| CollectError::parse("/proc/uptime", format!("bad uptime {field:?}")))
}

/// The load family: reads `/proc/loadavg`.
#[derive(Debug)]
pub struct LoadCollector {
    loadavg: ProcFile,
}

impl LoadCollector {
    /// A collector reading `PROC/loadavg`.
    pub fn new(proc_path: &Path) -> Self {
        Self {
            loadavg: ProcFile::new(proc_path.join("loadavg")),
        }
    }
}

impl Family for LoadCollector {
    fn name(&self) -> &'static str {
        "load"
    }

    /// Emits `load.1`, `load.5`, `load.15`.
    fn collect(&mut self, cycle: &mut Cycle<'_>) -> Result<(), CollectError> {
        let (reader, out) = cycle.io();
        let load = parse_loadavg(self.loadavg.read(reader)?)?;
        out.push(Sample::new("load.1", load.one));
        out.push(Sample::new("load.5", load.five));
        out.push(Sample::new("load.15", load.fifteen));
        Ok(())
    }
}

/// The system family: reads `/proc/uptime`, and the boot time from the cycle's `/proc/stat`.
#[derive(Debug)]
pub struct SystemCollector {
    uptime: ProcFile,
}

impl SystemCollector {
    /// A collector reading `PROC/uptime`.
    pub fn new(proc_path: &Path) -> Self {
        Self {
            uptime: ProcFile::new(proc_path.join("uptime")),
        }
    }
}

impl Family for SystemCollector {
    fn name(&self) -> &'static str {
        "system"
    }

    /// Emits the boot time (when `/proc/stat` gave it) and the uptime.
    fn collect(&mut self, cycle: &mut Cycle<'_>) -> Result<(), CollectError> {
        let (stat, reader, frame) = cycle.with_stat();
        let out = &mut frame.samples;
        if let Some(btime) = stat.ok().and_then(|s| s.boot_time_secs) {
            out.push(Sample::new("system.boot_time_seconds", btime as f64));
        }
        let uptime = parse_uptime(self.uptime.read(reader)?)?;
        out.push(Sample::new("system.uptime_seconds", uptime.floor()));
        Ok(())
    }
}
