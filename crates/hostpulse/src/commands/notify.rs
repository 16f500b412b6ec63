//! `hostpulse notify test|receivers|requeue`: test messages, receiver status, dead letters.

use crate::cli::{ApiArgs, NotifyCommand};
use crate::client::{ApiClient, encode};
use crate::commands::now_ms;
use crate::commands::status::format_time;
use anyhow::{Context, Result, anyhow};
use hostpulse_config::{HubOverrides, load_hub_config};
use hostpulse_core::Notification;
use hostpulse_delivery::{ReceiverStatus, TestOutcome, send_test_message};
use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

/// Runs one `notify` subcommand.
pub fn run(cmd: NotifyCommand) -> Result<ExitCode> {
    match cmd {
        NotifyCommand::Test {
            receiver,
            config,
            api,
            json,
        } => {
            let outcome = match config {
                Some(file) => test_locally(&file, &receiver)?,
                None => test_through_hub(&api, &receiver)?,
            };
            if json {
                println!("{}", serde_json::to_string_pretty(&outcome)?);
            } else {
                println!("{}", outcome_line(&outcome));
            }
            Ok(if outcome.delivered {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        NotifyCommand::Receivers { api, json } => receivers(&api, json),
        NotifyCommand::Requeue { id, api } => {
            let client = ApiClient::from_args(&api)?;
            let n: Notification = client.post(
                &format!("/api/v1/notifications/{id}/requeue"),
                &serde_json::json!({}),
            )?;
            println!("notification {} for {} is queued again", n.id, n.receiver);
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn test_through_hub(api: &ApiArgs, receiver: &str) -> Result<TestOutcome> {
    let client = ApiClient::from_args(api)?;
    client.post(
        &format!("/api/v1/receivers/{}/test", encode(receiver)),
        &serde_json::json!({}),
    )
}

/// Sends from the configuration file, without a hub: for checking a receiver before deploying.
fn test_locally(file: &Path, name: &str) -> Result<TestOutcome> {
    let config =
        load_hub_config(Some(file), &[], &HubOverrides::default()).map_err(|e| anyhow!("{e}"))?;
    let receivers = config.alerting.effective_receivers();
    let receiver = receivers.iter().find(|r| r.name == name).ok_or_else(|| {
        let known: Vec<&str> = receivers.iter().map(|r| r.name.as_str()).collect();
        anyhow!(
            "{} has no receiver {name:?} (receivers: {})",
            file.display(),
            known.join(", ")
        )
    })?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    Ok(runtime.block_on(send_test_message(
        receiver,
        config.external_url.clone(),
        now_ms(),
    )))
}

/// One line saying how a test message went.
pub fn outcome_line(outcome: &TestOutcome) -> String {
    let head = format!("{} ({})", outcome.receiver, outcome.kind);
    if outcome.delivered {
        let mut line = format!("{head}: delivered in {} ms", outcome.elapsed_ms);
        if !outcome.provider_ids.is_empty() {
            let _ = write!(line, " (message id {})", outcome.provider_ids.join(", "));
        }
        return line;
    }
    let reason = outcome.error.as_deref().unwrap_or("unknown reason");
    let hint = if outcome.retryable {
        " — temporary: the outbox would retry this"
    } else {
        " — permanent: the outbox would dead-letter this"
    };
    format!(
        "{head}: NOT delivered after {} ms: {reason}{hint}",
        outcome.elapsed_ms
    )
}

fn receivers(api: &ApiArgs, json: bool) -> Result<ExitCode> {
    let client = ApiClient::from_args(api)?;
    let list: Vec<ReceiverStatus> = client.get("/api/v1/receivers")?;
    if json {
        println!("{}", serde_json::to_string_pretty(&list)?);
    } else {
        print!("{}", receivers_table(&list));
    }
    Ok(ExitCode::SUCCESS)
}

/// Renders the receivers with their queue and state.
pub fn receivers_table(list: &[ReceiverStatus]) -> String {
    let mut out = format!(
        "{:<16} {:<9} {:<8} {:>7} {:>7} {:>5} {:<21} {}\n",
        "RECEIVER", "TYPE", "LIMIT", "QUEUED", "SENT", "DEAD", "OLDEST QUEUED", "STATE"
    );
    for r in list {
        let queued = r.outbox.pending + r.outbox.sending;
        let oldest = r
            .outbox
            .oldest_queued_ms
            .map_or_else(|| "-".to_string(), format_time);
        let _ = writeln!(
            out,
            "{:<16} {:<9} {:<8} {queued:>7} {:>7} {:>5} {oldest:<21} {}",
            r.name,
            r.kind,
            r.rate_limit.as_deref().unwrap_or("none"),
            r.outbox.sent,
            r.outbox.dead,
            state_text(r)
        );
        stuck_lines(&mut out, r);
    }
    if list.is_empty() {
        out.push_str("(no receivers)\n");
    }
    out
}

fn state_text(r: &ReceiverStatus) -> String {
    if let Some(error) = &r.setup_error {
        return format!("cannot start: {error}");
    }
    match (r.health.paused_until_ms, &r.health.last_error) {
        (Some(until), Some(error)) => format!("paused until {}: {error}", format_time(until)),
        _ if !r.stuck.is_empty() => format!("{} group(s) retrying, others go on", r.stuck.len()),
        _ => "ok".to_string(),
    }
}

/// One indented line per alert group whose oldest notification keeps failing.
fn stuck_lines(out: &mut String, r: &ReceiverStatus) {
    for g in &r.stuck {
        let _ = writeln!(
            out,
            "  stuck: group {} notification {} attempts {} age {} next attempt {}: {}",
            g.group_key,
            g.notification_id,
            g.attempts,
            hostpulse_delivery::format_age(g.age_ms),
            format_time(g.next_attempt_ms),
            g.last_error
        );
    }
}
