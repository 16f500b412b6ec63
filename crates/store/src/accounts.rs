//! Agents and API tokens: writes run on the writer, reads on a reader connection.

use crate::rows::agent_from_row;
use crate::schema::db_error;
use crate::writer::Writer;
use crate::{AgentRecord, StoreError};
use rusqlite::{Connection, ErrorCode, OptionalExtension, params};
use serde::{Deserialize, Serialize};

/// An API token's name and role (never its hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiToken {
    /// The token's unique name.
    pub name: String,
    /// The role it grants, as stored: `viewer`, `operator` or `admin`.
    pub role: String,
}

/// Maps a uniqueness violation to [`StoreError::Conflict`] naming `what`.
fn conflict_or_db(error: rusqlite::Error, what: String) -> StoreError {
    match error.sqlite_error_code() {
        Some(ErrorCode::ConstraintViolation) => StoreError::Conflict(what),
        _ => db_error(error),
    }
}

impl Writer {
    pub fn add_agent(&mut self, name: &str, token_hash: &str) -> Result<AgentRecord, StoreError> {
        let created_ms = self.clock.now_ms();
        self.connection
            .execute(
                "INSERT INTO agents (name, token_hash, created_ms) VALUES (?1, ?2, ?3)",
                params![name, token_hash, created_ms],
            )
            .map_err(|e| conflict_or_db(e, format!("agent {name:?} or its token")))?;
        Ok(AgentRecord {
            name: name.to_string(),
            created_ms,
            revoked_ms: None,
        })
    }

    pub fn revoke_agent(&mut self, name: &str) -> Result<bool, StoreError> {
        let changed = self
            .connection
            .execute(
                "UPDATE agents SET revoked_ms = ?2 WHERE name = ?1 AND revoked_ms IS NULL",
                params![name, self.clock.now_ms()],
            )
            .map_err(db_error)?;
        Ok(changed > 0)
    }

    pub fn add_api_token(
        &mut self,
        name: &str,
        token_hash: &str,
        role: &str,
    ) -> Result<(), StoreError> {
        self.connection
            .execute(
                "INSERT INTO api_tokens (name, token_hash, role, created_ms) VALUES (?1, ?2, ?3, ?4)",
                params![name, token_hash, role, self.clock.now_ms()],
            )
            .map_err(|e| conflict_or_db(e, format!("API token {name:?} or its hash")))?;
        Ok(())
    }
}

pub fn list_agents(connection: &Connection) -> Result<Vec<AgentRecord>, StoreError> {
    let mut statement = connection
        .prepare_cached("SELECT name, created_ms, revoked_ms FROM agents ORDER BY name")
        .map_err(db_error)?;
    let mut rows = statement.query([]).map_err(db_error)?;
    let mut agents = Vec::new();
    while let Some(row) = rows.next().map_err(db_error)? {
        agents.push(agent_from_row(row)?);
    }
    Ok(agents)
}

pub fn agent_by_token_hash(
    connection: &Connection,
    token_hash: &str,
) -> Result<Option<AgentRecord>, StoreError> {
    let mut statement = connection
        .prepare_cached(
            "SELECT name, created_ms, revoked_ms FROM agents
             WHERE token_hash = ?1 AND revoked_ms IS NULL",
        )
        .map_err(db_error)?;
    let mut rows = statement.query([token_hash]).map_err(db_error)?;
    match rows.next().map_err(db_error)? {
        Some(row) => Ok(Some(agent_from_row(row)?)),
        None => Ok(None),
    }
}

pub fn api_token_role(
    connection: &Connection,
    token_hash: &str,
) -> Result<Option<String>, StoreError> {
    connection
        .prepare_cached("SELECT role FROM api_tokens WHERE token_hash = ?1")
        .and_then(|mut s| s.query_row([token_hash], |row| row.get(0)).optional())
        .map_err(db_error)
}

pub fn api_token(
    connection: &Connection,
    token_hash: &str,
) -> Result<Option<ApiToken>, StoreError> {
    connection
        .prepare_cached("SELECT name, role FROM api_tokens WHERE token_hash = ?1")
        .and_then(|mut s| {
            s.query_row([token_hash], |row| {
                Ok(ApiToken {
                    name: row.get(0)?,
                    role: row.get(1)?,
                })
            })
            .optional()
        })
        .map_err(db_error)
}
