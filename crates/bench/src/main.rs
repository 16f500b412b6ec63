//! `hostpulse-ingest-bench`: load a running hub with simulated agents (`run`), measure a
//! stopped hub's database (`disk`), and compare settings against the targets (`summary`).

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use hostpulse_bench::disk::measure_prometheus;
use hostpulse_bench::report::{Setting, disk_text, run_text, summary_text};
use hostpulse_bench::run::Target;
use hostpulse_bench::{DiskReport, LoadConfig, RunReport, measure, run_load};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Hub ingest benchmark.
#[derive(Debug, Parser)]
#[command(name = "hostpulse-ingest-bench", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Register simulated agents and push to a running hub; print the figures.
    Run(RunArgs),
    /// Bytes on disk per sample of a stopped hub's database (truncates its WAL).
    Disk {
        /// The database file, e.g. DATA_DIR/hostpulse.db.
        #[arg(long, required_unless_present = "prometheus_dir")]
        db: Option<PathBuf>,
        /// Measure a stopped Prometheus data directory instead (the peer).
        #[arg(long, conflicts_with = "db", requires = "samples")]
        prometheus_dir: Option<PathBuf>,
        /// Samples the Prometheus server appended.
        #[arg(long)]
        samples: Option<u64>,
        /// Also write the figures as JSON to this file.
        #[arg(long)]
        json_out: Option<PathBuf>,
    },
    /// Table of several settings; each LABEL=DIR holds run.json and disk.json.
    Summary { settings: Vec<String> },
}

#[derive(Debug, clap::Args)]
struct RunArgs {
    /// Data directory of the hub: hub.url and admin.token are read from it.
    #[arg(long, required_unless_present = "prometheus_url")]
    data_dir: Option<PathBuf>,
    /// Load a Prometheus server through remote write instead of a hub (the peer).
    #[arg(long, conflicts_with = "data_dir")]
    prometheus_url: Option<String>,
    /// Simulated agents, each on its own connection.
    #[arg(long, default_value_t = 100)]
    agents: usize,
    /// Frames per batch (1 = live agents; more = agents replaying a spool).
    #[arg(long, default_value_t = 1)]
    frames_per_batch: usize,
    /// Seconds of load before the measured window.
    #[arg(long, default_value_t = 5)]
    warmup: u64,
    /// Seconds measured.
    #[arg(long, default_value_t = 60)]
    duration: u64,
    /// Hours in the past the first frame is stamped (frames advance 5 s per push).
    #[arg(long, default_value_t = 48)]
    start_ago_hours: u64,
    /// Agents are registered as PREFIX-00000, PREFIX-00001, ...
    #[arg(long, default_value = "bench")]
    name_prefix: String,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Process id of the server (hub or peer), to report its CPU use over the window.
    #[arg(long)]
    server_pid: Option<u32>,
    /// Also write the figures as JSON to this file.
    #[arg(long)]
    json_out: Option<PathBuf>,
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Run(args) => run(args),
        Command::Disk {
            db,
            prometheus_dir,
            samples,
            json_out,
        } => {
            let report = match (db, prometheus_dir) {
                (Some(db), _) => {
                    measure(&db).with_context(|| format!("cannot read {}", db.display()))?
                }
                (None, Some(dir)) => measure_prometheus(&dir, samples.unwrap_or(0))
                    .with_context(|| format!("cannot read {}", dir.display()))?,
                (None, None) => bail!("give --db or --prometheus-dir"),
            };
            print!("{}", disk_text(&report));
            write_json(json_out.as_deref(), &report)
        }
        Command::Summary { settings } => {
            let settings = settings
                .iter()
                .map(|s| load_setting(s))
                .collect::<Result<Vec<_>>>()?;
            print!("{}", summary_text(&settings));
            Ok(())
        }
    }
}

fn read_trimmed(path: &Path) -> Result<String> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(text.trim().to_string())
}

fn run(args: RunArgs) -> Result<()> {
    if args.agents == 0 || args.frames_per_batch == 0 {
        bail!("--agents and --frames-per-batch must be at least 1");
    }
    let target = match (&args.data_dir, args.prometheus_url) {
        (Some(dir), _) => Target::Hub {
            url: read_trimmed(&dir.join("hub.url"))?,
            admin_token: read_trimmed(&dir.join("admin.token"))?,
        },
        (None, Some(url)) => Target::Prometheus { url },
        (None, None) => bail!("give --data-dir or --prometheus-url"),
    };
    let config = LoadConfig {
        target,
        agents: args.agents,
        frames_per_batch: args.frames_per_batch,
        warmup: Duration::from_secs(args.warmup),
        duration: Duration::from_secs(args.duration.max(1)),
        start_ago: Duration::from_secs(args.start_ago_hours * 3600),
        name_prefix: args.name_prefix,
        seed: args.seed,
        server_pid: args.server_pid,
        watch_db: args.data_dir.as_ref().map(|dir| dir.join("hostpulse.db")),
        timeout: Duration::from_secs(30),
    };
    let report = run_load(&config)?;
    print!("{}", run_text(&report));
    write_json(args.json_out.as_deref(), &report)
}

fn write_json<T: serde::Serialize>(path: Option<&Path>, value: &T) -> Result<()> {
    if let Some(path) = path {
        let json = serde_json::to_string_pretty(value)?;
        std::fs::write(path, json).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

fn load_setting(spec: &str) -> Result<Setting> {
    let Some((label, dir)) = spec.rsplit_once('=') else {
        bail!("expected LABEL=DIR, got {spec:?}");
    };
    let dir = Path::new(dir);
    let run: RunReport = serde_json::from_str(&read_trimmed(&dir.join("run.json"))?)?;
    let disk: Option<DiskReport> = std::fs::read_to_string(dir.join("disk.json"))
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok());
    Ok(Setting {
        label: label.to_string(),
        run,
        disk,
    })
}
