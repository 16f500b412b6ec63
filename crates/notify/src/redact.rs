//! Removes configured secrets (tokens, passwords, webhook URLs and their paths) from text.

/// Placeholder written where a secret was.
pub const REDACTED: &str = "<redacted>";

/// Shortest secret fragment that is replaced; shorter ones would mangle ordinary text.
const MIN_SECRET_CHARS: usize = 4;

/// Replaces every known secret in a text by `<redacted>`.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    secrets: Vec<String>,
}

impl Redactor {
    /// A redactor that knows no secret yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a secret value (token, password, header value).
    pub fn secret(mut self, value: &str) -> Self {
        self.push(value);
        self
    }

    /// Adds a secret URL: the whole URL, and its path and query (the secret part of a webhook).
    pub fn secret_url(mut self, url: &str) -> Self {
        self.push(url);
        let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
        if let Some(slash) = after_scheme.find(['/', '?']) {
            let path = &after_scheme[slash..];
            if path.len() > 1 {
                self.push(path);
            }
        }
        self
    }

    fn push(&mut self, value: &str) {
        let value = value.trim();
        if value.chars().count() >= MIN_SECRET_CHARS && !self.secrets.iter().any(|s| s == value) {
            self.secrets.push(value.to_owned());
            // Longest first, so a URL is replaced before its path.
            self.secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        }
    }

    /// The text with every secret replaced.
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for secret in &self.secrets {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), REDACTED);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_tokens_urls_and_url_paths() {
        let r = Redactor::new()
            .secret("123:ABCDEF")
            .secret_url("https://hooks.slack.com/services/T0/B0/XYZ");
        let text = "POST https://hooks.slack.com/services/T0/B0/XYZ failed; \
                    path /services/T0/B0/XYZ; bot123:ABCDEF/sendMessage";
        let out = r.redact(text);
        assert!(!out.contains("XYZ") && !out.contains("ABCDEF"), "{out}");
        assert!(out.contains("hooks.slack.com") || out.contains(REDACTED));
    }

    #[test]
    fn ignores_tiny_values() {
        let r = Redactor::new().secret("ab");
        assert_eq!(r.redact("abc"), "abc");
    }
}
