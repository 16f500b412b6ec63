//! What a state-changing operation is: its action (audit name and the role it needs) and
//! its target. A new operation, such as a container action, is one more [`Action`].

use hostpulse_core::Role;

/// Every state-changing operation of the hub.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Acknowledge a firing alert.
    AlertAck,
    /// Create a silence.
    SilenceCreate,
    /// End a silence now.
    SilenceExpire,
    /// Re-read rules and alert-manager settings.
    RulesReload,
    /// Deliver a dead-lettered notification again.
    NotificationRequeue,
    /// Send a test message through a receiver.
    ReceiverTest,
    /// Register an agent and issue its token.
    AgentAdd,
    /// Revoke an agent's token.
    AgentRevoke,
    /// Read from a host through its agent (`containers.list`, `.logs`, `.inspect`).
    HostRead,
    /// Change something on a host through its agent (a container action, a named command);
    /// operators only what `actions.operator` lists.
    HostAction,
}

impl Action {
    /// The name audit records carry, e.g. `alert.ack`.
    pub fn name(self) -> &'static str {
        match self {
            Action::AlertAck => "alert.ack",
            Action::SilenceCreate => "silence.add",
            Action::SilenceExpire => "silence.expire",
            Action::RulesReload => "rules.reload",
            Action::NotificationRequeue => "notification.requeue",
            Action::ReceiverTest => "receiver.test",
            Action::AgentAdd => "agent.add",
            Action::AgentRevoke => "agent.revoke",
            Action::HostRead => "host.read",
            Action::HostAction => "host.action",
        }
    }

    /// The lowest role that may perform it: operators handle alerts, admins change the hub.
    pub fn min_role(self) -> Role {
        match self {
            Action::HostRead => Role::Viewer,
            Action::AlertAck
            | Action::SilenceCreate
            | Action::HostAction
            | Action::SilenceExpire => Role::Operator,
            Action::RulesReload
            | Action::NotificationRequeue
            | Action::ReceiverTest
            | Action::AgentAdd
            | Action::AgentRevoke => Role::Admin,
        }
    }
}

/// One operation as it is audited: the action and what it acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    /// What is done.
    pub action: Action,
    /// What it is done to, e.g. an alert id or `receiver email`.
    pub target: String,
}

impl Operation {
    /// `action` on `target`.
    pub fn new(action: Action, target: impl Into<String>) -> Self {
        Self {
            action,
            target: target.into(),
        }
    }
}
