//! System and load families: uptime, boot time (`/proc/uptime`, `btime`) and load averages.

use crate::error::CollectError;
use crate::read::{FileReader, ProcFile};
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

/// Reads `/proc/loadavg` and `/proc/uptime`.
#[derive(Debug)]
pub struct SystemCollector {
    loadavg: ProcFile,
    uptime: ProcFile,
}

impl SystemCollector {
    /// A collector reading `PROC/loadavg` and `PROC/uptime`.
    pub fn new(proc_path: &Path) -> Self {
        Self {
            loadavg: ProcFile::new(proc_path.join("loadavg")),
            uptime: ProcFile::new(proc_path.join("uptime")),
        }
    }

    /// Emits `load.1`, `load.5`, `load.15`.
    pub fn collect_load(
        &mut self,
        reader: &mut FileReader,
        out: &mut Vec<Sample>,
    ) -> Result<(), CollectError> {
        let load = parse_loadavg(self.loadavg.read(reader)?)?;
        out.push(Sample::new("load.1", load.one));
        out.push(Sample::new("load.5", load.five));
        out.push(Sample::new("load.15", load.fifteen));
        Ok(())
    }

    /// Emits uptime and, when `/proc/stat` gave it, boot time.
    pub fn collect_system(
        &mut self,
        reader: &mut FileReader,
        boot_time_secs: Option<u64>,
        out: &mut Vec<Sample>,
    ) -> Result<(), CollectError> {
        if let Some(btime) = boot_time_secs {
            out.push(Sample::new("system.boot_time_seconds", btime as f64));
        }
        let uptime = parse_uptime(self.uptime.read(reader)?)?;
        out.push(Sample::new("system.uptime_seconds", uptime.floor()));
        Ok(())
    }
}
