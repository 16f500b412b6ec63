//! End to end: presses on the Ack / Silence 1h / Graph buttons of an alert notification,
//! through the fake Bot API, acting on a real alert engine and SQLite store.

mod common;

use common::{OPERATOR, Rig, STRANGER, T0, VIEWER, rig};
use hostpulse_core::MatchOp;
use hostpulse_store::prelude::*;
use serde_json::{Value, json};

/// Plain text of the pressed notification, as Telegram hands it back.
const NOTIFICATION: &str = "🔴 [FIRING] critical: hot on web-1\n\nhot on web-1 <cpu>";
/// Alert id of the second row of the pressed keyboard.
const OTHER_ID: &str = "00000000000000ff";

fn row(id: &str) -> Value {
    json!([
        {"text": "✅ Ack", "callback_data": format!("ack:{id}")},
        {"text": "🔕 Silence 1h", "callback_data": format!("sil:{id}:1h")},
        {"text": "📈 Graph", "callback_data": format!("graph:{id}")},
    ])
}

/// A press by `user_id` on the button `data` of a notification in the user's private chat.
fn press(update_id: i64, user_id: i64, data: &str, id: &str) -> Value {
    json!({
        "update_id": update_id,
        "callback_query": {
            "id": format!("press-{update_id}"),
            "from": {"id": user_id, "is_bot": false, "first_name": "u", "username": format!("u{user_id}")},
            "message": {
                "message_id": 77,
                "chat": {"id": user_id, "type": "private"},
                "text": NOTIFICATION,
                "reply_markup": {"inline_keyboard": [row(id), row(OTHER_ID)]},
            },
            "data": data,
        }
    })
}

/// Presses a button and waits for the bot's answer to it.
async fn press_and_answer(rig: &Rig, user_id: i64, data: &str) -> Value {
    let id = rig.alert_id();
    rig.fake.queue(press(1, user_id, data, &id));
    let answers = rig.fake.wait_calls("answerCallbackQuery", 1).await;
    assert_eq!(answers[0]["callback_query_id"], "press-1");
    answers[0].clone()
}

#[tokio::test]
async fn an_operator_acks_from_the_button_and_the_message_says_so() {
    let rig = rig().await;
    let bot = rig.bot().await;
    let id = rig.alert_id();
    let answer = press_and_answer(&rig, OPERATOR, &format!("ack:{id}")).await;
    assert!(
        answer.get("text").is_none(),
        "no toast on success: {answer}"
    );

    let alert = rig.engine.active_alerts().into_iter().find(|a| a.id == id);
    let ack = alert
        .and_then(|a| a.ack)
        .expect("the alert is acknowledged");
    assert_eq!(ack.by, "telegram:200:u200");
    let audit = rig.store.audit_entries(10).await.unwrap();
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(
        (
            audit[0].action.as_str(),
            audit[0].target.as_str(),
            audit[0].result.as_str()
        ),
        ("alert.ack", id.as_str(), "ok")
    );

    let edits = rig.fake.calls("editMessageText");
    assert_eq!(edits.len(), 1);
    assert_eq!(
        (edits[0]["chat_id"].clone(), edits[0]["message_id"].clone()),
        (json!(OPERATOR), json!(77))
    );
    assert_eq!(
        edits[0]["text"],
        "🔴 [FIRING] critical: hot on web-1\n\nhot on web-1 &lt;cpu&gt;\n\n✔ Acknowledged by @u200 at 14:13 UTC"
    );
    assert_eq!(edits[0]["parse_mode"], "HTML");
    assert_eq!(
        edits[0]["reply_markup"]["inline_keyboard"],
        json!([row(OTHER_ID)]),
        "only the acknowledged alert's buttons are removed"
    );
    bot.shutdown().await;
}

