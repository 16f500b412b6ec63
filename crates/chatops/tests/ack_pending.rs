//! Only a firing alert can be acknowledged: the Ack button and `/ack` on a pending alert
//! are refused with a message that says it is pending and how to silence it instead, and
//! nothing is recorded on the alert. Through the fake Bot API on a real engine and store.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "test code: a failed step stops the test loudly (clippy.toml allows this in #[test] functions, not in their helpers)"
)]

mod common;

use common::fake::{button_press, message};
use common::{OPERATOR, Rig, rig_with};
use hostpulse_core::AlertState;
use hostpulse_store::prelude::*;

/// `hot` holds on web-1 at once but fires only after 10 minutes: it is pending.
const PENDING_RULE: &str = "rules:\n  - name: hot\n    expr: cpu.usage_percent > 90\n    for: 10m\n    severity: critical\n";

fn pending_id(rig: &Rig) -> String {
    let alert = rig
        .engine
        .active_alerts()
        .into_iter()
        .find(|a| a.host == "web-1")
        .expect("the web-1 alert");
    assert_eq!(alert.state, AlertState::Pending);
    alert.id
}

fn assert_not_acked(rig: &Rig, id: &str) {
    let alert = rig.engine.active_alerts().into_iter().find(|a| a.id == id);
    assert!(alert.unwrap().ack.is_none(), "a pending alert takes no ack");
}

#[tokio::test]
async fn the_ack_button_on_a_pending_alert_is_refused_with_a_toast() {
    let rig = rig_with(PENDING_RULE).await;
    let _bot = rig.bot().await;
    let id = pending_id(&rig);
    rig.fake
        .queue(button_press(1, OPERATOR, 77, &format!("ack:{id}")));
    let answers = rig.fake.wait_calls("answerCallbackQuery", 1).await;
    let toast = answers[0]["text"].as_str().unwrap_or_default();
    assert!(
        toast.contains("pending, not firing") && toast.contains("Silence 1h"),
        "{toast}"
    );
    assert_not_acked(&rig, &id);
    assert!(
        rig.fake.calls("editMessageText").is_empty(),
        "the message is left as it is"
    );
    let audit = rig.store.audit_entries(10).await.unwrap();
    assert_eq!(audit[0].action, "alert.ack");
    assert!(
        audit[0].result.contains("is pending, not firing"),
        "{audit:?}"
    );
}

#[tokio::test]
async fn the_ack_command_on_a_pending_alert_says_how_to_silence_it() {
    let rig = rig_with(PENDING_RULE).await;
    let _bot = rig.bot().await;
    let id = pending_id(&rig);
    rig.fake
        .queue(message(1, OPERATOR, &format!("/ack {id} looking")));
    let replies = rig.fake.wait_sent(OPERATOR, 1).await;
    let reply = &replies[0];
    for part in ["pending, not firing", "silence"] {
        assert!(reply.contains(part), "{part}: {reply}");
    }
    assert_not_acked(&rig, &id);
}
