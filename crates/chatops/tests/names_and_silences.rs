//! Host names and silence targets through the fake Bot API: an exact agent name wins over
//! another host's hostname (in `/graph` and the alert's Graph button), collisions show in
//! `/hosts`, malformed silence matchers are refused and names nothing has are warned about.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "test code: a failed step stops the test loudly (clippy.toml allows this in #[test] functions, not in their helpers)"
)]

mod common;

use common::fake::{button_press, message};
use common::{OPERATOR, Rig, VIEWER, rig};
use hostpulse_core::MatchOp;

/// Agent `vm` reports hostname `vm`; agent `box` reports hostname `vm` too.
async fn rig_with_collision() -> Rig {
    let rig = rig().await;
    rig.ingest_as("vm", "vm", 99.0).await;
    rig.ingest_as("box", "vm", 10.0).await;
    rig
}

/// The caption of the `index`th sendPhoto call (multipart text between the part headers).
fn caption(rig: &Rig, index: usize) -> String {
    let body = rig.fake.raw_bodies("sendPhoto").remove(index);
    let text = String::from_utf8_lossy(&body).into_owned();
    let start = text.find("name=\"caption\"").expect("a caption part");
    let rest = &text[start..];
    let value = &rest[rest.find("\r\n\r\n").unwrap() + 4..];
    value[..value.find("\r\n").unwrap()].to_string()
}

#[tokio::test]
async fn graph_of_an_exact_agent_name_is_that_agent_even_when_another_host_reports_it() {
    let rig = rig_with_collision().await;
    let bot = rig.bot().await;
    rig.fake.queue(message(1, VIEWER, "/graph vm"));
    rig.fake.wait_calls("sendPhoto", 1).await;
    assert!(
        caption(&rig, 0).contains("<b>vm</b>"),
        "{}",
        caption(&rig, 0)
    );
    assert!(
        rig.fake.sent_to(VIEWER).is_empty(),
        "{:?}",
        rig.fake.sent_to(VIEWER)
    );

    // The Graph button of the alert firing on agent vm draws vm as well.
    let alerts = rig.engine.active_alerts();
    let alert = alerts.iter().find(|a| a.host == "vm").expect("vm fires");
    let press = button_press(2, VIEWER, 77, &format!("graph:{}", alert.id));
    rig.fake.queue(press);
    rig.fake.wait_calls("sendPhoto", 2).await;
    assert!(
        caption(&rig, 1).contains("<b>vm</b>"),
        "{}",
        caption(&rig, 1)
    );
    assert!(
        rig.fake.sent_to(VIEWER).is_empty(),
        "{:?}",
        rig.fake.sent_to(VIEWER)
    );
    bot.shutdown().await;
}

#[tokio::test]
async fn hosts_show_name_collisions_on_both_hosts() {
    let rig = rig_with_collision().await;
    let bot = rig.bot().await;
    rig.fake.queue(message(1, VIEWER, "/hosts"));
    let text = rig.fake.wait_sent(VIEWER, 1).await.remove(0);
    assert!(
        text.contains("⚠️ agent name &quot;vm&quot; is also the hostname of box: commands read &quot;vm&quot; as vm"),
        "{text}"
    );
    assert!(
        text.contains("⚠️ hostname &quot;vm&quot; is also the agent name of vm: commands read &quot;vm&quot; as vm"),
        "{text}"
    );
    assert_eq!(
        text.matches("⚠️").count(),
        2,
        "web-1, web-2 and db-1 collide with nothing: {text}"
    );
    bot.shutdown().await;
}

#[tokio::test]
async fn silence_refuses_malformed_matchers_and_warns_about_names_nothing_has() {
    let rig = rig_with_collision().await;
    let bot = rig.bot().await;
    rig.fake
        .queue(message(1, OPERATOR, "/silence host==web-1 1h"));
    let refused = rig.fake.wait_sent(OPERATOR, 1).await.remove(0);
    assert!(
        refused.contains("column 6") && refused.contains("host=&quot;=web-1&quot;"),
        "{refused}"
    );
    assert!(
        rig.engine.silences().await.unwrap().is_empty(),
        "nothing stored"
    );

    rig.fake
        .queue(message(2, OPERATOR, "/silence nosuchhost 1h"));
    let sent = rig.fake.wait_sent(OPERATOR, 2).await;
    assert!(
        sent[1].starts_with("🔕 Silenced for 1h: host=nosuchhost"),
        "{}",
        sent[1]
    );
    assert!(
        sent[1].contains("⚠️ host=nosuchhost: no agent is named &quot;nosuchhost&quot;"),
        "{}",
        sent[1]
    );

    rig.fake
        .queue(message(3, OPERATOR, "/silence hots=web-1 1h"));
    let sent = rig.fake.wait_sent(OPERATOR, 3).await;
    assert!(
        sent[2].contains("⚠️ no current series or alert has the label &quot;hots&quot;; did you mean &quot;host&quot;?"),
        "{}",
        sent[2]
    );

    rig.fake.queue(message(4, OPERATOR, "/silence web-1 1h"));
    let sent = rig.fake.wait_sent(OPERATOR, 4).await;
    assert!(!sent[3].contains("⚠️"), "a real host: {}", sent[3]);
    assert_eq!(rig.engine.silences().await.unwrap().len(), 3);
    bot.shutdown().await;
}

#[tokio::test]
async fn silence_targets_resolve_like_other_commands() {
    let rig = rig_with_collision().await;
    let bot = rig.bot().await;
    // A quoted value with a comma stays one matcher; a group becomes its members.
    rig.fake.queue(message(
        1,
        OPERATOR,
        r#"/silence host=web-1,mount=~"/(a|b){1,2}" 1h"#,
    ));
    rig.fake.queue(message(2, OPERATOR, "/silence front 1h"));
    rig.fake.queue(message(3, OPERATOR, "/silence vm 1h"));
    rig.fake.wait_sent(OPERATOR, 3).await;
    let mut silences = rig.engine.silences().await.unwrap();
    silences.sort_by_key(|s| s.created_ms);
    let matchers: Vec<Vec<(String, MatchOp, String)>> = silences
        .iter()
        .map(|s| {
            s.matchers
                .iter()
                .map(|m| (m.name.clone(), m.op, m.value.clone()))
                .collect()
        })
        .collect();
    let m = |name: &str, op, value: &str| (name.to_string(), op, value.to_string());
    assert!(
        matchers.contains(&vec![
            m("host", MatchOp::Eq, "web-1"),
            m("mount", MatchOp::Regex, "/(a|b){1,2}")
        ]),
        "{matchers:?}"
    );
    assert!(
        matchers.contains(&vec![m("host", MatchOp::Eq, "vm")]),
        "{matchers:?}"
    );
    assert_eq!(
        matchers
            .iter()
            .filter(|ms| **ms == vec![m("host", MatchOp::Eq, "web-1")])
            .count(),
        1,
        "the group front is web-1: {matchers:?}"
    );
    bot.shutdown().await;
}
