//! Mistakes in the `telegram:` section (the ChatOps bot): each is reported at its key path,
//! all at once, and no secret is ever shown.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed setup step should stop the test loudly"
)]

use std::path::Path;

use hostpulse_config::{ConfigErrors, HubConfig, HubOverrides, load_hub_config};

const TOKEN: &str = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
const SECRET_TOKEN: &str = "s3cr3t-webhook_token";

fn load_in(dir: &Path, text: &str) -> Result<HubConfig, ConfigErrors> {
    let path = dir.join("hostpulse.yaml");
    std::fs::write(&path, text).expect("write config");
    load_hub_config(Some(&path), &[], &HubOverrides::default())
}

/// The errors of an invalid file, as `path: message` lines (without the file name).
fn errors_of(text: &str) -> Vec<String> {
    let dir = tempfile::tempdir().expect("tempdir");
    let errors = load_in(dir.path(), text).expect_err("config is invalid");
    errors
        .iter()
        .map(|error| format!("{}: {}", error.path, error.message))
        .collect()
}

fn assert_has_error(errors: &[String], expected: &str) {
    assert!(
        errors.iter().any(|error| error.contains(expected)),
        "missing {expected:?} in:\n{}",
        errors.join("\n")
    );
}

#[test]
fn a_missing_token_and_an_empty_user_list_are_reported_together() {
    let errors = errors_of("telegram:\n  chats: [-100123]\n");
    assert_eq!(
        errors,
        [
            "telegram.bot_token: is required (or set telegram.bot_token_file); BotFather gives it",
            "telegram: nobody may use the bot: list user ids under admins, operators or viewers",
        ]
    );
    let empty_lists = errors_of(&format!(
        "telegram:\n  bot_token: \"{TOKEN}\"\n  admins: []\n  operators: []\n"
    ));
    assert_eq!(
        empty_lists,
        ["telegram: nobody may use the bot: list user ids under admins, operators or viewers"]
    );
}

#[test]
fn bad_tokens_and_token_files_are_reported_without_the_secret() {
    let both = errors_of(&format!(
        "telegram:\n  bot_token: \"{TOKEN}\"\n  bot_token_file: /x\n  admins: [1]\n"
    ));
    assert_has_error(
        &both,
        "telegram.bot_token: set either telegram.bot_token or telegram.bot_token_file, not both",
    );
    let malformed = errors_of("telegram:\n  bot_token: \"hunter2 secret\"\n  admins: [1]\n");
    assert_has_error(&malformed, "telegram.bot_token: is not a bot token");
    assert!(!malformed.join("\n").contains("hunter2"), "{malformed:?}");
    let unreadable = errors_of(
        "telegram:\n  bot_token_file: /nonexistent/hostpulse/telegram.token\n  admins: [1]\n",
    );
    assert_has_error(&unreadable, "telegram.bot_token_file: cannot read");
    let dir = tempfile::tempdir().expect("tempdir");
    let empty_file = dir.path().join("empty.token");
    std::fs::write(&empty_file, "\n").expect("empty token file");
    let empty = load_in(
        dir.path(),
        &format!(
            "telegram:\n  bot_token_file: {}\n  admins: [1]\n",
            empty_file.display()
        ),
    )
    .expect_err("empty token");
    assert_eq!(
        empty.find("telegram.bot_token").map(|e| e.message.as_str()),
        Some("must not be empty")
    );
}

