//! `hostpulse-agent`: collects this host's vitals every interval and pushes them to the hub.
//!
//! Exit codes: 0 after a clean shutdown (SIGTERM/SIGINT) or `--once`; 1 on a runtime
//! failure (spool directory, TLS setup, ...); 2 on invalid flags or configuration.

use anyhow::{Context, Result};
use clap::Parser;
use hostpulse_actions::{Cancels, Executor, Journal};
use hostpulse_agent::{
    AGENT_VERSION, CommandChannel, FACTS_REFRESH, HubLink, InstanceState, PushConfig, Pusher,
    RunSettings, Runner, Spool, SpoolLock, collector_config, install_shutdown_handler,
};
use hostpulse_agent_config::{AgentConfig, AgentOverrides, load_agent_config};
use hostpulse_collector::Collector;
use hostpulse_collector::containers::Client;
use hostpulse_config_core::LogFormat;
use hostpulse_proto::AgentIdentity;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

/// Timeout of one request to the container engine for a container action.
const ENGINE_TIMEOUT: Duration = Duration::from_secs(60);
/// Exit code for invalid flags or configuration.
const EXIT_CONFIG: u8 = 2;
/// Placeholders letting `--once` run without a hub or token.
const ONCE_PLACEHOLDER_HUB: &str = "http://127.0.0.1:1";
const ONCE_PLACEHOLDER_TOKEN: &str = "unused-by-once";

#[derive(Parser)]
#[command(name = "hostpulse-agent", version, about = "hostpulse host agent")]
struct Cli {
    /// Hub base URL, e.g. https://hub.example:8080 (env HOSTPULSE_HUB).
    #[arg(long)]
    hub: Option<String>,
    /// Agent token (env HOSTPULSE_TOKEN); prefer --token-file, which stays out of `ps`.
    #[arg(long)]
    token: Option<String>,
    /// File holding the agent token (surrounding whitespace is ignored).
    #[arg(long, conflicts_with = "token")]
    token_file: Option<PathBuf>,
    /// Collection interval, e.g. 5s, 1m (env HOSTPULSE_INTERVAL).
    #[arg(long)]
    interval: Option<String>,
    /// Directory for unsent batches and the sequence state (env HOSTPULSE_SPOOL_DIR).
    #[arg(long)]
    spool_dir: Option<PathBuf>,
    /// YAML configuration file.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Name shown for this host instead of its hostname.
    #[arg(long)]
    display_name: Option<String>,
    /// Log format: text or json.
    #[arg(long)]
    log_format: Option<String>,
    /// Collect one frame, print it as JSON to stdout and exit (nothing is pushed).
    #[arg(long)]
    once: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match load_config(&cli) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("hostpulse-agent: invalid configuration:\n{e:#}");
            return ExitCode::from(EXIT_CONFIG);
        }
    };
    init_logging(&config);
    let outcome = if cli.once {
        print_one_frame(&config)
    } else {
        run_agent(&config)
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            ExitCode::FAILURE
        }
    }
}

fn load_config(cli: &Cli) -> Result<AgentConfig> {
    let mut overrides = AgentOverrides {
        hub: cli.hub.clone(),
        token: cli.token.clone(),
        interval: cli.interval.clone(),
        spool_dir: cli.spool_dir.clone(),
        display_name: cli.display_name.clone(),
        log_format: cli.log_format.clone(),
    };
    if let Some(path) = &cli.token_file {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading the token file {}", path.display()))?;
        overrides.token = Some(text.trim().to_owned());
    }
    if cli.once {
        overrides
            .hub
            .get_or_insert_with(|| ONCE_PLACEHOLDER_HUB.into());
        overrides
            .token
            .get_or_insert_with(|| ONCE_PLACEHOLDER_TOKEN.into());
    }
    let env: Vec<(String, String)> = std::env::vars().collect();
    load_agent_config(cli.config.as_deref(), &env, &overrides)
        .map_err(|errors| anyhow::anyhow!("{errors}"))
}

