//! The `telegram:` section (the ChatOps bot): the documented example loads, secrets come from
//! files or the environment, and roles and chats are answered from the lists.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed setup step should stop the test loudly"
)]

use std::path::Path;
use std::time::Duration;

use hostpulse_config::{
    BotMode, ConfigErrors, HubConfig, HubOverrides, TelegramBotConfig, load_hub_config,
};
use hostpulse_core::Role;
use hostpulse_notify::ReceiverKind;

const TOKEN: &str = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
const SECRET_TOKEN: &str = "s3cr3t-webhook_token";

fn load_in(dir: &Path, text: &str) -> Result<HubConfig, ConfigErrors> {
    load_with_env(dir, text, &[])
}

fn load_with_env(dir: &Path, text: &str, env: &[(&str, &str)]) -> Result<HubConfig, ConfigErrors> {
    let path = dir.join("hostpulse.yaml");
    std::fs::write(&path, text).expect("write config");
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect();
    load_hub_config(Some(&path), &env, &HubOverrides::default())
}

fn bot(dir: &Path, text: &str) -> TelegramBotConfig {
    let config = load_in(dir, text).expect("config loads");
    config.telegram.expect("telegram section")
}

const EXAMPLE: &str = r#"
telegram:
  bot_token_file: DIR/telegram.token   # or bot_token
  api_url: http://127.0.0.1:18081                 # default https://api.telegram.org
  admins: [1001]
  operators: [1002]
  viewers: [1003]
  chats: [-1001234567890]                         # group chats the bot may answer in
"#;

fn example_bot() -> TelegramBotConfig {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("telegram.token"), format!("{TOKEN}\n")).expect("token");
    let text = EXAMPLE.replace("DIR", &dir.path().display().to_string());
    bot(dir.path(), &text)
}

#[test]
fn the_documented_example_loads_as_written() {
    let bot = example_bot();
    assert_eq!(
        bot.bot_token.expose(),
        TOKEN,
        "the file is read and trimmed"
    );
    assert_eq!(bot.api_url, "http://127.0.0.1:18081");
    assert_eq!(
        (bot.admins, bot.operators, bot.viewers),
        (vec![1001], vec![1002], vec![1003])
    );
    assert_eq!(bot.chats, [-1_001_234_567_890]);
    assert_eq!(
        bot.mode,
        BotMode::Polling {
            timeout: Duration::from_secs(50)
        }
    );
    assert_eq!(bot.refusal_interval, Duration::from_secs(3_600));
    assert_eq!(bot.timeout, Duration::from_secs(10));
    assert_eq!(bot.timezone, "UTC", "times are shown in UTC by default");
}

#[test]
fn without_the_section_there_is_no_bot() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = load_in(dir.path(), "listen: 127.0.0.1:9810\n").expect("loads");
    assert_eq!(config.telegram, None);
}

#[test]
fn defaults_and_optional_keys() {
    let dir = tempfile::tempdir().expect("tempdir");
    let minimal = bot(
        dir.path(),
        &format!("telegram:\n  bot_token: \"{TOKEN}\"\n  viewers: [\"42\"]\n"),
    );
    assert_eq!(minimal.api_url, "https://api.telegram.org");
    assert!(minimal.chats.is_empty() && minimal.admins.is_empty());
    let tuned = bot(
        dir.path(),
        &format!(
            "telegram:\n  bot_token: \"{TOKEN}\"\n  admins: [1]\n  mode: polling\n  \
             poll_timeout: 1m\n  refusal_interval: 10m\n  timeout: 30s\n  \
             api_url: https://tg.example.org/\n  timezone: europe/berlin\n"
        ),
    );
    assert_eq!(
        tuned.mode,
        BotMode::Polling {
            timeout: Duration::from_secs(60)
        }
    );
    assert_eq!(tuned.refusal_interval, Duration::from_secs(600));
    assert_eq!(tuned.timeout, Duration::from_secs(30));
    assert_eq!(tuned.api_url, "https://tg.example.org");
    assert_eq!(tuned.timezone, "Europe/Berlin", "the canonical spelling");
}

#[test]
fn a_user_has_the_role_of_the_list_it_is_in() {
    let bot = example_bot();
    assert_eq!(bot.role_of(1001), Some(Role::Admin));
    assert_eq!(bot.role_of(1002), Some(Role::Operator));
    assert_eq!(bot.role_of(1003), Some(Role::Viewer));
    assert_eq!(bot.role_of(1004), None);
    assert_eq!(bot.role_of(-1_001_234_567_890), None);
}

