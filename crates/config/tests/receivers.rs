//! Notification receivers: the documented example loads as written, secrets come from files,
//! and every mistake is reported with its key path without echoing a secret.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed setup step should stop the test loudly"
)]

use std::time::Duration;

use hostpulse_config::{ConfigErrors, HubConfig, HubOverrides, load_hub_config};
use hostpulse_core::Severity;
use hostpulse_notify::{ReceiverKind, SlackTarget, SmtpTls, TeamsFormat};

fn load_in(dir: &std::path::Path, text: &str) -> Result<HubConfig, ConfigErrors> {
    let path = dir.join("hostpulse.yaml");
    std::fs::write(&path, text).expect("write config");
    load_hub_config(Some(&path), &[], &HubOverrides::default())
}

const EXAMPLE: &str = r#"
receivers:
  - name: ops-telegram
    type: telegram
    bot_token_file: DIR/telegram.token   # or bot_token
    chat_id: "-1001234567890"
    api_url: http://127.0.0.1:18081                 # default https://api.telegram.org
  - name: ops-slack
    type: slack
    webhook_url: http://127.0.0.1:18082/services/T000/B000/XXX
  - name: ops-teams
    type: teams
    webhook_url: http://127.0.0.1:18083/workflows/abc
  - name: ops-mail
    type: email
    smtp: { host: 127.0.0.1, port: 2525, tls: starttls, username: u, password_file: DIR/smtp.pass }
    from: hostpulse@example.org
    to: [ops@example.org]
  - name: ops-hook
    type: webhook
    url: http://127.0.0.1:18084/alerts
routes:
  - receivers: [ops-telegram, ops-hook]
"#;

#[test]
fn the_documented_example_loads_as_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("telegram.token"), "123:abc\n").expect("token");
    std::fs::write(dir.path().join("smtp.pass"), "pw").expect("password");
    let text = EXAMPLE.replace("DIR", &dir.path().display().to_string());
    let config = load_in(dir.path(), &text).expect("example loads");
    let receivers = &config.alerting.receivers;
    assert_eq!(receivers.len(), 5);
    let ReceiverKind::Telegram(telegram) = &receivers[0].kind else {
        panic!("telegram expected")
    };
    assert_eq!(telegram.bot_token.expose(), "123:abc");
    assert_eq!(telegram.chat_id, "-1001234567890");
    assert_eq!(telegram.api_url, "http://127.0.0.1:18081");
    assert_eq!(telegram.timeout, Duration::from_secs(10));
    let ReceiverKind::Slack(slack) = &receivers[1].kind else {
        panic!("slack expected")
    };
    assert!(
        matches!(&slack.target, SlackTarget::Webhook { url } if url.expose().ends_with("/XXX"))
    );
    let ReceiverKind::Teams(teams) = &receivers[2].kind else {
        panic!("teams expected")
    };
    assert_eq!(teams.format, TeamsFormat::AdaptiveCard);
    let ReceiverKind::Email(email) = &receivers[3].kind else {
        panic!("email expected")
    };
    assert_eq!((email.smtp.port, email.smtp.tls), (2525, SmtpTls::StartTls));
    assert_eq!(email.smtp.password.as_ref().map(|p| p.expose()), Some("pw"));
    assert_eq!(email.to, ["ops@example.org"]);
    assert_eq!(receivers[4].kind.type_name(), "webhook");
    assert_eq!(
        rate_limits(&config),
        [Some("20/1m"), Some("1/1s"), Some("4/1s"), None, None].map(|l| l.map(String::from))
    );
}

/// Each receiver's rate limit as written by `Display`, `None` for unlimited.
fn rate_limits(config: &HubConfig) -> Vec<Option<String>> {
    let receivers = &config.alerting.receivers;
    receivers
        .iter()
        .map(|r| r.rate_limit.map(|l| l.to_string()))
        .collect()
}

