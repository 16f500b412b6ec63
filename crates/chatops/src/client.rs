//! A thin Telegram Bot API client: one method per call the bot makes; the token never
//! appears in an error or a log line.

use crate::error::BotApiError;
use crate::types::{BotCommand, Button, Message, Update, User};
use hostpulse_notify::Redactor;
use reqwest::multipart::{Form, Part};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::time::Duration;

/// Longest description kept from an error answer, characters.
const MAX_DESCRIPTION_CHARS: usize = 300;

/// Updates the bot asks for.
const ALLOWED_UPDATES: [&str; 2] = ["message", "callback_query"];

/// A file sent from memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    pub file_name: String,
    pub bytes: Vec<u8>,
    /// Caption, HTML.
    pub caption: Option<String>,
}

/// Client of one bot: `<api_url>/bot<token>/<method>`.
#[derive(Clone)]
pub struct BotClient {
    http: reqwest::Client,
    base: String,
    timeout: Duration,
    redactor: Redactor,
}

/// The envelope of every Bot API answer.
#[derive(Deserialize)]
struct Envelope {
    ok: bool,
    #[serde(default)]
    result: Value,
    #[serde(default)]
    description: String,
    #[serde(default)]
    parameters: Option<Parameters>,
}

#[derive(Deserialize)]
struct Parameters {
    retry_after: Option<u64>,
}

impl BotClient {
    /// A client for `api_url` (e.g. `https://api.telegram.org`) and `token`; `timeout`
    /// bounds every call except the long poll, which gets its poll timeout on top.
    pub fn new(api_url: &str, token: &str, timeout: Duration) -> Result<Self, BotApiError> {
        let redactor = Redactor::new().secret(token);
        let http = reqwest::Client::builder()
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("hostpulse/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| network_error(e, &redactor))?;
        Ok(Self {
            http,
            base: format!("{}/bot{token}", api_url.trim_end_matches('/')),
            timeout,
            redactor,
        })
    }

    /// The same client, also hiding the webhook `url` (and its path) and `secret_token` in errors.
    pub fn hiding_webhook(mut self, url: &str, secret_token: &str) -> Self {
        self.redactor = self.redactor.secret_url(url).secret(secret_token);
        self
    }

    /// `getMe`: the bot's own user.
    pub async fn get_me(&self) -> Result<User, BotApiError> {
        self.call("getMe", &json!({}), self.timeout).await
    }

    /// `deleteWebhook`, keeping pending updates unless `drop_pending`.
    pub async fn delete_webhook(&self, drop_pending: bool) -> Result<(), BotApiError> {
        let body = json!({ "drop_pending_updates": drop_pending });
        self.call::<Value>("deleteWebhook", &body, self.timeout)
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
        self.call::<Value>("setWebhook", &body, self.timeout)
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
        self.call("getUpdates", &body, poll + self.timeout).await
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
        self.call("sendMessage", &body, self.timeout).await
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
        self.call::<Value>("editMessageText", &body, self.timeout)
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
        self.call::<Value>("answerCallbackQuery", &body, self.timeout)
            .await
            .map(drop)
    }

    /// `setMyCommands`: the command menu shown by Telegram clients.
    pub async fn set_my_commands(&self, commands: &[BotCommand]) -> Result<(), BotApiError> {
        let body = json!({ "commands": commands });
        self.call::<Value>("setMyCommands", &body, self.timeout)
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
        let part = Part::bytes(upload.bytes).file_name(upload.file_name);
        let mut form = Form::new()
            .text("chat_id", chat_id.to_string())
            .part(field, part);
        if let Some(caption) = upload.caption {
            form = form.text("caption", caption).text("parse_mode", "HTML");
        }
        let request = self.http.post(self.url(method)).multipart(form);
        self.finish(request, self.timeout).await
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: &str,
        body: &Value,
        timeout: Duration,
    ) -> Result<T, BotApiError> {
        let request = self.http.post(self.url(method)).json(body);
        self.finish(request, timeout).await
    }

    async fn finish<T: DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
        timeout: Duration,
    ) -> Result<T, BotApiError> {
        let response = request
            .timeout(timeout)
            .send()
            .await
            .map_err(|e| network_error(e, &self.redactor))?;
        let status = response.status().as_u16();
        let text = response
            .text()
            .await
            .map_err(|e| network_error(e, &self.redactor))?;
        self.decode(status, &text)
    }

    fn decode<T: DeserializeOwned>(&self, status: u16, text: &str) -> Result<T, BotApiError> {
        let envelope: Option<Envelope> = serde_json::from_str(text).ok();
        match envelope {
            Some(envelope) if envelope.ok && (200..300).contains(&status) => {
                serde_json::from_value(envelope.result)
                    .map_err(|e| BotApiError::Network(format!("unexpected answer: {e}")))
            }
            Some(envelope) => {
                let retry = envelope.parameters.and_then(|p| p.retry_after);
                let status = if (200..300).contains(&status) {
                    400
                } else {
                    status
                };
                Err(BotApiError::from_status(
                    status,
                    self.shorten(&envelope.description),
                    retry.map(Duration::from_secs),
                ))
            }
            None => Err(BotApiError::from_status(status, self.shorten(text), None)),
        }
    }

    fn shorten(&self, text: &str) -> String {
        let redacted = self.redactor.redact(text);
        redacted.chars().take(MAX_DESCRIPTION_CHARS).collect()
    }

    fn url(&self, method: &str) -> String {
        format!("{}/{method}", self.base)
    }
}

fn network_error(error: reqwest::Error, redactor: &Redactor) -> BotApiError {
    BotApiError::Network(redactor.redact(&hostpulse_notify::transport_error_text(error)))
}
