//! The `telegram:` section: the hub's ChatOps bot — its token, who may use it and where,
//! and how it receives updates (long polling or a webhook).

mod ids;
mod mode;
mod timezone;

use std::time::Duration;

use serde::Deserialize;

use crate::scalar::Scalar;
use crate::secret::Secret;
use crate::url::parse_http_url;
use crate::validate::{Validator, join};
use hostpulse_core::Role;
use hostpulse_notify::TELEGRAM_API_URL;

/// Default long-poll timeout of `getUpdates`.
const DEFAULT_POLL_TIMEOUT: Duration = Duration::from_secs(50);
/// Default least time between two refusal messages to the same unknown user.
const DEFAULT_REFUSAL_INTERVAL: Duration = Duration::from_secs(3_600);
/// Default HTTP timeout of Bot API calls other than `getUpdates`.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// Shortest accepted `refusal_interval` and `timeout`.
const MIN_INTERVAL: Duration = Duration::from_secs(1);

/// The Telegram ChatOps bot of the hub: one bot for the whole fleet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TelegramBotConfig {
    /// The token BotFather gives, `ID:KEY` (inline `bot_token` or read from `bot_token_file`).
    pub bot_token: Secret,
    /// Base URL without trailing slash; default TELEGRAM_API_URL.
    pub api_url: String,
    /// Telegram user ids with the admin role: they may do everything.
    pub admins: Vec<i64>,
    /// Telegram user ids with the operator role: they also acknowledge alerts and create silences.
    pub operators: Vec<i64>,
    /// Telegram user ids with the viewer role: they may only read. A user id is in at most
    /// one of the three lists, and at least one list is non-empty.
    pub viewers: Vec<i64>,
    /// Group/supergroup/channel chat ids the bot answers in (private chats with listed users are always allowed).
    pub chats: Vec<i64>,
    /// How updates reach the bot: long polling (default) or a webhook.
    pub mode: BotMode,
    /// At most one refusal message per unknown user per this interval (default 1h).
    pub refusal_interval: Duration,
    /// HTTP timeout of Bot API calls other than getUpdates (default 10s).
    pub timeout: Duration,
    /// IANA time zone of times in replies and chart axes, e.g. `Europe/Berlin`; a name known
    /// to `jiff::tz::TimeZone::get` (default `UTC`).
    pub timezone: String,
}

/// How the bot receives updates from Telegram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BotMode {
    /// getUpdates long polling; `timeout` is the long-poll timeout (default 50s, 1s to 60s,
    /// whole seconds).
    Polling {
        /// How long one `getUpdates` call waits for updates (`telegram.poll_timeout`).
        timeout: Duration,
    },
    /// setWebhook to `url` (https URL reachable by Telegram; the hub serves POST on its path) with `secret_token`
    /// (1-256 chars of A-Z a-z 0-9 _ -), verified on every call.
    Webhook {
        /// The URL registered with `setWebhook` (`telegram.webhook_url`); its path is the one
        /// the hub serves.
        url: String,
        /// The token Telegram sends in `X-Telegram-Bot-Api-Secret-Token` on every call
        /// (`telegram.webhook_secret_token`); calls without it are refused.
        secret_token: Secret,
    },
}

impl TelegramBotConfig {
    /// The role of `user_id`: the highest of `admins`, `operators`, `viewers` it is listed in;
    /// `None` for users the bot does not serve.
    pub fn role_of(&self, user_id: i64) -> Option<Role> {
        [
            (Role::Admin, &self.admins),
            (Role::Operator, &self.operators),
            (Role::Viewer, &self.viewers),
        ]
        .into_iter()
        .find(|(_, ids)| ids.contains(&user_id))
        .map(|(role, _)| role)
    }

    /// Whether the bot answers in `chat_id`: a private chat with a listed user (its chat id is
    /// the user id), or a group, supergroup or channel listed under `chats`.
    pub fn chat_allowed(&self, chat_id: i64, chat_is_private: bool) -> bool {
        if chat_is_private {
            self.role_of(chat_id).is_some()
        } else {
            self.chats.contains(&chat_id)
        }
    }
}

