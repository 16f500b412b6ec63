//! `hostpulse-notify-bench`: the pieces of the outbox delivery benchmark (bench/notify.sh):
//! seed a stopped hub's outbox, run a webhook sink, post alerts to Alertmanager, watch a
//! server's RSS and CPU while it drains, and print the summary.

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use hostpulse_bench::am_post::{PostReport, post_alerts};
use hostpulse_bench::notify_report::{DrainSide, GUARANTEES, drain_text, queued_text};
use hostpulse_bench::outbox::{SeedPlan, seed_outbox};
use hostpulse_bench::proc_watch::{
    DrainPlan, DrainReport, MemorySummary, sample_memory, watch_drain,
};
use hostpulse_bench::sink::{Sink, serve};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// Outbox delivery benchmark.
#[derive(Debug, Parser)]
#[command(name = "hostpulse-notify-bench", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Write N pending notifications into a stopped hub's outbox (DATA_DIR/hostpulse.db).
    SeedOutbox {
        #[arg(long)]
        data_dir: PathBuf,
        #[arg(long)]
        count: usize,
        /// Groups (one host each) the notifications are spread over; default count / 10.
        #[arg(long)]
        groups: Option<usize>,
        #[arg(long, default_value = "sink")]
        receiver: String,
    },
    /// Run a webhook receiver answering 200 `{}`; counts at GET /stats.
    Sink {
        #[arg(long)]
        listen: String,
    },
    /// Post N firing alerts with distinct labels to Alertmanager's /api/v2/alerts.
    PostAlerts {
        /// Alertmanager base URL, e.g. http://127.0.0.1:9093.
        #[arg(long)]
        url: String,
        #[arg(long)]
        count: usize,
        #[arg(long, default_value_t = 1000)]
        batch: usize,
        #[arg(long)]
        json_out: Option<PathBuf>,
    },
    /// Sample a process's VmRSS and PSS at a fixed interval for a while.
    #[command(alias = "sample-rss")]
    SampleMemory {
        #[arg(long)]
        pid: u32,
        #[arg(long, default_value_t = 30)]
        seconds: u64,
        #[arg(long, default_value_t = 500)]
        interval_ms: u64,
        #[arg(long)]
        json_out: Option<PathBuf>,
    },
    /// Watch a process's VmRSS, PSS and CPU until the sink has received N requests.
    WatchDrain(WatchArgs),
    /// Print the summary tables from the JSON files of the other steps.
    Report(ReportArgs),
}

#[derive(Debug, clap::Args)]
struct WatchArgs {
    #[arg(long)]
    pid: u32,
    /// Sink base URL, e.g. http://127.0.0.1:8080.
    #[arg(long)]
    sink: String,
    #[arg(long)]
    expected: u64,
    #[arg(long, default_value_t = 500)]
    interval_ms: u64,
    #[arg(long, default_value_t = 1800)]
    timeout_seconds: u64,
    /// Seconds to wait after the N-th request before checking for duplicates.
    #[arg(long, default_value_t = 3)]
    settle_seconds: u64,
    #[arg(long)]
    json_out: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
struct ReportArgs {
    #[arg(long)]
    count: u64,
    /// sample-memory JSON of the hub with the full outbox.
    #[arg(long)]
    queued: PathBuf,
    /// sample-memory JSON of the hub with an empty outbox.
    #[arg(long)]
    baseline: PathBuf,
    /// watch-drain JSON of the hub.
    #[arg(long)]
    hub: PathBuf,
    /// watch-drain JSON of the peer.
    #[arg(long, requires = "peer_post")]
    peer: Option<PathBuf>,
    /// post-alerts JSON of the peer.
    #[arg(long)]
    peer_post: Option<PathBuf>,
    #[arg(long, default_value = "Alertmanager")]
    peer_label: String,
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Command::SeedOutbox {
            data_dir,
            count,
            groups,
            receiver,
        } => seed(&data_dir, &SeedPlan::new(&receiver, count, groups)),
        Command::Sink { listen } => run_sink(&listen),
        Command::PostAlerts {
            url,
            count,
            batch,
            json_out,
        } => {
            let report = post_alerts(&url, count, batch)?;
            println!(
                "posted {} alerts in {} ms",
                report.posted,
                report.finished_ms - report.started_ms
            );
            write_json(json_out.as_deref(), &report)
        }
        Command::SampleMemory {
            pid,
            seconds,
            interval_ms,
            json_out,
        } => {
            let interval = Duration::from_millis(interval_ms.max(1));
            let memory = sample_memory(pid, interval, Duration::from_secs(seconds))?;
            write_json(json_out.as_deref(), &memory)
        }
        Command::WatchDrain(args) => watch(args),
        Command::Report(args) => report(&args),
    }
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

fn seed(data_dir: &Path, plan: &SeedPlan) -> Result<()> {
    runtime()?
        .block_on(seed_outbox(data_dir, plan))
        .with_context(|| format!("cannot seed {}", data_dir.display()))?;
    println!(
        "seeded {} notifications for {:?} over {} groups",
        plan.count, plan.receiver, plan.groups
    );
    Ok(())
}

fn run_sink(listen: &str) -> Result<()> {
    runtime()?.block_on(async {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .with_context(|| format!("cannot listen on {listen}"))?;
        serve(listener, Arc::new(Sink::default())).await?;
        Ok(())
    })
}

fn watch(args: WatchArgs) -> Result<()> {
    let plan = DrainPlan {
        pid: args.pid,
        sink_url: args.sink,
        expected: args.expected,
        interval: Duration::from_millis(args.interval_ms.max(1)),
        timeout: Duration::from_secs(args.timeout_seconds),
        settle: Duration::from_secs(args.settle_seconds),
    };
    let drain = watch_drain(&plan)?;
    write_json(args.json_out.as_deref(), &drain)
}

fn report(args: &ReportArgs) -> Result<()> {
    let queued: MemorySummary = read_json(&args.queued)?;
    let baseline: MemorySummary = read_json(&args.baseline)?;
    let hub = DrainSide::hub("hostpulse hub", read_json(&args.hub)?);
    let peer = match (&args.peer, &args.peer_post) {
        (Some(drain), Some(post)) => {
            let drain: DrainReport = read_json(drain)?;
            let post: PostReport = read_json(post)?;
            Some(DrainSide::peer(&args.peer_label, drain, post))
        }
        _ => None,
    };
    println!("{}", queued_text(args.count, &queued, &baseline));
    println!("{}", drain_text(&hub, peer.as_ref()));
    println!("{GUARANTEES}");
    Ok(())
}

fn read_json<T: DeserializeOwned>(path: &Path) -> Result<T> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("cannot parse {}", path.display()))
}

fn write_json<T: Serialize>(path: Option<&Path>, value: &T) -> Result<()> {
    let json = serde_json::to_string_pretty(value)?;
    match path {
        Some(path) => {
            std::fs::write(path, json).with_context(|| format!("cannot write {}", path.display()))
        }
        None => {
            println!("{json}");
            Ok(())
        }
    }
}
