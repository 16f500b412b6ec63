//! The `receivers:` entries as written, and their validation into channel settings:
//! shared helpers and the chat channels (Telegram, Slack, Teams).

mod email;
mod webhook;

pub(crate) use email::RawEmail;
#[cfg(test)]
pub(crate) use email::RawSmtp;
pub(crate) use webhook::RawWebhook;

use std::time::Duration;

use hostpulse_core::Severity;
use serde::Deserialize;

use crate::scalar::Scalar;
use crate::secret::Secret;
use crate::url::parse_http_url;
use crate::validate::{Validator, join};
use hostpulse_notify::{
    DEFAULT_SEND_TIMEOUT, RateLimit, ReceiverKind, SLACK_API_URL, SlackSettings, SlackTarget,
    TELEGRAM_API_URL, TeamsFormat, TeamsSettings, TelegramSettings, parse_rate_limit,
};

/// Shortest accepted send timeout.
const MIN_TIMEOUT: Duration = Duration::from_millis(100);

/// A `type: telegram` receiver as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTelegram {
    pub(super) name: Option<Scalar>,
    pub(super) rate_limit: Option<Scalar>,
    pub(super) max_attempts: Option<Scalar>,
    pub(super) max_age: Option<Scalar>,
    bot_token: Option<Secret>,
    bot_token_file: Option<Scalar>,
    chat_id: Option<Scalar>,
    message_thread_id: Option<Scalar>,
    api_url: Option<Scalar>,
    silent_below: Option<Scalar>,
    timeout: Option<Scalar>,
    template: Option<Scalar>,
}

/// A `type: slack` receiver as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSlack {
    pub(super) name: Option<Scalar>,
    pub(super) rate_limit: Option<Scalar>,
    pub(super) max_attempts: Option<Scalar>,
    pub(super) max_age: Option<Scalar>,
    webhook_url: Option<Secret>,
    webhook_url_file: Option<Scalar>,
    bot_token: Option<Secret>,
    bot_token_file: Option<Scalar>,
    channel: Option<Scalar>,
    api_url: Option<Scalar>,
    timeout: Option<Scalar>,
    template: Option<Scalar>,
}

/// A `type: teams` receiver as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTeams {
    pub(super) name: Option<Scalar>,
    pub(super) rate_limit: Option<Scalar>,
    pub(super) max_attempts: Option<Scalar>,
    pub(super) max_age: Option<Scalar>,
    webhook_url: Option<Secret>,
    webhook_url_file: Option<Scalar>,
    format: Option<Scalar>,
    timeout: Option<Scalar>,
    template: Option<Scalar>,
}

/// A required secret given inline or as `*_file`.
pub(super) fn required_secret(
    v: &mut Validator,
    path: &str,
    inline: Option<Secret>,
    file: Option<Scalar>,
) -> Option<Secret> {
    let missing = inline.is_none() && file.is_none();
    let secret = v.secret(path, inline, file);
    if missing {
        v.error(path, format!("is required (or set {path}_file)"));
    }
    secret
}

/// A secret that must be an http(s) URL; the value is never echoed in errors.
pub(super) fn secret_url(v: &mut Validator, path: &str, url: Option<Secret>) -> Option<Secret> {
    let url = url?;
    if parse_http_url(url.expose().trim()).is_err() {
        v.error(
            path,
            "is not a valid http(s) URL without credentials (the value is a secret and not shown)",
        );
        return None;
    }
    Some(Secret::new(url.expose().trim()))
}

pub(super) fn api_url(v: &mut Validator, path: &str, raw: Option<Scalar>, default: &str) -> String {
    v.parse_or(path, raw, default.to_owned(), parse_http_url)
}

pub(super) fn timeout(v: &mut Validator, path: &str, raw: Option<Scalar>) -> Duration {
    v.duration(path, raw, DEFAULT_SEND_TIMEOUT, MIN_TIMEOUT)
}

/// The `rate_limit` of a receiver: as written, or the default of its kind when absent.
/// A bad value is reported at `path`; the receiver's kind may be unknown (`None`) then.
pub(super) fn rate_limit(
    v: &mut Validator,
    path: &str,
    raw: Option<Scalar>,
    kind: Option<&ReceiverKind>,
) -> Option<RateLimit> {
    let default = kind.and_then(RateLimit::default_for);
    v.parse_or(path, raw, default, parse_rate_limit)
}

