//! Re-sends that receivers can recognise: the webhook `Idempotency-Key`, Slack threads and
//! messages an earlier attempt delivered.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed setup step should stop the test loudly"
)]

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::{FakeServer, Flavor, Scenario};
use hostpulse_notify::{MessageContext, Notifier, build};
use hostpulse_notify::{
    ReceiverConfig, ReceiverKind, Secret, SlackSettings, SlackTarget, WebhookSettings,
};

const TIMEOUT: Duration = Duration::from_secs(5);

fn receiver(kind: ReceiverKind) -> Box<dyn Notifier> {
    build(&ReceiverConfig {
        name: "ops".into(),
        kind,
        rate_limit: None,
        retry: Default::default(),
    })
    .expect("build")
}

fn webhook(server: &FakeServer) -> Box<dyn Notifier> {
    receiver(ReceiverKind::Webhook(WebhookSettings {
        url: Secret::new(format!("{}/alerts", server.base())),
        headers: BTreeMap::new(),
        hmac_secret: None,
        timeout: TIMEOUT,
    }))
}

fn slack(target: SlackTarget, server: &FakeServer) -> Box<dyn Notifier> {
    receiver(ReceiverKind::Slack(SlackSettings {
        target,
        api_url: format!("{}/api", server.base()),
        timeout: TIMEOUT,
        template: None,
    }))
}

fn slack_bot(server: &FakeServer) -> Box<dyn Notifier> {
    let target = SlackTarget::Bot {
        token: Secret::new("xoxb-1"),
        channel: "#ops".into(),
    };
    slack(target, server)
}

fn replying_to(reply_to: &str) -> MessageContext {
    MessageContext {
        reply_to: Some(reply_to.into()),
        ..MessageContext::default()
    }
}

#[tokio::test]
async fn webhook_retries_carry_the_same_idempotency_key() {
    let server = FakeServer::start(Flavor::Webhook).await;
    server.script(&[Scenario::ServerError]);
    let notifier = webhook(&server);
    let n = common::firing();
    let error = notifier
        .send(&n, &MessageContext::default())
        .await
        .expect_err("503");
    assert!(error.is_retry(), "{error:?}");
    let delivered = notifier
        .send(&n, &MessageContext::default())
        .await
        .expect("sent");
    assert!(delivered.provider_ids.is_empty() && delivered.provider_id.is_none());
    let mut other = common::firing();
    other.id = 2;
    notifier
        .send(&other, &MessageContext::default())
        .await
        .expect("sent");

    let keys: Vec<String> = server
        .requests()
        .iter()
        .map(|r| {
            let key = r.headers["idempotency-key"].to_str().expect("ascii");
            key.to_owned()
        })
        .collect();
    assert_eq!(keys[0], n.idempotency_key());
    assert_eq!(keys[1], keys[0], "a retry carries the same key");
    assert_ne!(keys[2], keys[0], "another notification has another key");
    assert_eq!(server.requests()[1].json()["version"], "4");
}

#[tokio::test]
async fn slack_bot_resolutions_post_into_the_firing_thread() {
    let server = FakeServer::start(Flavor::SlackBot).await;
    let notifier = slack_bot(&server);
    let ctx = replying_to("1700000000.100");
    let delivered = notifier
        .send(&common::resolved(), &ctx)
        .await
        .expect("sent");
    assert_eq!(delivered.provider_ids, ["1700000000.101"]);
    assert_eq!(delivered.provider_id.as_deref(), Some("1700000000.101"));
    notifier.send(&common::firing(), &ctx).await.expect("sent");

    let requests = server.requests();
    let resolution = requests[0].json();
    assert_eq!(resolution["thread_ts"], "1700000000.100");
    assert_eq!(resolution["reply_broadcast"], true);
    let firing = requests[1].json();
    assert!(
        firing.get("thread_ts").is_none() && firing.get("reply_broadcast").is_none(),
        "only resolutions go into the thread: {firing}"
    );
}

#[tokio::test]
async fn slack_bot_does_not_post_a_message_an_earlier_attempt_delivered() {
    let server = FakeServer::start(Flavor::SlackBot).await;
    let ctx = MessageContext {
        parts_sent: vec!["1700000000.555".into()],
        ..MessageContext::default()
    };
    let delivered = slack_bot(&server)
        .send(&common::firing(), &ctx)
        .await
        .expect("already delivered");
    assert_eq!(delivered.provider_ids, ["1700000000.555"]);
    assert!(server.requests().is_empty(), "nothing posted again");
}

#[tokio::test]
async fn slack_webhooks_return_no_ids_and_do_not_thread() {
    let server = FakeServer::start(Flavor::SlackWebhook).await;
    let target = SlackTarget::Webhook {
        url: Secret::new(format!("{}/services/T0/B0/X", server.base())),
    };
    let delivered = slack(target, &server)
        .send(&common::resolved(), &replying_to("1700000000.100"))
        .await
        .expect("sent");
    assert!(delivered.provider_ids.is_empty() && delivered.provider_id.is_none());
    let body = server.requests()[0].json();
    assert!(body.get("thread_ts").is_none(), "{body}");
}
