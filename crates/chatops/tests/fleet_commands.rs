//! `/hosts`, `/rules`, `/silences` and `/unsilence` through the fake Bot API.
#![allow(
    clippy::unwrap_used,
    reason = "test code: a failed step stops the test loudly (clippy.toml allows this in #[test] functions, not in their helpers)"
)]

mod common;

use common::fake::message;
use common::{OPERATOR, Rig, T0, VIEWER, rig};
use hostpulse_core::{MatchOp, Matcher};
use hostpulse_engine::NewSilence;
use hostpulse_store::prelude::*;

/// A two-hour silence of web-1 by `author`; returns its id.
async fn silence_web1(rig: &Rig, author: &str) -> String {
    let new = NewSilence {
        matchers: vec![Matcher {
            name: "host".into(),
            op: MatchOp::Eq,
            value: "web-1".into(),
        }],
        starts_ms: None,
        ends_ms: T0 + 7_200_000,
        author: author.into(),
        comment: "kernel update".into(),
    };
    rig.engine.add_silence(new).await.unwrap().id
}

#[tokio::test]
async fn hosts_lists_every_host_with_ip_and_agent_version() {
    let rig = rig().await;
    let bot = rig.bot().await;
    rig.fake.queue(message(1, VIEWER, "/hosts"));
    let text = rig.fake.wait_sent(VIEWER, 1).await.remove(0);
    for host in ["web-1", "web-2", "db-1"] {
        let line = text
            .lines()
            .find(|l| l.contains(&format!("<b>{host}</b>")))
            .unwrap_or_else(|| panic!("no line of {host}: {text}"));
        assert!(line.starts_with("🟢") && line.contains(" up "), "{line}");
        assert!(
            line.contains("10.0.0.7") && line.contains("agent 0.1.0"),
            "{line}"
        );
    }
    bot.shutdown().await;
}

#[tokio::test]
async fn rules_show_expression_severity_and_alert_counts() {
    let rig = rig().await;
    let bot = rig.bot().await;
    rig.fake.queue(message(1, VIEWER, "/rules"));
    let text = rig.fake.wait_sent(VIEWER, 1).await.remove(0);
    assert!(text.starts_with("<b>Rules</b>"), "{text}");
    assert!(
        text.contains("<b>hot</b> [critical] firing 1 pending 0"),
        "{text}"
    );
    assert!(
        text.contains("<code>cpu.usage_percent &gt; 90</code>"),
        "{text}"
    );
    bot.shutdown().await;
}

#[tokio::test]
async fn silences_are_listed_with_id_matchers_author_and_comment() {
    let rig = rig().await;
    let bot = rig.bot().await;
    rig.fake.queue(message(1, VIEWER, "/silences"));
    assert_eq!(
        rig.fake.wait_sent(VIEWER, 1).await[0],
        "No active silences."
    );
    let id = silence_web1(&rig, "alice").await;
    rig.fake.queue(message(2, VIEWER, "/silences"));
    let text = rig.fake.wait_sent(VIEWER, 2).await.remove(1);
    assert!(text.contains("<b>Silences</b> (1)"), "{text}");
    assert!(
        text.contains(&format!("<code>{id}</code> host=web-1")),
        "{text}"
    );
    assert!(
        text.contains("ends in 2h") && text.contains("by alice · kernel update"),
        "{text}"
    );
    bot.shutdown().await;
}

#[tokio::test]
async fn viewer_cannot_unsilence_and_operator_unsilence_is_audited() {
    let rig = rig().await;
    let bot = rig.bot().await;
    let id = silence_web1(&rig, "alice").await;
    rig.fake
        .queue(message(1, VIEWER, &format!("/unsilence {id}")));
    let sent = rig.fake.wait_sent(VIEWER, 1).await;
    assert_eq!(sent, ["This command needs the operator role."]);
    assert_eq!(rig.engine.silences().await.unwrap().len(), 1);
    assert!(rig.store.audit_entries(10).await.unwrap().is_empty());

    rig.fake
        .queue(message(2, OPERATOR, &format!("/unsilence {id}")));
    let sent = rig.fake.wait_sent(OPERATOR, 1).await;
    assert_eq!(sent[0], format!("🔔 Silence <code>{id}</code> ended."));
    assert!(rig.engine.silences().await.unwrap().is_empty());
    let audit = rig.store.audit_entries(10).await.unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(
        (
            audit[0].actor.as_str(),
            audit[0].action.as_str(),
            audit[0].target.as_str(),
            audit[0].result.as_str()
        ),
        ("telegram:200:u200", "silence.expire", id.as_str(), "ok")
    );

    rig.fake.queue(message(3, OPERATOR, "/unsilence"));
    let sent = rig.fake.wait_sent(OPERATOR, 2).await;
    assert_eq!(sent[1], "Usage: /unsilence &lt;silence id&gt;");
    bot.shutdown().await;
}