/// Optional user template; a template that does not compile is an error at its key.
pub(super) fn template(v: &mut Validator, path: &str, raw: Option<Scalar>) -> Option<String> {
    let text = raw?.into_string();
    let mut env = minijinja::Environment::new();
    if let Err(error) = env.add_template("template", &text) {
        let reason = match error.detail() {
            Some(detail) => format!("{}: {detail}", error.kind()),
            None => error.kind().to_string(),
        };
        let offset = error.range().map(|range| range.start);
        v.error_in_text(
            path,
            &text,
            offset,
            format!("is not a valid template: {reason}"),
        );
        return None;
    }
    Some(text)
}

pub(super) fn required_text(v: &mut Validator, path: &str, raw: Option<Scalar>) -> Option<String> {
    if raw.is_none() {
        v.error(path, "is required");
    }
    v.name(path, raw, 256)
}

impl RawTelegram {
    pub(super) fn validate(self, v: &mut Validator, path: &str) -> Option<TelegramSettings> {
        let bot_token = required_secret(
            v,
            &join(path, "bot_token"),
            self.bot_token,
            self.bot_token_file,
        );
        let chat_id = required_text(v, &join(path, "chat_id"), self.chat_id);
        let message_thread_id = v.parse_or(
            &join(path, "message_thread_id"),
            self.message_thread_id,
            None,
            |text| {
                text.parse::<i64>()
                    .map(Some)
                    .map_err(|_| format!("{text:?} is not a whole number"))
            },
        );
        let api_url = api_url(v, &join(path, "api_url"), self.api_url, TELEGRAM_API_URL);
        let silent_below = severity(v, &join(path, "silent_below"), self.silent_below);
        let timeout = timeout(v, &join(path, "timeout"), self.timeout);
        let template = template(v, &join(path, "template"), self.template);
        Some(TelegramSettings {
            bot_token: bot_token?,
            chat_id: chat_id?,
            message_thread_id,
            api_url,
            silent_below,
            timeout,
            template,
        })
    }
}

fn severity(v: &mut Validator, path: &str, raw: Option<Scalar>) -> Option<Severity> {
    v.parse_or(path, raw, None, |text| {
        Severity::parse(text)
            .map(Some)
            .ok_or_else(|| format!("{text:?} is not a severity (use info, warning or critical)"))
    })
}

impl RawSlack {
    pub(super) fn validate(self, v: &mut Validator, path: &str) -> Option<SlackSettings> {
        let url_path = join(path, "webhook_url");
        let webhook = v.secret(&url_path, self.webhook_url, self.webhook_url_file);
        let webhook = secret_url(v, &url_path, webhook);
        let token = v.secret(
            &join(path, "bot_token"),
            self.bot_token,
            self.bot_token_file,
        );
        let channel = v.name(&join(path, "channel"), self.channel, 256);
        let target = match (webhook, token, channel) {
            (Some(url), None, None) => Some(SlackTarget::Webhook { url }),
            (None, Some(token), Some(channel)) => Some(SlackTarget::Bot { token, channel }),
            (None, Some(_), None) => {
                v.error(&join(path, "channel"), "is required with bot_token");
                None
            }
            _ => {
                v.error(path, "set either webhook_url, or bot_token and channel");
                None
            }
        };
        let api_url = api_url(v, &join(path, "api_url"), self.api_url, SLACK_API_URL);
        let timeout = timeout(v, &join(path, "timeout"), self.timeout);
        let template = template(v, &join(path, "template"), self.template);
        Some(SlackSettings {
            target: target?,
            api_url,
            timeout,
            template,
        })
    }
}

impl RawTeams {
    pub(super) fn validate(self, v: &mut Validator, path: &str) -> Option<TeamsSettings> {
        let url_path = join(path, "webhook_url");
        let url = required_secret(v, &url_path, self.webhook_url, self.webhook_url_file);
        let webhook_url = secret_url(v, &url_path, url);
        let format = v.parse_or(
            &join(path, "format"),
            self.format,
            TeamsFormat::default(),
            |text| match text {
                "adaptive_card" => Ok(TeamsFormat::AdaptiveCard),
                "message_card" => Ok(TeamsFormat::MessageCard),
                _ => Err(format!(
                    "{text:?} is not a format (use adaptive_card or message_card)"
                )),
            },
        );
        let timeout = timeout(v, &join(path, "timeout"), self.timeout);
        let template = template(v, &join(path, "template"), self.template);
        Some(TeamsSettings {
            webhook_url: webhook_url?,
            format,
            timeout,
            template,
        })
    }
}
