//! A receiver answering slower than its timeout, on a real loopback HTTP server: the stuck
//! alert group is retried on its own backoff (virtual clock) while other groups of the same
//! receiver are delivered, its notification is dead-lettered with the reason after
//! `max_attempts` or `max_age`, the group then goes on in order, and the receiver status
//! shows the stuck group meanwhile.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed setup step should stop the test loudly"
)]

mod common;

use axum::http::HeaderMap;
use common::{Harness, T0, firing, webhook};
use hostpulse_core::{Clock, DeliveryStatus, Notification};
use hostpulse_notify::RetryLimits;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The webhook timeout of these tests; the slow group is answered after [`SLOW`].
const TIMEOUT: Duration = Duration::from_millis(200);
const SLOW: Duration = Duration::from_millis(1500);
/// Requests whose body names this host are answered slowly.
const SLOW_HOST: &str = "stuck-host";

/// Idempotency keys of the requests received, in arrival order.
#[derive(Clone, Default)]
struct Received(Arc<Mutex<Vec<String>>>);

impl Received {
    fn keys(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }

    fn count(&self, n: &Notification) -> usize {
        let key = n.idempotency_key();
        self.keys().iter().filter(|k| **k == key).count()
    }
}

/// A webhook receiver answering 200 at once, or after [`SLOW`] for [`SLOW_HOST`].
async fn serve() -> (String, Received) {
    let received = Received::default();
    let log = received.clone();
    let app = axum::Router::new().fallback(move |headers: HeaderMap, body: String| {
        let log = log.clone();
        async move {
            let key = headers
                .get("idempotency-key")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            log.0.lock().unwrap().push(key);
            if body.contains(SLOW_HOST) {
                tokio::time::sleep(SLOW).await;
            }
            "{}"
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), received)
}

fn slow_webhook(base: &str, retry: RetryLimits) -> hostpulse_notify::ReceiverConfig {
    let mut receiver = webhook("hook", base);
    if let hostpulse_notify::ReceiverKind::Webhook(settings) = &mut receiver.kind {
        settings.timeout = TIMEOUT;
    }
    receiver.retry = retry;
    receiver
}

/// Passes until `done` holds, moving the virtual clock to each time delivery asks for.
async fn run_until(h: &Harness, delivery: &hostpulse_delivery::Delivery, done: impl AsyncCheck) {
    for _ in 0..200 {
        if done.holds(h).await {
            return;
        }
        match delivery.deliver_now().await {
            Some(at) => h.clock.set(at.max(h.clock.now_ms())),
            None => {
                assert!(done.holds(h).await, "delivery finished early");
                return;
            }
        }
    }
    panic!("the condition never held");
}

trait AsyncCheck {
    async fn holds(&self, h: &Harness) -> bool;
}

/// Holds once notification `.0` has status `.1`.
struct StatusIs(i64, DeliveryStatus);

impl AsyncCheck for StatusIs {
    async fn holds(&self, h: &Harness) -> bool {
        h.get(self.0).await.status == self.1
    }
}

#[tokio::test]
async fn a_stuck_group_gives_up_after_max_attempts_and_blocks_no_other_group() {
    let h = Harness::new().await;
    let (base, received) = serve().await;
    let ids = h
        .seed(vec![
            firing("hook", SLOW_HOST),
            firing("hook", "web-1"),
            firing("hook", SLOW_HOST),
            firing("hook", "web-2"),
            firing("hook", "web-1"),
        ])
        .await;
    let (stuck_1, stuck_2) = (ids[0], ids[2]);
    let retry = RetryLimits {
        max_attempts: 3,
        max_age: Duration::from_secs(3600),
    };
    let delivery = h.start(&[slow_webhook(&base, retry)]).await;

    let next = delivery
        .deliver_now()
        .await
        .expect("the stuck group is retried later");
    for id in [ids[1], ids[3], ids[4]] {
        assert_eq!(
            h.get(id).await.status,
            DeliveryStatus::Sent,
            "other groups go on"
        );
    }
    let first = h.get(stuck_1).await;
    assert_eq!((first.status, first.attempts), (DeliveryStatus::Pending, 1));
    assert_eq!(
        h.get(stuck_2).await.attempts,
        0,
        "order holds within the group"
    );
    let status = delivery.status().await.unwrap().remove(0);
    assert_eq!(status.stuck.len(), 1, "{status:?}");
    let stuck = &status.stuck[0];
    assert_eq!(
        (
            stuck.notification_id,
            stuck.group_key.as_str(),
            stuck.attempts
        ),
        (stuck_1, first.group_key.as_str(), 1)
    );
    assert_eq!(stuck.next_attempt_ms, next);
    assert!(next > T0);
    assert!(stuck.last_error.contains("timed out"), "{stuck:?}");
    assert!(
        status.health.paused_until_ms.is_none(),
        "the receiver is not paused"
    );

    run_until(&h, &delivery, StatusIs(stuck_1, DeliveryStatus::Dead)).await;
    let dead = h.get(stuck_1).await;
    assert_eq!(dead.attempts, 3);
    let reason = dead.last_error.unwrap();
    assert!(
        reason.starts_with("gave up after 3 attempts over "),
        "{reason}"
    );
    assert!(reason.contains("timed out"), "{reason}");
    assert_eq!(received.count(&first), 3);

    // The group goes on with its next notification, which is stuck as well.
    run_until(&h, &delivery, StatusIs(stuck_2, DeliveryStatus::Dead)).await;
    let keys = received.keys();
    let second_key = h.get(stuck_2).await.idempotency_key();
    let last_of_first = keys.iter().rposition(|k| *k == first.idempotency_key());
    let first_of_second = keys.iter().position(|k| *k == second_key);
    assert!(
        last_of_first < first_of_second,
        "in order within the group: {keys:?}"
    );
    assert_eq!(delivery.deliver_now().await, None, "nothing left");
    let status = delivery.status().await.unwrap().remove(0);
    assert!(status.stuck.is_empty());
    assert_eq!((status.outbox.sent, status.outbox.dead), (3, 2));
}

#[tokio::test]
async fn a_notification_older_than_max_age_is_dead_lettered_at_its_next_failure() {
    let h = Harness::new().await;
    let (base, received) = serve().await;
    let id = h.seed(vec![firing("hook", SLOW_HOST)]).await[0];
    let retry = RetryLimits {
        max_attempts: 1000,
        max_age: Duration::from_secs(60),
    };
    let delivery = h.start(&[slow_webhook(&base, retry)]).await;
    run_until(&h, &delivery, StatusIs(id, DeliveryStatus::Dead)).await;
    let dead = h.get(id).await;
    let reason = dead.last_error.clone().unwrap();
    assert!(reason.contains(" over 1m: "), "{reason}");
    assert!(h.clock.now_ms() - T0 >= 60_000, "not before the age bound");
    assert!(
        dead.attempts < 10,
        "bounded by age, not attempts: {}",
        dead.attempts
    );
    assert_eq!(received.count(&dead), dead.attempts as usize);
}
