//! Buttons under alert notifications (`ack:<id>`, `sil:<id>:<duration>`, `graph:<id>`): each
//! press is checked like a command, acted on through the engine, audited, and shown by editing
//! the pressed message. The edited text is the message's plain text, HTML-escaped, with one
//! line appended: the notification's bold and links are not kept.

use crate::auth::{Verdict, actor, require};
use crate::dispatch::Dispatcher;
use crate::format::{MAX_MESSAGE_CHARS, escape, zoned_clock};
use crate::registry::{Reply, find};
use crate::types::{Button, CallbackQuery, Chat, Message, User};
use hostpulse_core::Role;
use hostpulse_core::duration::parse_duration_ms;
use hostpulse_core::{Alert, MatchOp, Matcher};
use hostpulse_engine::NewSilence;
use hostpulse_service::{Actor, CreateSilence, ServiceError};

/// Toast of a press on a button whose alert has resolved or is unknown.
pub const ALERT_GONE: &str = "This alert is no longer active";
/// Toast of an Ack press on an alert that is pending again (only firing alerts take acks).
const ALERT_PENDING: &str = "This alert is pending, not firing: it cannot be acknowledged. Use 🔕 Silence 1h to keep it quiet.";
/// Toast of a press by a user or in a chat the bot does not serve.
const NOT_ALLOWED: &str = "You are not allowed to use this bot.";
/// Toast of a press the bot cannot tie to a chat (message too old for Telegram to send).
const MESSAGE_GONE: &str = "This message is too old; use /alerts";
/// Longest silence a button may create, milliseconds (one day).
const MAX_BUTTON_SILENCE_MS: i64 = 86_400_000;
/// Comment of silences created by a button.
const SILENCE_COMMENT: &str = "from Telegram";
/// Time range of the graph a button asks for.
const GRAPH_RANGE: &str = "6h";
/// Longest alert id accepted in callback data.
const MAX_ID_CHARS: usize = 40;

/// What an alert button asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlertAction {
    /// `ack:<id>`: acknowledge the alert.
    Ack { id: String },
    /// `sil:<id>:<duration>`: silence the alert's rule on its host.
    Silence {
        id: String,
        length_ms: i64,
        label: String,
    },
    /// `graph:<id>`: show the graph of the alert's metric on its host.
    Graph { id: String },
}

impl AlertAction {
    fn min_role(&self) -> Role {
        match self {
            Self::Ack { .. } | Self::Silence { .. } => Role::Operator,
            Self::Graph { .. } => Role::Viewer,
        }
    }

    fn name(&self) -> &'static str {
        match self {
            Self::Ack { .. } => "ack",
            Self::Silence { .. } => "silence",
            Self::Graph { .. } => "graph",
        }
    }
}

/// The action of an alert button's callback data; `None` for other or malformed data.
pub fn parse_alert_callback(data: &str) -> Option<AlertAction> {
    if let Some(id) = data.strip_prefix("ack:") {
        return alert_id(id).map(|id| AlertAction::Ack { id });
    }
    if let Some(id) = data.strip_prefix("graph:") {
        return alert_id(id).map(|id| AlertAction::Graph { id });
    }
    let (id, label) = data.strip_prefix("sil:")?.split_once(':')?;
    let length_ms =
        parse_duration_ms(label).filter(|ms| (1..=MAX_BUTTON_SILENCE_MS).contains(ms))?;
    Some(AlertAction::Silence {
        id: alert_id(id)?,
        length_ms,
        label: label.to_string(),
    })
}

fn alert_id(text: &str) -> Option<String> {
    let valid = !text.is_empty()
        && text.len() <= MAX_ID_CHARS
        && text.chars().all(|c| c.is_ascii_alphanumeric());
    valid.then(|| text.to_string())
}

impl Dispatcher {
    /// Handles a press on an alert button and always answers it, with a toast on refusal
    /// or failure.
    pub(crate) async fn on_alert_button(&self, callback: &CallbackQuery, action: AlertAction) {
        let toast = self.alert_button(callback, &action).await.err();
        if let Err(error) = self
            .client
            .answer_callback_query(&callback.id, toast.as_deref())
            .await
        {
            tracing::warn!(%error, "cannot answer a telegram button press");
        }
    }

    async fn alert_button(
        &self,
        callback: &CallbackQuery,
        action: &AlertAction,
    ) -> Result<(), String> {
        let message = callback.message.as_ref().ok_or(MESSAGE_GONE)?;
        let user = &callback.from;
        let role = match self.gate.check(user, &message.chat, action.name()) {
            Verdict::Allowed(role) => role,
            Verdict::Refused(_) => return Err(NOT_ALLOWED.into()),
        };
        require(role, action.min_role())?;
        let by = actor(user, role);
        match action {
            AlertAction::Ack { id } => self.ack_button(&by, user, message, id).await,
            AlertAction::Silence {
                id,
                length_ms,
                label,
            } => {
                let length = (*length_ms, label.as_str());
                self.silence_button(&by, user, message, id, length).await
            }
            AlertAction::Graph { id } => self.graph_button(user, &message.chat, id).await,
        }
    }

    async fn ack_button(
        &self,
        by: &Actor,
        user: &User,
        message: &Message,
        id: &str,
    ) -> Result<(), String> {
        let service = &self.services.service;
        service.ack(by, id, "").await.map_err(refusal)?;
        let line = format!(
            "✔ Acknowledged by {} at {}",
            handle(user),
            zoned_clock(self.services.clock.now_ms(), &self.services.timezone)
        );
        let mut rows = keyboard(message);
        rows.retain(|row| !row.iter().any(|b| button_alert(b) == Some(id)));
        self.append_line(message, &line, &rows).await;
        Ok(())
    }

