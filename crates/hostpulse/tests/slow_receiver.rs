//! A receiver answering slower than its timeout, through the real hub binary: while it is
//! retried, `hostpulse notify receivers` shows the stuck group (notification, attempts,
//! age, next attempt, last error); after `max_attempts` the notification is dead-lettered
//! with the reason instead of being retried forever.

mod common;

use common::sink::Sink;
use common::{Hub, Mode, START_TIMEOUT, text, wait_for};
use std::time::Duration;

fn config(url: &str) -> String {
    format!(
        "receivers:\n  - name: slow\n    type: webhook\n    url: {url}\n    timeout: 300ms\n\
         \x20   max_attempts: 2\n\
         routes:\n  - receivers: [slow]\n    group_wait: 0s\n\
         rules:\n  - name: always_on\n    expr: system.uptime_seconds > 0\n    severity: warning\n"
    )
}

#[test]
fn a_slow_receiver_shows_its_stuck_group_then_dead_letters_with_the_reason() {
    let sink = Sink::start(Duration::from_secs(3), 0);
    let hub = Hub::start_with(Mode::Up, &config(&sink.url), |_| {});

    let table = wait_for("the stuck group in notify receivers", START_TIMEOUT, || {
        let out = hub.cli(&["notify", "receivers"]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let table = text(&out.stdout);
        table.contains("stuck: group").then_some(table)
    });
    let line = table.lines().find(|l| l.contains("stuck: group")).unwrap();
    for part in [
        "rule=\"always_on\"",
        "notification ",
        "attempts 1",
        "next attempt",
        "timed out",
    ] {
        assert!(line.contains(part), "{part:?} missing: {table}");
    }
    assert!(
        !line.contains("/hook"),
        "the webhook URL is a secret: {line}"
    );

    let dead = wait_for("the dead letter", START_TIMEOUT, || {
        let reply = hub.get("/api/v1/notifications?status=dead");
        reply.json["notifications"].as_array()?.first().cloned()
    });
    let reason = dead["last_error"].as_str().unwrap_or_default();
    assert!(
        reason.starts_with("gave up after 2 attempts over "),
        "{reason}"
    );
    assert!(reason.contains("timed out"), "{reason}");
    assert_eq!(dead["attempts"], 2);
    let receivers = hub.get("/api/v1/receivers").json;
    assert!(
        receivers[0]["stuck"].as_array().is_some(),
        "the API carries the stuck groups: {receivers}"
    );
}
