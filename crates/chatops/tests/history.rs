//! `/history`: ten entries per page, and the Prev/Next buttons that edit the same message.

mod common;

use common::fake::{button_press, message};
use common::{Rig, STRANGER, VIEWER, rig};
use serde_json::Value;

/// Fires and resolves the `hot` rule on web-2 `cycles` times, a minute apart.
async fn flap(rig: &Rig, cycles: usize) {
    for _ in 0..cycles {
        rig.clock.advance(60_000);
        rig.ingest("web-2", 99.0).await;
        rig.clock.advance(60_000);
        rig.ingest("web-2", 20.0).await;
    }
}

/// The history lines (one per entry) of a page text.
fn entry_lines(text: &str) -> Vec<&str> {
    text.lines().skip(1).filter(|l| !l.is_empty()).collect()
}

fn button_data(markup: &Value, text: &str) -> Option<String> {
    markup["inline_keyboard"][0]
        .as_array()?
        .iter()
        .find(|b| b["text"] == text)
        .and_then(|b| b["callback_data"].as_str())
        .map(str::to_string)
}

#[tokio::test]
async fn history_pages_forward_and_back_in_the_same_message() {
    let rig = rig().await;
    flap(&rig, 6).await;
    let bot = rig.bot().await;
    rig.fake.queue(message(1, VIEWER, "/history"));
    let first = rig.fake.wait_sent(VIEWER, 1).await.remove(0);
    assert!(first.contains("page 1"), "{first}");
    let lines = entry_lines(&first);
    assert_eq!(lines.len(), 10, "{first}");
    assert!(
        lines[0].contains("web-2") && lines[0].contains("resolved"),
        "{first}"
    );
    assert!(
        lines[0].contains("(10.0.0.7)") && lines[0].contains("hot"),
        "{first}"
    );
    let markup = rig.fake.calls("sendMessage")[0]["reply_markup"].clone();
    assert_eq!(button_data(&markup, "◀ Prev"), None);
    let next = button_data(&markup, "Next ▶").expect("a Next button");
    assert!(next.len() <= 64);

    rig.fake.queue(button_press(2, VIEWER, 1, &next));
    let answers = rig.fake.wait_calls("answerCallbackQuery", 1).await;
    assert_eq!(answers[0]["callback_query_id"], "press-2");
    assert!(answers[0].get("text").is_none(), "{answers:?}");
    let edits = rig.fake.calls("editMessageText");
    assert_eq!(edits.len(), 1);
    assert_eq!(
        (
            edits[0]["chat_id"].as_i64(),
            edits[0]["message_id"].as_i64()
        ),
        (Some(VIEWER), Some(1))
    );
    let second = edits[0]["text"].as_str().unwrap();
    assert!(second.contains("page 2"), "{second}");
    assert!(!entry_lines(second).is_empty(), "{second}");
    assert!(
        entry_lines(second).iter().all(|l| !lines.contains(l)),
        "{second}"
    );
    let prev = button_data(&edits[0]["reply_markup"], "◀ Prev").expect("a Prev button");

    rig.fake.queue(button_press(3, VIEWER, 1, &prev));
    rig.fake.wait_calls("answerCallbackQuery", 2).await;
    let edits = rig.fake.calls("editMessageText");
    assert_eq!(edits[1]["text"].as_str().unwrap(), first);
    assert_eq!(
        rig.fake.sent_to(VIEWER).len(),
        1,
        "a press sends no new message"
    );
    bot.shutdown().await;
}

#[tokio::test]
async fn a_press_by_an_unknown_user_is_refused_and_edits_nothing() {
    let rig = rig().await;
    flap(&rig, 6).await;
    let bot = rig.bot().await;
    rig.fake.queue(message(1, VIEWER, "/history"));
    rig.fake.wait_sent(VIEWER, 1).await;
    let markup = rig.fake.calls("sendMessage")[0]["reply_markup"].clone();
    let next = button_data(&markup, "Next ▶").expect("a Next button");
    rig.fake.queue(button_press(2, STRANGER, 7, &next));
    let answers = rig.fake.wait_calls("answerCallbackQuery", 1).await;
    assert_eq!(answers[0]["text"], "You are not allowed to use this bot.");
    assert!(rig.fake.calls("editMessageText").is_empty());
    assert!(rig.fake.sent_to(STRANGER).is_empty());
    bot.shutdown().await;
}

