//! Who may talk to the bot: the role of each listed user and the group chats it serves.

use hostpulse_core::Role;

/// Users by role and allowed group chats, from the bot configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Access {
    /// Telegram user ids with the admin role.
    pub admins: Vec<i64>,
    /// Telegram user ids with the operator role.
    pub operators: Vec<i64>,
    /// Telegram user ids with the viewer role.
    pub viewers: Vec<i64>,
    /// Group chat ids the bot answers in (listed users only); private chats need no entry.
    pub chats: Vec<i64>,
}

impl Access {
    /// The highest role given to `user_id`, if any.
    pub fn role_of(&self, user_id: i64) -> Option<Role> {
        if self.admins.contains(&user_id) {
            Some(Role::Admin)
        } else if self.operators.contains(&user_id) {
            Some(Role::Operator)
        } else if self.viewers.contains(&user_id) {
            Some(Role::Viewer)
        } else {
            None
        }
    }

    /// A private chat with a listed user, or a listed group chat.
    pub fn chat_allowed(&self, chat_id: i64, chat_is_private: bool) -> bool {
        if chat_is_private {
            self.role_of(chat_id).is_some()
        } else {
            self.chats.contains(&chat_id)
        }
    }
}

/// The lowercase name of a role, as shown to users.
pub fn role_name(role: Role) -> &'static str {
    role.as_str()
}