#[test]
fn user_and_chat_ids_must_be_whole_numbers() {
    let errors = errors_of(&format!(
        "telegram:\n  bot_token: \"{TOKEN}\"\n  admins: [abc, 0]\n  operators: [-7]\n  \
         viewers: [1.5, 12]\n  chats: [0, \"@ops\", -100123]\n"
    ));
    assert_eq!(
        errors,
        [
            "telegram.admins[0]: \"abc\" is not a user id (a positive whole number such as 123456789)",
            "telegram.admins[1]: \"0\" is not a user id (a positive whole number such as 123456789)",
            "telegram.operators[0]: \"-7\" is not a user id (a positive whole number such as 123456789)",
            "telegram.viewers[0]: \"1.5\" is not a user id (a positive whole number such as 123456789)",
            "telegram.chats[0]: \"0\" is not a chat id (a whole number such as -1001234567890; @names are not accepted)",
            "telegram.chats[1]: \"@ops\" is not a chat id (a whole number such as -1001234567890; @names are not accepted)",
        ]
    );
}

#[test]
fn a_user_in_two_lists_or_twice_in_one_is_an_error() {
    let errors = errors_of(&format!(
        "telegram:\n  bot_token: \"{TOKEN}\"\n  admins: [1001]\n  operators: [1002, 1001]\n  \
         viewers: [1002, 1003, 1003]\n  chats: [-100123, -100123]\n"
    ));
    assert_eq!(
        errors,
        [
            "telegram.operators[1]: user 1001 is listed in both admins and operators; keep the one role it should have",
            "telegram.viewers[0]: user 1002 is listed in both operators and viewers; keep the one role it should have",
            "telegram.viewers[2]: user 1003 is listed twice in viewers",
            "telegram.chats[1]: chat -100123 is listed twice",
        ]
    );
}

#[test]
fn mode_keys_must_fit_the_mode() {
    let polling = errors_of(&format!(
        "telegram:\n  bot_token: \"{TOKEN}\"\n  admins: [1]\n  poll_timeout: 61s\n  \
         webhook_url: https://hub.example.com/tg\n  webhook_secret_token: {SECRET_TOKEN}\n"
    ));
    assert_eq!(
        polling,
        [
            "telegram.poll_timeout: \"61s\" is out of range (use whole seconds from 1s to 60s)",
            "telegram.webhook_url: applies to mode: webhook only (set mode: webhook, or remove the key)",
            "telegram.webhook_secret_token: applies to mode: webhook only (set mode: webhook, or remove the key)",
        ]
    );
    let webhook = errors_of(&format!(
        "telegram:\n  bot_token: \"{TOKEN}\"\n  admins: [1]\n  mode: webhook\n  poll_timeout: 30s\n"
    ));
    assert_eq!(
        webhook,
        [
            "telegram.webhook_url: is required in webhook mode: the https URL Telegram posts updates to",
            "telegram.webhook_secret_token: is required in webhook mode (or set telegram.webhook_secret_token_file)",
            "telegram.poll_timeout: applies to mode: polling only (remove it in webhook mode)",
        ]
    );
    let unknown = errors_of(&format!(
        "telegram:\n  bot_token: \"{TOKEN}\"\n  admins: [1]\n  mode: push\n"
    ));
    assert_eq!(
        unknown,
        ["telegram.mode: \"push\" is not a mode (use polling or webhook)"]
    );
}

#[test]
fn webhook_urls_and_secret_tokens_are_checked_without_echoing_them() {
    let errors = errors_of(&format!(
        "telegram:\n  bot_token: \"{TOKEN}\"\n  admins: [1]\n  mode: webhook\n  \
         webhook_url: http://hub.example.com/private-path\n  \
         webhook_secret_token: \"not allowed!\"\n"
    ));
    assert_eq!(
        errors,
        [
            "telegram.webhook_url: must start with https://: Telegram delivers webhooks over HTTPS only",
            "telegram.webhook_secret_token: must be 1 to 256 characters of A-Z, a-z, 0-9, _ and - (the value is a secret and not shown)",
        ]
    );
    let long_token = "a".repeat(257);
    let more = errors_of(&format!(
        "telegram:\n  bot_token: \"{TOKEN}\"\n  admins: [1]\n  mode: webhook\n  \
         webhook_url: https://hub.example.com:9810/tg\n  webhook_secret_token: {long_token}\n"
    ));
    assert_has_error(&more, "telegram.webhook_url: uses port 9810");
    assert_has_error(&more, "telegram.webhook_secret_token: must be 1 to 256");
    let rootless = errors_of(&format!(
        "telegram:\n  bot_token: \"{TOKEN}\"\n  admins: [1]\n  mode: webhook\n  \
         webhook_url: https://hub.example.com\n  webhook_secret_token: abc\n"
    ));
    assert_has_error(&rootless, "telegram.webhook_url: needs a path");
    for taken in ["/api/v1/hosts", "/healthz", "/api"] {
        let clash = errors_of(&format!(
            "telegram:\n  bot_token: \"{TOKEN}\"\n  admins: [1]\n  mode: webhook\n  \
             webhook_url: https://hub.example.com{taken}\n  webhook_secret_token: abc\n"
        ));
        assert_has_error(&clash, "which the hub's API serves");
    }
}

