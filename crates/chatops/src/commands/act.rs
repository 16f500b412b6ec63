//! `/restart`, `/start_container`, `/stop_container` and `/run`: destructive actions on a
//! host, each asked as a question with Confirm / Cancel buttons (see [`crate::confirm`]).

use super::containers::one_host;
use crate::confirm::{CONFIRM_TTL_MS, confirm_buttons};
use crate::format::escape;
use crate::registry::{CommandContext, CommandError, Reply};
use hostpulse_proto::command::{CONTAINERS_RESTART, CONTAINERS_START, CONTAINERS_STOP, RUN};
use hostpulse_service::commands::{ActionRequest, validate_container_name};
use std::collections::BTreeMap;

/// `/restart <host> <container>`.
pub async fn restart(ctx: CommandContext) -> Result<Reply, CommandError> {
    container_action(ctx, CONTAINERS_RESTART, "restart").await
}

/// `/start_container <host> <container>`.
pub async fn start(ctx: CommandContext) -> Result<Reply, CommandError> {
    container_action(ctx, CONTAINERS_START, "start").await
}

/// `/stop_container <host> <container>`.
pub async fn stop(ctx: CommandContext) -> Result<Reply, CommandError> {
    container_action(ctx, CONTAINERS_STOP, "stop").await
}

async fn container_action(
    ctx: CommandContext,
    action: &str,
    verb: &str,
) -> Result<Reply, CommandError> {
    let [host, container] = ctx.args.as_slice() else {
        return Err(CommandError::Usage);
    };
    validate_container_name(container).map_err(|e| CommandError::Failed(e.to_string()))?;
    let host = one_host(&ctx, Some(host)).await?;
    let what = format!(
        "{verb} <b>{}</b> on <b>{}</b>",
        escape(container),
        escape(&host)
    );
    let args = BTreeMap::from([("container".to_owned(), container.clone())]);
    Ok(ask(&ctx, host, action, args, what))
}

/// `/run <host> <command>`: one of the agent's named commands.
pub async fn run(ctx: CommandContext) -> Result<Reply, CommandError> {
    let [host, command] = ctx.args.as_slice() else {
        return Err(CommandError::Usage);
    };
    let named = !command.is_empty()
        && command
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !named {
        return Err(CommandError::Failed(format!(
            "{command:?} is not a command name (see /actions for the host's commands)"
        )));
    }
    let host = one_host(&ctx, Some(host)).await?;
    let what = format!("run <b>{}</b> on <b>{}</b>", escape(command), escape(&host));
    let args = BTreeMap::from([("command".to_owned(), command.clone())]);
    Ok(ask(&ctx, host, RUN, args, what))
}

fn ask(
    ctx: &CommandContext,
    host: String,
    action: &str,
    args: BTreeMap<String, String>,
    what_html: String,
) -> Reply {
    let request = ActionRequest {
        host,
        action: action.to_owned(),
        args,
        origin: "telegram".into(),
    };
    let caller = &ctx.caller;
    let token = ctx.pending.ask(
        caller.user_id,
        caller.actor.clone(),
        request,
        what_html.clone(),
    );
    let mut first = what_html;
    if let Some(c) = first.get_mut(0..1) {
        c.make_ascii_uppercase();
    }
    Reply {
        text_html: format!(
            "{first}?\nConfirm within {} minutes; only you can answer.",
            CONFIRM_TTL_MS / 60_000
        ),
        buttons: Some(confirm_buttons(&token)),
        ..Reply::default()
    }
}
