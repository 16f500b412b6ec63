//! Human-readable output: one run, one database, and the side-by-side summary of
//! several settings against the targets.

use crate::disk::DiskReport;
use crate::run::RunReport;
use std::fmt::Write;

/// Target: acknowledged samples per second on a 2-core machine.
pub const TARGET_SAMPLES_PER_SECOND: f64 = 150_000.0;
/// Target: bytes on disk per stored sample.
pub const TARGET_BYTES_PER_SAMPLE: f64 = 4.0;

/// `1234567.8` as `1,234,568`.
pub fn thousands(value: f64) -> String {
    let digits = format!("{:.0}", value.max(0.0));
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

fn errors_line(run: &RunReport) -> String {
    if run.errors.is_empty() {
        return "none".into();
    }
    let parts: Vec<String> = run
        .errors
        .iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect();
    parts.join(", ")
}

/// The figures of one load run.
pub fn run_text(run: &RunReport) -> String {
    let mut out = String::new();
    let ratio = run.samples_per_second / TARGET_SAMPLES_PER_SECOND;
    let latency = &run.latency;
    let _ = writeln!(
        out,
        "load: {} agents, {} frame(s)/batch, {} series, window {:.1} s",
        run.agents,
        run.frames_per_batch,
        thousands(run.series as f64),
        run.window_seconds
    );
    let _ = writeln!(
        out,
        "  acked samples/s  {:>12}   (target >= {}: {ratio:.2}x)",
        thousands(run.samples_per_second),
        thousands(TARGET_SAMPLES_PER_SECOND)
    );
    let _ = writeln!(out, "  acked batches/s  {:>12.1}", run.batches_per_second);
    let _ = writeln!(
        out,
        "  latency ms       p50 {:.2}  p90 {:.2}  p99 {:.2}  max {:.2}",
        latency.p50_ms, latency.p90_ms, latency.p99_ms, latency.max_ms
    );
    let _ = writeln!(out, "  errors           {}", errors_line(run));
    let _ = writeln!(
        out,
        "  request body     {:.0} B/batch",
        run.body_bytes_per_batch
    );
    let hub = run
        .server_cpu_cores
        .map_or("server not measured".to_string(), |c| {
            format!("server {c:.2}")
        });
    let _ = writeln!(
        out,
        "  cpu (cores)      generator {:.2}, {hub}, of {} cores",
        run.generator_cpu_cores, run.machine_cores
    );
    if let Some(writer) = run.writer_cpu_cores {
        let per_million = writer / run.samples_per_second.max(1.0) * 1e6;
        let _ = writeln!(
            out,
            "  writer thread    {writer:.3} cores ({per_million:.2} core-s per million samples)"
        );
    }
    if let Some(line) = file_size_line(run) {
        let _ = writeln!(out, "{line}");
    }
    if run.agents_out_of_timeline > 0 {
        let _ = writeln!(
            out,
            "  warning: {} agents reached the present and stopped early (raise --start-ago-hours)",
            run.agents_out_of_timeline
        );
    }
    out
}

/// Database file size (main file plus WAL) every 10 s of the window, and its peak.
fn file_size_line(run: &RunReport) -> Option<String> {
    let peak = run.file_bytes.iter().map(|s| s.bytes).max()?;
    let mb = |bytes: u64| format!("{:.1}", bytes as f64 / 1e6);
    let mut every_ten = Vec::new();
    let mut next = 0.0;
    for sample in &run.file_bytes {
        if sample.at_seconds + 0.5 >= next {
            every_ten.push(mb(sample.bytes));
            next += 10.0;
        }
    }
    Some(format!(
        "  db+wal MB        peak {} ; every 10 s: {}",
        mb(peak),
        every_ten.join(" ")
    ))
}

/// The space used by one database.
pub fn disk_text(disk: &DiskReport) -> String {
    let mut out = String::new();
    let [files, truncated, used, raw] = disk.bytes_per_sample();
    let mb = |bytes: u64| bytes as f64 / 1e6;
    let samples = thousands(disk.raw_samples() as f64);
    if disk.series == 0 {
        let _ = writeln!(
            out,
            "disk: {samples} samples; files {:.1} MB; bytes/sample: files {files:.2}, chunk files {raw:.2}   (target <= {TARGET_BYTES_PER_SAMPLE}: {:.2}x)",
            mb(disk.files_bytes),
            files / TARGET_BYTES_PER_SAMPLE
        );
        return out;
    }
    let _ = writeln!(
        out,
        "disk: {samples} raw samples in {} series; files {:.1} MB ({:.1} MB after WAL truncate, {:.1} MB in used pages, {:.1} MB free pages)",
        thousands(disk.series as f64),
        mb(disk.files_bytes),
        mb(disk.files_bytes_truncated),
        mb(disk.used_page_bytes),
        mb(disk.free_page_bytes)
    );
    let _ = writeln!(
        out,
        "  bytes/sample     files {files:.2}, after truncate {truncated:.2}, used pages {used:.2}, raw chunk data {raw:.2}   (target <= {TARGET_BYTES_PER_SAMPLE}: {:.2}x)",
        truncated / TARGET_BYTES_PER_SAMPLE
    );
    for tier in &disk.tiers {
        let name = ["raw", "1m", "1h"]
            .get(tier.resolution as usize)
            .unwrap_or(&"?");
        let _ = writeln!(
            out,
            "  chunks {name:>3}       {} chunks, {} points, {:.1} MB data ({:.2} B/point)",
            thousands(tier.chunks as f64),
            thousands(tier.points as f64),
            mb(tier.data_bytes),
            tier.data_bytes as f64 / tier.points.max(1) as f64
        );
    }
    if !disk.tables.is_empty() {
        let parts: Vec<String> = disk
            .tables
            .iter()
            .map(|(name, bytes)| format!("{name} {:.1} MB", mb(*bytes)))
            .collect();
        let _ = writeln!(out, "  tables           {}", parts.join(", "));
    }
    if disk.ingest_log_rows > 0 {
        let _ = writeln!(
            out,
            "  note: {} ingest log rows left (unclean stop?)",
            disk.ingest_log_rows
        );
    }
    out
}

/// One labelled setting of a benchmark, for the summary table.
pub struct Setting {
    /// Name of the setting in the table.
    pub label: String,
    /// Throughput and latency of the run.
    pub run: RunReport,
    /// Space the database used afterwards, when measured.
    pub disk: Option<DiskReport>,
}

/// A table of every setting against the targets.
pub fn summary_text(settings: &[Setting]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<22} {:>10} {:>7} {:>8} {:>8} {:>7} {:>9} {:>8} {:>7}",
        "setting",
        "samples/s",
        "x tgt",
        "p50 ms",
        "p99 ms",
        "errors",
        "B/sample",
        "raw B/s",
        "x tgt"
    );
    for setting in settings {
        let run = &setting.run;
        let errors: u64 = run.errors.values().sum();
        let [_, truncated, _, raw] = setting
            .disk
            .as_ref()
            .map_or([f64::NAN; 4], DiskReport::bytes_per_sample);
        let _ = writeln!(
            out,
            "{:<22} {:>10} {:>7.2} {:>8.2} {:>8.2} {:>7} {:>9.2} {:>8.2} {:>7.2}",
            setting.label,
            thousands(run.samples_per_second),
            run.samples_per_second / TARGET_SAMPLES_PER_SECOND,
            run.latency.p50_ms,
            run.latency.p99_ms,
            errors,
            truncated,
            raw,
            truncated / TARGET_BYTES_PER_SAMPLE
        );
    }
    let _ = writeln!(
        out,
        "targets: >= {} samples/s (x tgt >= 1 meets it); <= {TARGET_BYTES_PER_SAMPLE} bytes/sample on disk (x tgt <= 1 meets it)",
        thousands(TARGET_SAMPLES_PER_SECOND)
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0.0), "0");
        assert_eq!(thousands(999.4), "999");
        assert_eq!(thousands(1000.0), "1,000");
        assert_eq!(thousands(1_234_567.8), "1,234,568");
    }
}