#[tokio::test]
async fn a_viewer_press_on_ack_or_silence_is_refused_and_changes_nothing() {
    let rig = rig().await;
    let bot = rig.bot().await;
    let id = rig.alert_id();
    let answer = press_and_answer(&rig, VIEWER, &format!("ack:{id}")).await;
    assert_eq!(answer["text"], "This command needs the operator role.");
    rig.fake
        .queue(press(2, VIEWER, &format!("sil:{id}:1h"), &id));
    let answers = rig.fake.wait_calls("answerCallbackQuery", 2).await;
    assert_eq!(answers[1]["text"], "This command needs the operator role.");

    assert!(rig.engine.active_alerts().iter().all(|a| a.ack.is_none()));
    assert!(rig.engine.silences().await.unwrap().is_empty());
    assert!(rig.store.audit_entries(10).await.unwrap().is_empty());
    assert!(rig.fake.calls("editMessageText").is_empty());
    bot.shutdown().await;
}

#[tokio::test]
async fn a_stranger_press_is_refused() {
    let rig = rig().await;
    let bot = rig.bot().await;
    let id = rig.alert_id();
    let answer = press_and_answer(&rig, STRANGER, &format!("ack:{id}")).await;
    assert_eq!(answer["text"], "You are not allowed to use this bot.");
    assert!(rig.engine.active_alerts().iter().all(|a| a.ack.is_none()));
    assert!(rig.fake.calls("editMessageText").is_empty());
    bot.shutdown().await;
}

#[tokio::test]
async fn silence_1h_creates_a_silence_of_the_rule_on_the_host() {
    let rig = rig().await;
    let bot = rig.bot().await;
    let id = rig.alert_id();
    let answer = press_and_answer(&rig, OPERATOR, &format!("sil:{id}:1h")).await;
    assert!(answer.get("text").is_none(), "{answer}");

    let silences = rig.engine.silences().await.unwrap();
    assert_eq!(silences.len(), 1, "{silences:?}");
    let silence = &silences[0];
    let matchers: Vec<(&str, MatchOp, &str)> = silence
        .matchers
        .iter()
        .map(|m| (m.name.as_str(), m.op, m.value.as_str()))
        .collect();
    assert_eq!(
        matchers,
        [("rule", MatchOp::Eq, "hot"), ("host", MatchOp::Eq, "web-1")]
    );
    assert_eq!(silence.ends_ms, T0 + 3_600_000);
    assert_eq!(silence.comment, "from Telegram");
    assert_eq!(silence.author, "telegram:200:u200");
    let audit = rig.store.audit_entries(10).await.unwrap();
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(audit[0].action, "silence.add");

    let edits = rig.fake.calls("editMessageText");
    let expected = format!("\n\n🔕 Silenced for 1h by @u200 (silence {})", silence.id);
    assert!(
        edits[0]["text"].as_str().unwrap().ends_with(&expected),
        "{}",
        edits[0]["text"]
    );
    bot.shutdown().await;
}

#[tokio::test]
async fn a_press_for_an_unknown_alert_gets_a_toast() {
    let rig = rig().await;
    let bot = rig.bot().await;
    for (update, data) in [(1, "ack:0000000000000000"), (2, "sil:0000000000000000:1h")] {
        rig.fake
            .queue(press(update, OPERATOR, data, "0000000000000000"));
        let answers = rig
            .fake
            .wait_calls("answerCallbackQuery", update as usize)
            .await;
        assert_eq!(
            answers[update as usize - 1]["text"],
            "This alert is no longer active"
        );
    }
    assert!(rig.engine.silences().await.unwrap().is_empty());
    assert!(rig.fake.calls("editMessageText").is_empty());
    bot.shutdown().await;
}

#[tokio::test]
async fn a_viewer_may_press_graph() {
    let rig = rig().await;
    let bot = rig.bot().await;
    let id = rig.alert_id();
    let answer = press_and_answer(&rig, VIEWER, &format!("graph:{id}")).await;
    assert!(answer.get("text").is_none(), "{answer}");
    let menu = rig.fake.calls("setMyCommands");
    let has_graph = menu[0]["commands"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["command"] == "graph");
    if has_graph {
        let sent = rig.fake.calls("sendMessage").len() + rig.fake.calls("sendPhoto").len();
        assert!(sent > 0, "the graph command answered");
    } else {
        assert_eq!(rig.fake.sent_to(VIEWER), ["Graph: use /graph web-1"]);
    }
    assert!(rig.store.audit_entries(10).await.unwrap().is_empty());
    bot.shutdown().await;
}