#[tokio::test]
async fn history_filters_by_host_and_unknown_pages_expire() {
    let rig = rig().await;
    flap(&rig, 1).await;
    let bot = rig.bot().await;
    rig.fake.queue(message(1, VIEWER, "/history web-1"));
    let web1 = rig.fake.wait_sent(VIEWER, 1).await.remove(0);
    let lines = entry_lines(&web1);
    assert!(lines.iter().all(|l| l.contains("<b>web-1</b>")), "{web1}");
    assert!(
        lines.iter().any(|l| l.contains("hot · firing, value 99")),
        "{web1}"
    );
    assert!(
        lines.iter().any(|l| l.contains("firing notice → log")),
        "{web1}"
    );
    assert!(lines.len() < 10, "{web1}");
    assert!(
        rig.fake.calls("sendMessage")[0]
            .get("reply_markup")
            .is_none()
    );
    rig.fake.queue(message(2, VIEWER, "/history db-1"));
    let db1 = rig.fake.wait_sent(VIEWER, 2).await.remove(1);
    assert_eq!(db1, "No alert history of <b>db-1</b> yet.");
    rig.fake.queue(button_press(3, VIEWER, 1, "history:987654"));
    let answers = rig.fake.wait_calls("answerCallbackQuery", 1).await;
    assert_eq!(
        answers[0]["text"],
        "This page has expired; send /history again."
    );
    assert!(rig.fake.calls("editMessageText").is_empty());
    bot.shutdown().await;
}

/// Fires and resolves `hot` on web-2 and db-1 in turn, `cycles` times.
async fn flap_web2_and_db1(rig: &Rig, cycles: usize) {
    for _ in 0..cycles {
        for host in ["web-2", "db-1"] {
            rig.clock.advance(60_000);
            rig.ingest(host, 99.0).await;
            rig.clock.advance(60_000);
            rig.ingest(host, 20.0).await;
        }
    }
}

fn only_web_hosts(text: &str) -> bool {
    let lines = entry_lines(text);
    !lines.is_empty()
        && lines
            .iter()
            .all(|l| l.contains("<b>web-1</b>") || l.contains("<b>web-2</b>"))
}

#[tokio::test]
async fn history_of_a_glob_pages_across_the_matching_hosts_only() {
    let rig = rig().await;
    flap_web2_and_db1(&rig, 4).await;
    let bot = rig.bot().await;
    rig.fake.queue(message(1, VIEWER, "/history"));
    let everything = rig.fake.wait_sent(VIEWER, 1).await.remove(0);
    assert!(everything.contains("<b>db-1</b>"), "{everything}");

    rig.fake.queue(message(2, VIEWER, "/history web-*"));
    let first = rig.fake.wait_sent(VIEWER, 2).await.remove(1);
    assert!(
        first.starts_with("<b>Alert history</b> of <b>web-*</b> · page 1"),
        "{first}"
    );
    assert_eq!(entry_lines(&first).len(), 10, "{first}");
    assert!(only_web_hosts(&first), "{first}");
    let markup = rig.fake.calls("sendMessage")[1]["reply_markup"].clone();
    let next = button_data(&markup, "Next ▶").expect("a Next button");
    assert!(next.len() <= 64);

    rig.fake.queue(button_press(3, VIEWER, 2, &next));
    rig.fake.wait_calls("answerCallbackQuery", 1).await;
    let edits = rig.fake.calls("editMessageText");
    let second = edits[0]["text"].as_str().unwrap();
    assert!(second.contains("of <b>web-*</b> · page 2"), "{second}");
    assert!(only_web_hosts(second), "{second}");
    assert!(
        entry_lines(second)
            .iter()
            .any(|l| l.contains("<b>web-1</b>")),
        "web-1's first alert is among the oldest: {second}"
    );
    bot.shutdown().await;
}

#[tokio::test]
async fn history_of_a_group_or_unknown_hosts() {
    let rig = rig().await;
    flap_web2_and_db1(&rig, 1).await;
    let bot = rig.bot().await;
    rig.fake.queue(message(1, VIEWER, "/history front"));
    let front = rig.fake.wait_sent(VIEWER, 1).await.remove(0);
    let lines = entry_lines(&front);
    assert!(!lines.is_empty(), "{front}");
    assert!(lines.iter().all(|l| l.contains("<b>web-1</b>")), "{front}");

    rig.fake.queue(message(2, VIEWER, "/history cache-*"));
    let unknown = rig.fake.wait_sent(VIEWER, 2).await.remove(1);
    assert_eq!(unknown, "No host matches cache-*. Try /hosts.");
    bot.shutdown().await;
}
