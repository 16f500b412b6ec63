//! `hostpulse containers|logs|restart|start|stop|run`: actions on a host through its agent
//! (the hub's host action endpoints); the output goes to stdout, and the exit code is 1
//! when the action did not succeed.

use crate::cli::{ContainerArgs, HostArgs, LogsArgs, RunArgs};
use crate::client::{ApiClient, encode};
use anyhow::Result;
use serde::Deserialize;
use std::process::ExitCode;
use std::time::Duration;

/// Longest wait for one action: the hub's longest command deadline plus a margin.
const ACTION_WAIT: Duration = Duration::from_secs(310);

/// The hub's answer to a host action.
#[derive(Debug, Deserialize)]
struct ActionResult {
    status: String,
    #[serde(default)]
    output: String,
    #[serde(default)]
    exit_code: Option<i32>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    truncated: bool,
    #[serde(default)]
    duration_ms: i64,
}

fn host_path(host: &str) -> String {
    format!("/api/v1/hosts/{}", encode(host))
}

/// Prints the output and, on stderr, a failure's status; exit 1 unless `ok`.
fn report(result: &ActionResult) -> ExitCode {
    print!("{}", result.output);
    if !result.output.is_empty() && !result.output.ends_with('\n') {
        println!();
    }
    if result.truncated {
        eprintln!("(output truncated)");
    }
    if result.status == "ok" {
        return ExitCode::SUCCESS;
    }
    let mut line = format!("{} after {} ms", result.status, result.duration_ms);
    if let Some(code) = result.exit_code {
        line.push_str(&format!(", exit code {code}"));
    }
    if let Some(error) = &result.error {
        line.push_str(&format!(": {error}"));
    }
    eprintln!("{line}");
    ExitCode::FAILURE
}

/// `hostpulse containers HOST`.
pub fn containers(args: &HostArgs) -> Result<ExitCode> {
    let client = ApiClient::from_args(&args.api)?;
    let path = format!("{}/containers", host_path(&args.host));
    Ok(report(&client.get_waiting(&path, ACTION_WAIT)?))
}

/// `hostpulse logs HOST CONTAINER [--tail N]`.
pub fn logs(args: &LogsArgs) -> Result<ExitCode> {
    let client = ApiClient::from_args(&args.api)?;
    let path = format!(
        "{}/containers/{}/logs?tail={}",
        host_path(&args.host),
        encode(&args.container),
        args.tail
    );
    Ok(report(&client.get_waiting(&path, ACTION_WAIT)?))
}

/// `hostpulse restart|start|stop HOST CONTAINER`.
pub fn container_action(args: &ContainerArgs, verb: &str) -> Result<ExitCode> {
    let client = ApiClient::from_args(&args.api)?;
    let path = format!(
        "{}/containers/{}/{verb}",
        host_path(&args.host),
        encode(&args.container)
    );
    let result: ActionResult = client.post_waiting(&path, ACTION_WAIT)?;
    if result.status == "ok" {
        eprintln!(
            "{verb} {} on {}: ok ({} ms)",
            args.container, args.host, result.duration_ms
        );
    }
    Ok(report(&result))
}

/// `hostpulse run HOST COMMAND`.
pub fn run_named(args: &RunArgs) -> Result<ExitCode> {
    let client = ApiClient::from_args(&args.api)?;
    let path = format!(
        "{}/actions/{}",
        host_path(&args.host),
        encode(&args.command)
    );
    Ok(report(&client.post_waiting(&path, ACTION_WAIT)?))
}
