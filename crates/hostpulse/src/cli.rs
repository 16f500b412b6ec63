//! Command-line surface of `hostpulse`.

pub use crate::cli_alerts::*;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Self-hosted server monitoring: hub, API client and one-command start.
#[derive(Debug, Parser)]
#[command(name = "hostpulse", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Hub plus an agent for this host, on SQLite under the data directory.
    Up(ServeArgs),
    /// Hub only.
    Hub(ServeArgs),
    /// Manage agent registrations.
    #[command(subcommand)]
    Agents(AgentsCommand),
    /// Table of hosts; with HOST, every latest metric of that host.
    Status {
        host: Option<String>,
        #[command(flatten)]
        api: ApiArgs,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Configuration tools.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Alerts pending or firing now; `alerts history` for what happened before.
    Alerts(AlertsArgs),
    /// Acknowledge a firing alert: stops its reminders and escalation.
    Ack(AckArgs),
    /// Mute alerts: add, list and expire silences.
    #[command(subcommand)]
    Silence(SilenceCommand),
    /// Alert rules with their state; `rules check FILE`, `rules test FILE`.
    Rules(RulesArgs),
    /// The notification outbox, newest first.
    Notifications(NotificationsArgs),
    /// Receivers: test messages, delivery status, requeueing dead letters.
    #[command(subcommand)]
    Notify(NotifyCommand),
    /// Containers on HOST, as its agent lists them.
    Containers(HostArgs),
    /// The last lines of a container's log on HOST (following a log is not supported yet).
    Logs(LogsArgs),
    /// Restart a container on HOST (needs the operator role and the agent's allow-list).
    Restart(ContainerArgs),
    /// Start a stopped container on HOST.
    Start(ContainerArgs),
    /// Stop a running container on HOST.
    Stop(ContainerArgs),
    /// Run one of HOST's named commands (from its agent's actions.commands).
    Run(RunArgs),
}

/// A host to act on.
#[derive(Debug, Args)]
pub struct HostArgs {
    /// The host (its agent's name).
    pub host: String,
    #[command(flatten)]
    pub api: ApiArgs,
}

/// A container on a host.
#[derive(Debug, Args)]
pub struct ContainerArgs {
    /// The host (its agent's name).
    pub host: String,
    /// The container's name.
    pub container: String,
    #[command(flatten)]
    pub api: ApiArgs,
}

/// `hostpulse logs HOST CONTAINER [--tail N]`.
#[derive(Debug, Args)]
pub struct LogsArgs {
    /// The host (its agent's name).
    pub host: String,
    /// The container's name.
    pub container: String,
    /// How many of the last lines (1-10000).
    #[arg(long, default_value_t = 100)]
    pub tail: u32,
    #[command(flatten)]
    pub api: ApiArgs,
}

/// `hostpulse run HOST COMMAND`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The host (its agent's name).
    pub host: String,
    /// The named command, e.g. restart_nginx.
    pub command: String,
    #[command(flatten)]
    pub api: ApiArgs,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Data directory (database, admin token).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Address to listen on, e.g. 127.0.0.1:9810.
    #[arg(long)]
    pub listen: Option<String>,
    /// YAML configuration file.
    #[arg(long, short = 'c')]
    pub config: Option<PathBuf>,
    /// Log format: text or json.
    #[arg(long)]
    pub log_format: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum AgentsCommand {
    /// Register an agent; prints only its token on stdout.
    Add {
        name: String,
        #[command(flatten)]
        api: ApiArgs,
    },
    /// List registered agents.
    List {
        #[command(flatten)]
        api: ApiArgs,
    },
    /// Revoke an agent's token.
    Revoke {
        name: String,
        #[command(flatten)]
        api: ApiArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Validate a hub or agent configuration file; prints every error.
    Check { file: PathBuf },
}

/// How the CLI reaches the hub API.
#[derive(Debug, Clone, Args)]
pub struct ApiArgs {
    /// Hub URL; default the local `up` instance.
    #[arg(long, env = "HOSTPULSE_HUB")]
    pub hub: Option<String>,
    /// API token; default read from DATA_DIR/admin.token.
    #[arg(long, env = "HOSTPULSE_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Data directory of the local instance, for the default token.
    #[arg(long, env = "HOSTPULSE_DATA_DIR", default_value = "./hostpulse-data")]
    pub data_dir: PathBuf,
}
