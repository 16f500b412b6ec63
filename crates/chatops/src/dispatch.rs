//! Handles one update: parses the command, checks access and role, runs the handler,
//! records state changes in the audit log and sends the reply.

use crate::alert_buttons::parse_alert_callback;
use crate::auth::{Gate, Verdict, actor, require};
use crate::client::BotClient;
use crate::confirm::{PendingActions, parse_confirm_callback};
use crate::format::{MAX_MESSAGE_CHARS, escape, split_message};
use crate::pages::{HistoryPages, parse_callback};
use crate::registry::{
    Caller, CommandContext, CommandError, CommandSpec, Reply, find, parse_command,
};
use crate::services::Services;
use crate::types::{CallbackQuery, Chat, Message, Update, User};
use hostpulse_service::Operation;
use std::sync::Arc;

/// Longest command name written to the log, characters.
const MAX_LOGGED_NAME: usize = 32;

/// Turns updates into command runs and replies.
pub struct Dispatcher {
    pub(crate) client: BotClient,
    pub(crate) gate: Gate,
    pub(crate) commands: Arc<[CommandSpec]>,
    /// Page tokens of `/history` buttons.
    pub(crate) pages: Arc<HistoryPages>,
    /// Destructive actions waiting for their asker's confirmation.
    pub(crate) pending: Arc<PendingActions>,
    pub(crate) services: Arc<Services>,
    /// The bot's username, to accept `/cmd@name` and ignore commands for other bots.
    pub(crate) bot_username: Option<String>,
}

impl Dispatcher {
    /// Handles one update; failures are logged, never returned.
    pub async fn handle(&self, update: Update) {
        if let Some(message) = update.message {
            self.on_message(message).await;
        } else if let Some(callback) = update.callback_query {
            self.on_callback(callback).await;
        }
    }

    async fn on_message(&self, message: Message) {
        if let (Some(text), Some(from)) = (&message.text, &message.from) {
            self.run_text(from, &message.chat, text).await;
        }
    }

    async fn on_callback(&self, callback: CallbackQuery) {
        if let Some(token) = callback.data.as_deref().and_then(parse_callback) {
            return self.on_history_page(&callback, token).await;
        }
        if let Some((confirmed, token)) = callback.data.as_deref().and_then(parse_confirm_callback)
        {
            return self.on_confirm_button(&callback, confirmed, token).await;
        }
        if let Some(action) = callback.data.as_deref().and_then(parse_alert_callback) {
            return self.on_alert_button(&callback, action).await;
        }
        if let Err(error) = self.client.answer_callback_query(&callback.id, None).await {
            tracing::warn!(%error, "cannot answer a telegram button press");
        }
        if let (Some(data), Some(message)) = (&callback.data, &callback.message) {
            self.run_text(&callback.from, &message.chat, data).await;
        }
    }

    pub(crate) async fn run_text(&self, user: &User, chat: &Chat, text: &str) {
        let Some((name, args)) = parse_command(text, self.bot_username.as_deref()) else {
            return;
        };
        let logged: String = name.chars().take(MAX_LOGGED_NAME).collect();
        let role = match self.gate.check(user, chat, &logged) {
            Verdict::Allowed(role) => role,
            Verdict::Refused(Some(text)) => {
                return self.send(chat.id, Reply::html(escape(&text))).await;
            }
            Verdict::Refused(None) => return,
        };
        let Some(spec) = find(&self.commands, &name) else {
            let text = format!("Unknown command /{}. Try /help.", escape(&logged));
            return self.send(chat.id, Reply::html(text)).await;
        };
        if let Err(text) = require(role, spec.min_role) {
            return self.send(chat.id, Reply::html(escape(&text))).await;
        }
        let caller = Caller {
            user_id: user.id,
            chat_id: chat.id,
            role,
            actor: actor(user, role),
        };
        let reply = self.run(spec, caller, args).await;
        self.send(chat.id, reply).await;
    }

    async fn run(&self, spec: &CommandSpec, caller: Caller, args: Vec<String>) -> Reply {
        let target = args.first().cloned().unwrap_or_else(|| "-".into());
        let actor = caller.actor.clone();
        let ctx = CommandContext {
            services: Arc::clone(&self.services),
            caller,
            args,
            commands: Arc::clone(&self.commands),
            pages: Arc::clone(&self.pages),
            pending: Arc::clone(&self.pending),
        };
        let result = (spec.handler)(ctx).await;
        // The service audits the operations it runs; what the command refused before
        // reaching it is audited here, through the service's one audit builder.
        let refused = match &result {
            Err(CommandError::Usage) => Some("bad arguments".to_string()),
            Err(CommandError::Failed(why)) => Some(why.clone()),
            Ok(_) | Err(CommandError::Audited(_)) => None,
        };
        if let (Some(action), Some(reason)) = (spec.audit_action, refused) {
            let operation = Operation::new(action, target);
            let service = &self.services.service;
            service.record_refusal(&actor, &operation, &reason).await;
        }
        match result {
            Ok(reply) => reply,
            Err(CommandError::Usage) => Reply::html(format!("Usage: {}", escape(spec.usage))),
            Err(CommandError::Failed(why) | CommandError::Audited(why)) => {
                Reply::html(escape(&why))
            }
        }
    }

    /// Sends a reply: the text in parts of at most one message, buttons on the last part,
    /// then the photo and the document.
    pub async fn send(&self, chat_id: i64, reply: Reply) {
        let parts = split_message(&reply.text_html, MAX_MESSAGE_CHARS);
        let count = parts.len();
        for (index, part) in parts.into_iter().enumerate() {
            let buttons = reply.buttons.as_deref().filter(|_| index + 1 == count);
            if let Err(error) = self.client.send_message(chat_id, &part, buttons).await {
                tracing::warn!(%error, chat_id, "cannot send a telegram reply");
                return;
            }
        }
        if let Some(photo) = reply.photo
            && let Err(error) = self.client.send_photo(chat_id, photo).await
        {
            tracing::warn!(%error, chat_id, "cannot send a telegram photo");
        }
        if let Some(document) = reply.document
            && let Err(error) = self.client.send_document(chat_id, document).await
        {
            tracing::warn!(%error, chat_id, "cannot send a telegram document");
        }
    }
}