#[test]
fn role_of_picks_the_highest_list() {
    let mut bot = example_bot();
    bot.viewers.push(1001);
    bot.operators.push(1001);
    assert_eq!(bot.role_of(1001), Some(Role::Admin));
}

#[test]
fn the_bot_answers_in_listed_groups_and_private_chats_with_listed_users() {
    let bot = example_bot();
    assert!(bot.chat_allowed(-1_001_234_567_890, false));
    assert!(!bot.chat_allowed(-1_009_999_999_999, false));
    for user in [1001, 1002, 1003] {
        assert!(bot.chat_allowed(user, true), "private chat with {user}");
        assert!(!bot.chat_allowed(user, false), "group with id {user}");
    }
    assert!(!bot.chat_allowed(1004, true));
    assert!(!bot.chat_allowed(-1_001_234_567_890, true));
}

#[test]
fn webhook_mode_takes_a_url_and_a_secret_token_inline_or_from_a_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let inline = bot(
        dir.path(),
        &format!(
            "telegram:\n  bot_token: \"{TOKEN}\"\n  admins: [1]\n  mode: webhook\n  \
             webhook_url: https://hub.example.com/telegram/hook\n  \
             webhook_secret_token: {SECRET_TOKEN}\n"
        ),
    );
    let BotMode::Webhook { url, secret_token } = &inline.mode else {
        panic!("webhook mode expected, got {:?}", inline.mode)
    };
    assert_eq!(url, "https://hub.example.com/telegram/hook");
    assert_eq!(secret_token.expose(), SECRET_TOKEN);
    let token_file = dir.path().join("webhook.secret");
    std::fs::write(&token_file, format!("  {SECRET_TOKEN}\r\n")).expect("secret file");
    let from_file = bot(
        dir.path(),
        &format!(
            "telegram:\n  bot_token: \"{TOKEN}\"\n  admins: [1]\n  mode: webhook\n  \
             webhook_url: https://hub.example.com:8443/tg\n  \
             webhook_secret_token_file: {}\n",
            token_file.display()
        ),
    );
    assert!(matches!(
        &from_file.mode,
        BotMode::Webhook { secret_token, .. } if secret_token.expose() == SECRET_TOKEN
    ));
}

#[test]
fn a_self_hosted_bot_api_server_may_call_an_http_webhook_on_any_port() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bot = bot(
        dir.path(),
        &format!(
            "telegram:\n  bot_token: \"{TOKEN}\"\n  admins: [1]\n  \
             api_url: http://127.0.0.1:8081\n  mode: webhook\n  \
             webhook_url: http://10.0.0.5:9810/telegram\n  webhook_secret_token: abc\n"
        ),
    );
    assert!(
        matches!(&bot.mode, BotMode::Webhook { url, .. } if url == "http://10.0.0.5:9810/telegram")
    );
}

#[test]
fn a_telegram_receiver_may_share_the_bots_token() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = format!(
        "telegram:\n  bot_token: \"{TOKEN}\"\n  admins: [1001]\n  chats: [-100123]\n\
         receivers:\n  - name: ops\n    type: telegram\n    bot_token: \"{TOKEN}\"\n    \
         chat_id: \"-100123\"\n"
    );
    let config = load_in(dir.path(), &text).expect("loads");
    let ReceiverKind::Telegram(receiver) = &config.alerting.receivers[0].kind else {
        panic!("telegram receiver expected")
    };
    let bot = config.telegram.expect("bot");
    assert_eq!(receiver.bot_token, bot.bot_token);
}

#[test]
fn the_environment_sets_telegram_keys() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = "telegram:\n  bot_token_file: /nonexistent/telegram.token\n  admins: [1]\n";
    let env = [
        ("HOSTPULSE_TELEGRAM__BOT_TOKEN", TOKEN),
        ("HOSTPULSE_TELEGRAM__POLL_TIMEOUT", "20s"),
    ];
    let config = load_with_env(dir.path(), text, &env).expect("loads");
    let bot = config.telegram.expect("bot");
    assert_eq!(bot.bot_token.expose(), TOKEN);
    assert_eq!(
        bot.mode,
        BotMode::Polling {
            timeout: Duration::from_secs(20)
        }
    );
}
