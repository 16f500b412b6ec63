//! The polling loop: the persisted offset across restarts, 409 and 429 handling.

mod common;

use common::fake::{failure, message};
use common::{ADMIN, OPERATOR, VIEWER, rig};
use std::time::Duration;

#[tokio::test]
async fn restart_loses_no_update_and_runs_none_twice() {
    let rig = rig().await;
    let gate = rig.fake.hold_sends();
    let bot = rig.bot().await;
    rig.fake.queue(message(10, VIEWER, "/start"));
    rig.fake.queue(message(11, OPERATOR, "/start"));
    rig.fake.queue(message(12, ADMIN, "/start"));
    // The first reply is in flight: stop, then let it complete.
    rig.fake.wait_sent(VIEWER, 1).await;
    bot.signal_stop();
    gate.add_permits(1000);
    bot.shutdown().await;
    assert!(rig.fake.sent_to(OPERATOR).is_empty());
    assert!(rig.fake.sent_to(ADMIN).is_empty());

    let bot = rig.bot().await;
    rig.fake.wait_sent(OPERATOR, 1).await;
    rig.fake.wait_sent(ADMIN, 1).await;
    rig.fake.queue(message(13, VIEWER, "/help"));
    rig.fake.wait_sent(VIEWER, 2).await;
    bot.shutdown().await;
    assert_eq!(rig.fake.sent_to(VIEWER).len(), 2);
    assert_eq!(rig.fake.sent_to(OPERATOR).len(), 1);
    assert_eq!(rig.fake.sent_to(ADMIN).len(), 1);
    // The second run started from the persisted offset.
    let polls = rig.fake.calls("getUpdates");
    assert!(polls.iter().any(|p| p["offset"] == 11), "{polls:?}");
}

#[tokio::test]
async fn conflict_is_counted_and_the_bot_recovers() {
    let rig = rig().await;
    rig.fake.script(
        409,
        failure(
            409,
            "Conflict: terminated by other getUpdates request",
            None,
        ),
    );
    let bot = rig.bot().await;
    rig.fake.queue(message(1, VIEWER, "/start"));
    rig.fake.wait_sent(VIEWER, 1).await;
    // The update is counted once its reply is answered.
    for _ in 0..2000 {
        if bot.stats().updates > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let stats = bot.stats();
    assert_eq!((stats.conflicts, stats.updates), (1, 1));
    assert_eq!(stats.last_backoff, Duration::from_secs(1));
    bot.shutdown().await;
}

#[tokio::test]
async fn rate_limit_retry_after_is_honoured() {
    let rig = rig().await;
    rig.fake.script(
        429,
        failure(429, "Too Many Requests: retry after 2", Some(2)),
    );
    let bot = rig.bot().await;
    rig.fake.queue(message(1, VIEWER, "/start"));
    rig.fake.wait_sent(VIEWER, 1).await;
    let stats = bot.stats();
    assert_eq!(stats.rate_limited, 1);
    assert_eq!(stats.last_backoff, Duration::from_secs(2));
    bot.shutdown().await;
}

#[tokio::test]
async fn server_errors_back_off_and_recover() {
    let rig = rig().await;
    rig.fake.script(502, failure(502, "Bad Gateway", None));
    let bot = rig.bot().await;
    rig.fake.queue(message(1, VIEWER, "/start"));
    rig.fake.wait_sent(VIEWER, 1).await;
    assert_eq!(bot.stats().errors, 1);
    bot.shutdown().await;
}

#[tokio::test]
async fn errors_never_contain_the_token() {
    let token = common::fake::TOKEN;
    let client =
        hostpulse_chatops::BotClient::new("http://127.0.0.1:1", token, Duration::from_secs(2))
            .unwrap();
    let error = client.get_me().await.unwrap_err();
    assert!(matches!(error, hostpulse_chatops::BotApiError::Network(_)));
    assert!(!error.to_string().contains("SECRET"), "{error}");
    let (fake, url) = common::fake::FakeApi::serve().await;
    fake.script(
        401,
        failure(401, &format!("Unauthorized token {token}"), None),
    );
    let client = hostpulse_chatops::BotClient::new(&url, token, Duration::from_secs(2)).unwrap();
    let error = client.get_updates(None, Duration::ZERO).await.unwrap_err();
    assert!(matches!(
        error,
        hostpulse_chatops::BotApiError::Refused { status: 401, .. }
    ));
    assert!(!error.to_string().contains("SECRET"), "{error}");
}
