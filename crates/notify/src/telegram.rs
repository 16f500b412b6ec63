//! Telegram: Bot API `sendMessage` with HTML parse mode, forum topics, silent low-severity
//! delivery, splitting at 4096 characters (a retry resumes at the first unsent part), replies
//! to the firing message and Ack / Silence / Graph buttons the hub's bot handles.

use crate::TelegramSettings;
use async_trait::async_trait;
use hostpulse_core::text::escape_html;
use hostpulse_core::{AlertState, Notification, NotificationKind, Severity};
use serde_json::{Value, json};

use crate::http;
use crate::message::Summary;
use crate::parts::PartsSent;
use crate::{BotApi, BotApiError, Delivered, MessageContext, Notifier, NotifyError, SendError};

/// Longest message text Telegram accepts, in characters.
pub const MAX_MESSAGE_CHARS: usize = 4096;
/// Alerts of a group that get a row of buttons; a larger group gets a `/alerts` hint.
pub const MAX_BUTTON_ROWS: usize = 3;
/// Longest `callback_data` Telegram accepts, in bytes.
const MAX_CALLBACK_BYTES: usize = 64;

/// A Telegram receiver.
pub(crate) struct Telegram {
    api: BotApi,
    settings: TelegramSettings,
}

impl Telegram {
    pub(crate) fn new(receiver: &str, settings: &TelegramSettings) -> Result<Self, NotifyError> {
        let token = settings.bot_token.expose();
        let api = BotApi::new(&settings.api_url, token, settings.timeout).map_err(|e| {
            NotifyError::HttpClient {
                receiver: receiver.to_owned(),
                reason: e.to_string(),
            }
        })?;
        Ok(Self {
            api,
            settings: settings.clone(),
        })
    }

    fn text(&self, summary: &Summary) -> Result<String, SendError> {
        match &self.settings.template {
            Some(template) => summary.render(template).map(|t| escape_html(&t)),
            None => Ok(html_text(summary)),
        }
    }

    fn payload(
        &self,
        text: &str,
        n: &Notification,
        reply_to: Option<&str>,
        keyboard: Option<&Value>,
    ) -> Value {
        let mut body = json!({
            "chat_id": self.settings.chat_id,
            "text": text,
            "parse_mode": "HTML",
            "link_preview_options": { "is_disabled": true },
        });
        if let Some(thread) = self.settings.message_thread_id {
            body["message_thread_id"] = json!(thread);
        }
        if self
            .settings
            .silent_below
            .is_some_and(|floor| n.severity < floor)
        {
            body["disable_notification"] = json!(true);
        }
        if let Some(id) = reply_to.and_then(|id| id.parse::<i64>().ok()) {
            body["reply_parameters"] =
                json!({ "message_id": id, "allow_sending_without_reply": true });
        }
        if let Some(keyboard) = keyboard {
            body["reply_markup"] = json!({ "inline_keyboard": keyboard });
        }
        body
    }

    /// `sendMessage`: the new message's id; a 2xx answer that is not a Bot API answer counts
    /// as delivered (without an id), so that a sent message is not sent again.
    async fn send_part(&self, body: &Value) -> Result<Option<String>, SendError> {
        match self
            .api
            .call::<Value>("sendMessage", body, self.settings.timeout)
            .await
        {
            Ok(result) => Ok(result["message_id"].as_i64().map(|id| id.to_string())),
            Err(BotApiError::Refused { status, .. }) if (200..300).contains(&status) => Ok(None),
            Err(error) => Err(error.to_send_error()),
        }
    }
}

#[async_trait]
impl Notifier for Telegram {
    async fn send(&self, n: &Notification, ctx: &MessageContext) -> Result<Delivered, SendError> {
        let summary = Summary::new(n, ctx);
        let mut text = self.text(&summary)?;
        let keyboard = alert_keyboard(n);
        if keyboard.is_some() && n.alerts.len() > MAX_BUTTON_ROWS {
            text.push_str("\nMore alerts: /alerts");
        }
        let reply_to = if summary.resolved {
            ctx.reply_to.as_deref()
        } else {
            None
        };
        let parts = split_text(&text, MAX_MESSAGE_CHARS);
        let mut sent = PartsSent::resume(ctx);
        for (index, part) in parts.iter().enumerate().skip(sent.count()) {
            let first_reply_to = if index == 0 { reply_to } else { None };
            let last_keyboard = keyboard.as_ref().filter(|_| index + 1 == parts.len());
            let body = self.payload(part, n, first_reply_to, last_keyboard);
            let id = self.send_part(&body).await?;
            sent.record(id, parts.len())
                .await
                .map_err(|e| http::redact_error(e, self.api.redactor()))?;
        }
        Ok(sent.delivered())
    }
}

