//! `telegram.mode`: `getUpdates` long polling or a webhook, and the keys each mode takes.

use std::time::Duration;

use super::{BotMode, DEFAULT_POLL_TIMEOUT};
use crate::scalar::Scalar;
use crate::secret::Secret;
use crate::url::parse_http_url;
use crate::validate::{Validator, join};
use hostpulse_core::duration::parse_duration;
use hostpulse_notify::TELEGRAM_API_URL;

/// Longest accepted long-poll timeout.
const MAX_POLL_TIMEOUT: Duration = Duration::from_secs(60);
/// Ports Telegram delivers webhooks to.
const WEBHOOK_PORTS: [u16; 4] = [443, 80, 88, 8443];
/// Longest webhook secret token Telegram accepts.
const MAX_SECRET_TOKEN_CHARS: usize = 256;

/// The mode keys of the `telegram:` section as written.
pub(super) struct RawModeKeys {
    pub(super) mode: Option<Scalar>,
    pub(super) poll_timeout: Option<Scalar>,
    pub(super) webhook_url: Option<Scalar>,
    pub(super) webhook_secret_token: Option<Secret>,
    pub(super) webhook_secret_token_file: Option<Scalar>,
}

/// The validated mode; `None` after an error (recorded in `v`).
pub(super) fn validate(
    v: &mut Validator,
    section: &str,
    raw: RawModeKeys,
    api_url: &str,
) -> Option<BotMode> {
    match raw
        .mode
        .as_ref()
        .map(|mode| mode.text().to_owned())
        .as_deref()
    {
        None | Some("polling") => polling(v, section, raw),
        Some("webhook") => webhook(v, section, raw, api_url),
        Some(other) => {
            v.error(
                &join(section, "mode"),
                format!("{other:?} is not a mode (use polling or webhook)"),
            );
            None
        }
    }
}

fn polling(v: &mut Validator, section: &str, raw: RawModeKeys) -> Option<BotMode> {
    let webhook_keys = [
        ("webhook_url", raw.webhook_url.is_some()),
        ("webhook_secret_token", raw.webhook_secret_token.is_some()),
        (
            "webhook_secret_token_file",
            raw.webhook_secret_token_file.is_some(),
        ),
    ];
    let mut clean = true;
    for (key, _) in webhook_keys.into_iter().filter(|(_, set)| *set) {
        v.error(
            &join(section, key),
            "applies to mode: webhook only (set mode: webhook, or remove the key)",
        );
        clean = false;
    }
    let path = join(section, "poll_timeout");
    let timeout = v.parse_or(
        &path,
        raw.poll_timeout,
        Some(DEFAULT_POLL_TIMEOUT),
        |text| parse_poll_timeout(text).map(Some),
    );
    if !clean {
        return None;
    }
    Some(BotMode::Polling { timeout: timeout? })
}

fn parse_poll_timeout(text: &str) -> Result<Duration, String> {
    let timeout = parse_duration(text)
        .ok_or_else(|| format!("{text:?} is not a duration (use e.g. 30s, 50s, 1m)"))?;
    let in_range = (Duration::from_secs(1)..=MAX_POLL_TIMEOUT).contains(&timeout);
    if !in_range || timeout.subsec_nanos() != 0 {
        return Err(format!(
            "{text:?} is out of range (use whole seconds from 1s to 60s)"
        ));
    }
    Ok(timeout)
}

fn webhook(v: &mut Validator, section: &str, raw: RawModeKeys, api_url: &str) -> Option<BotMode> {
    if raw.poll_timeout.is_some() {
        v.error(
            &join(section, "poll_timeout"),
            "applies to mode: polling only (remove it in webhook mode)",
        );
    }
    let url_path = join(section, "webhook_url");
    let url = match raw.webhook_url {
        Some(url) => check_webhook_url(url.text(), api_url == TELEGRAM_API_URL)
            .map_err(|message| v.error(&url_path, message))
            .ok(),
        None => {
            v.error(
                &url_path,
                "is required in webhook mode: the https URL Telegram posts updates to",
            );
            None
        }
    };
    let secret_token = secret_token(
        v,
        &join(section, "webhook_secret_token"),
        raw.webhook_secret_token,
        raw.webhook_secret_token_file,
    );
    Some(BotMode::Webhook {
        url: url?,
        secret_token: secret_token?,
    })
}