#[test]
fn every_receiver_type_accepts_a_rate_limit_in_every_form() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = r#"
receivers:
  - { name: l, type: log, rate_limit: 1/1s }
  - { name: t, type: telegram, bot_token: "1:x", chat_id: "-100123", rate_limit: 30/s }
  - { name: s, type: slack, webhook_url: "https://example.org/s", rate_limit: none }
  - { name: m, type: teams, webhook_url: "https://example.org/t", rate_limit: unlimited }
  - { name: e, type: email, smtp: { host: localhost }, from: a@example.org, to: [b@example.org], rate_limit: 20/1m }
  - { name: w, type: webhook, url: "https://example.org/w", rate_limit: " 5 / 500ms " }
"#;
    let config = load_in(dir.path(), text).expect("loads");
    let expected = [
        Some("1/1s"),
        Some("30/1s"),
        None,
        None,
        Some("20/1m"),
        Some("5/500ms"),
    ];
    assert_eq!(rate_limits(&config), expected.map(|l| l.map(String::from)));
    let first = config.alerting.receivers[0].rate_limit;
    assert_eq!(
        first.map(|l| (l.count, l.per)),
        Some((1, Duration::from_secs(1)))
    );
}

#[test]
fn absent_rate_limits_take_the_providers_limits() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = r##"
receivers:
  - { name: private, type: telegram, bot_token: "1:x", chat_id: "123456789" }
  - { name: channel, type: telegram, bot_token: "1:x", chat_id: "@ops" }
  - { name: group, type: telegram, bot_token: "1:x", chat_id: "-1001234567890" }
  - { name: bot, type: slack, bot_token: xoxb-1, channel: "#ops" }
  - { name: l, type: log }
"##;
    let config = load_in(dir.path(), text).expect("loads");
    let expected = [
        Some("1/1s"),
        Some("1/1s"),
        Some("20/1m"),
        Some("1/1s"),
        None,
    ];
    assert_eq!(rate_limits(&config), expected.map(|l| l.map(String::from)));
}

#[test]
fn bad_rate_limits_are_reported_at_their_key_with_the_accepted_forms() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = r#"
receivers:
  - { name: a, type: log, rate_limit: 0/1s }
  - { name: b, type: slack, webhook_url: "https://example.org/s", rate_limit: abc }
  - { name: c, type: teams, webhook_url: "https://example.org/t", rate_limit: 5/0s }
  - { name: d, type: webhook, url: "https://example.org/w", rate_limit: 5/2h }
  - { name: e, type: telegram, bot_token: "1:x", rate_limit: 1/1s }
"#;
    let errors = load_in(dir.path(), text).expect_err("invalid").to_string();
    for expected in [
        "receivers[0].rate_limit: \"0/1s\"",
        "receivers[1].rate_limit: \"abc\" is not a rate limit",
        "receivers[2].rate_limit: \"5/0s\"",
        "receivers[3].rate_limit: \"5/2h\"",
        "receivers[4].chat_id: is required",
    ] {
        assert!(
            errors.contains(expected),
            "missing {expected:?} in:\n{errors}"
        );
    }
    let forms = errors
        .lines()
        .filter(|line| line.contains("use N/DURATION such as 1/1s"));
    assert_eq!(forms.count(), 4, "{errors}");
}

#[test]
fn optional_keys_are_parsed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = r##"
receivers:
  - { name: t, type: telegram, bot_token: "1:x", chat_id: "@ops", message_thread_id: 7, silent_below: warning, timeout: 500ms, template: "{{ title }}" }
  - { name: s, type: slack, bot_token: xoxb-1, channel: "#ops", api_url: "http://127.0.0.1:1/api" }
  - { name: m, type: teams, webhook_url: "https://example.org/x", format: message_card }
  - name: w
    type: webhook
    url: https://example.org/hook
    headers: { Authorization: "Bearer t" }
    hmac_secret: key