    /// A silence of the alert's rule on its host for `(length_ms, label)`.
    async fn silence_button(
        &self,
        by: &Actor,
        user: &User,
        message: &Message,
        id: &str,
        (length_ms, label): (i64, &str),
    ) -> Result<(), String> {
        let alert = self.active_alert(id).ok_or(ALERT_GONE)?;
        let new = NewSilence {
            matchers: vec![eq("rule", &alert.rule), eq("host", &alert.host)],
            starts_ms: None,
            ends_ms: self.services.clock.now_ms().saturating_add(length_ms),
            author: by.audit_name(),
            comment: SILENCE_COMMENT.into(),
        };
        let request = CreateSilence {
            silence: new,
            target: Some(format!("rule={},host={}", alert.rule, alert.host)),
        };
        let service = &self.services.service;
        let silence = service.create_silence(by, request).await.map_err(refusal)?;
        let line = format!(
            "🔕 Silenced for {label} by {} (silence {})",
            handle(user),
            silence.id
        );
        self.append_line(message, &line, &keyboard(message)).await;
        Ok(())
    }

    async fn graph_button(&self, user: &User, chat: &Chat, id: &str) -> Result<(), String> {
        let alert = self.active_alert(id).ok_or(ALERT_GONE)?;
        if find(&self.commands, "graph").is_none() {
            let text = format!("Graph: use /graph {}", escape(&alert.host));
            self.send(chat.id, Reply::html(text)).await;
            return Ok(());
        }
        let rules = self.services.engine.rules();
        let metric = rules
            .iter()
            .find(|r| r.name == alert.rule)
            .and_then(|r| rule_metric(&r.expr));
        let command = match metric {
            Some(metric) => format!("/graph {} {metric} {GRAPH_RANGE}", alert.host),
            None => format!("/graph {}", alert.host),
        };
        self.run_text(user, chat, &command).await;
        Ok(())
    }

    fn active_alert(&self, id: &str) -> Option<Alert> {
        let alerts = self.services.engine.active_alerts();
        alerts.into_iter().find(|a| a.id == id)
    }

    /// Edits the pressed message: its text with `line` appended, and `rows` as keyboard.
    async fn append_line(&self, message: &Message, line: &str, rows: &[Vec<Button>]) {
        let text = appended_text(message.text.as_deref().unwrap_or_default(), line);
        let (chat_id, message_id) = (message.chat.id, message.message_id);
        let edit = self
            .client
            .edit_message_text(chat_id, message_id, &text, Some(rows));
        if let Err(error) = edit.await {
            tracing::warn!(%error, chat_id, "cannot edit a telegram alert message");
        }
    }
}

fn refusal(error: ServiceError) -> String {
    match error {
        ServiceError::NotFound(_) => ALERT_GONE.into(),
        ServiceError::Conflict(_) => ALERT_PENDING.into(),
        other => other.to_string().chars().take(150).collect(),
    }
}

fn eq(name: &str, value: &str) -> Matcher {
    Matcher {
        name: name.into(),
        op: MatchOp::Eq,
        value: value.into(),
    }
}

/// `@username`, or the first name of a user without one.
fn handle(user: &User) -> String {
    user.username
        .as_ref()
        .map_or_else(|| user.first_name.clone(), |name| format!("@{name}"))
}

/// The alert id of an alert button.
fn button_alert(button: &Button) -> Option<&str> {
    let data = button.callback_data.as_str();
    let rest = ["ack:", "sil:", "graph:"]
        .iter()
        .find_map(|prefix| data.strip_prefix(prefix))?;
    Some(rest.split(':').next().unwrap_or(rest))
}

/// The callback buttons of a message's inline keyboard, row by row.
fn keyboard(message: &Message) -> Vec<Vec<Button>> {
    let rows = message
        .reply_markup
        .as_ref()
        .and_then(|markup| markup["inline_keyboard"].as_array());
    let Some(rows) = rows else {
        return Vec::new();
    };
    rows.iter()
        .filter_map(|row| {
            let buttons: Vec<Button> = row
                .as_array()?
                .iter()
                .filter_map(|b| serde_json::from_value(b.clone()).ok())
                .collect();
            (!buttons.is_empty()).then_some(buttons)
        })
        .collect()
}

/// The plain `original` text HTML-escaped with `line` appended after a blank line, cut at
/// the end so that it fits one message.
fn appended_text(original: &str, line: &str) -> String {
    let line = escape(line);
    let budget = MAX_MESSAGE_CHARS.saturating_sub(line.chars().count() + 2);
    let mut kept = String::new();
    let mut used = 0;
    for c in original.trim_end().chars() {
        let escaped = escape(c.encode_utf8(&mut [0; 4]));
        used += escaped.chars().count();
        if used > budget {
            break;
        }
        kept.push_str(&escaped);
    }
    format!("{kept}\n\n{line}")
}

/// The first metric name (`cpu.usage_percent`) in a rule expression.
fn rule_metric(expr: &str) -> Option<&str> {
    expr.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
        .find(|word| word.contains('.') && word.starts_with(|c: char| c.is_ascii_alphabetic()))
}

#[cfg(test)]
mod tests;
