//! `hostpulse`: the hub (`up`, `hub`) and the command-line client of its API.

mod alerting;
mod cli;
mod cli_alerts;
mod client;
mod commands;
mod data_dir;
mod hub_config;
mod local_actions;
mod local_agent;
mod logging;
mod serve;
mod table;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
