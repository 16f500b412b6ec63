//! What each channel puts on the wire, checked against the local fake providers.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed setup step should stop the test loudly"
)]

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::{FakeServer, Flavor};
use hmac::{Hmac, Mac};
use hostpulse_core::{NotificationKind, Severity};
use hostpulse_notify::{MessageContext, SIGNATURE_HEADER, build};
use hostpulse_notify::{
    ReceiverConfig, ReceiverKind, Secret, SlackSettings, SlackTarget, TeamsFormat, TeamsSettings,
    TelegramSettings, WebhookSettings,
};
use sha2::Sha256;

const TIMEOUT: Duration = Duration::from_secs(5);

fn receiver(kind: ReceiverKind) -> ReceiverConfig {
    ReceiverConfig {
        name: "ops".into(),
        kind,
        rate_limit: None,
        retry: Default::default(),
    }
}

fn telegram(base: &str, template: Option<&str>) -> TelegramSettings {
    TelegramSettings {
        bot_token: Secret::new("42:token"),
        chat_id: "-1001".into(),
        message_thread_id: Some(9),
        api_url: base.into(),
        silent_below: Some(Severity::Critical),
        timeout: TIMEOUT,
        template: template.map(str::to_owned),
    }
}

fn ctx() -> MessageContext {
    MessageContext {
        external_url: Some("https://hub.example.org".into()),
        ..MessageContext::default()
    }
}

#[tokio::test]
async fn telegram_sends_escaped_html_to_the_topic_and_returns_the_message_id() {
    let server = FakeServer::start(Flavor::Telegram).await;
    let notifier = build(&receiver(ReceiverKind::Telegram(telegram(
        &server.base(),
        None,
    ))))
    .expect("build");
    let delivered = notifier
        .send(&common::firing(), &ctx())
        .await
        .expect("sent");
    assert_eq!(delivered.provider_id.as_deref(), Some("101"));
    let requests = server.requests();
    assert_eq!(requests[0].path, "/bot42:token/sendMessage");
    let body = requests[0].json();
    assert_eq!(body["chat_id"], "-1001");
    assert_eq!(body["parse_mode"], "HTML");
    assert_eq!(body["message_thread_id"], 9);
    assert!(
        body.get("disable_notification").is_none(),
        "critical is not silent"
    );
    assert!(
        body.get("reply_parameters").is_none(),
        "firing messages do not reply"
    );
    let text = body["text"].as_str().expect("text");
    for expected in [
        "&lt;&amp;&gt;",
        "web-1 (10.0.0.7)",
        "value 91.23 (threshold 85)",
        "2023-11-14T22:14:20Z",
        "https://hub.example.org/alerts",
        "hostpulse ack ",
    ] {
        assert!(text.contains(expected), "{expected:?} missing in {text}");
    }
}

#[tokio::test]
async fn telegram_is_silent_below_the_floor_and_renders_user_templates() {
    let server = FakeServer::start(Flavor::Telegram).await;
    let settings = telegram(
        &server.base(),
        Some("{{ status }} {{ alerts[0].host }} <b>"),
    );
    let notifier = build(&receiver(ReceiverKind::Telegram(settings))).expect("build");
    let mut warning = common::firing();
    warning.severity = Severity::Warning;
    notifier.send(&warning, &ctx()).await.expect("sent");
    let body = server.requests()[0].json();
    assert_eq!(body["disable_notification"], true);
    assert_eq!(body["text"], "FIRING web-1 &lt;b&gt;");
}

#[tokio::test]
async fn slack_bot_posts_with_the_token_and_returns_the_timestamp() {
    let server = FakeServer::start(Flavor::SlackBot).await;
    let settings = SlackSettings {
        target: SlackTarget::Bot {
            token: Secret::new("xoxb-1"),
            channel: "#ops".into(),
        },
        api_url: format!("{}/api", server.base()),
        timeout: TIMEOUT,
        template: None,
    };
    let notifier = build(&receiver(ReceiverKind::Slack(settings))).expect("build");
    let delivered = notifier
        .send(&common::firing(), &ctx())
        .await
        .expect("sent");
    assert_eq!(delivered.provider_id.as_deref(), Some("1700000000.101"));
    let request = &server.requests()[0];
    assert_eq!(request.path, "/api/chat.postMessage");
    assert_eq!(request.headers["authorization"], "Bearer xoxb-1");
    let body = request.json();
    assert_eq!(body["channel"], "#ops");
    assert_eq!(body["attachments"][0]["color"], "#d00000");
    let blocks = &body["attachments"][0]["blocks"];
    assert_eq!(blocks[0]["type"], "header");
    assert_eq!(
        blocks[1]["fields"][0]["text"],
        "*Host*\nhigh_cpu on web-1 (10.0.0.7)"
    );
    assert_eq!(blocks[2]["type"], "context");
}

