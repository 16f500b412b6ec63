//! `hostpulse agents add|list|revoke`.

use crate::cli::AgentsCommand;
use crate::client::{ApiClient, encode};
use crate::commands::status::format_time;
use anyhow::Result;
use hostpulse_api::AgentView;
use std::process::ExitCode;

/// Runs an agents subcommand against the hub API.
pub fn run(cmd: AgentsCommand) -> Result<ExitCode> {
    match cmd {
        AgentsCommand::Add { name, api } => {
            let client = ApiClient::from_args(&api)?;
            let body = serde_json::json!({ "name": name });
            let created: serde_json::Value = client.post("/api/v1/agents", &body)?;
            // Only the token goes to stdout, so that `TOKEN=$(hostpulse agents add x)` works.
            println!("{}", created["token"].as_str().unwrap_or_default());
        }
        AgentsCommand::List { api } => {
            let agents: Vec<AgentView> = ApiClient::from_args(&api)?.get("/api/v1/agents")?;
            print_agents(&agents);
        }
        AgentsCommand::Revoke { name, api } => {
            ApiClient::from_args(&api)?.delete(&format!("/api/v1/agents/{}", encode(&name)))?;
            eprintln!("agent {name} revoked");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One line per agent, then one indented line per instance it has been seen as.
fn print_agents(agents: &[AgentView]) {
    println!("{:<32} {:<8} {:<20}", "NAME", "STATE", "CREATED");
    for view in agents {
        let a = &view.agent;
        let state = if a.revoked_ms.is_some() {
            "revoked"
        } else {
            "active"
        };
        println!(
            "{:<32} {:<8} {:<20}",
            a.name,
            state,
            format_time(a.created_ms)
        );
        if view.instances.is_empty() {
            println!("  (no instance seen yet)");
            continue;
        }
        println!(
            "  {:<32} {:<24} {:>12} {:<20} {:<20} {:<5}",
            "INSTANCE", "HOST", "LAST SEQ", "FIRST SEEN", "LAST SEEN", "LIVE"
        );
        for i in &view.instances {
            let live = if i.live { "yes" } else { "no" };
            let inst = &i.instance;
            println!(
                "  {:<32} {:<24} {:>12} {:<20} {:<20} {:<5}",
                inst.instance_id,
                inst.hostname,
                inst.last_seq,
                format_time(inst.first_seen_ms),
                format_time(inst.last_seen_ms),
                live
            );
        }
    }
}
