//! Agents: registering one (its token is shown once), revoking one, and the hub's own
//! local agent.

use crate::action::{Action, Operation};
use crate::actor::Actor;
use crate::audit::outcome;
use crate::error::ServiceError;
use crate::{Service, tokens};
use hostpulse_store::StoreError;
use serde::Serialize;

/// A registered agent: the only time its token is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreatedAgent {
    /// The agent's name.
    pub name: String,
    /// Its bearer token (`hpa_...`); only its hash is stored.
    pub token: String,
}

/// Agent names: 1–64 of `[A-Za-z0-9._-]`, starting with a letter or digit.
pub fn validate_agent_name(name: &str) -> Result<(), ServiceError> {
    let ok_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    let valid = (1..=64).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.chars().all(ok_char);
    if valid {
        Ok(())
    } else {
        Err(ServiceError::Invalid(format!(
            "invalid agent name {name:?}: use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit"
        )))
    }
}

impl Service {
    /// Registers agent `name` as `actor` and issues its token.
    pub async fn add_agent(&self, actor: &Actor, name: &str) -> Result<CreatedAgent, ServiceError> {
        self.authorize(actor, Action::AgentAdd)?;
        let result = self.register(name).await;
        let operation = Operation::new(Action::AgentAdd, name);
        self.record(actor, &operation, outcome(&result)).await;
        result
    }

    async fn register(&self, name: &str) -> Result<CreatedAgent, ServiceError> {
        validate_agent_name(name)?;
        let token = tokens::generate(tokens::AGENT_PREFIX);
        self.store.add_agent(name, &tokens::hash(&token)).await?;
        tracing::info!(agent = %name, "agent registered");
        Ok(CreatedAgent {
            name: name.to_string(),
            token,
        })
    }

    /// Registers agent `name` with a token nobody holds unless it exists (the hub's own
    /// local agent, which stores its frames directly); `true` when it was registered now.
    pub async fn ensure_agent(&self, actor: &Actor, name: &str) -> Result<bool, ServiceError> {
        self.authorize(actor, Action::AgentAdd)?;
        let agents = self.store.list_agents().await?;
        if agents.iter().any(|a| a.name == name) {
            return Ok(false);
        }
        match self.add_agent(actor, name).await {
            Ok(_) => Ok(true),
            Err(ServiceError::Store(StoreError::Conflict(_))) => Ok(false),
            Err(error) => Err(error),
        }
    }

    /// Revokes agent `name`'s token at once, as `actor`.
    pub async fn revoke_agent(&self, actor: &Actor, name: &str) -> Result<(), ServiceError> {
        self.authorize(actor, Action::AgentRevoke)?;
        let result = self.revoke(name).await;
        let operation = Operation::new(Action::AgentRevoke, name);
        self.record(actor, &operation, outcome(&result)).await;
        result
    }

    async fn revoke(&self, name: &str) -> Result<(), ServiceError> {
        if self.store.revoke_agent(name).await? {
            tracing::info!(agent = %name, "agent revoked");
            return Ok(());
        }
        let known = self.store.list_agents().await?;
        let revoked = known
            .iter()
            .any(|a| a.name == name && a.revoked_ms.is_some());
        Err(ServiceError::NotFound(if revoked {
            format!("agent {name:?} is already revoked")
        } else {
            format!("no agent named {name:?}")
        }))
    }
}
