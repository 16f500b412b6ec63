//! Webhook mode: registration, the secret token, re-deliveries and bad bodies; and the admins'
//! notice when another process polls the token.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "test code: a failed step stops the test loudly (clippy.toml allows this in #[test] functions, not in their helpers)"
)]

mod common;

use common::fake::{failure, message};
use common::{ADMIN, Rig, VIEWER, rig};
use hostpulse_chatops::{Access, BotHandle, BotSettings, WebhookSettings, start_with};
use serde_json::{Value, json};

const HOOK_URL: &str = "https://hub.example.com/telegram/hook";
const HOOK_SECRET: &str = "hook_secret-0123456789";

async fn webhook_bot(rig: &Rig) -> BotHandle {
    let access = Access {
        admins: vec![ADMIN],
        viewers: vec![VIEWER],
        ..Access::default()
    };
    let mut settings = BotSettings::new(&rig.api_url, common::fake::TOKEN, access);
    settings.webhook = Some(WebhookSettings::new(HOOK_URL, HOOK_SECRET));
    start_with(settings, rig.deps()).await.unwrap()
}

/// Serves the bot's webhook router on loopback; the URL of its webhook path.
async fn serve_hook(bot: &BotHandle) -> String {
    let router = bot.webhook_router().expect("webhook mode has a router");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}/telegram/hook")
}

async fn post(url: &str, secret: Option<&str>, body: Vec<u8>) -> (u16, String) {
    let client = hostpulse_notify::http::client_builder()
        .unwrap()
        .build()
        .unwrap();
    let mut request = client
        .post(url)
        .header("content-type", "application/json")
        .body(body);
    if let Some(secret) = secret {
        request = request.header("X-Telegram-Bot-Api-Secret-Token", secret);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

fn bytes(update: &Value) -> Vec<u8> {
    serde_json::to_vec(update).unwrap()
}

#[tokio::test]
async fn start_registers_the_webhook_instead_of_polling() {
    let rig = rig().await;
    let bot = webhook_bot(&rig).await;
    let calls = rig.fake.wait_calls("setWebhook", 1).await;
    assert_eq!(calls[0]["url"], json!(HOOK_URL));
    assert_eq!(calls[0]["secret_token"], json!(HOOK_SECRET));
    assert_eq!(
        calls[0]["allowed_updates"],
        json!(["message", "callback_query"])
    );
    bot.shutdown().await;
    assert!(rig.fake.calls("getUpdates").is_empty());
    assert!(rig.fake.calls("deleteWebhook").is_empty());
}

#[tokio::test]
async fn an_update_with_the_secret_runs_once() {
    let rig = rig().await;
    let bot = webhook_bot(&rig).await;
    let url = serve_hook(&bot).await;
    let update = bytes(&message(40, VIEWER, "/start"));
    assert_eq!(post(&url, Some(HOOK_SECRET), update.clone()).await.0, 200);
    assert_eq!(rig.fake.sent_to(VIEWER).len(), 1);
    // Telegram delivers it again: answered, not run again.
    assert_eq!(post(&url, Some(HOOK_SECRET), update).await.0, 200);
    let older = bytes(&message(39, VIEWER, "/help"));
    assert_eq!(post(&url, Some(HOOK_SECRET), older).await.0, 200);
    assert_eq!(rig.fake.sent_to(VIEWER).len(), 1);
    let next = bytes(&message(41, VIEWER, "/help"));
    assert_eq!(post(&url, Some(HOOK_SECRET), next).await.0, 200);
    assert_eq!(rig.fake.sent_to(VIEWER).len(), 2);
    assert_eq!(bot.stats().updates, 2);
    bot.shutdown().await;
}

#[tokio::test]
async fn a_wrong_or_missing_secret_is_refused() {
    let rig = rig().await;
    let bot = webhook_bot(&rig).await;
    let url = serve_hook(&bot).await;
    let update = bytes(&message(50, VIEWER, "/start"));
    for secret in [
        None,
        Some("wrong"),
        Some("hook_secret-0123456788"),
        Some(""),
    ] {
        let (status, body) = post(&url, secret, update.clone()).await;
        assert_eq!(status, 401, "{secret:?}");
        let body: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(body["error"], json!("unauthorized"));
    }
    assert!(rig.fake.sent_to(VIEWER).is_empty());
    // The refused calls did not move the offset: the real delivery still runs.
    assert_eq!(post(&url, Some(HOOK_SECRET), update).await.0, 200);
    assert_eq!(rig.fake.sent_to(VIEWER).len(), 1);
    bot.shutdown().await;
}

#[tokio::test]
async fn a_bad_body_is_a_bad_request() {
    let rig = rig().await;
    let bot = webhook_bot(&rig).await;
    let url = serve_hook(&bot).await;
    for body in [&b"{not json"[..], br#"{"message": {}}"#] {
        let (status, text) = post(&url, Some(HOOK_SECRET), body.to_vec()).await;
        assert_eq!(status, 400, "{text}");
    }
    let huge = vec![b' '; hostpulse_chatops::MAX_UPDATE_BYTES + 1];
    assert_eq!(post(&url, Some(HOOK_SECRET), huge).await.0, 413);
    assert_eq!(bot.stats().updates, 0);
    bot.shutdown().await;
}

#[tokio::test]
async fn polling_has_no_webhook_router() {
    let rig = rig().await;
    let bot = rig.bot().await;
    assert!(bot.webhook_router().is_none());
    bot.shutdown().await;
}

#[tokio::test]
async fn admins_get_one_notice_per_run_of_conflicts() {
    let rig = rig().await;
    let conflict = failure(
        409,
        "Conflict: terminated by other getUpdates request",
        None,
    );
    rig.fake.script(409, conflict.clone());
    rig.fake.script(409, conflict.clone());
    let bot = rig.bot().await;
    rig.fake.queue(message(1, VIEWER, "/start"));
    rig.fake.wait_sent(VIEWER, 1).await;
    let notices = rig.fake.sent_to(ADMIN);
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert!(notices[0].contains("HTTP 409 Conflict"), "{}", notices[0]);
    assert!(notices[0].contains("one hostpulse hub per bot token"));
    // A successful poll in between: the next conflict is told again.
    rig.fake.script(409, conflict);
    rig.fake.queue(message(2, VIEWER, "/help"));
    rig.fake.wait_sent(VIEWER, 2).await;
    rig.fake.wait_sent(ADMIN, 2).await;
    bot.shutdown().await;
    assert_eq!(rig.fake.sent_to(ADMIN).len(), 2);
}
