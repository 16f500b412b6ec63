//! The one Telegram Bot API client of the hub, used by the notifier and the bot: calls
//! `<api_url>/bot<token>/<method>` with JSON or multipart bodies, reads the `{"ok", "result",
//! "description", "parameters"}` envelope and classifies failures; the token (and any other
//! secret it is told about) never appears in an error.

mod error;

use std::time::Duration;

use reqwest::multipart::{Form, Part};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

pub use error::{BotApiError, DEFAULT_RATE_LIMIT_WAIT};

use crate::Redactor;
use crate::http::{self, CONNECT_TIMEOUT};

/// Longest description kept from an error answer, in characters.
const MAX_DESCRIPTION_CHARS: usize = 300;

/// A file sent from memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    /// The file name shown in the chat.
    pub file_name: String,
    /// The file's content.
    pub bytes: Vec<u8>,
    /// Caption, HTML.
    pub caption: Option<String>,
}

/// Client of one bot.
#[derive(Clone)]
pub struct BotApi {
    http: reqwest::Client,
    base: String,
    timeout: Duration,
    redactor: Redactor,
}

/// The envelope of every Bot API answer.
#[derive(Deserialize)]
struct Envelope {
    ok: bool,
    #[serde(default)]
    result: Value,
    #[serde(default)]
    description: String,
    #[serde(default)]
    parameters: Option<Parameters>,
}

#[derive(Deserialize)]
struct Parameters {
    retry_after: Option<u64>,
}

impl BotApi {
    /// A client for `api_url` (e.g. `https://api.telegram.org`) and `token`; `timeout` is the
    /// default time a call may take (connecting: at most 5 s of it).
    pub fn new(api_url: &str, token: &str, timeout: Duration) -> Result<Self, BotApiError> {
        let redactor = Redactor::new().secret(token);
        let builder = http::client_builder().map_err(|e| BotApiError::Network(e.to_string()))?;
        let http = builder
            .connect_timeout(CONNECT_TIMEOUT.min(timeout))
            .build()
            .map_err(|e| network_error(e, &redactor))?;
        Ok(Self {
            http,
            base: format!("{}/bot{token}", api_url.trim_end_matches('/')),
            timeout,
            redactor,
        })
    }

    /// The same client, also hiding `url` (and its path) and `secret` in errors.
    pub fn hiding(mut self, url: &str, secret: &str) -> Self {
        self.redactor = self.redactor.secret_url(url).secret(secret);
        self
    }

    /// The default time a call may take.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The redactor that hides this client's secrets.
    pub fn redactor(&self) -> &Redactor {
        &self.redactor
    }

    /// Calls `method` with a JSON `body`, allowing it `timeout`, and decodes its `result`.
    pub async fn call<T: DeserializeOwned>(
        &self,
        method: &str,
        body: &Value,
        timeout: Duration,
    ) -> Result<T, BotApiError> {
        let request = self.http.post(self.url(method)).json(body);
        self.finish(request, timeout).await
    }

    /// Calls an upload `method` (`sendPhoto`, `sendDocument`) with the file in `field`.
    pub async fn upload<T: DeserializeOwned>(
        &self,
        method: &str,
        field: &'static str,
        chat_id: i64,
        upload: Upload,
    ) -> Result<T, BotApiError> {
        let part = Part::bytes(upload.bytes).file_name(upload.file_name);
        let mut form = Form::new()
            .text("chat_id", chat_id.to_string())
            .part(field, part);
        if let Some(caption) = upload.caption {
            form = form.text("caption", caption).text("parse_mode", "HTML");
        }
        let request = self.http.post(self.url(method)).multipart(form);
        self.finish(request, self.timeout).await
    }

