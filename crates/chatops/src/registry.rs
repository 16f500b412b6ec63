//! The command table: every command's name, minimum role, usage, description and handler.
//! A new command plugs in by adding one [`CommandSpec`] to [`crate::commands::table`].

use crate::client::Upload;
use crate::pages::HistoryPages;
use crate::services::Services;
use crate::types::{BotCommand, Button};
use hostpulse_core::Role;
use hostpulse_service::{Action, Actor};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// What a command answers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reply {
    /// Message text, HTML; split at line boundaries when longer than one message.
    pub text_html: String,
    /// Inline keyboard rows, attached to the last part of the text.
    pub buttons: Option<Vec<Vec<Button>>>,
    /// An image (e.g. a rendered chart) sent after the text; `None` for none.
    pub photo: Option<Upload>,
    /// A file sent after the text (and the photo); `None` for none.
    pub document: Option<Upload>,
}

impl Reply {
    /// A text-only reply.
    pub fn html(text_html: impl Into<String>) -> Self {
        Self {
            text_html: text_html.into(),
            ..Self::default()
        }
    }
}

/// Why a command did not produce its normal answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    /// The arguments do not fit: the usage line is shown.
    #[error("bad arguments")]
    Usage,
    /// The command ran and failed; the text (plain, escaped on output) is shown.
    #[error("{0}")]
    Failed(String),
    /// The hub's service refused or failed the operation and has audited it; the text
    /// (plain, escaped on output) is shown.
    #[error("{0}")]
    Audited(String),
}

/// The caller of a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// Telegram user id of the sender.
    pub user_id: i64,
    /// The chat the command came from; the reply goes there.
    pub chat_id: i64,
    /// The sender's role from the `telegram:` user lists.
    pub role: Role,
    /// The user as the actor of service operations (`telegram:<id>:<username>` in audit
    /// records, acks and silence authors).
    pub actor: Actor,
}

/// Everything a handler gets.
#[derive(Clone)]
pub struct CommandContext {
    /// The hub services the command reads and changes.
    pub services: Arc<Services>,
    /// Who sent the command, from which chat, with which role.
    pub caller: Caller,
    /// Whitespace-separated arguments after the command name.
    pub args: Vec<String>,
    /// The command table, for `/help`.
    pub commands: Arc<[CommandSpec]>,
    /// Page tokens of `/history` buttons.
    pub(crate) pages: Arc<HistoryPages>,
    /// Questions of destructive commands waiting for confirmation.
    pub(crate) pending: Arc<crate::confirm::PendingActions>,
}

/// The future a handler returns.
pub type HandlerFuture = Pin<Box<dyn Future<Output = Result<Reply, CommandError>> + Send>>;

/// A command handler.
pub type Handler = fn(CommandContext) -> HandlerFuture;

/// One entry of the command table.
#[derive(Clone)]
pub struct CommandSpec {
    /// Without the slash, e.g. `status`.
    pub name: &'static str,
    /// The lowest role that may run it; others are refused before the handler runs.
    pub min_role: Role,
    /// e.g. `/status [host|glob|group]`.
    pub usage: &'static str,
    /// One line for `/help` and the Telegram command menu.
    pub description: &'static str,
    /// The operation of a state-changing command (e.g. [`Action::AlertAck`]); `None` for
    /// reads. Arguments refused before the operation runs are audited under it too.
    pub audit_action: Option<Action>,
    /// Runs the command.
    pub handler: Handler,
}

/// Looks up a command by name (without slash, case-insensitive).
pub fn find<'a>(commands: &'a [CommandSpec], name: &str) -> Option<&'a CommandSpec> {
    commands.iter().find(|c| c.name.eq_ignore_ascii_case(name))
}

/// The commands for Telegram's menu (`setMyCommands`).
pub fn menu(commands: &[CommandSpec]) -> Vec<BotCommand> {
    commands
        .iter()
        .map(|c| BotCommand {
            command: c.name.to_string(),
            description: c.description.to_string(),
        })
        .collect()
}

/// `/help` text: the commands `role` may run, with usage and description.
pub fn help_text(commands: &[CommandSpec], role: Role) -> String {
    let mut text = String::from("<b>Commands</b>\n");
    for command in commands.iter().filter(|c| role >= c.min_role) {
        text.push_str(&format!(
            "{} — {}\n",
            crate::format::escape(command.usage),
            crate::format::escape(command.description)
        ));
    }
    text
}

/// Parses `/name@bot arg...`: `None` when the text is not a command, or is addressed to
/// another bot than `bot_username`.
pub fn parse_command(text: &str, bot_username: Option<&str>) -> Option<(String, Vec<String>)> {
    let mut words = text.split_whitespace();
    let first = words.next()?.strip_prefix('/')?;
    let (name, target) = match first.split_once('@') {
        Some((name, target)) => (name, Some(target)),
        None => (first, None),
    };
    if let (Some(target), Some(bot)) = (target, bot_username)
        && !target.eq_ignore_ascii_case(bot)
    {
        return None;
    }
    if name.is_empty() {
        return None;
    }
    Some((name.to_string(), words.map(str::to_string).collect()))
}
