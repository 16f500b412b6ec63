//! Checks of [`crate::AgentStore`] and [`crate::ApiTokenStore`].

use super::fixtures::case;
use super::{Case, Ctx, Outcome, ensure, same};
use crate::StoreError;

pub fn cases() -> Vec<Case> {
    vec![
        case!(agents_register_list_and_revoke),
        case!(api_tokens_resolve_to_name_and_role),
    ]
}

async fn agents_register_list_and_revoke(ctx: Ctx) -> Outcome {
    let b = &ctx.backend;
    b.add_agent("web-2", "hash-2").await?;
    let first = b.add_agent("web-1", "hash-1").await?;
    same(first.name.as_str(), "web-1", "added name")?;
    same(first.revoked_ms, None, "new agent is active")?;
    let taken = b.add_agent("web-1", "hash-3").await;
    ensure(matches!(taken, Err(StoreError::Conflict(_))), || {
        format!("a taken name: {taken:?}")
    })?;
    let names: Vec<String> = b.list_agents().await?.into_iter().map(|a| a.name).collect();
    same(
        names,
        vec!["web-1".to_string(), "web-2".to_string()],
        "by name",
    )?;
    let found = b.agent_by_token_hash("hash-1").await?.map(|a| a.name);
    same(found.as_deref(), Some("web-1"), "by token hash")?;
    same(b.revoke_agent("web-1").await?, true, "revoke")?;
    same(b.revoke_agent("nope").await?, false, "revoke unknown")?;
    same(
        b.agent_by_token_hash("hash-1").await?,
        None,
        "revoked token",
    )?;
    let listed = b.list_agents().await?;
    ensure(listed[0].revoked_ms.is_some(), || {
        "revoked agent listed".into()
    })
}

async fn api_tokens_resolve_to_name_and_role(ctx: Ctx) -> Outcome {
    let b = &ctx.backend;
    b.add_api_token("admin", "h-admin", "admin").await?;
    b.add_api_token("viewer", "h-view", "read").await?;
    same(
        b.api_token_role("h-view").await?.as_deref(),
        Some("read"),
        "role",
    )?;
    let token = b.api_token("h-admin").await?;
    let pair = token.map(|t| (t.name, t.role));
    same(
        pair,
        Some(("admin".into(), "admin".into())),
        "name and role",
    )?;
    same(b.api_token("nope").await?, None, "unknown hash")
}
