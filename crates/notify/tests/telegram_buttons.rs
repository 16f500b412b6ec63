//! Telegram alert buttons: firing messages carry Ack / Silence 1h / Graph buttons for up to
//! three alerts, on the last part only; resolved and test messages carry none.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed setup step should stop the test loudly"
)]

mod common;

use std::time::Duration;

use common::{FakeServer, Flavor, Recorded};
use hostpulse_core::{AlertState, Notification, NotificationKind};
use hostpulse_notify::{MessageContext, build, test_notification};
use hostpulse_notify::{ReceiverConfig, ReceiverKind, Secret, TelegramSettings};
use serde_json::{Value, json};

async fn send(n: &Notification) -> Vec<Recorded> {
    let server = FakeServer::start(Flavor::Telegram).await;
    let notifier = build(&ReceiverConfig {
        name: "ops".into(),
        kind: ReceiverKind::Telegram(TelegramSettings {
            bot_token: Secret::new("42:token"),
            chat_id: "-1001".into(),
            message_thread_id: None,
            api_url: server.base(),
            silent_below: None,
            timeout: Duration::from_secs(5),
            template: None,
        }),
        rate_limit: None,
        retry: Default::default(),
    })
    .expect("build");
    notifier
        .send(n, &MessageContext::default())
        .await
        .expect("sent");
    server.requests()
}

fn callback_data(body: &Value) -> Vec<Vec<String>> {
    body["reply_markup"]["inline_keyboard"]
        .as_array()
        .expect("inline keyboard")
        .iter()
        .map(|row| {
            row.as_array()
                .expect("row")
                .iter()
                .map(|b| b["callback_data"].as_str().expect("data").to_owned())
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn a_firing_message_has_ack_silence_and_graph_buttons() {
    let n = common::firing();
    let id = n.alerts[0].id.clone();
    let requests = send(&n).await;
    let body = requests[0].json();
    let row = &body["reply_markup"]["inline_keyboard"][0];
    assert_eq!(
        row,
        &json!([
            { "text": "✅ Ack", "callback_data": format!("ack:{id}") },
            { "text": "🔕 Silence 1h", "callback_data": format!("sil:{id}:1h") },
            { "text": "📈 Graph", "callback_data": format!("graph:{id}") },
        ])
    );
    assert_eq!(callback_data(&body).len(), 1);
    for data in callback_data(&body).concat() {
        assert!(data.len() <= 64, "{data}");
    }
    assert!(!body["text"].as_str().expect("text").contains("/alerts"));
}

#[tokio::test]
async fn reminders_and_escalations_have_buttons_too() {
    for kind in [NotificationKind::Repeat, NotificationKind::Escalation] {
        let mut n = common::firing();
        n.kind = kind;
        let body = send(&n).await[0].json();
        assert_eq!(callback_data(&body)[0].len(), 3, "{kind:?}");
    }
}

#[tokio::test]
async fn resolved_and_test_messages_have_no_buttons() {
    let resolved = send(&common::resolved()).await[0].json();
    assert!(resolved.get("reply_markup").is_none(), "{resolved}");
    let test = send(&test_notification("ops", 1_700_000_000_000)).await[0].json();
    assert!(test.get("reply_markup").is_none(), "{test}");
}

#[tokio::test]
async fn a_big_group_gets_three_rows_and_an_alerts_hint() {
    let mut n = common::notification(
        NotificationKind::Firing,
        ["web-1", "web-2", "web-3", "web-4"]
            .iter()
            .map(|host| common::alert("high_cpu", host, AlertState::Firing, "busy"))
            .collect(),
    );
    n.alerts[0].state = AlertState::Resolved;
    let body = send(&n).await[0].json();
    let rows = callback_data(&body);
    let expected: Vec<String> = n.alerts[1..]
        .iter()
        .map(|a| format!("ack:{}", a.id))
        .collect();
    let acks: Vec<String> = rows.iter().map(|row| row[0].clone()).collect();
    assert_eq!(acks, expected, "resolved alerts get no row");
    assert_eq!(
        body["reply_markup"]["inline_keyboard"][0][0]["text"],
        "✅ Ack web-2"
    );
    assert!(body["text"].as_str().expect("text").ends_with("/alerts"));
}

#[tokio::test]
async fn only_the_last_part_of_a_split_message_has_buttons() {
    let requests = send(&common::huge(40)).await;
    assert!(requests.len() > 1, "the sample is split");
    let (last, earlier) = requests.split_last().expect("parts");
    for part in earlier {
        assert!(part.json().get("reply_markup").is_none());
    }
    let rows = callback_data(&last.json());
    assert_eq!(rows.len(), 3);
    assert!(rows.iter().all(|row| row.len() == 3));
}

#[tokio::test]
async fn a_reminder_has_no_ack_button_for_an_alert_already_acknowledged() {
    let mut n = common::firing();
    n.kind = NotificationKind::Repeat;
    n.alerts[0].ack = Some(hostpulse_core::Ack {
        by: "admin".into(),
        at_ms: 0,
        comment: String::new(),
    });
    let id = n.alerts[0].id.clone();
    let requests = send(&n).await;
    assert_eq!(
        callback_data(&requests[0].json()),
        [vec![format!("sil:{id}:1h"), format!("graph:{id}")]]
    );
}