/// The `telegram:` section as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTelegramBot {
    bot_token: Option<Secret>,
    bot_token_file: Option<Scalar>,
    api_url: Option<Scalar>,
    admins: Option<Vec<Scalar>>,
    operators: Option<Vec<Scalar>>,
    viewers: Option<Vec<Scalar>>,
    chats: Option<Vec<Scalar>>,
    mode: Option<Scalar>,
    poll_timeout: Option<Scalar>,
    webhook_url: Option<Scalar>,
    webhook_secret_token: Option<Secret>,
    webhook_secret_token_file: Option<Scalar>,
    refusal_interval: Option<Scalar>,
    timeout: Option<Scalar>,
    timezone: Option<Scalar>,
}

impl RawTelegramBot {
    /// The validated bot settings; `None` when any of them had errors (all are recorded).
    pub(crate) fn validate(self, v: &mut Validator, path: &str) -> Option<TelegramBotConfig> {
        let bot_token = bot_token(v, path, self.bot_token, self.bot_token_file);
        let api_url = v.parse_or(
            &join(path, "api_url"),
            self.api_url,
            TELEGRAM_API_URL.to_owned(),
            parse_http_url,
        );
        let [admins, operators, viewers] =
            ids::user_lists(v, path, [self.admins, self.operators, self.viewers]);
        let chats = ids::chat_list(v, &join(path, "chats"), self.chats.unwrap_or_default());
        let mode_keys = mode::RawModeKeys {
            mode: self.mode,
            poll_timeout: self.poll_timeout,
            webhook_url: self.webhook_url,
            webhook_secret_token: self.webhook_secret_token,
            webhook_secret_token_file: self.webhook_secret_token_file,
        };
        let mode = mode::validate(v, path, mode_keys, &api_url);
        let refusal_interval = v.duration(
            &join(path, "refusal_interval"),
            self.refusal_interval,
            DEFAULT_REFUSAL_INTERVAL,
            MIN_INTERVAL,
        );
        let timeout = v.duration(
            &join(path, "timeout"),
            self.timeout,
            DEFAULT_TIMEOUT,
            MIN_INTERVAL,
        );
        let timezone = timezone::validate(v, &join(path, "timezone"), self.timezone);
        Some(TelegramBotConfig {
            bot_token: bot_token?,
            api_url,
            admins,
            operators,
            viewers,
            chats,
            mode: mode?,
            refusal_interval,
            timeout,
            timezone,
        })
    }
}

/// The required bot token, inline or from `bot_token_file`, in BotFather's `ID:KEY` form.
fn bot_token(
    v: &mut Validator,
    section: &str,
    inline: Option<Secret>,
    file: Option<Scalar>,
) -> Option<Secret> {
    let path = join(section, "bot_token");
    if inline.is_none() && file.is_none() {
        v.error(
            &path,
            format!("is required (or set {path}_file); BotFather gives it"),
        );
        return None;
    }
    let token = v.secret(&path, inline, file)?;
    let token = Secret::new(token.expose().trim());
    if !is_bot_token(token.expose()) {
        v.error(
            &path,
            "is not a bot token: BotFather gives one like 123456789:AAH..., digits, a colon, \
             then letters, digits, _ and - (the value is a secret and not shown)",
        );
        return None;
    }
    Some(token)
}

fn is_bot_token(token: &str) -> bool {
    token.split_once(':').is_some_and(|(bot_id, key)| {
        !bot_id.is_empty()
            && bot_id.chars().all(|c| c.is_ascii_digit())
            && !key.is_empty()
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bot_tokens_have_the_botfather_form() {
        assert!(is_bot_token(
            "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw_-x"
        ));
        assert!(is_bot_token("1:a"));
        for bad in [
            "",
            "123456789",
            "abc:def",
            ":key",
            "123:",
            "123:a b",
            "123:a/b",
        ] {
            assert!(!is_bot_token(bad), "{bad}");
        }
    }

    #[test]
    fn role_names() {
        assert_eq!(Role::Operator.to_string(), "operator");
        assert_eq!(Role::Admin.as_str(), "admin");
        assert!(Role::Admin > Role::Operator && Role::Operator > Role::Viewer);
    }
}