/// The inline keyboard of a firing, reminder or escalation message: `✅ Ack`, `🔕 Silence 1h`
/// and `📈 Graph` for each of the first [`MAX_BUTTON_ROWS`] alerts still firing, with callback
/// data `ack:<id>`, `sil:<id>:1h` and `graph:<id>`; an alert already acknowledged gets no
/// Ack button. `None` for resolved and test messages.
pub fn alert_keyboard(n: &Notification) -> Option<Value> {
    let actionable = matches!(
        n.kind,
        NotificationKind::Firing | NotificationKind::Repeat | NotificationKind::Escalation
    );
    if !actionable {
        return None;
    }
    let several = n.alerts.len() > 1;
    let rows: Vec<Value> = n
        .alerts
        .iter()
        .filter(|a| a.state == AlertState::Firing)
        .filter(|a| format!("sil:{}:1h", a.id).len() <= MAX_CALLBACK_BYTES)
        .take(MAX_BUTTON_ROWS)
        .map(|a| {
            let ack = if several {
                format!("✅ Ack {}", a.host)
            } else {
                "✅ Ack".to_owned()
            };
            let mut row = Vec::new();
            if a.ack.is_none() {
                row.push(json!({ "text": ack, "callback_data": format!("ack:{}", a.id) }));
            }
            row.push(
                json!({ "text": "🔕 Silence 1h", "callback_data": format!("sil:{}:1h", a.id) }),
            );
            row.push(json!({ "text": "📈 Graph", "callback_data": format!("graph:{}", a.id) }));
            Value::Array(row)
        })
        .collect();
    (!rows.is_empty()).then_some(Value::Array(rows))
}

/// The default message in Telegram HTML.
fn html_text(summary: &Summary) -> String {
    let icon = match (summary.resolved, summary.severity) {
        (true, _) => "✅",
        (false, Severity::Critical) => "🔴",
        (false, Severity::Warning) => "🟠",
        (false, Severity::Info) => "🔵",
    };
    let mut out = format!("{icon} <b>{}</b>\n", escape_html(&summary.title));
    for alert in &summary.alerts {
        out.push_str(&format!("\n<b>{}</b>\n", escape_html(&alert.headline())));
        for line in alert.detail_lines() {
            out.push_str(&format!("{}\n", escape_html(&line)));
        }
    }
    if let Some(link) = &summary.link {
        out.push_str(&format!(
            "\n<a href=\"{}\">Dashboard</a>",
            escape_html(link)
        ));
    }
    if let Some(hint) = &summary.ack_hint {
        out.push_str(&format!(
            "\nAcknowledge: <code>{}</code>",
            escape_html(hint)
        ));
    }
    out
}

/// Splits text into parts of at most `max` characters, at line boundaries where possible.
pub fn split_text(text: &str, max: usize) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut current_chars = 0;
    for line in text.split_inclusive('\n') {
        let mut line = line;
        loop {
            let line_chars = line.chars().count();
            if current_chars + line_chars <= max {
                current.push_str(line);
                current_chars += line_chars;
                break;
            }
            if current_chars > 0 {
                parts.push(std::mem::take(&mut current));
                current_chars = 0;
                continue;
            }
            // A single line longer than the limit is cut.
            let cut = line.char_indices().nth(max).map_or(line.len(), |(i, _)| i);
            parts.push(line[..cut].to_owned());
            line = &line[cut..];
        }
    }
    if !current.is_empty() || parts.is_empty() {
        parts.push(current);
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_lines_and_cuts_long_lines() {
        let text = "aaaa\nbbbb\ncccc\n";
        assert_eq!(split_text(text, 10), ["aaaa\nbbbb\n", "cccc\n"]);
        assert_eq!(split_text("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(split_text("", 4), [""]);
        let long = "é".repeat(9000);
        assert!(
            split_text(&long, MAX_MESSAGE_CHARS)
                .iter()
                .all(|p| p.chars().count() <= 4096)
        );
    }
}
