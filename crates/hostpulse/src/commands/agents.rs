//! `hostpulse agents add|list|revoke`.

use crate::cli::AgentsCommand;
use crate::client::{ApiClient, encode};
use anyhow::Result;
use hostpulse_store::AgentRecord;
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
            let agents: Vec<AgentRecord> = ApiClient::from_args(&api)?.get("/api/v1/agents")?;
            print_agents(&agents);
        }
        AgentsCommand::Revoke { name, api } => {
            ApiClient::from_args(&api)?.delete(&format!("/api/v1/agents/{}", encode(&name)))?;
            eprintln!("agent {name} revoked");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_agents(agents: &[AgentRecord]) {
    println!("{:<32} {:<8} {:<20}", "NAME", "STATE", "CREATED");
    for a in agents {
        let state = if a.revoked_ms.is_some() {
            "revoked"
        } else {
            "active"
        };
        println!(
            "{:<32} {:<8} {:<20}",
            a.name,
            state,
            crate::commands::status::format_time(a.created_ms)
        );
    }
}
