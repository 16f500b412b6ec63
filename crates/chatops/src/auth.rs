//! Access checks of incoming commands: unknown users and chats are refused at most once per
//! interval per user; listed users need the command's minimum role.

use crate::access::{Access, role_name};
use crate::types::{Chat, User};
use hostpulse_core::Clock;
use hostpulse_core::Role;
use hostpulse_service::Actor;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What to do with a command from a user in a chat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Run it with this role.
    Allowed(Role),
    /// Do not run it; answer with the text, or stay silent when `None`.
    Refused(Option<String>),
}

/// Checks senders and chats and rate-limits refusals.
pub struct Gate {
    access: Access,
    refusal_interval_ms: i64,
    clock: Arc<dyn Clock>,
    last_refusal_ms: Mutex<HashMap<i64, i64>>,
}

impl Gate {
    /// A gate over `access`, refusing each unknown user at most once per `refusal_interval`.
    pub fn new(access: Access, refusal_interval: Duration, clock: Arc<dyn Clock>) -> Self {
        Self {
            access,
            refusal_interval_ms: i64::try_from(refusal_interval.as_millis()).unwrap_or(i64::MAX),
            clock,
            last_refusal_ms: Mutex::default(),
        }
    }

    /// The verdict for `command` sent by `user` in `chat`.
    pub fn check(&self, user: &User, chat: &Chat, command: &str) -> Verdict {
        let role = self.access.role_of(user.id);
        let chat_ok = self.access.chat_allowed(chat.id, chat.is_private());
        match role {
            Some(role) if chat_ok => Verdict::Allowed(role),
            _ => {
                tracing::warn!(
                    user_id = user.id,
                    chat_id = chat.id,
                    command,
                    "telegram command from an unknown user or chat refused"
                );
                Verdict::Refused(self.refusal_text(user.id))
            }
        }
    }

    fn refusal_text(&self, user_id: i64) -> Option<String> {
        let now = self.clock.now_ms();
        let mut last = self.last_refusal_ms.lock().ok()?;
        if let Some(at) = last.get(&user_id)
            && now.saturating_sub(*at) < self.refusal_interval_ms
        {
            return None;
        }
        last.insert(user_id, now);
        Some(format!(
            "Sorry, you are not allowed to use this bot. Your user id is {user_id}."
        ))
    }
}

/// `Err` with the refusal text when `role` is below `needed`.
pub fn require(role: Role, needed: Role) -> Result<(), String> {
    if role >= needed {
        Ok(())
    } else {
        Err(format!(
            "This command needs the {} role.",
            role_name(needed)
        ))
    }
}

/// The service actor of a Telegram user with `role`; audit records show it as
/// `telegram:<id>:<username>`.
pub fn actor(user: &User, role: Role) -> Actor {
    let name = user.username.as_deref().unwrap_or(&user.first_name);
    Actor::Telegram {
        user_id: user.id,
        name: name.to_string(),
        role,
    }
}
