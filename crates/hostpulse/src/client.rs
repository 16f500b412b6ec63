//! A small blocking client of the hub API for the CLI commands: the hub's one HTTP client
//! (reqwest, set up by `hostpulse_notify::http`), driven by a current-thread runtime.

use crate::cli::ApiArgs;
use anyhow::{Context, Result};
use hostpulse_api::tokens;
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Default URL of a local `hostpulse up`.
pub const DEFAULT_HUB: &str = "http://127.0.0.1:9810";
/// File under the data directory holding the admin token.
pub const ADMIN_TOKEN_FILE: &str = "admin.token";
/// File under the data directory where a running hub records its URL.
pub const HUB_URL_FILE: &str = "hub.url";

/// How long the plain-HTTP check after a failed TLS handshake may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);
/// How long one call may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// An authenticated connection to one hub.
pub struct ApiClient {
    base: String,
    token: String,
    /// Where the local admin token would be, for the hint after an agent token is refused.
    admin_token_path: PathBuf,
    http: reqwest::Client,
    runtime: tokio::runtime::Runtime,
}

fn read_trimmed(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// The hub URL from `--hub`/`HOSTPULSE_HUB`, else the local hub's `hub.url`, else the default;
/// an error names where the bad value came from.
fn hub_url(args: &ApiArgs) -> Result<String> {
    let url_file = args.data_dir.join(HUB_URL_FILE);
    let (text, source) = match (&args.hub, read_trimmed(&url_file)) {
        (Some(hub), _) => (hub.clone(), "--hub (or HOSTPULSE_HUB)".to_string()),
        (None, Some(recorded)) => (recorded, url_file.display().to_string()),
        (None, None) => (DEFAULT_HUB.to_string(), "the default hub URL".to_string()),
    };
    hostpulse_config_core::parse_http_url(&text).map_err(|why| anyhow::anyhow!("{source}: {why}"))
}

impl ApiClient {
    /// Resolves the hub URL and token from flags, env, or the local data directory.
    pub fn from_args(args: &ApiArgs) -> Result<Self> {
        let base = hub_url(args)?;
        let token_path = args.data_dir.join(ADMIN_TOKEN_FILE);
        let token = match &args.token {
            Some(t) => t.clone(),
            None => read_trimmed(&token_path).with_context(|| {
                format!(
                    "no API token: pass --token or set HOSTPULSE_TOKEN (no token found in {})",
                    token_path.display()
                )
            })?,
        };
        let http = hostpulse_notify::http::client_builder()?
            .timeout(CALL_TIMEOUT)
            .build()
            .context("cannot create the HTTP client")?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("cannot start the HTTP runtime")?;
        Ok(Self {
            base,
            token,
            admin_token_path: token_path,
            http,
            runtime,
        })
    }

    /// Why the hub could not be reached: an https URL on a plain-HTTP port is said so.
    fn unreachable(&self, error: reqwest::Error) -> anyhow::Error {
        if !error.is_timeout()
            && let Some(advice) =
                hostpulse_config_core::plain_http_advice(&self.base, PROBE_TIMEOUT)
        {
            return anyhow::anyhow!(advice);
        }
        anyhow::Error::new(error).context(format!("cannot reach the hub at {}", self.base))
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    fn auth(&self) -> String {
        format!("Bearer {}", self.token)
    }

    /// GET `path` and decode the JSON answer.
    pub fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T> {
        self.decode(self.http.get(self.url(path)))
    }

    /// POST JSON to `path` and decode the JSON answer.
    pub fn post<T: DeserializeOwned>(&self, path: &str, body: &serde_json::Value) -> Result<T> {
        self.decode(self.http.post(self.url(path)).json(body))
    }

    /// GET `path` and decode the JSON answer, waiting up to `wait` (host actions).
    pub fn get_waiting<T: DeserializeOwned>(&self, path: &str, wait: Duration) -> Result<T> {
        self.decode(self.http.get(self.url(path)).timeout(wait))
    }

    /// POST without a body to `path` and decode the JSON answer, waiting up to `wait`.
    pub fn post_waiting<T: DeserializeOwned>(&self, path: &str, wait: Duration) -> Result<T> {
        self.decode(self.http.post(self.url(path)).timeout(wait))
    }

    /// DELETE `path` and decode the JSON answer.
    pub fn delete_json<T: DeserializeOwned>(&self, path: &str) -> Result<T> {
        self.decode(self.http.delete(self.url(path)))
    }

    /// DELETE `path`; succeeds on any 2xx.
    pub fn delete(&self, path: &str) -> Result<()> {
        self.runtime.block_on(async {
            let resp = self.send(self.http.delete(self.url(path))).await?;
            if resp.status().is_success() {
                return Ok(());
            }
            Err(self.api_error(resp).await)
        })
    }

    /// Sends `request` with the token; a transport failure says why the hub is unreachable.
    async fn send(&self, request: reqwest::RequestBuilder) -> Result<reqwest::Response> {
        request
            .header("Authorization", self.auth())
            .send()
            .await
            .map_err(|error| self.unreachable(error))
    }

    fn decode<T: DeserializeOwned>(&self, request: reqwest::RequestBuilder) -> Result<T> {
        self.runtime.block_on(async {
            let resp = self.send(request).await?;
            if !resp.status().is_success() {
                return Err(self.api_error(resp).await);
            }
            resp.json::<T>()
                .await
                .context("the hub sent an unreadable answer")
        })
    }

    async fn api_error(&self, resp: reqwest::Response) -> anyhow::Error {
        let status = resp.status();
        let body: serde_json::Value = resp.json().await.unwrap_or_default();
        let error = body["error"].as_str().unwrap_or("error");
        let detail = body["detail"].as_str().unwrap_or("");
        let mut message = format!("hub answered {status}: {error}: {detail}");
        if status == 403 && self.token.starts_with(tokens::AGENT_PREFIX) {
            message.push_str(&self.admin_token_hint());
        }
        anyhow::anyhow!(message)
    }

    /// What to use instead of an agent token.
    fn admin_token_hint(&self) -> String {
        let path = self.admin_token_path.display();
        if self.admin_token_path.exists() {
            format!(
                "\nthe CLI needs the admin API token: drop --token / HOSTPULSE_TOKEN to use {path}"
            )
        } else {
            format!(
                "\nthe CLI needs the admin API token: the hub wrote it to DATA_DIR/admin.token \
                 (pass --token, or --data-dir so that {path} is found)"
            )
        }
    }
}

/// Percent-encodes one path segment or query value.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `?k=v&k2=v2` of the pairs that have a value, percent-encoded; empty if none.
pub fn query_string(pairs: &[(&str, Option<&str>)]) -> String {
    let parts: Vec<String> = pairs
        .iter()
        .filter_map(|(key, value)| value.map(|v| format!("{key}={}", encode(v))))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_skip_missing_values_and_encode() {
        assert_eq!(query_string(&[("a", None)]), "");
        assert_eq!(
            query_string(&[
                ("host", Some("web 1")),
                ("rule", None),
                ("since", Some("-24h"))
            ]),
            "?host=web%201&since=-24h"
        );
    }
}
