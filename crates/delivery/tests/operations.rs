//! Operations on delivery: receivers no longer configured, requeueing dead letters,
//! reconfiguration that keeps unchanged workers, status and test messages.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed setup step should stop the test loudly"
)]

mod common;

use common::{
    Answer, Api, Fake, HOOK_PATH, Harness, T0, closed_address, firing, telegram, webhook,
};
use hostpulse_core::DeliveryStatus;
use hostpulse_delivery::DeliveryError;

#[tokio::test]
async fn a_notification_of_an_unknown_receiver_is_dead_until_requeued() {
    let h = Harness::new().await;
    let fake = Fake::start(Api::Webhook, 1).await;
    let id = h.seed(vec![firing("old", "web")]).await[0];
    let hook = webhook("hook", &fake.base());
    let delivery = h.start(std::slice::from_ref(&hook)).await;

    let dead = h.get(id).await;
    assert_eq!(dead.status, DeliveryStatus::Dead);
    let reason = dead.last_error.expect("reason");
    assert!(reason.contains("not configured"), "{reason}");
    assert_eq!(delivery.deliver_now().await, None);
    assert!(fake.requests().is_empty());

    delivery
        .reconfigure(&[hook, webhook("old", &fake.base())])
        .await;
    assert_eq!(
        h.get(id).await.status,
        DeliveryStatus::Dead,
        "stays dead until requeued"
    );
    let requeued = delivery.requeue(id).await.expect("requeue");
    assert_eq!(
        (requeued.id, requeued.status),
        (id, DeliveryStatus::Pending)
    );
    assert_eq!(delivery.deliver_now().await, None);

    assert_eq!(fake.requests().len(), 1);
    let n = h.get(id).await;
    assert_eq!((n.status, n.attempts), (DeliveryStatus::Sent, 1));
    assert_eq!(fake.requests()[0].idempotency_key(), n.idempotency_key());
    assert!(matches!(
        delivery.requeue(id).await,
        Err(DeliveryError::Invalid(_))
    ));
    assert!(matches!(
        delivery.requeue(id + 100).await,
        Err(DeliveryError::UnknownNotification(missing)) if missing == id + 100
    ));
}

#[tokio::test]
async fn reconfiguring_keeps_the_state_of_unchanged_receivers_only() {
    let h = Harness::new().await;
    let fake = Fake::start(Api::Webhook, 1).await;
    fake.script(&[Answer::Unavailable, Answer::Unavailable]);
    h.seed(vec![firing("a", "web"), firing("b", "db")]).await;
    let a = webhook("a", &fake.base());
    let b = webhook("b", &fake.base());
    let delivery = h.start(&[a.clone(), b.clone()]).await;
    assert!(delivery.deliver_now().await.is_some());
    let failures = |status: &[hostpulse_delivery::ReceiverStatus]| -> Vec<u32> {
        status
            .iter()
            .map(|s| s.health.consecutive_failures)
            .collect()
    };
    assert_eq!(failures(&delivery.status().await.expect("status")), [1, 1]);

    let mut changed = b.clone();
    changed.rate_limit = Some(hostpulse_notify::RateLimit {
        count: 5,
        per: std::time::Duration::from_secs(1),
    });
    delivery.reconfigure(&[a, changed]).await;
    let status = delivery.status().await.expect("status");
    assert_eq!(
        failures(&status),
        [1, 0],
        "a keeps its backoff, b starts afresh"
    );
    assert_eq!(status[1].rate_limit.as_deref(), Some("5/1s"));
    assert_eq!(status[0].stuck.len(), 1, "a's group keeps its backoff");
    assert!(status[1].stuck.is_empty());
    assert_eq!((status[1].outbox.pending, status[1].outbox.sent), (1, 0));

    assert!(delivery.deliver_now().await.is_some(), "a is still paused");
    assert_eq!(fake.requests().len(), 3, "only b was tried again");
    h.drain(&delivery).await;
    assert!(
        h.all()
            .await
            .iter()
            .all(|n| n.status == DeliveryStatus::Sent)
    );
}

#[tokio::test]
async fn status_lists_every_receiver_with_its_outbox() {
    let h = Harness::new().await;
    let fake = Fake::start(Api::Telegram, 1).await;
    h.seed(vec![firing("tg", "web"), firing("tg", "db")]).await;
    let receivers = [
        telegram(
            "tg",
            &fake.base(),
            "-100200",
            Some(hostpulse_notify::RateLimit {
                count: 1,
                per: std::time::Duration::from_secs(1),
            }),
        ),
        webhook("hook", &fake.base()),
    ];
    let delivery = h.start(&receivers).await;
    assert_eq!(delivery.deliver_now().await, Some(T0 + 1000));

    let status = delivery.status().await.expect("status");
    let names: Vec<(&str, &str)> = status
        .iter()
        .map(|s| (s.name.as_str(), s.kind.as_str()))
        .collect();
    assert_eq!(names, [("hook", "webhook"), ("tg", "telegram")]);
    let tg = &status[1];
    assert_eq!(tg.rate_limit.as_deref(), Some("1/1s"));
    assert_eq!(tg.setup_error, None);
    assert_eq!((tg.outbox.sent, tg.outbox.pending), (1, 1));
    assert_eq!(tg.health.delivered, 1);
    assert_eq!(status[0].outbox.sent + status[0].outbox.pending, 0);
}

#[tokio::test]
async fn a_test_message_reports_what_came_of_it() {
    let h = Harness::new().await;
    let fake = Fake::start(Api::Webhook, 1).await;
    let down = format!("http://{}", closed_address().await);
    let delivery = h
        .start(&[webhook("hook", &fake.base()), webhook("down", &down)])
        .await;

    let sent = delivery.send_test("hook").await.expect("configured");
    assert!(sent.delivered, "{sent:?}");
    assert_eq!(
        (sent.receiver.as_str(), sent.kind.as_str()),
        ("hook", "webhook")
    );
    assert_eq!((sent.error, sent.retryable), (None, false));
    let requests = fake.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].path, HOOK_PATH);
    assert_eq!(requests[0].json()["version"], "4");

    assert!(matches!(
        delivery.send_test("nope").await,
        Err(DeliveryError::UnknownReceiver(name)) if name == "nope"
    ));

    let failed = delivery.send_test("down").await.expect("configured");
    assert!(!failed.delivered && failed.retryable, "{failed:?}");
    let error = failed.error.expect("error");
    assert!(
        !error.contains(HOOK_PATH) && !error.contains(&down),
        "{error}"
    );
    assert!(h.all().await.is_empty(), "test messages bypass the outbox");
}