    async fn finish<T: DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
        timeout: Duration,
    ) -> Result<T, BotApiError> {
        let response = request
            .timeout(timeout)
            .send()
            .await
            .map_err(|e| network_error(e, &self.redactor))?;
        let status = response.status().as_u16();
        let header_wait = http::retry_after_header(response.headers());
        let text = response
            .text()
            .await
            .map_err(|e| network_error(e, &self.redactor))?;
        self.decode(status, &text, header_wait)
    }

    /// Reads an answer: `result` of an `ok` envelope with a 2xx status, else the error its
    /// status names (a 2xx with `ok: false` counts as 400), the wait taken from
    /// `parameters.retry_after`, else from the `Retry-After` header.
    fn decode<T: DeserializeOwned>(
        &self,
        status: u16,
        text: &str,
        header_wait: Option<Duration>,
    ) -> Result<T, BotApiError> {
        let envelope: Option<Envelope> = serde_json::from_str(text).ok();
        match envelope {
            Some(envelope) if envelope.ok && (200..300).contains(&status) => {
                serde_json::from_value(envelope.result)
                    .map_err(|e| BotApiError::Network(format!("unexpected answer: {e}")))
            }
            Some(envelope) => {
                let wait = envelope.parameters.and_then(|p| p.retry_after);
                let status = if (200..300).contains(&status) {
                    400
                } else {
                    status
                };
                Err(BotApiError::from_status(
                    status,
                    self.shorten(&envelope.description),
                    wait.map(Duration::from_secs).or(header_wait),
                ))
            }
            None => Err(BotApiError::from_status(
                status,
                self.shorten(text),
                header_wait,
            )),
        }
    }

    /// Redacted first, then cut, so that no part of a secret survives the cut.
    fn shorten(&self, text: &str) -> String {
        let redacted = self.redactor.redact(text.trim());
        if redacted.chars().count() <= MAX_DESCRIPTION_CHARS {
            return redacted;
        }
        let cut: String = redacted.chars().take(MAX_DESCRIPTION_CHARS).collect();
        format!("{cut}...")
    }

    fn url(&self, method: &str) -> String {
        format!("{}/{method}", self.base)
    }
}

fn network_error(error: reqwest::Error, redactor: &Redactor) -> BotApiError {
    BotApiError::Network(redactor.redact(&http::transport_error_text(error)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api() -> BotApi {
        BotApi::new("http://127.0.0.1:1", "123:SECRET", Duration::from_secs(1)).unwrap()
    }

    #[test]
    fn answers_decode_to_results_and_classified_errors() {
        let api = api();
        let ok: Value = api
            .decode(200, r#"{"ok":true,"result":{"message_id":5}}"#, None)
            .unwrap();
        assert_eq!(ok["message_id"], 5);
        let limited = api.decode::<Value>(
            429,
            r#"{"ok":false,"description":"Too Many Requests","parameters":{"retry_after":7}}"#,
            Some(Duration::from_secs(1)),
        );
        assert_eq!(
            limited.unwrap_err().rate_limit_wait(),
            Some(Duration::from_secs(7))
        );
        let refused = api.decode::<Value>(200, r#"{"ok":false,"description":"no"}"#, None);
        assert!(matches!(
            refused,
            Err(BotApiError::Refused { status: 400, .. })
        ));
        let bad_gateway = api.decode::<Value>(502, "Bad Gateway", Some(Duration::from_secs(3)));
        assert!(matches!(
            bad_gateway,
            Err(BotApiError::Server {
                status: 502,
                retry_after: Some(_),
                ..
            })
        ));
        let conflict = api.decode::<Value>(409, r#"{"ok":false,"description":"Conflict"}"#, None);
        assert!(matches!(conflict, Err(BotApiError::Conflict { .. })));
    }

    #[test]
    fn descriptions_are_redacted_and_cut() {
        let api = api();
        let long = format!("bot123:SECRET {}", "x".repeat(400));
        let Err(BotApiError::Refused { description, .. }) = api.decode::<Value>(400, &long, None)
        else {
            panic!("refused expected");
        };
        assert!(!description.contains("SECRET"), "{description}");
        assert!(description.ends_with("..."));
    }
}
