//! `hostpulse silence add|list|expire`.

use crate::cli::{SilenceAddArgs, SilenceCommand};
use crate::client::{ApiClient, encode};
use crate::commands::status::format_time;
use anyhow::{Context, Result, bail};
use hostpulse_api::query::parse_time;
use hostpulse_core::Silence;
use hostpulse_core::duration::parse_duration_ms;
use hostpulse_core::matcher::{format_matcher, parse_matcher};
use serde::Deserialize;
use std::fmt::Write as _;
use std::process::ExitCode;

/// Runs a silence subcommand against the hub API.
pub fn run(command: SilenceCommand) -> Result<ExitCode> {
    match command {
        SilenceCommand::Add(args) => add(args),
        SilenceCommand::List { all, api, json } => {
            let path = if all {
                "/api/v1/silences?all=true"
            } else {
                "/api/v1/silences"
            };
            let silences: Vec<Silence> = ApiClient::from_args(&api)?.get(path)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&silences)?);
            } else {
                print!("{}", silences_table(&silences, crate::commands::now_ms()));
            }
            Ok(ExitCode::SUCCESS)
        }
        SilenceCommand::Expire { id, api } => {
            let client = ApiClient::from_args(&api)?;
            let silence: Silence =
                client.delete_json(&format!("/api/v1/silences/{}", encode(&id)))?;
            println!(
                "silence {} expired at {}",
                silence.id,
                format_time(silence.ends_ms)
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Builds the request body; matchers and times are checked here first for a quick answer.
pub fn add_body(args: &SilenceAddArgs, now_ms: i64) -> Result<serde_json::Value> {
    for text in &args.matchers {
        parse_matcher(text)?;
    }
    if parse_duration_ms(&args.duration).is_none_or(|ms| ms <= 0) {
        bail!("invalid --for {:?}: use e.g. 30m, 2h or 1d", args.duration);
    }
    let starts_ms = match &args.starts_at {
        Some(text) => Some(
            parse_time(Some(text), now_ms, now_ms)
                .map_err(|e| anyhow::anyhow!("--starts-at: {e}"))?,
        ),
        None => None,
    };
    let mut body = serde_json::json!({
        "matchers": args.matchers,
        "duration": args.duration,
        "comment": args.comment,
    });
    if let Some(starts_ms) = starts_ms {
        body["starts_ms"] = starts_ms.into();
    }
    if let Some(author) = &args.author {
        body["author"] = author.clone().into();
    }
    Ok(body)
}

fn add(args: SilenceAddArgs) -> Result<ExitCode> {
    let client = ApiClient::from_args(&args.api)?;
    let body = add_body(&args, crate::commands::now_ms())?;
    let Created { silence, warnings } = client
        .post("/api/v1/silences", &body)
        .context("cannot add the silence")?;
    // The id alone on stdout, so that `ID=$(hostpulse silence add ...)` works.
    println!("{}", silence.id);
    eprintln!(
        "silenced {} from {} to {}",
        matchers_text(&silence),
        format_time(silence.starts_ms),
        format_time(silence.ends_ms)
    );
    for warning in &warnings {
        eprintln!("warning: {warning}");
    }
    Ok(ExitCode::SUCCESS)
}

/// Answer of `POST /api/v1/silences`.
#[derive(Deserialize)]
struct Created {
    #[serde(flatten)]
    silence: Silence,
    #[serde(default)]
    warnings: Vec<String>,
}

fn matchers_text(silence: &Silence) -> String {
    silence
        .matchers
        .iter()
        .map(format_matcher)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Renders the silences table.
pub fn silences_table(silences: &[Silence], now_ms: i64) -> String {
    let mut out = format!(
        "{:<16} {:<9} {:<21} {:<21} {:<12} {:<32} {}\n",
        "ID", "STATE", "STARTS", "ENDS", "AUTHOR", "MATCHERS", "COMMENT"
    );
    for s in silences {
        let state = if s.is_active(now_ms) {
            "active"
        } else if s.starts_ms > now_ms {
            "scheduled"
        } else {
            "expired"
        };
        let _ = writeln!(
            out,
            "{:<16} {state:<9} {:<21} {:<21} {:<12} {:<32} {}",
            s.id,
            format_time(s.starts_ms),
            format_time(s.ends_ms),
            s.author,
            matchers_text(s),
            s.comment
        );
    }
    if silences.is_empty() {
        out.push_str("(no silences)\n");
    }
    out
}
