//! One conformance suite run against every HTTP channel and a local fake of its provider:
//! retry class by status, no secret in any error, size limits, resolved handling.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed setup step should stop the test loudly"
)]

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::{FakeServer, Flavor, Recorded, Scenario};
use hostpulse_notify::{MessageContext, SendError, build};
use hostpulse_notify::{
    ReceiverConfig, ReceiverKind, Secret, SlackSettings, SlackTarget, TeamsFormat, TeamsSettings,
    TelegramSettings, WebhookSettings,
};

const TIMEOUT: Duration = Duration::from_millis(500);
const TELEGRAM_TOKEN: &str = "123456:SECRET-TELEGRAM-TOKEN";
const SLACK_PATH: &str = "/services/T000/B000/SECRETSLACK";
const SLACK_TOKEN: &str = "xoxb-SECRET-SLACK-BOT";
const TEAMS_PATH: &str = "/workflows/SECRETTEAMS/triggers/manual";
const HOOK_PATH: &str = "/hooks/SECRETHOOK";
const HOOK_HEADER: &str = "Bearer SECRETHEADER";
const HOOK_KEY: &str = "SECRETHMAC";

/// One channel under test.
struct Channel {
    flavor: Flavor,
    secrets: &'static [&'static str],
    receiver: fn(&str) -> ReceiverConfig,
    /// Checks the requests made for a notification larger than the provider's limits.
    within_limits: fn(&[Recorded]),
    /// Checks the request made for a resolved notification.
    resolved: fn(&Recorded),
}

fn receiver(kind: ReceiverKind) -> ReceiverConfig {
    ReceiverConfig {
        name: "ops".into(),
        kind,
        rate_limit: None,
        retry: Default::default(),
    }
}

fn telegram(base: &str) -> ReceiverConfig {
    receiver(ReceiverKind::Telegram(TelegramSettings {
        bot_token: Secret::new(TELEGRAM_TOKEN),
        chat_id: "-1001234567890".into(),
        message_thread_id: None,
        api_url: base.into(),
        silent_below: None,
        timeout: TIMEOUT,
        template: None,
    }))
}

fn slack_webhook(base: &str) -> ReceiverConfig {
    receiver(ReceiverKind::Slack(SlackSettings {
        target: SlackTarget::Webhook {
            url: Secret::new(format!("{base}{SLACK_PATH}")),
        },
        api_url: "http://unused.invalid".into(),
        timeout: TIMEOUT,
        template: None,
    }))
}

fn slack_bot(base: &str) -> ReceiverConfig {
    receiver(ReceiverKind::Slack(SlackSettings {
        target: SlackTarget::Bot {
            token: Secret::new(SLACK_TOKEN),
            channel: "#ops".into(),
        },
        api_url: format!("{base}/api"),
        timeout: TIMEOUT,
        template: None,
    }))
}

fn teams(base: &str) -> ReceiverConfig {
    receiver(ReceiverKind::Teams(TeamsSettings {
        webhook_url: Secret::new(format!("{base}{TEAMS_PATH}")),
        format: TeamsFormat::AdaptiveCard,
        timeout: TIMEOUT,
        template: None,
    }))
}

fn webhook(base: &str) -> ReceiverConfig {
    receiver(ReceiverKind::Webhook(WebhookSettings {
        url: Secret::new(format!("{base}{HOOK_PATH}")),
        headers: BTreeMap::from([("Authorization".to_owned(), Secret::new(HOOK_HEADER))]),
        hmac_secret: Some(Secret::new(HOOK_KEY)),
        timeout: TIMEOUT,
    }))
}

fn telegram_limits(requests: &[Recorded]) {
    assert!(requests.len() > 1, "a long text is split");
    for request in requests {
        let text = request.json()["text"].as_str().expect("text").to_owned();
        assert!(
            text.chars().count() <= 4096,
            "{} chars",
            text.chars().count()
        );
    }
}

fn slack_limits(requests: &[Recorded]) {
    let [request] = requests else {
        panic!("one request")
    };
    let body = request.json();
    let blocks = body["attachments"][0]["blocks"]
        .as_array()
        .expect("blocks")
        .clone();
    assert!(blocks.len() <= 50, "{} blocks", blocks.len());
    assert!(
        blocks[0]["text"]["text"]
            .as_str()
            .expect("header")
            .chars()
            .count()
            <= 150
    );
    let context = blocks.last().expect("context")["elements"][0]["text"]
        .as_str()
        .expect("ctx");
    assert!(context.contains("more alerts"), "{context}");
}

fn teams_limits(requests: &[Recorded]) {
    let [request] = requests else {
        panic!("one request")
    };
    assert!(
        request.body.len() < 28 * 1024,
        "{} bytes",
        request.body.len()
    );
}

fn webhook_limits(requests: &[Recorded]) {
    let [request] = requests else {
        panic!("one request")
    };
    let body = request.json();
    assert_eq!(body["alerts"].as_array().expect("alerts").len(), 300);
    assert_eq!(body["truncatedAlerts"], 0);
}

fn telegram_resolved(request: &Recorded) {
    let body = request.json();
    assert_eq!(
        body["reply_parameters"]["message_id"], 41,
        "replies to the firing message"
    );
    assert!(body["text"].as_str().expect("text").contains("RESOLVED"));
}

fn text_resolved(request: &Recorded) {
    let text = String::from_utf8_lossy(&request.body);
    assert!(text.contains("RESOLVED"), "{text}");
    assert!(!text.contains("hostpulse ack"), "no ack hint once resolved");
}

fn slack_bot_resolved(request: &Recorded) {
    text_resolved(request);
    let body = request.json();
    assert_eq!(
        body["thread_ts"], "41",
        "posts into the firing message's thread"
    );
    assert_eq!(body["reply_broadcast"], true, "and shows it in the channel");
}

