//! Serde types of the Telegram Bot API objects the bot reads (only the fields it uses).

use serde::{Deserialize, Serialize};

/// One incoming update of `getUpdates` or a webhook call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Update {
    /// Increasing id of the update; the next `getUpdates` offset is the last one plus 1.
    pub update_id: i64,
    /// A new message to the bot; `None` for other kinds of update.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<Message>,
    /// A press on one of the bot's inline buttons; `None` for other kinds of update.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback_query: Option<CallbackQuery>,
}

/// A chat message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// Id of the message, unique within its chat (used to edit it).
    pub message_id: i64,
    /// The sender; `None` for messages sent on behalf of a channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<User>,
    /// The chat the message belongs to.
    pub chat: Chat,
    /// The message text; `None` for messages without text (photos, stickers, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The inline keyboard under the message (`{"inline_keyboard": [[button, ...], ...]}`),
    /// kept as JSON so buttons of any kind never fail the update.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_markup: Option<serde_json::Value>,
}

/// A Telegram user or bot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    /// Telegram user id (the id the `telegram:` user lists name).
    pub id: i64,
    /// True for a bot account.
    #[serde(default)]
    pub is_bot: bool,
    /// The user's first name (empty when Telegram sent none).
    #[serde(default)]
    pub first_name: String,
    /// The `@username` without the `@`; `None` when the user has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
}

/// A chat: `private`, `group`, `supergroup` or `channel`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Chat {
    /// Telegram chat id: the user's id for a private chat, negative for groups.
    pub id: i64,
    /// The chat type as Telegram names it (`type` in JSON).
    #[serde(rename = "type")]
    pub kind: String,
}

impl Chat {
    /// Whether this is a one-to-one chat with a user.
    pub fn is_private(&self) -> bool {
        self.kind == "private"
    }
}

/// A press on an inline keyboard button.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallbackQuery {
    /// Id to answer the press with (`answerCallbackQuery`).
    pub id: String,
    /// Who pressed the button.
    pub from: User,
    /// The message the button is under; `None` when Telegram no longer has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<Message>,
    /// The button's `callback_data`; `None` for buttons without it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
}

/// One inline keyboard button that sends `callback_data` back to the bot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Button {
    /// The label shown on the button.
    pub text: String,
    /// What the press sends back (at most 64 bytes, as Telegram requires).
    pub callback_data: String,
}

/// A command as registered with `setMyCommands`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BotCommand {
    /// The command without the slash, e.g. `status`.
    pub command: String,
    /// The one line shown beside it in the menu.
    pub description: String,
}
