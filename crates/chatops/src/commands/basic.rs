//! `/start`, `/help` and `/rules`.

use crate::access::role_name;
use crate::format::escape;
use crate::registry::{CommandContext, CommandError, Reply, help_text};

/// `/start`: greeting and the caller's role.
pub async fn start(ctx: CommandContext) -> Result<Reply, CommandError> {
    Ok(Reply::html(format!(
        "Hello! This is the hostpulse bot of your fleet.\nYour role: <b>{}</b>. Try /help.",
        role_name(ctx.caller.role)
    )))
}

/// `/help`: the commands the caller's role allows.
pub async fn help(ctx: CommandContext) -> Result<Reply, CommandError> {
    Ok(Reply::html(help_text(&ctx.commands, ctx.caller.role)))
}

/// `/rules`: every loaded rule with severity and alert counts.
pub async fn rules(ctx: CommandContext) -> Result<Reply, CommandError> {
    let rules = ctx.services.engine.rules();
    if rules.is_empty() {
        return Ok(Reply::html("No alert rules are loaded."));
    }
    let mut text = format!("<b>Rules</b> ({})\n", rules.len());
    for rule in rules {
        let mut flags = String::new();
        if rule.dry_run {
            flags.push_str(" dry-run");
        }
        if rule.last_error.is_some() {
            flags.push_str(" ⚠ error");
        }
        text.push_str(&format!(
            "<b>{}</b> [{}] firing {} pending {}{}\n<code>{}</code>\n",
            escape(&rule.name),
            rule.severity,
            rule.firing,
            rule.pending,
            flags,
            escape(&rule.expr)
        ));
    }
    Ok(Reply::html(text))
}
