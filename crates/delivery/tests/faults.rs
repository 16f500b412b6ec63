//! Faults on the virtual clock: a receiver down for two minutes (each alert group waits on
//! its own oldest notification), a notification refused permanently, and a hub stopped in
//! the middle of an attempt.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed setup step should stop the test loudly"
)]

mod common;

use std::collections::BTreeMap;

use common::{Answer, Api, Fake, HOOK_PATH, Harness, T0, closed_address, firing, webhook};
use hostpulse_core::{DeliveryStatus, Notification};
use hostpulse_store::DeliveryUpdate;
use hostpulse_store::prelude::*;

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
async fn a_receiver_down_for_two_minutes_gets_everything_once_and_in_order_per_group() {
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
    let heads = &seeded[..3];
    let mut head_attempts = BTreeMap::new();
    for n in h.all().await {
        if heads.contains(&n.id) {
            assert!(n.attempts >= 3, "each group's oldest is retried: {n:?}");
            head_attempts.insert(n.id, n.attempts);
        } else {
            assert_eq!(
                (n.status, n.attempts),
                (DeliveryStatus::Pending, 0),
                "order is kept within each group"
            );
        }
    }
    let status = delivery.status().await.expect("status").remove(0);
    assert!(
        status.health.paused_until_ms.is_none(),
        "the receiver as a whole is not paused"
    );
    let stuck: Vec<(i64, u32)> = status
        .stuck
        .iter()
        .map(|g| (g.notification_id, g.attempts))
        .collect();
    assert_eq!(stuck, head_attempts.clone().into_iter().collect::<Vec<_>>());
    assert!(
        status
            .stuck
            .iter()
            .all(|g| !g.last_error.contains(HOOK_PATH) && g.next_attempt_ms > T0 && g.age_ms > 0)
    );

    let fake = Fake::start_on(addr, Api::Webhook, 1).await;
    h.drain(&delivery).await;

    let all = h.all().await;
    let by_key = ids_by_key(&all);
    let arrived: Vec<i64> = fake
        .requests()
        .iter()
        .map(|r| by_key[&r.idempotency_key()])
        .collect();
    let mut once = arrived.clone();
    once.sort_unstable();
    assert_eq!(once, seeded, "each exactly once");
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
    for n in &all {
        let expected = head_attempts.get(&n.id).map_or(1, |a| a + 1);
        assert_eq!(n.attempts, expected, "{n:?}");
    }
    let status = delivery.status().await.expect("status").remove(0);
    assert_eq!(
        (status.health.consecutive_failures, status.health.delivered),
        (0, 18)
    );
    assert!(status.stuck.is_empty());
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