/// The webhook URL: https with a path, on a port Telegram delivers to; a self-hosted Bot API
/// server (`official` false) also delivers over http and to any port. The value is not echoed.
fn check_webhook_url(text: &str, official: bool) -> Result<String, String> {
    let url = parse_http_url(text).map_err(|_| {
        "is not a valid http(s) URL without credentials (the value is not shown)".to_owned()
    })?;
    let https = url.to_ascii_lowercase().starts_with("https://");
    if official && !https {
        return Err("must start with https://: Telegram delivers webhooks over HTTPS only".into());
    }
    let after_scheme = url.split_once("://").map_or("", |(_, rest)| rest);
    let (authority, path) = after_scheme
        .find(['/', '?', '#'])
        .map_or((after_scheme, ""), |at| after_scheme.split_at(at));
    let path = path.split(['?', '#']).next().unwrap_or_default();
    if !path.starts_with('/') || path.len() < 2 {
        return Err(
            "needs a path the hub serves updates on, e.g. https://hub.example.com/telegram/webhook"
                .into(),
        );
    }
    if path == "/healthz" || path == "/api" || path.starts_with("/api/") {
        return Err(format!(
            "has the path {path}, which the hub's API serves; use another, e.g. /telegram/webhook"
        ));
    }
    let port = explicit_port(authority).unwrap_or(if https { 443 } else { 80 });
    if official && !WEBHOOK_PORTS.contains(&port) {
        return Err(format!(
            "uses port {port}; Telegram delivers webhooks to ports 443, 80, 88 and 8443 only"
        ));
    }
    Ok(url)
}

/// The port written in `host:port` or `[v6]:port`, if any.
fn explicit_port(authority: &str) -> Option<u16> {
    let after_host = authority
        .rsplit_once(']')
        .map_or(authority, |(_, rest)| rest);
    after_host.rsplit_once(':')?.1.parse().ok()
}

/// The required secret token Telegram sends back in `X-Telegram-Bot-Api-Secret-Token`.
fn secret_token(
    v: &mut Validator,
    path: &str,
    inline: Option<Secret>,
    file: Option<Scalar>,
) -> Option<Secret> {
    if inline.is_none() && file.is_none() {
        v.error(
            path,
            format!("is required in webhook mode (or set {path}_file)"),
        );
        return None;
    }
    let token = v.secret(path, inline, file)?;
    let token = Secret::new(token.expose().trim());
    let valid = token.expose().chars().count() <= MAX_SECRET_TOKEN_CHARS
        && token
            .expose()
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !valid {
        v.error(
            path,
            "must be 1 to 256 characters of A-Z, a-z, 0-9, _ and - \
             (the value is a secret and not shown)",
        );
        return None;
    }
    Some(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poll_timeout_is_whole_seconds_up_to_a_minute() {
        assert_eq!(parse_poll_timeout("50s"), Ok(Duration::from_secs(50)));
        assert_eq!(parse_poll_timeout("1m"), Ok(Duration::from_secs(60)));
        for bad in ["0s", "61s", "1500ms", "soon"] {
            assert!(parse_poll_timeout(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn webhook_urls_follow_telegrams_rules() {
        let ok = |url: &str| check_webhook_url(url, true);
        assert_eq!(
            ok("https://hub.example.com/telegram/x/"),
            Ok("https://hub.example.com/telegram/x".to_owned())
        );
        assert!(ok("https://hub.example.com:8443/tg").is_ok());
        assert!(ok("https://[2001:db8::1]:88/tg").is_ok());
        for bad in [
            "http://hub.example.com/tg",
            "https://hub.example.com",
            "https://hub.example.com/",
            "https://hub.example.com/?token=x",
            "https://hub.example.com:9810/tg",
            "https://user:pw@hub.example.com/tg",
            "hub.example.com/tg",
        ] {
            let error = ok(bad).expect_err(bad);
            assert!(!error.contains("user:pw"), "{error}");
        }
    }

    #[test]
    fn a_self_hosted_bot_api_server_allows_http_and_any_port() {
        assert!(check_webhook_url("http://10.0.0.5:9810/tg", false).is_ok());
        assert!(check_webhook_url("http://10.0.0.5:9810", false).is_err());
    }
}
