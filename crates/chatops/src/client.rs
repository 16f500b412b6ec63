//! The bot's calls of the Telegram Bot API, one method each, over the hub's one Bot API
//! client ([`BotApi`]); the token never appears in an error or a log line.

use crate::error::BotApiError;
use crate::types::{BotCommand, Button, Message, Update, User};
use hostpulse_notify::BotApi;
pub use hostpulse_notify::Upload;
use serde_json::{Value, json};
use std::time::Duration;

/// Updates the bot asks for.
const ALLOWED_UPDATES: [&str; 2] = ["message", "callback_query"];

/// Client of one bot: `<api_url>/bot<token>/<method>`.
#[derive(Clone)]
pub struct BotClient {
    api: BotApi,
}

impl BotClient {
    /// A client for `api_url` (e.g. `https://api.telegram.org`) and `token`; `timeout`
    /// bounds every call except the long poll, which gets its poll timeout on top.
    pub fn new(api_url: &str, token: &str, timeout: Duration) -> Result<Self, BotApiError> {
        Ok(Self {
            api: BotApi::new(api_url, token, timeout)?,
        })
    }

    /// The same client, also hiding the webhook `url` (and its path) and `secret_token` in errors.
    pub fn hiding_webhook(self, url: &str, secret_token: &str) -> Self {
        Self {
            api: self.api.hiding(url, secret_token),
        }
    }

    /// `getMe`: the bot's own user.
    pub async fn get_me(&self) -> Result<User, BotApiError> {
        self.call("getMe", &json!({}), self.api.timeout()).await
    }

    /// `deleteWebhook`, keeping pending updates unless `drop_pending`.
    pub async fn delete_webhook(&self, drop_pending: bool) -> Result<(), BotApiError> {
        let body = json!({ "drop_pending_updates": drop_pending });
        self.call::<Value>("deleteWebhook", &body, self.api.timeout())
            .await
            .map(drop)
    }

    /// `setWebhook` to `url` with `secret_token`, one connection at a time so that updates
    /// arrive in order (the persisted offset relies on it).
    pub async fn set_webhook(&self, url: &str, secret_token: &str) -> Result<(), BotApiError> {
        let body = json!({
            "url": url,
            "secret_token": secret_token,
            "allowed_updates": ALLOWED_UPDATES,
            "max_connections": 1,
        });
        self.call::<Value>("setWebhook", &body, self.api.timeout())
            .await
            .map(drop)
    }

    /// `getUpdates` from `offset`, held by the server up to `poll` when there is none.
    pub async fn get_updates(
        &self,
        offset: Option<i64>,
        poll: Duration,
    ) -> Result<Vec<Update>, BotApiError> {
        let mut body = json!({ "timeout": poll.as_secs(), "allowed_updates": ALLOWED_UPDATES });
        if let Some(offset) = offset {
            body["offset"] = json!(offset);
        }
        self.call("getUpdates", &body, poll + self.api.timeout())
            .await
    }

    /// `sendMessage` in HTML with link previews off and an optional inline keyboard.
    pub async fn send_message(
        &self,
        chat_id: i64,
        text_html: &str,
        buttons: Option<&[Vec<Button>]>,
    ) -> Result<Message, BotApiError> {
        let mut body = json!({
            "chat_id": chat_id,
            "text": text_html,
            "parse_mode": "HTML",
            "link_preview_options": { "is_disabled": true },
        });
        if let Some(rows) = buttons {
            body["reply_markup"] = json!({ "inline_keyboard": rows });
        }
        self.call("sendMessage", &body, self.api.timeout()).await
    }

    /// `editMessageText` of a message the bot sent, in HTML, replacing its inline keyboard.
    pub async fn edit_message_text(
        &self,
        chat_id: i64,
        message_id: i64,
        text_html: &str,
        buttons: Option<&[Vec<Button>]>,
    ) -> Result<(), BotApiError> {
        let mut body = json!({
            "chat_id": chat_id,
            "message_id": message_id,
            "text": text_html,
            "parse_mode": "HTML",
            "link_preview_options": { "is_disabled": true },
        });
        if let Some(rows) = buttons {
            body["reply_markup"] = json!({ "inline_keyboard": rows });
        }
        self.call::<Value>("editMessageText", &body, self.api.timeout())
            .await
            .map(drop)
    }

    /// `answerCallbackQuery` with an optional short notice.
    pub async fn answer_callback_query(
        &self,
        callback_id: &str,
        text: Option<&str>,
    ) -> Result<(), BotApiError> {
        let mut body = json!({ "callback_query_id": callback_id });
        if let Some(text) = text {
            body["text"] = json!(text);
        }
        self.call::<Value>("answerCallbackQuery", &body, self.api.timeout())
            .await
            .map(drop)
    }

    /// `setMyCommands`: the command menu shown by Telegram clients.
    pub async fn set_my_commands(&self, commands: &[BotCommand]) -> Result<(), BotApiError> {
        let body = json!({ "commands": commands });
        self.call::<Value>("setMyCommands", &body, self.api.timeout())
            .await
            .map(drop)
    }

    /// `sendPhoto` from memory.
    pub async fn send_photo(&self, chat_id: i64, photo: Upload) -> Result<Message, BotApiError> {
        self.upload("sendPhoto", "photo", chat_id, photo).await
    }

    /// `sendDocument` from memory.
    pub async fn send_document(&self, chat_id: i64, doc: Upload) -> Result<Message, BotApiError> {
        self.upload("sendDocument", "document", chat_id, doc).await
    }

    async fn upload(
        &self,
        method: &str,
        field: &'static str,
        chat_id: i64,
        upload: Upload,
    ) -> Result<Message, BotApiError> {
        self.api.upload(method, field, chat_id, upload).await
    }

    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        method: &str,
        body: &Value,
        timeout: Duration,
    ) -> Result<T, BotApiError> {
        self.api.call(method, body, timeout).await
    }
}
