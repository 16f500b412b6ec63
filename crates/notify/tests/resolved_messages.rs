//! A resolved notification says the value the alert resolved at, never the firing summary
//! (which the alert still carries), on every channel's default message.
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
use hostpulse_core::{AlertState, Notification, NotificationKind};
use hostpulse_notify::{MessageContext, Summary, build};
use hostpulse_notify::{
    ReceiverConfig, ReceiverKind, Secret, SlackSettings, SlackTarget, TeamsFormat, TeamsSettings,
    TelegramSettings, WebhookSettings,
};

const TIMEOUT: Duration = Duration::from_secs(5);
const FIRING_SUMMARY: &str = "avg(cpu) = 91.2 > 85";
const RESOLVED: &str = "Resolved with value 40.5 (threshold 85)";

/// A resolved alert as the lifecycle leaves it: the summary of the last firing evaluation,
/// the value of the evaluation that resolved it.
fn resolved() -> Notification {
    let mut alert = common::alert("high_cpu", "web-1", AlertState::Resolved, FIRING_SUMMARY);
    alert.value = 40.5;
    common::notification(NotificationKind::Resolved, vec![alert])
}

fn receiver(kind: ReceiverKind) -> ReceiverConfig {
    ReceiverConfig {
        name: "ops".into(),
        kind,
        rate_limit: None,
        retry: Default::default(),
    }
}

fn assert_resolved_text(channel: &str, text: &str) {
    assert!(
        text.contains(RESOLVED),
        "{channel}: {RESOLVED:?} missing in {text}"
    );
    assert!(
        !text.contains(FIRING_SUMMARY) && !text.contains("91.2"),
        "{channel}: the firing summary is shown: {text}"
    );
    assert!(
        text.contains("2023-11-14T22:28:20Z"),
        "{channel}: no resolution time in {text}"
    );
}

async fn sent_body(flavor: Flavor, kind: impl FnOnce(String) -> ReceiverKind) -> String {
    let server = FakeServer::start(flavor).await;
    let notifier = build(&receiver(kind(server.base()))).expect("build");
    notifier
        .send(&resolved(), &MessageContext::default())
        .await
        .expect("sent");
    String::from_utf8_lossy(&server.requests()[0].body).into_owned()
}

#[tokio::test]
async fn every_channel_shows_the_resolved_value() {
    let telegram = sent_body(Flavor::Telegram, |base| {
        ReceiverKind::Telegram(TelegramSettings {
            bot_token: Secret::new("42:token"),
            chat_id: "-1001".into(),
            message_thread_id: None,
            api_url: base,
            silent_below: None,
            timeout: TIMEOUT,
            template: None,
        })
    })
    .await;
    assert_resolved_text("telegram", &telegram);

    let slack = sent_body(Flavor::SlackBot, |base| {
        ReceiverKind::Slack(SlackSettings {
            target: SlackTarget::Bot {
                token: Secret::new("xoxb-1"),
                channel: "#ops".into(),
            },
            api_url: format!("{base}/api"),
            timeout: TIMEOUT,
            template: None,
        })
    })
    .await;
    assert_resolved_text("slack", &slack);

    for format in [TeamsFormat::AdaptiveCard, TeamsFormat::MessageCard] {
        let teams = sent_body(Flavor::Teams, |base| {
            ReceiverKind::Teams(TeamsSettings {
                webhook_url: Secret::new(format!("{base}/workflows/abc")),
                format,
                timeout: TIMEOUT,
                template: None,
            })
        })
        .await;
        assert_resolved_text("teams", &teams);
    }

    let webhook = sent_body(Flavor::Webhook, |base| {
        ReceiverKind::Webhook(WebhookSettings {
            url: Secret::new(format!("{base}/alerts")),
            headers: BTreeMap::new(),
            hmac_secret: None,
            timeout: TIMEOUT,
        })
    })
    .await;
    let body: serde_json::Value = serde_json::from_str(&webhook).expect("json");
    let summary = body["alerts"][0]["annotations"]["summary"]
        .as_str()
        .unwrap_or("");
    assert!(summary.starts_with(RESOLVED), "webhook summary: {summary}");
    assert_eq!(body["alerts"][0]["endsAt"], "2023-11-14T22:28:20Z");
}

#[test]
fn the_plain_text_of_e_mail_and_templates_shows_the_resolved_value() {
    let summary = Summary::new(&resolved(), &MessageContext::default());
    assert_resolved_text("e-mail", &summary.plain_text());
    let rendered = summary
        .render("{{ alerts[0].summary }}")
        .expect("template renders");
    assert!(
        rendered.starts_with(RESOLVED),
        "template summary: {rendered}"
    );

    let firing = Summary::new(&common::firing(), &MessageContext::default());
    let text = firing.plain_text();
    assert!(text.contains("avg(cpu) = 91.2 > 85"), "{text}");
    assert!(text.contains("value 91.23 (threshold 85)"), "{text}");
}