fn webhook_resolved(request: &Recorded) {
    let body = request.json();
    assert_eq!(body["status"], "resolved");
    assert_eq!(body["alerts"][0]["status"], "resolved");
    assert_ne!(body["alerts"][0]["endsAt"], "0001-01-01T00:00:00Z");
}

const CHANNELS: &[Channel] = &[
    Channel {
        flavor: Flavor::Telegram,
        secrets: &[TELEGRAM_TOKEN, "SECRET-TELEGRAM"],
        receiver: telegram,
        within_limits: telegram_limits,
        resolved: telegram_resolved,
    },
    Channel {
        flavor: Flavor::SlackWebhook,
        secrets: &[SLACK_PATH, "SECRETSLACK"],
        receiver: slack_webhook,
        within_limits: slack_limits,
        resolved: text_resolved,
    },
    Channel {
        flavor: Flavor::SlackBot,
        secrets: &[SLACK_TOKEN],
        receiver: slack_bot,
        within_limits: slack_limits,
        resolved: slack_bot_resolved,
    },
    Channel {
        flavor: Flavor::Teams,
        secrets: &[TEAMS_PATH, "SECRETTEAMS"],
        receiver: teams,
        within_limits: teams_limits,
        resolved: text_resolved,
    },
    Channel {
        flavor: Flavor::Webhook,
        secrets: &["SECRETHOOK", "SECRETHEADER", HOOK_KEY],
        receiver: webhook,
        within_limits: webhook_limits,
        resolved: webhook_resolved,
    },
];

fn assert_no_secret(channel: &Channel, error: &SendError) {
    let text = format!("{error} {error:?}");
    for secret in channel.secrets {
        assert!(
            !text.contains(secret),
            "{:?} leaks {secret:?}: {text}",
            channel.flavor
        );
    }
}

async fn outcome(
    channel: &Channel,
    server: &FakeServer,
    scenario: Scenario,
) -> Result<(), SendError> {
    server.set(scenario);
    let notifier = build(&(channel.receiver)(&server.base())).expect("build");
    let result = notifier
        .send(&common::firing(), &MessageContext::default())
        .await;
    result
        .map(|_| ())
        .inspect_err(|e| assert_no_secret(channel, e))
}

#[tokio::test]
async fn retry_class_follows_the_status_table() {
    for channel in CHANNELS {
        let server = FakeServer::start(channel.flavor).await;
        let name = format!("{:?}", channel.flavor);
        assert_eq!(
            outcome(channel, &server, Scenario::Ok).await,
            Ok(()),
            "{name}"
        );
        match outcome(channel, &server, Scenario::RateLimited).await {
            Err(SendError::Retry { retry_after, .. }) => {
                assert_eq!(retry_after, Some(Duration::from_secs(7)), "{name}")
            }
            other => panic!("{name}: 429 must retry, got {other:?}"),
        }
        match outcome(channel, &server, Scenario::BadRequest).await {
            Err(SendError::Permanent { reason }) => assert!(!reason.is_empty(), "{name}"),
            other => panic!("{name}: 400 is permanent, got {other:?}"),
        }
        let server_error = outcome(channel, &server, Scenario::ServerError).await;
        assert!(
            matches!(server_error, Err(SendError::Retry { .. })),
            "{name}: {server_error:?}"
        );
        let slow = outcome(channel, &server, Scenario::Slow).await;
        assert!(
            matches!(&slow, Err(SendError::Retry { reason, .. }) if reason.contains("timed out")),
            "{name}: {slow:?}"
        );
    }
}

#[tokio::test]
async fn refused_connections_retry_without_leaking_secrets() {
    let addr = common::refused_address().await;
    for channel in CHANNELS {
        let notifier = build(&(channel.receiver)(&format!("http://{addr}"))).expect("build");
        let error = notifier
            .send(&common::firing(), &MessageContext::default())
            .await
            .expect_err("nothing listens");
        assert!(error.is_retry(), "{:?}: {error:?}", channel.flavor);
        assert!(error.reason().contains("connection failed"), "{error}");
        assert_no_secret(channel, &error);
    }
}

#[tokio::test]
async fn provider_errors_that_echo_secrets_are_redacted() {
    for channel in CHANNELS {
        let server = FakeServer::start(channel.flavor).await;
        let error = outcome(channel, &server, Scenario::BadRequest)
            .await
            .expect_err("400");
        if channel.flavor != Flavor::SlackBot {
            assert!(
                error.reason().contains("<redacted>"),
                "{:?}: {error}",
                channel.flavor
            );
        }
    }
}

#[tokio::test]
async fn large_notifications_stay_within_provider_limits() {
    for channel in CHANNELS {
        let server = FakeServer::start(channel.flavor).await;
        let notifier = build(&(channel.receiver)(&server.base())).expect("build");
        notifier
            .send(&common::huge(300), &MessageContext::default())
            .await
            .expect("delivered");
        (channel.within_limits)(&server.requests());
    }
}

#[tokio::test]
async fn resolved_notifications_are_marked_and_reply_where_supported() {
    let ctx = MessageContext {
        external_url: Some("https://hub.example.org/".into()),
        reply_to: Some("41".into()),
        ..MessageContext::default()
    };
    for channel in CHANNELS {
        let server = FakeServer::start(channel.flavor).await;
        let notifier = build(&(channel.receiver)(&server.base())).expect("build");
        notifier
            .send(&common::resolved(), &ctx)
            .await
            .expect("delivered");
        let requests = server.requests();
        let [request] = requests.as_slice() else {
            panic!("one request")
        };
        (channel.resolved)(request);
    }
}
