//! Unit tests of alert button parsing and message editing helpers.

use super::*;
use serde_json::json;

const ID: &str = "0123456789abcdef";

#[test]
fn callback_data_is_parsed_and_checked() {
    assert_eq!(
        parse_alert_callback(&format!("ack:{ID}")),
        Some(AlertAction::Ack { id: ID.into() })
    );
    assert_eq!(
        parse_alert_callback(&format!("sil:{ID}:1h")),
        Some(AlertAction::Silence {
            id: ID.into(),
            length_ms: 3_600_000,
            label: "1h".into()
        })
    );
    assert_eq!(
        parse_alert_callback(&format!("graph:{ID}")),
        Some(AlertAction::Graph { id: ID.into() })
    );
    for bad in [
        "ack:",
        "ack:a b",
        "sil:abc",
        "sil:abc:2d",
        "sil:abc:0s",
        "history:1",
        "/ack 1",
    ] {
        assert_eq!(parse_alert_callback(bad), None, "{bad}");
    }
}

#[test]
fn appended_text_escapes_and_fits_one_message() {
    assert_eq!(
        appended_text("a<b>\n", "done & ok"),
        "a&lt;b&gt;\n\ndone &amp; ok"
    );
    let long = "<".repeat(5000);
    let text = appended_text(&long, "line");
    assert!(text.chars().count() <= MAX_MESSAGE_CHARS);
    assert!(text.ends_with("&lt;\n\nline"), "no entity is cut");
}

#[test]
fn keyboard_rows_and_alert_ids_are_read_from_the_message() {
    let message: Message = serde_json::from_value(json!({
        "message_id": 5,
        "chat": {"id": 1, "type": "private"},
        "reply_markup": {"inline_keyboard": [
            [{"text": "Ack", "callback_data": "ack:aa"}, {"text": "Silence", "callback_data": "sil:aa:1h"}],
            [{"text": "Docs", "url": "https://example.org"}],
            [{"text": "Graph", "callback_data": "graph:bb"}]
        ]}
    }))
    .unwrap();
    let rows = keyboard(&message);
    assert_eq!(rows.len(), 2, "the URL-only row is dropped");
    assert_eq!(button_alert(&rows[0][1]), Some("aa"));
    assert_eq!(button_alert(&rows[1][0]), Some("bb"));
}

#[test]
fn rule_metric_is_the_first_dotted_name() {
    assert_eq!(
        rule_metric("cpu.usage_percent > 90"),
        Some("cpu.usage_percent")
    );
    assert_eq!(
        rule_metric("avg(disk.used_percent, 5m) > 80.5"),
        Some("disk.used_percent")
    );
    assert_eq!(rule_metric("up == 0"), None);
}

#[test]
fn the_ack_line_time_is_hours_minutes_and_zone() {
    let utc = jiff::tz::TimeZone::UTC;
    assert_eq!(zoned_clock(1_790_000_000_000, &utc), "14:13 UTC");
}