"##;
    let config = load_in(dir.path(), text).expect("loads");
    let kinds: Vec<_> = config.alerting.receivers.iter().map(|r| &r.kind).collect();
    let ReceiverKind::Telegram(t) = kinds[0] else {
        panic!()
    };
    assert_eq!(t.message_thread_id, Some(7));
    assert_eq!(t.silent_below, Some(Severity::Warning));
    assert_eq!(t.timeout, Duration::from_millis(500));
    assert_eq!(t.template.as_deref(), Some("{{ title }}"));
    let ReceiverKind::Slack(s) = kinds[1] else {
        panic!()
    };
    assert!(matches!(&s.target, SlackTarget::Bot { channel, .. } if channel == "#ops"));
    let ReceiverKind::Teams(m) = kinds[2] else {
        panic!()
    };
    assert_eq!(m.format, TeamsFormat::MessageCard);
    let ReceiverKind::Webhook(w) = kinds[3] else {
        panic!()
    };
    assert_eq!(w.headers["Authorization"].expose(), "Bearer t");
    assert_eq!(w.hmac_secret.as_ref().map(|s| s.expose()), Some("key"));
}

#[test]
fn mistakes_are_reported_with_key_paths_and_no_secret() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = r#"
receivers:
  - { name: t, type: telegram, bot_token: "1:x", bot_token_file: /nonexistent, silent_below: loud }
  - { name: s, type: slack, webhook_url: "ftp://hooks.example/SECRETPATH" }
  - { name: m, type: teams, format: card }
  - { name: e, type: email, smtp: { tls: ssl, username: u }, from: nobody, to: [] }
  - { name: w, type: webhook, url: "https://x.example/h", headers: { "bad header": v }, timeout: 1ms }
  - { name: j, type: slack, webhook_url: "https://x.example/h", template: "{{ unclosed" }
"#;
    let errors = load_in(dir.path(), text).expect_err("invalid").to_string();
    for expected in [
        "receivers[0].bot_token: set either",
        "receivers[0].chat_id: is required",
        "receivers[0].silent_below: \"loud\" is not a severity",
        "receivers[1].webhook_url: is not a valid http(s) URL",
        "receivers[2].webhook_url: is required",
        "receivers[2].format: \"card\" is not a format",
        "receivers[3].smtp.host: is required",
        "receivers[3].smtp.tls: \"ssl\" is not a TLS mode",
        "receivers[3].smtp: set both username and password",
        "receivers[3].from: \"nobody\" is not an e-mail address",
        "receivers[3].to: needs at least one address",
        "receivers[4].headers.bad header: \"bad header\" is not an HTTP header name",
        "receivers[4].timeout: \"1ms\" is too short",
        "receivers[5].template: is not a valid template",
    ] {
        assert!(
            errors.contains(expected),
            "missing {expected:?} in:\n{errors}"
        );
    }
    assert!(!errors.contains("SECRETPATH"), "{errors}");
}

#[test]
fn retry_limits_default_and_are_checked_per_receiver() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = r#"
receivers:
  - { name: a, type: log }
  - { name: b, type: webhook, url: "https://example.org/w", max_attempts: 3, max_age: 10m }
"#;
    let config = load_in(dir.path(), text).expect("valid");
    let retry: Vec<_> = config.alerting.receivers.iter().map(|r| r.retry).collect();
    assert_eq!(retry[0].max_attempts, 10);
    assert_eq!(retry[0].max_age, Duration::from_secs(3600));
    assert_eq!(retry[1].max_attempts, 3);
    assert_eq!(retry[1].max_age, Duration::from_secs(600));

    let bad = r#"
receivers:
  - { name: a, type: log, max_attempts: 0 }
  - { name: b, type: slack, webhook_url: "https://example.org/s", max_age: soon }
"#;
    let errors = load_in(dir.path(), bad).expect_err("invalid").to_string();
    for expected in ["receivers[0].max_attempts", "receivers[1].max_age"] {
        assert!(
            errors.contains(expected),
            "missing {expected:?} in:\n{errors}"
        );
    }
}
