//! Resumable multi-part sends on Telegram: parts an earlier attempt delivered are not sent
//! again, each delivered part is reported before the next one is sent, and a part that cannot
//! be recorded stops the send with a retry.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed setup step should stop the test loudly"
)]

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use common::{FakeServer, Flavor, Recorded, Scenario};
use hostpulse_core::Notification;
use hostpulse_notify::{MessageContext, Notifier, Progress, SendError, build};
use hostpulse_notify::{ReceiverConfig, ReceiverKind, Secret, TelegramSettings};

/// Alerts that make a Telegram message of exactly three parts.
const THREE_PARTS_OF_ALERTS: usize = 40;

/// Remembers every report; refuses them all when `refuse` is set.
#[derive(Default)]
struct Recorder {
    reports: Mutex<Vec<Vec<String>>>,
    refuse: bool,
}

#[async_trait]
impl Progress for Recorder {
    async fn part_sent(&self, provider_ids: &[String]) -> Result<(), String> {
        self.reports
            .lock()
            .expect("lock")
            .push(provider_ids.to_vec());
        if self.refuse {
            return Err("database is locked".into());
        }
        Ok(())
    }
}

impl Recorder {
    fn reports(&self) -> Vec<Vec<String>> {
        self.reports.lock().expect("lock").clone()
    }
}

fn telegram(server: &FakeServer) -> Box<dyn Notifier> {
    build(&ReceiverConfig {
        name: "ops".into(),
        kind: ReceiverKind::Telegram(TelegramSettings {
            bot_token: Secret::new("42:token"),
            chat_id: "-1001".into(),
            message_thread_id: None,
            api_url: server.base(),
            silent_below: None,
            timeout: Duration::from_secs(5),
            template: None,
        }),
        rate_limit: None,
        retry: Default::default(),
    })
    .expect("build")
}

fn context(parts_sent: &[String], progress: &Arc<Recorder>) -> MessageContext {
    MessageContext {
        parts_sent: parts_sent.to_vec(),
        progress: Some(progress.clone()),
        ..MessageContext::default()
    }
}

fn texts(requests: &[Recorded]) -> Vec<String> {
    requests
        .iter()
        .map(|r| r.json()["text"].as_str().expect("text").to_owned())
        .collect()
}

/// The parts of a notification as an undisturbed send delivers them.
async fn reference_parts(n: &Notification) -> Vec<String> {
    let server = FakeServer::start(Flavor::Telegram).await;
    telegram(&server)
        .send(n, &MessageContext::default())
        .await
        .expect("sent");
    texts(&server.requests())
}

#[tokio::test]
async fn a_retry_resumes_at_the_first_unsent_part() {
    let n = common::huge(THREE_PARTS_OF_ALERTS);
    let parts = reference_parts(&n).await;
    assert_eq!(parts.len(), 3, "the sample splits into three parts");
    let server = FakeServer::start(Flavor::Telegram).await;
    server.script(&[Scenario::Ok, Scenario::RateLimited]);
    let notifier = telegram(&server);

    let first = Arc::new(Recorder::default());
    let error = notifier
        .send(&n, &context(&[], &first))
        .await
        .expect_err("part 2 is rate limited");
    assert!(
        matches!(error, SendError::Retry { retry_after: Some(wait), .. } if wait == Duration::from_secs(7)),
        "{error:?}"
    );
    assert_eq!(first.reports(), [vec!["101".to_owned()]]);

    let second = Arc::new(Recorder::default());
    let delivered = notifier
        .send(&n, &context(&["101".to_owned()], &second))
        .await
        .expect("the rest is delivered");
    assert_eq!(delivered.provider_ids, ["101", "103", "104"]);
    assert_eq!(delivered.provider_id.as_deref(), Some("101"));
    assert_eq!(
        second.reports(),
        [vec!["101", "103"], vec!["101", "103", "104"]]
    );

    let sent = texts(&server.requests());
    assert_eq!(sent.len(), 4, "part 1, part 2 refused, part 2, part 3");
    assert_eq!(sent[1], sent[2], "the refused part is the one sent again");
    let accepted = [&sent[0], &sent[2], &sent[3]];
    assert_eq!(accepted, [&parts[0], &parts[1], &parts[2]]);
}

#[tokio::test]
async fn without_progress_the_remaining_parts_are_sent() {
    let n = common::huge(THREE_PARTS_OF_ALERTS);
    let parts = reference_parts(&n).await;
    let server = FakeServer::start(Flavor::Telegram).await;
    let ctx = MessageContext {
        parts_sent: vec!["7".into(), String::new()],
        ..MessageContext::default()
    };
    let delivered = telegram(&server).send(&n, &ctx).await.expect("sent");
    assert_eq!(texts(&server.requests()), [parts[2].clone()]);
    assert_eq!(delivered.provider_ids, ["7", "", "101"]);
    assert_eq!(delivered.provider_id.as_deref(), Some("7"));
}

#[tokio::test]
async fn a_part_that_cannot_be_recorded_stops_the_send_with_a_retry() {
    let server = FakeServer::start(Flavor::Telegram).await;
    let progress = Arc::new(Recorder {
        refuse: true,
        ..Recorder::default()
    });
    let error = telegram(&server)
        .send(
            &common::huge(THREE_PARTS_OF_ALERTS),
            &context(&[], &progress),
        )
        .await
        .expect_err("the store refuses");
    assert!(error.is_retry(), "{error:?}");
    assert!(
        error.reason().contains("part 1 of 3 was delivered")
            && error.reason().contains("database is locked"),
        "{error}"
    );
    assert_eq!(
        server.requests().len(),
        1,
        "no part after the unrecorded one"
    );
    assert_eq!(progress.reports(), [vec!["101".to_owned()]]);
}

#[tokio::test]
async fn only_the_first_part_of_a_resolution_replies() {
    let mut n = common::huge(THREE_PARTS_OF_ALERTS);
    n.kind = hostpulse_core::NotificationKind::Resolved;
    let server = FakeServer::start(Flavor::Telegram).await;
    let ctx = MessageContext {
        reply_to: Some("41".into()),
        ..MessageContext::default()
    };
    let notifier = telegram(&server);
    notifier.send(&n, &ctx).await.expect("sent");
    let replies: Vec<_> = server
        .requests()
        .iter()
        .map(|r| r.json()["reply_parameters"].clone())
        .collect();
    assert_eq!(replies.len(), 3);
    assert_eq!(replies[0]["message_id"], 41);
    assert_eq!(replies[0]["allow_sending_without_reply"], true);
    assert!(replies[1].is_null() && replies[2].is_null(), "{replies:?}");

    let resumed = FakeServer::start(Flavor::Telegram).await;
    let ctx = MessageContext {
        parts_sent: vec!["50".into()],
        ..ctx
    };
    telegram(&resumed).send(&n, &ctx).await.expect("sent");
    assert!(
        resumed
            .requests()
            .iter()
            .all(|r| r.json().get("reply_parameters").is_none()),
        "a resumed send does not reply again"
    );
}
