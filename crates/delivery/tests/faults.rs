//! Faults on the virtual clock: a receiver down for two minutes, a notification refused
//! permanently, and a hub stopped in the middle of an attempt.

mod common;

use std::collections::BTreeMap;

use common::{Answer, Api, Fake, HOOK_PATH, Harness, closed_address, firing, webhook};
use hostpulse_core::{DeliveryStatus, Notification};
use hostpulse_store::{AlertStore, DeliveryUpdate};

/// Virtual time the receiver is down.
const OUTAGE_MS: i64 = 120_000;
/// Virtual time between two passes during the outage.
const STEP_MS: i64 = 5_000;
const GROUPS: [&str; 3] = ["web", "db", "cache"];

/// Notification ids by idempotency key.
fn ids_by_key(all: &[Notification]) -> BTreeMap<String, i64> {
    all.iter().map(|n| (n.idempotency_key(), n.id)).collect()
}

#[tokio::test]
async fn a_receiver_down_for_two_minutes_gets_everything_once_and_in_order() {
    let h = Harness::new().await;
    let addr = closed_address().await;
    let mut seeded = h
        .seed((0..12).map(|i| firing("hook", GROUPS[i % 3])).collect())
        .await;
    let delivery = h.start(&[webhook("hook", &format!("http://{addr}"))]).await;

    for step in 0..OUTAGE_MS / STEP_MS {
        assert!(delivery.deliver_now().await.is_some(), "work is left");
        if step % 8 == 4 {
            let more = (0..2).map(|i| firing("hook", GROUPS[(step as usize + i) % 3]));
            seeded.extend(h.seed(more.collect()).await);
        }
        h.clock.advance(STEP_MS);
    }
    assert_eq!(seeded.len(), 18);
    let first = h.get(seeded[0]).await;
    let outage_attempts = first.attempts;
    assert!(
        (3..=10).contains(&outage_attempts),
        "backoff grows: {outage_attempts} attempts in {} passes",
        OUTAGE_MS / STEP_MS
    );
    let reason = first.last_error.expect("reason");
    assert!(!reason.contains(HOOK_PATH), "{reason}");
    for n in &h.all().await[1..] {
        assert_eq!(
            (n.status, n.attempts),
            (DeliveryStatus::Pending, 0),
            "order is kept"
        );
    }
    let health = delivery.status().await.expect("status")[0].health.clone();
    assert_eq!(health.consecutive_failures, outage_attempts);
    assert!(health.paused_until_ms.is_some());

    let fake = Fake::start_on(addr, Api::Webhook, 1).await;
    h.drain(&delivery).await;

    let all = h.all().await;
    let by_key = ids_by_key(&all);
    let arrived: Vec<i64> = fake
        .requests()
        .iter()
        .map(|r| by_key[&r.idempotency_key()])
        .collect();
    assert_eq!(arrived, seeded, "each exactly once, in id order");
    for group in GROUPS {
        let key = format!("route0{{host=\"{group}\"}}");
        let of_group: Vec<i64> = all
            .iter()
            .filter(|n| n.group_key == key)
            .map(|n| n.id)
            .collect();
        let arrived_of_group: Vec<i64> = arrived
            .iter()
            .copied()
            .filter(|id| of_group.contains(id))
            .collect();
        assert_eq!(arrived_of_group, of_group, "order of group {group}");
    }
    assert!(all.iter().all(|n| n.status == DeliveryStatus::Sent));
    assert_eq!(all[0].attempts, outage_attempts + 1);
    assert!(all[1..].iter().all(|n| n.attempts == 1));
    let health = delivery.status().await.expect("status")[0].health.clone();
    assert_eq!((health.consecutive_failures, health.delivered), (0, 18));
}

#[tokio::test]
async fn a_refused_notification_is_dead_lettered_and_the_pass_goes_on() {
    let h = Harness::new().await;
    let fake = Fake::start(Api::Webhook, 1).await;
    fake.script(&[Answer::Ok, Answer::BadRequest]);
    let ids = h
        .seed(GROUPS.iter().map(|g| firing("hook", g)).collect())
        .await;
    let delivery = h.start(&[webhook("hook", &fake.base())]).await;

    assert_eq!(delivery.deliver_now().await, None, "one pass does all");
    assert_eq!(fake.requests().len(), 3);
    let dead = h.get(ids[1]).await;
    assert_eq!(dead.status, DeliveryStatus::Dead);
    let reason = dead.last_error.expect("reason");
    assert!(reason.contains("400"), "{reason}");
    assert!(!reason.contains("SECRETHOOK"), "{reason}");
    for id in [ids[0], ids[2]] {
        let n = h.get(id).await;
        assert_eq!((n.status, n.attempts), (DeliveryStatus::Sent, 1));
    }
    let status = delivery.status().await.expect("status");
    assert_eq!((status[0].outbox.sent, status[0].outbox.dead), (2, 1));
    let health = &status[0].health;
    assert_eq!((health.dead_lettered, health.consecutive_failures), (1, 0));
    assert!(health.paused_until_ms.is_none(), "a refusal does not pause");
}

#[tokio::test]
async fn a_notification_left_sending_by_a_stop_is_sent_again_with_its_key() {
    let h = Harness::new().await;
    let fake = Fake::start(Api::Webhook, 1).await;
    let id = h.seed(vec![firing("hook", "web")]).await[0];
    h.store
        .record_deliveries(vec![DeliveryUpdate {
            id,
            status: DeliveryStatus::Sending,
            attempts: 1,
            last_error: None,
            provider_ids: Vec::new(),
        }])
        .await
        .expect("mark sending");
    let interrupted = h.get(id).await;
    assert_eq!(interrupted.status, DeliveryStatus::Sending);

    let delivery = h.start(&[webhook("hook", &fake.base())]).await;
    assert_eq!(delivery.deliver_now().await, None);

    let requests = fake.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].idempotency_key(), interrupted.idempotency_key());
    let n = h.get(id).await;
    assert_eq!((n.status, n.attempts), (DeliveryStatus::Sent, 2));
    let health = &delivery.status().await.expect("status")[0].health;
    assert_eq!((health.resent_after_restart, health.delivered), (1, 1));

    assert_eq!(delivery.deliver_now().await, None);
    assert_eq!(fake.requests().len(), 1, "sent once");
}
