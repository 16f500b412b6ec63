//! Presses on the `/history` "◀ Prev" / "Next ▶" buttons: the same access and role checks as
//! the command, then the message is edited to show the page and the press is answered.

use crate::auth::{Verdict, require};
use crate::commands::history::render_page;
use crate::dispatch::Dispatcher;
use crate::format::{MAX_MESSAGE_CHARS, split_message};
use crate::registry::find;
use crate::types::CallbackQuery;

/// Notice of a press by a user or in a chat the bot does not serve.
const NOT_ALLOWED: &str = "You are not allowed to use this bot.";
/// Notice of a press on a button whose page token is unknown or expired.
const EXPIRED: &str = "This page has expired; send /history again.";

impl Dispatcher {
    /// Shows the page of `token` in the message of the pressed button and answers the press,
    /// with a short notice when the page cannot be shown.
    pub(crate) async fn on_history_page(&self, callback: &CallbackQuery, token: Option<u64>) {
        let notice = self.show_history_page(callback, token).await.err();
        if let Err(error) = self
            .client
            .answer_callback_query(&callback.id, notice.as_deref())
            .await
        {
            tracing::warn!(%error, "cannot answer a telegram button press");
        }
    }

    async fn show_history_page(
        &self,
        callback: &CallbackQuery,
        token: Option<u64>,
    ) -> Result<(), String> {
        let message = callback.message.as_ref().ok_or(EXPIRED)?;
        let role = match self.gate.check(&callback.from, &message.chat, "history") {
            Verdict::Allowed(role) => role,
            Verdict::Refused(_) => return Err(NOT_ALLOWED.into()),
        };
        let spec = find(&self.commands, "history").ok_or(EXPIRED)?;
        require(role, spec.min_role)?;
        let token = token.ok_or(EXPIRED)?;
        let page = self.pages.get(token).ok_or(EXPIRED)?;
        let reply = render_page(&self.services, &self.pages, token, &page)
            .await
            .map_err(|error| error.to_string())?;
        let text = split_message(&reply.text_html, MAX_MESSAGE_CHARS)
            .into_iter()
            .next()
            .unwrap_or_default();
        let chat_id = message.chat.id;
        self.client
            .edit_message_text(chat_id, message.message_id, &text, reply.buttons.as_deref())
            .await
            .map_err(|error| {
                tracing::warn!(%error, chat_id, "cannot edit a telegram history message");
                "Cannot update this message.".to_string()
            })
    }
}