#[tokio::test]
async fn teams_posts_an_adaptive_card_or_a_message_card() {
    for format in [TeamsFormat::AdaptiveCard, TeamsFormat::MessageCard] {
        let server = FakeServer::start(Flavor::Teams).await;
        let settings = TeamsSettings {
            webhook_url: Secret::new(format!("{}/workflows/abc", server.base())),
            format,
            timeout: TIMEOUT,
            template: None,
        };
        let notifier = build(&receiver(ReceiverKind::Teams(settings))).expect("build");
        notifier
            .send(&common::firing(), &ctx())
            .await
            .expect("sent");
        let body = server.requests()[0].json();
        match format {
            TeamsFormat::AdaptiveCard => {
                let attachment = &body["attachments"][0];
                assert_eq!(
                    attachment["contentType"],
                    "application/vnd.microsoft.card.adaptive"
                );
                assert_eq!(attachment["content"]["type"], "AdaptiveCard");
                assert_eq!(
                    attachment["content"]["actions"][0]["url"],
                    "https://hub.example.org/alerts"
                );
            }
            TeamsFormat::MessageCard => {
                assert_eq!(body["@type"], "MessageCard");
                assert_eq!(body["themeColor"], "D00000");
            }
        }
    }
}

#[tokio::test]
async fn webhook_posts_alertmanager_json_with_headers_and_a_valid_signature() {
    let server = FakeServer::start(Flavor::Webhook).await;
    let settings = WebhookSettings {
        url: Secret::new(format!("{}/alerts", server.base())),
        headers: BTreeMap::from([("X-Team".to_owned(), Secret::new("ops"))]),
        hmac_secret: Some(Secret::new("signing-key")),
        timeout: TIMEOUT,
    };
    let notifier = build(&receiver(ReceiverKind::Webhook(settings))).expect("build");
    notifier
        .send(&common::firing(), &ctx())
        .await
        .expect("sent");
    let request = &server.requests()[0];
    assert_eq!(request.headers["x-team"], "ops");
    let mut mac = Hmac::<Sha256>::new_from_slice(b"signing-key").expect("key");
    mac.update(&request.body);
    let expected = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
    assert_eq!(request.headers[SIGNATURE_HEADER], expected.as_str());
    let body = request.json();
    assert_eq!(body["version"], "4");
    assert_eq!(body["receiver"], "ops");
    assert_eq!(body["status"], "firing");
    assert_eq!(body["externalURL"], "https://hub.example.org");
    assert_eq!(body["groupLabels"]["host"], "web-1");
    assert_eq!(body["commonLabels"]["alertname"], "high_cpu");
    let alert = &body["alerts"][0];
    assert_eq!(alert["labels"]["mount"], "/");
    assert_eq!(alert["annotations"]["host_ip"], "10.0.0.7");
    assert_eq!(alert["startsAt"], "2023-11-14T22:14:20Z");
    assert_eq!(alert["endsAt"], "0001-01-01T00:00:00Z");
    assert_eq!(alert["fingerprint"].as_str().map(str::len), Some(16));
    assert!(
        alert["generatorURL"]
            .as_str()
            .expect("url")
            .starts_with("https://hub.example.org/alerts/")
    );
    assert!(body.get("groupKey").is_some() && body.get("commonAnnotations").is_some());
}

#[tokio::test]
async fn test_notifications_carry_no_ack_hint() {
    let server = FakeServer::start(Flavor::Telegram).await;
    let notifier = build(&receiver(ReceiverKind::Telegram(telegram(
        &server.base(),
        None,
    ))))
    .expect("build");
    let mut test = common::firing();
    test.kind = NotificationKind::Test;
    notifier.send(&test, &ctx()).await.expect("sent");
    let text = server.requests()[0].json()["text"]
        .as_str()
        .expect("text")
        .to_owned();
    assert!(
        text.contains("[TEST]") && !text.contains("hostpulse ack"),
        "{text}"
    );
}
