//! Messages on Telegram: a resolution replies to the firing message of its group, and a
//! message split in parts resumes after a failed part without sending any part twice.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed setup step should stop the test loudly"
)]

mod common;

use common::{Answer, Api, Fake, Harness, T0, firing, huge, notification, telegram};
use hostpulse_core::{DeliveryStatus, NotificationKind};

/// Alerts that make a Telegram message of three parts.
const THREE_PARTS_OF_ALERTS: usize = 40;

#[tokio::test]
async fn a_resolution_replies_to_the_firing_message_of_its_group() {
    let h = Harness::new().await;
    let fake = Fake::start(Api::Telegram, 41).await;
    let delivery = h
        .start(&[telegram("tg", &fake.base(), "-100200", None)])
        .await;
    let fired = h.seed(vec![firing("tg", "web")]).await[0];
    h.drain(&delivery).await;
    assert_eq!(h.get(fired).await.provider_ids, ["41"]);

    h.seed(vec![
        firing("tg", "db"),
        notification("tg", "web", NotificationKind::Resolved),
        notification("tg", "cache", NotificationKind::Resolved),
    ])
    .await;
    h.drain(&delivery).await;

    let requests = fake.requests();
    assert_eq!(requests.len(), 4);
    assert!(requests[0].json().get("reply_parameters").is_none());
    assert!(
        requests[1].json().get("reply_parameters").is_none(),
        "another group's firing"
    );
    let reply = requests[2].json();
    assert_eq!(reply["reply_parameters"]["message_id"], 41, "{reply}");
    assert!(
        requests[3].json().get("reply_parameters").is_none(),
        "nothing to reply to in a group never fired here"
    );
    assert!(
        h.all()
            .await
            .iter()
            .all(|n| n.status == DeliveryStatus::Sent)
    );
}

#[tokio::test]
async fn a_split_message_resumes_at_the_part_that_failed() {
    let h = Harness::new().await;
    let fake = Fake::start(Api::Telegram, 1).await;
    fake.script(&[Answer::Ok, Answer::RateLimited(1)]);
    let id = h.seed(vec![huge("tg", THREE_PARTS_OF_ALERTS)]).await[0];
    let delivery = h
        .start(&[telegram("tg", &fake.base(), "-100200", None)])
        .await;

    let retry_at = delivery.deliver_now().await.expect("a retry is due");
    assert!(
        retry_at >= T0 + 1000,
        "not before the provider's retry_after"
    );
    let interrupted = h.get(id).await;
    assert_eq!(interrupted.status, DeliveryStatus::Pending);
    assert_eq!(
        interrupted.provider_ids,
        ["1"],
        "the first part is recorded"
    );
    assert_eq!(fake.requests().len(), 2);

    h.clock.set(retry_at - 1);
    delivery.deliver_now().await;
    assert_eq!(fake.requests().len(), 2, "paused until the retry");
    h.drain(&delivery).await;

    let requests = fake.requests();
    assert_eq!(requests.len(), 4, "part 1, part 2 refused, part 2, part 3");
    let delivered: Vec<String> = fake.delivered().iter().map(|r| r.text()).collect();
    assert_eq!(delivered.len(), 3);
    assert_eq!(
        requests[1].text(),
        delivered[1],
        "the retry starts at the refused part"
    );
    assert!(delivered[0] != delivered[1] && delivered[1] != delivered[2]);
    assert!(delivered.iter().all(|text| text.chars().count() <= 4096));
    let joined = delivered.concat();
    for i in 0..THREE_PARTS_OF_ALERTS {
        let summary = format!("disk {i} is filling up");
        assert_eq!(
            joined.matches(summary.as_str()).count(),
            1,
            "{summary}: once"
        );
    }
    let n = h.get(id).await;
    assert_eq!((n.status, n.attempts), (DeliveryStatus::Sent, 2));
    assert_eq!(n.provider_ids, ["1", "2", "3"]);
}
