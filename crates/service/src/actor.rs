//! Who performs an operation: an API token, a Telegram user, a local administrator or the
//! hub itself, with the role that decides what it may do and the name audit records show.

use hostpulse_core::Role;

/// The one performing an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// A caller of the HTTP API with a token of this name and role.
    ApiToken {
        /// The token's name.
        name: String,
        /// The token's role.
        role: Role,
    },
    /// A Telegram user of the bot.
    Telegram {
        /// Telegram user id.
        user_id: i64,
        /// Username, or first name when the user has none.
        name: String,
        /// The role the bot configuration gives the user.
        role: Role,
    },
    /// An administrator on the hub's host, outside the API (e.g. a local command).
    Local {
        /// The operating-system user.
        user: String,
    },
    /// The hub itself, triggered by `cause` (e.g. `SIGHUP`, `local agent`).
    System {
        /// What made the hub act; shown as the actor.
        cause: &'static str,
    },
}

impl Actor {
    /// The actor's role: the hub itself and local administrators are admins.
    pub fn role(&self) -> Role {
        match self {
            Actor::ApiToken { role, .. } | Actor::Telegram { role, .. } => *role,
            Actor::Local { .. } | Actor::System { .. } => Role::Admin,
        }
    }

    /// The name audit records, acknowledgements and default silence authors show: the token
    /// name, `telegram:<id>:<name>`, `local:<user>` or the system cause.
    pub fn audit_name(&self) -> String {
        match self {
            Actor::ApiToken { name, .. } => name.clone(),
            Actor::Telegram { user_id, name, .. } => format!("telegram:{user_id}:{name}"),
            Actor::Local { user } => format!("local:{user}"),
            Actor::System { cause } => (*cause).to_string(),
        }
    }

    /// Whether the actor's role allows `needed`.
    pub fn may(&self, needed: Role) -> bool {
        self.role() >= needed
    }
}

/// The role named `name` (`viewer`, `operator`, `admin`), as API tokens store it.
pub fn role_named(name: &str) -> Option<Role> {
    [Role::Viewer, Role::Operator, Role::Admin]
        .into_iter()
        .find(|role| role.as_str() == name)
}
