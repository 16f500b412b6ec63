//! Per-receiver rate limits: the `N/DURATION` form, and each channel's default limit.

use std::fmt;
use std::time::Duration;

use hostpulse_core::duration::{format_duration, parse_duration};

use crate::receiver::ReceiverKind;

/// Shortest accepted rate-limit period.
const MIN_PERIOD: Duration = Duration::from_millis(100);
/// Longest accepted rate-limit period.
const MAX_PERIOD: Duration = Duration::from_secs(3_600);
/// The accepted forms, appended to every parse error.
const FORMS: &str = "use N/DURATION such as 1/1s, 20/1m or 30/s (N ≥ 1, DURATION 100ms to 1h), \
                     or none/unlimited";

/// At most `count` messages per `per` (a token bucket holding `count` tokens).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Messages per period (the bucket size).
    pub count: u32,
    /// The period.
    pub per: Duration,
}

impl RateLimit {
    /// The limit of a receiver without a `rate_limit` key: the provider's documented limit,
    /// `None` (unlimited) for channels without one.
    ///
    /// Telegram allows about one message per second in a chat and 20 per minute in a group or
    /// channel (chat ids starting with `-`); Slack about one per second per webhook or channel;
    /// Teams connectors 4 per second.
    pub fn default_for(kind: &ReceiverKind) -> Option<RateLimit> {
        let limit = |count, secs| {
            Some(RateLimit {
                count,
                per: Duration::from_secs(secs),
            })
        };
        match kind {
            ReceiverKind::Telegram(telegram) if telegram.chat_id.starts_with('-') => limit(20, 60),
            ReceiverKind::Telegram(_) | ReceiverKind::Slack(_) => limit(1, 1),
            ReceiverKind::Teams(_) => limit(4, 1),
            ReceiverKind::Log | ReceiverKind::Email(_) | ReceiverKind::Webhook(_) => None,
        }
    }
}

impl fmt::Display for RateLimit {
    /// `N/DURATION`, e.g. `20/1m`; parses back to the same limit.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.count, format_duration(self.per))
    }
}

/// Parses a `rate_limit` value: `N/DURATION` (a bare unit such as `s` means one of it), or
/// `none`/`unlimited` for `Ok(None)`. The error message names the accepted forms.
pub fn parse_rate_limit(text: &str) -> Result<Option<RateLimit>, String> {
    let text = text.trim();
    if text == "none" || text == "unlimited" {
        return Ok(None);
    }
    let (count, period) = text
        .split_once('/')
        .ok_or_else(|| format!("{text:?} is not a rate limit ({FORMS})"))?;
    let count: u32 = count
        .trim()
        .parse()
        .ok()
        .filter(|count| *count >= 1)
        .ok_or_else(|| format!("{text:?}: the count must be a whole number ≥ 1 ({FORMS})"))?;
    let period = period.trim();
    let per = if !period.is_empty() && period.chars().all(|c| c.is_ascii_alphabetic()) {
        parse_duration(&format!("1{period}"))
    } else {
        parse_duration(period)
    }
    .ok_or_else(|| format!("{text:?}: {period:?} is not a duration ({FORMS})"))?;
    if !(MIN_PERIOD..=MAX_PERIOD).contains(&per) {
        return Err(format!(
            "{text:?}: the period must be 100ms to 1h ({FORMS})"
        ));
    }
    Ok(Some(RateLimit { count, per }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::{
        EmailSettings, SlackSettings, SlackTarget, SmtpSettings, SmtpTls, TeamsFormat,
        TeamsSettings, TelegramSettings, WebhookSettings,
    };
    use hostpulse_core::Secret;

    fn limit(count: u32, millis: u64) -> Option<RateLimit> {
        Some(RateLimit {
            count,
            per: Duration::from_millis(millis),
        })
    }

    fn telegram(chat_id: &str) -> ReceiverKind {
        ReceiverKind::Telegram(TelegramSettings {
            bot_token: Secret::new("1:x"),
            chat_id: chat_id.into(),
            message_thread_id: None,
            api_url: "https://api.telegram.org".into(),
            silent_below: None,
            timeout: Duration::from_secs(10),
            template: None,
        })
    }

    fn email() -> ReceiverKind {
        ReceiverKind::Email(EmailSettings {
            smtp: SmtpSettings {
                host: "localhost".into(),
                port: 25,
                tls: SmtpTls::None,
                username: None,
                password: None,
                ca_file: None,
                insecure_skip_verify: false,
                timeout: Duration::from_secs(10),
            },
            from: "a@example.org".into(),
            to: vec!["b@example.org".into()],
            template: None,
        })
    }

    #[test]
    fn defaults_follow_the_providers_limits() {
        let slack = ReceiverKind::Slack(SlackSettings {
            target: SlackTarget::Webhook {
                url: Secret::new("https://example.org/h"),
            },
            api_url: "https://slack.com/api".into(),
            timeout: Duration::from_secs(10),
            template: None,
        });
        let teams = ReceiverKind::Teams(TeamsSettings {
            webhook_url: Secret::new("https://example.org/t"),
            format: TeamsFormat::AdaptiveCard,
            timeout: Duration::from_secs(10),
            template: None,
        });
        let webhook = ReceiverKind::Webhook(WebhookSettings {
            url: Secret::new("https://example.org/w"),
            headers: Default::default(),
            hmac_secret: None,
            timeout: Duration::from_secs(10),
        });
        assert_eq!(
            RateLimit::default_for(&telegram("-1001234567890")),
            limit(20, 60_000)
        );
        assert_eq!(
            RateLimit::default_for(&telegram("123456789")),
            limit(1, 1_000)
        );
        assert_eq!(RateLimit::default_for(&telegram("@ops")), limit(1, 1_000));
        assert_eq!(RateLimit::default_for(&slack), limit(1, 1_000));
        assert_eq!(RateLimit::default_for(&teams), limit(4, 1_000));
        assert_eq!(RateLimit::default_for(&email()), None);
        assert_eq!(RateLimit::default_for(&webhook), None);
        assert_eq!(RateLimit::default_for(&ReceiverKind::Log), None);
    }

    #[test]
    fn parses_every_form() {
        let cases = [
            ("1/1s", limit(1, 1_000)),
            ("20/1m", limit(20, 60_000)),
            ("30/s", limit(30, 1_000)),
            ("5 / 500ms", limit(5, 500)),
            ("2/1h", limit(2, 3_600_000)),
            ("3/100ms", limit(3, 100)),
            ("none", None),
            ("unlimited", None),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_rate_limit(text), Ok(expected), "{text}");
        }
    }

    #[test]
    fn rejects_bad_values_naming_the_forms() {
        for text in [
            "0/1s", "abc", "5/0s", "5/2h", "5/99ms", "-1/1s", "1/", "/1s", "1/1x", "1.5/1s",
        ] {
            let error = parse_rate_limit(text).expect_err(text);
            assert!(
                error.contains("N/DURATION") && error.contains("none"),
                "{text}: {error}"
            );
        }
    }

    #[test]
    fn display_round_trips() {
        for (limit, text) in [
            (
                RateLimit {
                    count: 20,
                    per: Duration::from_secs(60),
                },
                "20/1m",
            ),
            (
                RateLimit {
                    count: 1,
                    per: Duration::from_secs(1),
                },
                "1/1s",
            ),
            (
                RateLimit {
                    count: 4,
                    per: Duration::from_millis(250),
                },
                "4/250ms",
            ),
        ] {
            assert_eq!(limit.to_string(), text);
            assert_eq!(parse_rate_limit(text), Ok(Some(limit)));
        }
    }
}
