//! `/alerts [host]` (active alerts) and `/ack <id> [comment]`.

use super::{audited, failed};
use crate::format::{age, escape, number};
use crate::registry::{CommandContext, CommandError, Reply};
use crate::select::select_hosts;
use crate::types::Button;
use hostpulse_core::{Alert, AlertState, Severity};

/// Most ack buttons under one reply.
const MAX_BUTTONS: usize = 8;
use hostpulse_service::MAX_COMMENT;

/// `/alerts [host|glob|group]`: pending and firing alerts, most severe first.
pub async fn alerts(ctx: CommandContext) -> Result<Reply, CommandError> {
    if ctx.args.len() > 1 {
        return Err(CommandError::Usage);
    }
    let mut alerts = ctx.services.engine.active_alerts();
    if let Some(wanted) = ctx.args.first() {
        let hosts = ctx.services.store.hosts().await.map_err(failed)?;
        let names = select_hosts(&hosts, Some(wanted), &ctx.services.host_groups);
        alerts.retain(|a| names.contains(&a.host) || &a.host == wanted);
    }
    if alerts.is_empty() {
        return Ok(Reply::html("No active alerts. ✅"));
    }
    alerts.sort_by(|a, b| {
        (b.severity, a.active_since_ms, &a.host).cmp(&(a.severity, b.active_since_ms, &b.host))
    });
    let now = ctx.services.clock.now_ms();
    let mut text = format!("<b>Active alerts</b> ({})\n", alerts.len());
    for alert in &alerts {
        text.push_str(&alert_line(alert, now));
    }
    let buttons: Vec<Vec<Button>> = alerts
        .iter()
        .filter(|a| a.state == AlertState::Firing && a.ack.is_none())
        .take(MAX_BUTTONS)
        .map(|a| {
            vec![Button {
                text: format!("Ack {} on {}", a.rule, a.host),
                callback_data: format!("/ack {}", a.id),
            }]
        })
        .collect();
    let mut reply = Reply::html(text);
    if !buttons.is_empty() && ctx.caller.role >= hostpulse_core::Role::Operator {
        reply.buttons = Some(buttons);
    }
    Ok(reply)
}

fn alert_line(alert: &Alert, now: i64) -> String {
    let mark = match alert.severity {
        Severity::Critical => "🔴",
        Severity::Warning => "🟠",
        Severity::Info => "🔵",
    };
    let ip = alert
        .annotations
        .get("host_ip")
        .map(|ip| format!(" ({})", escape(ip)))
        .unwrap_or_default();
    let threshold = alert
        .threshold
        .map(|t| format!(" vs {}", number(t)))
        .unwrap_or_default();
    let state = match (alert.state, &alert.ack) {
        (_, Some(_)) => "acked",
        (AlertState::Pending, None) => "pending",
        _ => "firing",
    };
    format!(
        "{mark} {} <b>{}</b> on <b>{}</b>{ip}\n    value {}{threshold} · {state} since {} · id <code>{}</code>\n",
        alert.severity.as_str().to_uppercase(),
        escape(&alert.rule),
        escape(&alert.host),
        number(alert.value),
        age(now - alert.active_since_ms),
        escape(&alert.id)
    )
}

/// `/ack <id> [comment]`: acknowledges an active alert.
pub async fn ack(ctx: CommandContext) -> Result<Reply, CommandError> {
    let Some((id, comment)) = ctx.args.split_first() else {
        return Err(CommandError::Usage);
    };
    let comment = comment.join(" ");
    if comment.chars().count() > MAX_COMMENT {
        return Err(CommandError::Failed(format!(
            "The comment is longer than {MAX_COMMENT} characters."
        )));
    }
    let service = &ctx.services.service;
    let alert = service
        .ack(&ctx.caller.actor, id, &comment)
        .await
        .map_err(audited)?;
    Ok(Reply::html(format!(
        "✅ Acknowledged <b>{}</b> on <b>{}</b> (<code>{}</code>).",
        escape(&alert.rule),
        escape(&alert.host),
        escape(&alert.id)
    )))
}
