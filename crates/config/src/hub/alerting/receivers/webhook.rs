//! `type: webhook` receivers as written, and their validation.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{required_secret, secret_url, timeout};
use crate::scalar::Scalar;
use crate::secret::Secret;
use crate::validate::{Validator, join};
use hostpulse_notify::WebhookSettings;

/// A `type: webhook` receiver as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawWebhook {
    pub(in crate::hub::alerting) name: Option<Scalar>,
    pub(in crate::hub::alerting) rate_limit: Option<Scalar>,
    pub(in crate::hub::alerting) max_attempts: Option<Scalar>,
    pub(in crate::hub::alerting) max_age: Option<Scalar>,
    url: Option<Secret>,
    url_file: Option<Scalar>,
    headers: Option<BTreeMap<String, Secret>>,
    hmac_secret: Option<Secret>,
    hmac_secret_file: Option<Scalar>,
    timeout: Option<Scalar>,
}

impl RawWebhook {
    pub(in crate::hub::alerting) fn validate(
        self,
        v: &mut Validator,
        path: &str,
    ) -> Option<WebhookSettings> {
        let url_path = join(path, "url");
        let url = required_secret(v, &url_path, self.url, self.url_file);
        let url = secret_url(v, &url_path, url);
        let headers = self.headers.unwrap_or_default();
        for name in headers.keys() {
            let valid = !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_".contains(c));
            if !valid {
                v.error(
                    &join(&join(path, "headers"), name),
                    format!("{name:?} is not an HTTP header name"),
                );
            }
        }
        let hmac_secret = v.secret(
            &join(path, "hmac_secret"),
            self.hmac_secret,
            self.hmac_secret_file,
        );
        let timeout = timeout(v, &join(path, "timeout"), self.timeout);
        Some(WebhookSettings {
            url: url?,
            headers,
            hmac_secret,
            timeout,
        })
    }
}
