//! Who may do what: the roles of the people who talk to the hub (bot users, API tokens).

use std::fmt;

/// A role; roles are ordered, each one may do everything the lower ones may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// Reads: status, hosts, alerts.
    Viewer,
    /// A viewer who may also acknowledge alerts and create silences.
    Operator,
    /// Everything.
    Admin,
}

impl Role {
    /// The role's name as used in the configuration and in messages: `viewer`, `operator`, `admin`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Operator => "operator",
            Role::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::Role;

    #[test]
    fn roles_are_ordered_and_named() {
        assert!(Role::Viewer < Role::Operator && Role::Operator < Role::Admin);
        assert_eq!(Role::Operator.to_string(), "operator");
    }
}
