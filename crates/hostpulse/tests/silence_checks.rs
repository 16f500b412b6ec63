//! `hostpulse silence add` against a running hub: a malformed matcher is refused with the
//! column and what was expected (CLI and API), and a matcher naming a label or host that no
//! current series has is accepted with a warning and a "did you mean".

mod common;

use common::{Hub, Mode, ingest_body, now_ms, text};
use hostpulse_core::Sample;

/// A hub with one reporting agent, `web-1`, that has a `mount` label.
fn hub_with_web_1() -> Hub {
    let hub = Hub::start(Mode::Hub);
    let token = hub.add_agent("web-1");
    let samples = vec![
        Sample::new("cpu.usage_percent", 12.0),
        Sample::new("disk.used_percent", 41.0).with_label("mount", "/"),
    ];
    let reply = hub.post(
        "/api/v1/ingest",
        Some(&token),
        &ingest_body(1, now_ms(), samples),
        true,
    );
    assert_eq!(reply.status, 200, "{}", reply.json);
    hub
}

#[test]
fn silence_add_refuses_a_doubled_operator_and_stores_nothing() {
    let hub = hub_with_web_1();
    let refused = hub.cli(&["silence", "add", "host==web-1", "--for", "1h"]);
    assert!(!refused.status.success());
    let stderr = text(&refused.stderr);
    assert!(
        stderr.contains(
            r#"invalid matcher "host==web-1" at column 6: expected a value after host=, found '='"#
        ) && stderr.contains(r#"(host="=web-1")"#),
        "{stderr}"
    );
    let body = br#"{"matchers": ["host==web-1"], "duration": "1h"}"#;
    let api = hub.post("/api/v1/silences", Some(&hub.admin_token), body, false);
    assert_eq!(api.status, 400, "{}", api.json);
    assert!(
        api.json["detail"].as_str().unwrap().contains("at column 6"),
        "{}",
        api.json
    );
    let listed = text(&hub.cli(&["silence", "list", "--all"]).stdout);
    assert!(listed.contains("(no silences)"), "{listed}");
}

#[test]
fn silence_add_warns_about_labels_and_hosts_no_series_has() {
    let hub = hub_with_web_1();
    let typo = hub.cli(&["silence", "add", "hots=web-1", "--for", "1h"]);
    assert!(typo.status.success(), "{}", text(&typo.stderr));
    let id = text(&typo.stdout).trim().to_string();
    assert!(
        !id.is_empty() && !id.contains(char::is_whitespace),
        "only the id: {id:?}"
    );
    let stderr = text(&typo.stderr);
    assert!(
        stderr.contains(
            r#"warning: no current series or alert has the label "hots"; did you mean "host"?"#
        ),
        "{stderr}"
    );

    let unknown = hub.cli(&[
        "silence",
        "add",
        "host=nosuchhost",
        "mount=/vra",
        "--for",
        "1h",
    ]);
    assert!(unknown.status.success(), "{}", text(&unknown.stderr));
    let stderr = text(&unknown.stderr);
    assert!(
        stderr.contains(r#"warning: host=nosuchhost: no agent is named "nosuchhost""#),
        "{stderr}"
    );
    assert!(
        stderr.contains(r#"warning: mount=/vra: no current series has the value "/vra""#),
        "{stderr}"
    );

    let clean = hub.cli(&["silence", "add", "host=web-1", "mount=/", "--for", "1h"]);
    assert!(clean.status.success(), "{}", text(&clean.stderr));
    assert!(
        !text(&clean.stderr).contains("warning"),
        "{}",
        text(&clean.stderr)
    );
    let listed = text(&hub.cli(&["silence", "list"]).stdout);
    assert_eq!(
        listed.lines().filter(|l| l.contains("active")).count(),
        3,
        "{listed}"
    );
}