#[test]
fn bad_urls_and_durations_are_reported_at_their_keys() {
    let errors = errors_of(&format!(
        "telegram:\n  bot_token: \"{TOKEN}\"\n  admins: [1]\n  api_url: api.telegram.org\n  \
         refusal_interval: often\n  timeout: 10ms\n"
    ));
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert_has_error(
        &errors,
        "telegram.api_url: \"api.telegram.org\" has no scheme: write http://api.telegram.org",
    );
    assert_has_error(
        &errors,
        "telegram.refusal_interval: \"often\" is not a duration",
    );
    assert_has_error(
        &errors,
        "telegram.timeout: \"10ms\" is too short (minimum 1s)",
    );
}

#[test]
fn unknown_time_zones_are_reported_with_a_suggestion() {
    let errors = errors_of(&format!(
        "telegram:\n  bot_token: \"{TOKEN}\"\n  admins: [1]\n  timezone: Europe/Berlim\n"
    ));
    assert_eq!(
        errors,
        [
            "telegram.timezone: \"Europe/Berlim\" is not a known time zone \
          (did you mean \"Europe/Berlin\"?); use an IANA name such as Europe/Berlin, \
          America/New_York or UTC"
        ]
    );
    let offset = errors_of(&format!(
        "telegram:\n  bot_token: \"{TOKEN}\"\n  admins: [1]\n  timezone: \"+02:00\"\n"
    ));
    assert_has_error(
        &offset,
        "telegram.timezone: \"+02:00\" is not a known time zone",
    );
}

#[test]
fn unknown_keys_are_rejected_with_a_suggestion() {
    let errors = errors_of(&format!(
        "telegram:\n  bot_token: \"{TOKEN}\"\n  admin: [1]\n  viewers: [2]\n"
    ));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_has_error(
        &errors,
        "telegram.admin: unknown key (did you mean \"admins\"?); valid keys: bot_token, bot_token_file",
    );
}

#[test]
fn every_problem_is_reported_at_once_and_no_secret_is_shown() {
    let errors = errors_of(&format!(
        "telegram:\n  bot_token: \"{TOKEN}\"\n  bot_token_file: /x\n  admins: [x]\n  \
         chats: [0]\n  mode: webhook\n  webhook_url: ftp://hub\n  \
         webhook_secret_token: \"{SECRET_TOKEN}!\"\n  timeout: never\n"
    ));
    let paths: Vec<&str> = errors
        .iter()
        .map(|error| error.split(": ").next().unwrap_or_default())
        .collect();
    assert_eq!(
        paths,
        [
            "telegram.bot_token",
            "telegram.admins[0]",
            "telegram.chats[0]",
            "telegram.webhook_url",
            "telegram.webhook_secret_token",
            "telegram.timeout",
        ]
    );
    let all = errors.join("\n");
    for secret in [TOKEN, SECRET_TOKEN, "ftp://hub"] {
        assert!(!all.contains(secret), "{secret} shown in:\n{all}");
    }
}
