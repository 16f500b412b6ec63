//! End to end: commands sent through the fake Bot API answered by a polling bot over a real
//! SQLite store and alert engine.

mod common;

use common::fake::message;
use common::{ADMIN, OPERATOR, STRANGER, VIEWER, rig};
use hostpulse_store::prelude::*;

#[tokio::test]
async fn start_registers_commands_and_deletes_the_webhook() {
    let rig = rig().await;
    let bot = rig.bot().await;
    rig.fake.queue(message(1, VIEWER, "/start"));
    let sent = rig.fake.wait_sent(VIEWER, 1).await;
    assert!(sent[0].contains("viewer"), "{sent:?}");
    let webhook = rig.fake.calls("deleteWebhook");
    assert_eq!(webhook[0]["drop_pending_updates"], false);
    let menu = rig.fake.calls("setMyCommands");
    let names: Vec<&str> = menu[0]["commands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["command"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"status") && names.contains(&"ack"),
        "{names:?}"
    );
    bot.shutdown().await;
}

#[tokio::test]
async fn status_names_every_host_or_only_the_selected_ones() {
    let rig = rig().await;
    let bot = rig.bot().await;
    rig.fake.queue(message(1, VIEWER, "/status"));
    let all = rig.fake.wait_sent(VIEWER, 1).await.remove(0);
    for host in ["web-1", "web-2", "db-1"] {
        assert!(all.contains(host), "{all}");
    }
    assert!(all.contains("<pre>") && all.contains("99%"), "{all}");
    rig.fake
        .queue(message(2, VIEWER, "/status@hostpulse_bot web-*"));
    let web = rig.fake.wait_sent(VIEWER, 2).await.remove(1);
    assert!(web.contains("web-1") && web.contains("web-2"), "{web}");
    assert!(!web.contains("db-1"), "{web}");
    rig.fake.queue(message(3, VIEWER, "/status front"));
    let group = rig.fake.wait_sent(VIEWER, 3).await.remove(2);
    assert!(
        group.contains("web-1") && !group.contains("web-2"),
        "{group}"
    );
    bot.shutdown().await;
}

#[tokio::test]
async fn unknown_user_is_refused_once_and_nothing_runs() {
    let rig = rig().await;
    let bot = rig.bot().await;
    let id = rig.alert_id();
    rig.fake.queue(message(1, STRANGER, &format!("/ack {id}")));
    rig.fake.queue(message(2, STRANGER, "/status"));
    rig.fake.queue(message(3, VIEWER, "/start"));
    rig.fake.wait_sent(VIEWER, 1).await;
    let refused = rig.fake.sent_to(STRANGER);
    assert_eq!(
        refused,
        ["Sorry, you are not allowed to use this bot. Your user id is 999."]
    );
    assert!(rig.engine.active_alerts().iter().all(|a| a.ack.is_none()));
    assert!(rig.store.audit_entries(10).await.unwrap().is_empty());
    // After the refusal interval, one more refusal.
    rig.clock.advance(3_600_000);
    rig.fake.queue(message(4, STRANGER, "/status"));
    assert_eq!(rig.fake.wait_sent(STRANGER, 2).await.len(), 2);
    bot.shutdown().await;
}

#[tokio::test]
async fn viewer_cannot_ack_and_operator_ack_is_stored_and_audited() {
    let rig = rig().await;
    let bot = rig.bot().await;
    let id = rig.alert_id();
    rig.fake.queue(message(1, VIEWER, &format!("/ack {id}")));
    let sent = rig.fake.wait_sent(VIEWER, 1).await;
    assert_eq!(sent, ["This command needs the operator role."]);
    assert!(rig.engine.active_alerts().iter().all(|a| a.ack.is_none()));

    rig.fake
        .queue(message(2, OPERATOR, &format!("/ack {id} on it")));
    let sent = rig.fake.wait_sent(OPERATOR, 1).await;
    assert!(
        sent[0].contains("Acknowledged") && sent[0].contains("hot"),
        "{sent:?}"
    );
    let stored = rig.store.load_alerts().await.unwrap();
    let ack = stored
        .iter()
        .find(|a| a.id == id)
        .unwrap()
        .ack
        .clone()
        .unwrap();
    assert_eq!(
        (ack.by.as_str(), ack.comment.as_str()),
        ("telegram:200:u200", "on it")
    );
    let audit = rig.store.audit_entries(10).await.unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(
        (
            audit[0].actor.as_str(),
            audit[0].action.as_str(),
            audit[0].target.as_str()
        ),
        ("telegram:200:u200", "alert.ack", id.as_str())
    );
    assert_eq!(audit[0].result, "ok");
    bot.shutdown().await;
}

#[tokio::test]
async fn alerts_list_the_firing_alert_with_an_ack_button_for_operators() {
    let rig = rig().await;
    let bot = rig.bot().await;
    rig.fake.queue(message(1, OPERATOR, "/alerts web-*"));
    let text = rig.fake.wait_sent(OPERATOR, 1).await.remove(0);
    assert!(
        text.contains("CRITICAL") && text.contains("web-1") && text.contains("hot"),
        "{text}"
    );
    assert!(text.contains("value 99 vs 90"), "{text}");
    let call = rig.fake.calls("sendMessage").remove(0);
    let button = &call["reply_markup"]["inline_keyboard"][0][0];
    assert_eq!(button["callback_data"], format!("/ack {}", rig.alert_id()));
    rig.fake.queue(message(2, OPERATOR, "/alerts db-1"));
    assert!(rig.fake.wait_sent(OPERATOR, 2).await[1].contains("No active alerts"));
    bot.shutdown().await;
}

#[tokio::test]
async fn help_depends_on_the_role() {
    let rig = rig().await;
    let bot = rig.bot().await;
    rig.fake.queue(message(1, VIEWER, "/help"));
    rig.fake.queue(message(2, ADMIN, "/help"));
    let viewer = rig.fake.wait_sent(VIEWER, 1).await.remove(0);
    let admin = rig.fake.wait_sent(ADMIN, 1).await.remove(0);
    assert!(
        viewer.contains("/status") && !viewer.contains("/ack"),
        "{viewer}"
    );
    assert!(
        admin.contains("/status") && admin.contains("/ack"),
        "{admin}"
    );
    bot.shutdown().await;
}

#[tokio::test]
async fn unknown_commands_and_bad_arguments_get_guidance() {
    let rig = rig().await;
    let bot = rig.bot().await;
    rig.fake.queue(message(1, OPERATOR, "/frobnicate now"));
    rig.fake.queue(message(2, OPERATOR, "/status@other_bot"));
    rig.fake.queue(message(3, OPERATOR, "/silence web-1"));
    rig.fake.queue(message(4, OPERATOR, "hello"));
    rig.fake
        .queue(message(5, OPERATOR, "/silence web-1 2h deploy"));
    let sent = rig.fake.wait_sent(OPERATOR, 3).await;
    assert_eq!(sent[0], "Unknown command /frobnicate. Try /help.");
    assert!(
        sent[1].starts_with("Usage: /silence &lt;host|rule|matchers&gt;"),
        "{}",
        sent[1]
    );
    assert!(
        sent[2].contains("Silenced for 2h") && sent[2].contains("host=web-1"),
        "{}",
        sent[2]
    );
    let silences = rig.engine.silences().await.unwrap();
    assert_eq!(silences.len(), 1);
    assert_eq!(silences[0].comment, "deploy");
    bot.shutdown().await;
    assert_eq!(rig.fake.sent_to(OPERATOR).len(), 3);
}
