//! Entry point shared by the `telegram_update` fuzz target and the corpus regression test:
//! an update body (as `getUpdates` or the webhook delivers it) through the bot's update
//! types, command-text and callback-data parsing, argument parsing and reply splitting.

use crate::alert_buttons::parse_alert_callback;
use crate::commands::{parse_graph_args, table};
use crate::format::{MAX_MESSAGE_CHARS, escape, split_message};
use crate::pages::parse_callback;
use crate::registry::{find, parse_command};
use crate::types::Update;

/// The bot's username during fuzzing (`/cmd@hostpulse_bot` is addressed to it).
const BOT_USERNAME: &str = "hostpulse_bot";

/// Runs one fuzz input (the JSON body of one update). Panics only on a defect.
#[allow(
    clippy::panic,
    reason = "a fuzz entry reports a broken invariant by panicking; the fuzzer catches it"
)]
pub fn handle_update(data: &[u8]) {
    let Ok(update) = serde_json::from_slice::<Update>(data) else {
        return;
    };
    let json = serde_json::to_vec(&update).unwrap_or_default();
    match serde_json::from_slice::<Update>(&json) {
        Ok(again) => assert_eq!(again, update, "an update changed in a JSON round trip"),
        Err(error) => panic!("a re-serialised update does not parse: {error}"),
    }
    if let Some(text) = update.message.as_ref().and_then(|m| m.text.as_deref()) {
        command_text(text);
    }
    if let Some(data) = update
        .callback_query
        .as_ref()
        .and_then(|c| c.data.as_deref())
    {
        let _ = parse_callback(data);
        let _ = parse_alert_callback(data);
        command_text(data);
    }
}

fn command_text(text: &str) {
    if let Some((name, args)) = parse_command(text, Some(BOT_USERNAME)) {
        assert!(!name.is_empty(), "a command without a name");
        let _ = find(&table(), &name);
        let _ = parse_graph_args(&args);
    }
    check_split(&escape(text));
}

/// Replies echo user text escaped and split into messages: each part must fit one message
/// and no part may cut an HTML entity.
fn check_split(html: &str) {
    for part in split_message(html, MAX_MESSAGE_CHARS) {
        assert!(
            part.chars().count() <= MAX_MESSAGE_CHARS,
            "a reply part is longer than one message"
        );
        for (at, _) in part.match_indices('&') {
            let entity = &part[at..];
            assert!(
                ["&amp;", "&lt;", "&gt;", "&quot;"]
                    .iter()
                    .any(|e| entity.starts_with(e)),
                "a reply part cuts an HTML entity"
            );
        }
    }
}
