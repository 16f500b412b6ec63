//! An agent token on an admin endpoint is told apart from a wrong token (403 that names it);
//! revoking an unknown or already revoked agent is a 404.
#![allow(
    clippy::unwrap_used,
    reason = "test code: a failed step stops the test loudly (clippy.toml allows this in #[test] functions, not in their helpers)"
)]

mod common;

use axum::body::Body;
use axum::http::Request;
use common::harness;

fn with_token(method: &str, path: &str, token: &str) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(path)
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap()
}

#[tokio::test]
async fn an_agent_token_on_admin_endpoints_is_forbidden_and_named() {
    let h = harness().await;
    for (method, path) in [("GET", "/api/v1/hosts"), ("GET", "/api/v1/agents")] {
        let reply = h.send(with_token(method, path, &h.agent_token)).await;
        assert_eq!(reply.status.as_u16(), 403, "{path}: {}", reply.json);
        assert_eq!(reply.json["error"], "forbidden");
        let detail = reply.json["detail"].as_str().unwrap_or_default();
        assert!(
            detail.contains("agent token") && detail.contains("admin"),
            "{detail}"
        );
    }
    let wrong = h
        .send(with_token("GET", "/api/v1/hosts", "hpa_not-a-token"))
        .await;
    assert_eq!(wrong.status.as_u16(), 401, "{}", wrong.json);
}

#[tokio::test]
async fn revoking_an_unknown_or_revoked_agent_is_not_found() {
    let h = harness().await;
    let first = h
        .send(with_token("DELETE", "/api/v1/agents/web-1", &h.admin))
        .await;
    assert_eq!(first.status.as_u16(), 204, "{}", first.json);

    let again = h
        .send(with_token("DELETE", "/api/v1/agents/web-1", &h.admin))
        .await;
    assert_eq!(again.status.as_u16(), 404, "{}", again.json);
    assert_eq!(again.json["error"], "not_found");
    let detail = again.json["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("already revoked"), "{detail}");

    let unknown = h
        .send(with_token("DELETE", "/api/v1/agents/nobody", &h.admin))
        .await;
    assert_eq!(unknown.status.as_u16(), 404, "{}", unknown.json);
    let detail = unknown.json["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("no agent named \"nobody\""), "{detail}");
}
