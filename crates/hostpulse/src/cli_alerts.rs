//! Command-line surface of alerting: alerts, history, acknowledgements, silences, rules, notifications.

use crate::cli::ApiArgs;
use clap::{Args, Subcommand};
use std::path::PathBuf;

/// `hostpulse alerts [history]`.
#[derive(Debug, Args)]
pub struct AlertsArgs {
    #[command(subcommand)]
    pub command: Option<AlertsCommand>,
    #[command(flatten)]
    pub api: ApiArgs,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum AlertsCommand {
    /// State changes and notifications, newest first, one page at a time.
    History(HistoryArgs),
}

/// Filters and paging of `hostpulse alerts history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Only this host.
    #[arg(long)]
    pub host: Option<String>,
    /// Only this rule.
    #[arg(long)]
    pub rule: Option<String>,
    #[command(flatten)]
    pub page: PageArgs,
}

/// `hostpulse ack ID [--comment C]`.
#[derive(Debug, Args)]
pub struct AckArgs {
    /// Alert id, as shown by `hostpulse alerts`.
    pub id: String,
    /// Why, or who is on it.
    #[arg(long, short = 'm')]
    pub comment: Option<String>,
    #[command(flatten)]
    pub api: ApiArgs,
}

#[derive(Debug, Subcommand)]
pub enum SilenceCommand {
    /// Mute alerts matching every MATCHER (name=value, name!=value, name=~regex, name!~regex).
    Add(SilenceAddArgs),
    /// Silences in force or scheduled.
    List {
        /// Include silences that already ended.
        #[arg(long)]
        all: bool,
        #[command(flatten)]
        api: ApiArgs,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// End a silence now.
    Expire {
        id: String,
        #[command(flatten)]
        api: ApiArgs,
    },
}

/// `hostpulse silence add MATCHER... --for 2h`.
#[derive(Debug, Args)]
pub struct SilenceAddArgs {
    /// e.g. host=web-1 rule=high_cpu mount=~/var.*
    #[arg(required = true)]
    pub matchers: Vec<String>,
    /// How long, e.g. 30m, 2h, 1d.
    #[arg(long = "for", value_name = "DURATION")]
    pub duration: String,
    /// Start: `now` (default), `+1h`, or Unix seconds.
    #[arg(long, allow_hyphen_values = true)]
    pub starts_at: Option<String>,
    #[arg(long, short = 'm', default_value = "")]
    pub comment: String,
    /// Default: the API token's name.
    #[arg(long)]
    pub author: Option<String>,
    #[command(flatten)]
    pub api: ApiArgs,
}

/// `hostpulse rules [check FILE | test FILE]`.
#[derive(Debug, Args)]
pub struct RulesArgs {
    #[command(subcommand)]
    pub command: Option<RulesCommand>,
    #[command(flatten)]
    pub api: ApiArgs,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Validate a rule file offline; prints every error with file, rule and position.
    Check { file: PathBuf },
    /// Replay stored history through the rules of FILE: when and how long each would have fired.
    Test(RulesTestArgs),
}

/// `hostpulse rules test FILE [--host H] [--from -7d] [--to now]`.
#[derive(Debug, Args)]
pub struct RulesTestArgs {
    pub file: PathBuf,
    /// Only this host.
    #[arg(long)]
    pub host: Option<String>,
    /// Start: `-7d`, `now-2h` or Unix seconds.
    #[arg(long, default_value = "-7d", allow_hyphen_values = true)]
    pub from: String,
    /// End: `now`, `-1h` or Unix seconds.
    #[arg(long, default_value = "now", allow_hyphen_values = true)]
    pub to: String,
    #[command(flatten)]
    pub api: ApiArgs,
    /// Print JSON instead of a report.
    #[arg(long)]
    pub json: bool,
}

/// `hostpulse notifications [--status S] [--receiver R]`.
#[derive(Debug, Args)]
pub struct NotificationsArgs {
    /// pending, sending, sent, dry_run or dead.
    #[arg(long)]
    pub status: Option<String>,
    /// Only notifications for this receiver.
    #[arg(long)]
    pub receiver: Option<String>,
    #[command(flatten)]
    pub page: PageArgs,
}

/// `hostpulse notify ...`.
#[derive(Debug, Subcommand)]
pub enum NotifyCommand {
    /// Send a test message to RECEIVER now and print the outcome (exit 1 if not delivered).
    Test {
        receiver: String,
        /// Send from this configuration file directly, without a running hub.
        #[arg(long, short = 'c')]
        config: Option<PathBuf>,
        #[command(flatten)]
        api: ApiArgs,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Every receiver with its queue, backoff and last error.
    Receivers {
        #[command(flatten)]
        api: ApiArgs,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Put a dead-lettered notification back in the outbox.
    Requeue {
        id: i64,
        #[command(flatten)]
        api: ApiArgs,
    },
}

/// Time filter, paging and output of the listing commands.
#[derive(Debug, Args)]
pub struct PageArgs {
    /// Only entries since this time: `-24h`, `now-7d` or Unix seconds.
    #[arg(long, allow_hyphen_values = true)]
    pub since: Option<String>,
    /// Cursor printed at the end of the previous page.
    #[arg(long)]
    pub cursor: Option<String>,
    /// Entries per page (1-500).
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
    #[command(flatten)]
    pub api: ApiArgs,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}