/// Logs to stderr, filtered by `log.level` (a level or `target=level` directives).
fn init_logging(config: &AgentConfig) {
    use tracing_subscriber::filter::{LevelFilter, Targets};
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let filter: Targets = config
        .log
        .level
        .parse()
        .unwrap_or_else(|_| Targets::new().with_default(LevelFilter::INFO));
    let format = tracing_subscriber::fmt::layer()
        .with_ansi(hostpulse_config_core::log_colours())
        .with_writer(std::io::stderr);
    let registry = tracing_subscriber::registry().with(filter);
    match config.log.format {
        LogFormat::Json => registry.with(format.json()).init(),
        LogFormat::Text => registry.with(format).init(),
    }
}

/// Collects twice one second apart (so rates are present) and prints the second frame.
fn print_one_frame(config: &AgentConfig) -> Result<()> {
    let mut collector = Collector::new(collector_config(&config.collect));
    collector.collect(hostpulse_agent::schedule::now_ms());
    std::thread::sleep(Duration::from_secs(1));
    let frame = collector.collect(hostpulse_agent::schedule::now_ms());
    let json = serde_json::to_string_pretty(&frame).context("serialising the frame")?;
    println!("{json}");
    Ok(())
}

fn run_agent(config: &AgentConfig) -> Result<()> {
    let stop = install_shutdown_handler().context("installing signal handlers")?;
    let pusher = Pusher::new(&PushConfig {
        hub_url: config.hub_url.clone(),
        token: config.token.expose().to_owned(),
        timeout: config.timeout,
        ca_file: config.ca_file.clone(),
        insecure_skip_verify: config.insecure_skip_verify,
    })
    .context("setting up the hub client")?;
    hostpulse_agent::spool::prepare_dir(&config.spool_dir)
        .context("creating the spool directory")?;
    // Held until the process exits: one agent per spool directory.
    let _lock = SpoolLock::acquire(&config.spool_dir)?;
    let spool = Spool::open(&config.spool_dir, config.spool_max_bytes)
        .context("opening the spool directory")?;
    let min_seq = spool.newest_seq().map_or(1, |s| s.saturating_add(1));
    let instance = InstanceState::open(&config.spool_dir, min_seq)
        .context("recording this run in the spool directory")?;
    let collector = Collector::new(collector_config(&config.collect));
    let interval = config.collect.interval;
    let identity = AgentIdentity {
        hostname: collector.facts().hostname,
        display_name: config.collect.display_name.clone(),
        agent_version: AGENT_VERSION.to_owned(),
        interval_ms: u64::try_from(interval.as_millis()).unwrap_or(u64::MAX),
        ..AgentIdentity::default()
    };
    tracing::info!(
        hub = %pusher.url(),
        interval_ms = identity.interval_ms,
        spool_dir = %config.spool_dir.display(),
        spooled = spool.len(),
        instance_id = instance.instance_id(),
        run_id = instance.run_id(),
        next_seq = instance.peek(),
        families = %collector.family_names().join(","),
        version = AGENT_VERSION,
        "hostpulse agent started"
    );
    let settings = RunSettings {
        interval,
        identity,
        facts_refresh: FACTS_REFRESH,
    };
    let channel = start_command_channel(config, &pusher)?;
    let mut runner = Runner::new(collector, settings, pusher, spool, instance);
    hostpulse_agent::memory::release_startup_pages();
    runner.run(stop);
    channel.stop();
    Ok(())
}

/// Starts the hub → agent command channel: executed command ids are journalled in the
/// spool directory, commands are checked against `actions:`.
fn start_command_channel(config: &AgentConfig, pusher: &Pusher) -> Result<CommandChannel> {
    let journal = Journal::open(&config.spool_dir).context("opening the command journal")?;
    let cancels = Arc::new(Cancels::new());
    // The same engine the containers family reads; none: container actions are unsupported.
    let engine = collector_config(&config.collect).containers.endpoint;
    let client = engine.map(|endpoint| Client::new(endpoint, ENGINE_TIMEOUT));
    let executor =
        Executor::new(config.actions.clone(), journal, cancels.clone()).with_containers(client);
    CommandChannel::start(HubLink::new(pusher, config.timeout), executor, cancels)
        .context("starting the command channel")
}
