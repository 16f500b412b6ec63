//! Rate limits on the virtual clock: a receiver's own limit (Telegram private and group chat
//! defaults), the 30 messages per second shared by every receiver of one bot, and a
//! provider's `retry_after` pausing the receiver.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed setup step should stop the test loudly"
)]

mod common;

use common::{Answer, Api, BOT_TOKEN, Fake, Harness, T0, firing, telegram, telegram_default};
use hostpulse_core::{DeliveryStatus, Notification};

/// The provider ids recorded for each notification, oldest notification first.
fn provider_ids(all: &[Notification]) -> Vec<Vec<String>> {
    all.iter().map(|n| n.provider_ids.clone()).collect()
}

#[tokio::test]
async fn a_private_chat_gets_one_message_per_second_in_id_order() {
    let h = Harness::new().await;
    let fake = Fake::start(Api::Telegram, 1).await;
    let groups: Vec<String> = (1..=5).map(|i| format!("web-{i:02}")).collect();
    h.seed(groups.iter().map(|g| firing("tg", g)).collect())
        .await;
    let delivery = h
        .start(&[telegram_default("tg", &fake.base(), "123456789")])
        .await;

    assert_eq!(delivery.deliver_now().await, Some(T0 + 1000));
    assert_eq!(fake.requests().len(), 1);
    h.clock.advance(999);
    assert_eq!(delivery.deliver_now().await, Some(T0 + 1000));
    assert_eq!(
        fake.requests().len(),
        1,
        "nothing before the second is over"
    );
    h.clock.advance(1);
    assert_eq!(delivery.deliver_now().await, Some(T0 + 2000));
    assert_eq!(fake.requests().len(), 2);
    for second in 2..=4 {
        h.clock.set(T0 + second * 1000);
        delivery.deliver_now().await;
        assert_eq!(fake.requests().len(), second as usize + 1);
    }
    assert_eq!(delivery.deliver_now().await, None);

    let texts: Vec<String> = fake.requests().iter().map(|r| r.text()).collect();
    for (text, group) in texts.iter().zip(&groups) {
        assert!(text.contains(group.as_str()), "{group} expected in {text}");
    }
    let all = h.all().await;
    assert!(all.iter().all(|n| n.status == DeliveryStatus::Sent));
    let expected: Vec<Vec<String>> = (1..=5).map(|id| vec![id.to_string()]).collect();
    assert_eq!(provider_ids(&all), expected, "sent in id order");
}

#[tokio::test]
async fn a_group_chat_gets_a_burst_of_twenty_then_one_every_three_seconds() {
    let h = Harness::new().await;
    let fake = Fake::start(Api::Telegram, 1).await;
    h.seed(
        (0..25)
            .map(|i| firing("team", &format!("db-{i:02}")))
            .collect(),
    )
    .await;
    let delivery = h
        .start(&[telegram_default("team", &fake.base(), "-1001234567890")])
        .await;

    assert_eq!(delivery.deliver_now().await, Some(T0 + 3000));
    assert_eq!(fake.requests().len(), 20);
    for step in 1..=5 {
        h.clock.set(T0 + step * 3000 - 1);
        delivery.deliver_now().await;
        assert_eq!(
            fake.requests().len(),
            19 + step as usize,
            "early at step {step}"
        );
        h.clock.advance(1);
        delivery.deliver_now().await;
        assert_eq!(fake.requests().len(), 20 + step as usize, "at step {step}");
    }
    assert_eq!(delivery.deliver_now().await, None);
    let expected: Vec<Vec<String>> = (1..=25).map(|id| vec![id.to_string()]).collect();
    assert_eq!(provider_ids(&h.all().await), expected, "sent in id order");
}

#[tokio::test]
async fn receivers_of_one_bot_share_thirty_messages_per_second() {
    let h = Harness::new().await;
    let fake = Fake::start(Api::Telegram, 1).await;
    let mut seeded = Vec::new();
    for i in 0..40 {
        seeded.push(firing("alpha", &format!("a-{i:02}")));
        seeded.push(firing("beta", &format!("b-{i:02}")));
    }
    h.seed(seeded).await;
    let receivers = [
        telegram("alpha", &fake.base(), "111", None),
        telegram("beta", &fake.base(), "222", None),
    ];
    let delivery = h.start(&receivers).await;

    let mut per_second = Vec::new();
    for second in 0..10 {
        h.clock.set(T0 + second * 1000);
        let before = fake.requests().len();
        let next = delivery.deliver_now().await;
        delivery.deliver_now().await;
        per_second.push(fake.requests().len() - before);
        if next.is_none() {
            break;
        }
    }
    assert_eq!(per_second[0], 30, "the first pass sends 30 in total");
    assert!(per_second.iter().all(|&sent| sent <= 30), "{per_second:?}");
    assert_eq!(per_second.iter().sum::<usize>(), 80, "{per_second:?}");

    let chats: Vec<String> = fake
        .requests()
        .iter()
        .map(|r| r.json()["chat_id"].as_str().expect("chat").to_owned())
        .collect();
    assert_eq!(chats.iter().filter(|c| *c == "111").count(), 40);
    assert_eq!(chats.iter().filter(|c| *c == "222").count(), 40);
    assert!(
        h.all()
            .await
            .iter()
            .all(|n| n.status == DeliveryStatus::Sent)
    );
}

#[tokio::test]
async fn a_retry_after_pauses_the_receiver_for_as_long_as_asked() {
    let h = Harness::new().await;
    let fake = Fake::start(Api::Telegram, 1).await;
    fake.script(&[Answer::RateLimited(7)]);
    let id = h.seed(vec![firing("tg", "web-01")]).await[0];
    let delivery = h
        .start(&[telegram("tg", &fake.base(), "123456789", None)])
        .await;

    assert_eq!(delivery.deliver_now().await, Some(T0 + 7000));
    let status = delivery.status().await.expect("status");
    let health = &status[0].health;
    assert_eq!(health.consecutive_failures, 1);
    assert_eq!(health.paused_until_ms, Some(T0 + 7000));
    let reason = health.last_error.clone().expect("reason");
    assert!(
        reason.contains("429") && reason.contains("retry after 7"),
        "{reason}"
    );
    assert!(!reason.contains(BOT_TOKEN), "{reason}");
    assert_eq!(status[0].outbox.pending, 1);

    h.clock.advance(6999);
    assert_eq!(delivery.deliver_now().await, Some(T0 + 7000));
    assert_eq!(
        fake.requests().len(),
        1,
        "no request before the provider's delay"
    );
    h.clock.advance(1);
    assert_eq!(delivery.deliver_now().await, None);
    assert_eq!(fake.requests().len(), 2);

    let n = h.get(id).await;
    assert_eq!((n.status, n.attempts), (DeliveryStatus::Sent, 2));
    let health = &delivery.status().await.expect("status")[0].health;
    assert_eq!((health.consecutive_failures, health.delivered), (0, 1));
}
