//! The bot's command table. A new command is one more entry here and a handler module.

mod act;
mod alerts;
mod basic;
mod containers;
mod devices;
mod graph;
pub mod history;
mod hosts;
mod processes;
mod silences;
mod vitals;

pub(crate) use graph::parse_args as parse_graph_args;

use crate::registry::{CommandError, CommandSpec};
use hostpulse_core::Role;
use hostpulse_service::Action;
use std::fmt::Display;

/// Every command, in the order `/help` and the Telegram menu show them.
pub fn table() -> Vec<CommandSpec> {
    vec![
        CommandSpec {
            name: "start",
            min_role: Role::Viewer,
            usage: "/start",
            description: "Greeting and your role",
            audit_action: None,
            handler: |ctx| Box::pin(basic::start(ctx)),
        },
        CommandSpec {
            name: "help",
            min_role: Role::Viewer,
            usage: "/help",
            description: "Commands you may use",
            audit_action: None,
            handler: |ctx| Box::pin(basic::help(ctx)),
        },
        CommandSpec {
            name: "hosts",
            min_role: Role::Viewer,
            usage: "/hosts",
            description: "Hosts: up or down, last seen, IP, agent version",
            audit_action: None,
            handler: |ctx| Box::pin(hosts::hosts(ctx)),
        },
        CommandSpec {
            name: "status",
            min_role: Role::Viewer,
            usage: "/status [host|glob|group]",
            description: "CPU, load, memory, disk, network, uptime and alerts per host",
            audit_action: None,
            handler: |ctx| Box::pin(hosts::status(ctx)),
        },
        CommandSpec {
            name: "cpu",
            min_role: Role::Viewer,
            usage: "/cpu [host|glob|group]",
            description: "CPU usage split, load 1/5/15 and cores per host",
            audit_action: None,
            handler: |ctx| Box::pin(vitals::cpu(ctx)),
        },
        CommandSpec {
            name: "ram",
            min_role: Role::Viewer,
            usage: "/ram [host|glob|group]",
            description: "Memory total, used, available and swap per host",
            audit_action: None,
            handler: |ctx| Box::pin(vitals::ram(ctx)),
        },
        CommandSpec {
            name: "disk",
            min_role: Role::Viewer,
            usage: "/disk [host|glob|group]",
            description: "Filesystems fullest first, inodes and disk I/O per host",
            audit_action: None,
            handler: |ctx| Box::pin(devices::disk(ctx)),
        },
        CommandSpec {
            name: "net",
            min_role: Role::Viewer,
            usage: "/net [host|glob|group]",
            description: "Interface rates, errors, drops and TCP connections per host",
            audit_action: None,
            handler: |ctx| Box::pin(devices::net(ctx)),
        },
        CommandSpec {
            name: "uptime",
            min_role: Role::Viewer,
            usage: "/uptime [host|glob|group]",
            description: "Uptime, boot time and last report per host",
            audit_action: None,
            handler: |ctx| Box::pin(vitals::uptime(ctx)),
        },
        CommandSpec {
            name: "top",
            min_role: Role::Viewer,
            usage: "/top [host|glob|group]",
            description: "Top processes by CPU and by memory per host",
            audit_action: None,
            handler: |ctx| Box::pin(processes::top(ctx)),
        },
        CommandSpec {
            name: "users",
            min_role: Role::Viewer,
            usage: "/users [host|glob|group]",
            description: "Logged-in users per host",
            audit_action: None,
            handler: |ctx| Box::pin(processes::users(ctx)),
        },
        CommandSpec {
            name: "ps",
            min_role: Role::Viewer,
            usage: "/ps [host]",
            description: "Containers of a host: state, health, restarts, image",
            audit_action: None,
            handler: |ctx| Box::pin(containers::ps(ctx)),
        },
        CommandSpec {
            name: "logs",
            min_role: Role::Viewer,
            usage: "/logs <host> <container> [lines]",
            description: "The last lines of a container's log (30 by default, at most 200)",
            audit_action: None,
            handler: |ctx| Box::pin(containers::logs(ctx)),
        },
        CommandSpec {
            name: "actions",
            min_role: Role::Viewer,
            usage: "/actions [host]",
            description: "What each host's agent allows, and its named commands",
            audit_action: None,
            handler: |ctx| Box::pin(containers::actions(ctx)),
        },
        CommandSpec {
            name: "restart",
            min_role: Role::Operator,
            usage: "/restart <host> <container>",
            description: "Restart a container (asks to confirm)",
            audit_action: Some(Action::HostAction),
            handler: |ctx| Box::pin(act::restart(ctx)),
        },
        CommandSpec {
            name: "start_container",
            min_role: Role::Operator,
            usage: "/start_container <host> <container>",
            description: "Start a stopped container (asks to confirm)",
            audit_action: Some(Action::HostAction),
            handler: |ctx| Box::pin(act::start(ctx)),
        },
        CommandSpec {
            name: "stop_container",
            min_role: Role::Operator,
            usage: "/stop_container <host> <container>",
            description: "Stop a running container (asks to confirm)",
            audit_action: Some(Action::HostAction),
            handler: |ctx| Box::pin(act::stop(ctx)),
        },
        CommandSpec {
            name: "run",
            min_role: Role::Operator,
            usage: "/run <host> <command>",
            description: "Run one of the agent's named commands (asks to confirm)",
            audit_action: Some(Action::HostAction),
            handler: |ctx| Box::pin(act::run(ctx)),
        },
        CommandSpec {
            name: "alerts",
            min_role: Role::Viewer,
            usage: "/alerts [host|glob|group]",
            description: "Active alerts",
            audit_action: None,
            handler: |ctx| Box::pin(alerts::alerts(ctx)),
        },
        CommandSpec {
            name: "history",
            min_role: Role::Viewer,
            usage: "/history [host|glob|group]",
            description: "Alert and notification history, newest first, with paging buttons",
            audit_action: None,
            handler: |ctx| Box::pin(history::history(ctx)),
        },
        CommandSpec {
            name: "ack",
            min_role: Role::Operator,
            usage: "/ack <alert id> [comment]",
            description: "Acknowledge an alert: stops reminders and escalation",
            audit_action: Some(Action::AlertAck),
            handler: |ctx| Box::pin(alerts::ack(ctx)),
        },
        CommandSpec {
            name: "silences",
            min_role: Role::Viewer,
            usage: "/silences",
            description: "Active and scheduled silences",
            audit_action: None,
            handler: |ctx| Box::pin(silences::list(ctx)),
        },
        CommandSpec {
            name: "silence",
            min_role: Role::Operator,
            usage: "/silence <host|rule|matchers> <duration> [comment]",
            description: "Silence alerts, e.g. /silence web-1 2h deploy",
            audit_action: Some(Action::SilenceCreate),
            handler: |ctx| Box::pin(silences::add(ctx)),
        },
        CommandSpec {
            name: "unsilence",
            min_role: Role::Operator,
            usage: "/unsilence <silence id>",
            description: "End a silence now",
            audit_action: Some(Action::SilenceExpire),
            handler: |ctx| Box::pin(silences::expire(ctx)),
        },
        CommandSpec {
            name: "rules",
            min_role: Role::Viewer,
            usage: "/rules",
            description: "Alert rules and how many alerts each has",
            audit_action: None,
            handler: |ctx| Box::pin(basic::rules(ctx)),
        },
        CommandSpec {
            name: "graph",
            min_role: Role::Viewer,
            usage: "/graph [host] [cpu|mem|load|disk|net|swap] [15m..30d]",
            description: "Chart of a host's metrics, e.g. /graph web-1 cpu 6h",
            audit_action: None,
            handler: |ctx| Box::pin(graph::graph(ctx)),
        },
    ]
}

/// A failure shown to the user as text.
fn failed(error: impl Display) -> CommandError {
    CommandError::Failed(error.to_string())
}

/// A failure of a service operation (already audited), shown to the user as text.
fn audited(error: impl Display) -> CommandError {
    CommandError::Audited(error.to_string())
}
