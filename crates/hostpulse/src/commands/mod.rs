//! Dispatch of CLI commands.

mod agents;
mod alerts;
mod config_check;
mod host_actions;
mod notifications;
mod notify;
mod rules;
mod silence;
mod status;

use crate::alerting::ConfigSource;
use crate::cli::{Cli, Command, ServeArgs};
use crate::{logging, serve};
use anyhow::{Context, Result};
use hostpulse_config::HubOverrides;
use std::process::ExitCode;

/// Runs one parsed command line.
pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Up(args) => start_hub(args, true),
        Command::Hub(args) => start_hub(args, false),
        Command::Agents(cmd) => agents::run(cmd),
        Command::Status { host, api, json } => status::run(host.as_deref(), &api, json),
        Command::Config(crate::cli::ConfigCommand::Check { file }) => config_check::run(&file),
        Command::Alerts(args) => alerts::run(args),
        Command::Ack(args) => alerts::run_ack(args),
        Command::Silence(cmd) => silence::run(cmd),
        Command::Rules(args) => rules::run(args),
        Command::Notifications(args) => notifications::run(args),
        Command::Notify(cmd) => notify::run(cmd),
        Command::Containers(args) => host_actions::containers(&args),
        Command::Logs(args) => host_actions::logs(&args),
        Command::Restart(args) => host_actions::container_action(&args, "restart"),
        Command::Start(args) => host_actions::container_action(&args, "start"),
        Command::Stop(args) => host_actions::container_action(&args, "stop"),
        Command::Run(args) => host_actions::run_named(&args),
    }
}

/// Current wall-clock time, Unix ms.
pub fn now_ms() -> i64 {
    use hostpulse_core::Clock;
    hostpulse_core::SystemClock.now_ms()
}

fn start_hub(args: ServeArgs, with_local_agent: bool) -> Result<ExitCode> {
    let env: Vec<(String, String)> = std::env::vars().collect();
    let overrides = HubOverrides {
        listen: args.listen,
        data_dir: args.data_dir,
        log_format: args.log_format,
    };
    let source = ConfigSource {
        file: args.config.clone(),
        env: env.clone(),
        overrides: overrides.clone(),
    };
    let config = match crate::hub_config::load_checked(args.config.as_deref(), &env, &overrides) {
        Ok(config) => config,
        Err(errors) => {
            eprintln!("{errors}");
            return Ok(ExitCode::from(2));
        }
    };
    logging::init(&config.log);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("hostpulse-hub")
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(serve::serve(config, source, with_local_agent))?;
    Ok(ExitCode::SUCCESS)
}
