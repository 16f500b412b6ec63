//! Webhooks: a JSON POST in Alertmanager's webhook format (version 4), custom headers, an
//! `Idempotency-Key` stable across attempts and an optional HMAC-SHA256 body signature.

use std::collections::BTreeMap;

use crate::WebhookSettings;
use async_trait::async_trait;
use hmac::{Hmac, Mac};
use hostpulse_core::{Alert, AlertState, Labels, Notification, NotificationKind};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::http;
use crate::message::{current_summary, rfc3339};
use crate::{Delivered, MessageContext, Notifier, NotifyError, Redactor, SendError};

/// Header carrying `sha256=<hex HMAC-SHA256 of the body>` when `hmac_secret` is set.
pub const SIGNATURE_HEADER: &str = "X-Hostpulse-Signature";
/// Header carrying the notification's idempotency key, the same on every attempt.
const IDEMPOTENCY_HEADER: &str = "Idempotency-Key";
/// Alertmanager's "zero time" for alerts that have not ended.
const ZERO_TIME: &str = "0001-01-01T00:00:00Z";

/// A webhook receiver.
pub(crate) struct Webhook {
    receiver: String,
    client: reqwest::Client,
    settings: WebhookSettings,
    redactor: Redactor,
}

impl Webhook {
    pub(crate) fn new(receiver: &str, settings: &WebhookSettings) -> Result<Self, NotifyError> {
        let client = http::client(settings.timeout).map_err(|e| NotifyError::HttpClient {
            receiver: receiver.to_owned(),
            reason: e.to_string(),
        })?;
        let mut redactor = Redactor::new().secret_url(settings.url.expose());
        for value in settings.headers.values() {
            redactor = redactor.secret(value.expose());
        }
        if let Some(key) = &settings.hmac_secret {
            redactor = redactor.secret(key.expose());
        }
        Ok(Self {
            receiver: receiver.to_owned(),
            client,
            settings: settings.clone(),
            redactor,
        })
    }

    fn request(
        &self,
        body: Vec<u8>,
        idempotency_key: &str,
    ) -> Result<reqwest::RequestBuilder, SendError> {
        let mut request = self
            .client
            .post(self.settings.url.expose())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(IDEMPOTENCY_HEADER, idempotency_key);
        for (name, value) in &self.settings.headers {
            request = request.header(name.as_str(), value.expose());
        }
        if let Some(key) = &self.settings.hmac_secret {
            request = request.header(SIGNATURE_HEADER, sign(key.expose(), &body)?);
        }
        Ok(request.body(body))
    }
}

#[async_trait]
impl Notifier for Webhook {
    async fn send(&self, n: &Notification, ctx: &MessageContext) -> Result<Delivered, SendError> {
        let payload = alertmanager_payload(&self.receiver, n, ctx);
        let body = serde_json::to_vec(&payload).map_err(|e| SendError::Permanent {
            reason: format!("cannot encode the payload: {e}"),
        })?;
        let request = self.request(body, &n.idempotency_key())?;
        let reply = http::send(request, &self.redactor).await?;
        http::check(&reply, &self.redactor)?;
        Ok(Delivered::default())
    }
}

/// `sha256=<hex>` of the body keyed with `key`.
pub fn sign(key: &str, body: &[u8]) -> Result<String, SendError> {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(key.as_bytes()).map_err(|_| SendError::Permanent {
            reason: "invalid HMAC key".into(),
        })?;
    mac.update(body);
    Ok(format!(
        "sha256={}",
        hex::encode(mac.finalize().into_bytes())
    ))
}

/// The Alertmanager webhook body (version "4") for a notification.
pub fn alertmanager_payload(receiver: &str, n: &Notification, ctx: &MessageContext) -> Value {
    let status = if n.kind == NotificationKind::Resolved {
        "resolved"
    } else {
        "firing"
    };
    let alerts: Vec<Value> = n.alerts.iter().map(|a| alert_json(a, ctx)).collect();
    let label_sets: Vec<Labels> = n.alerts.iter().map(all_labels).collect();
    let annotation_sets: Vec<Labels> = n.alerts.iter().map(annotations).collect();
    json!({
        "version": "4",
        "groupKey": n.group_key,
        "truncatedAlerts": 0,
        "status": status,
        "receiver": receiver,
        "groupLabels": n.group_labels,
        "commonLabels": common(&label_sets),
        "commonAnnotations": common(&annotation_sets),
        "externalURL": ctx.external_url.clone().unwrap_or_default(),
        "alerts": alerts,
    })
}

fn alert_json(alert: &Alert, ctx: &MessageContext) -> Value {
    let resolved = alert.state == AlertState::Resolved;
    let ends_at = match (resolved, alert.resolved_ms) {
        (true, Some(ms)) => rfc3339(ms),
        _ => ZERO_TIME.to_owned(),
    };
    let generator = ctx
        .external_url
        .as_deref()
        .map(|url| format!("{}/alerts/{}", url.trim_end_matches('/'), alert.id))
        .unwrap_or_default();
    json!({
        "status": if resolved { "resolved" } else { "firing" },
        "labels": all_labels(alert),
        "annotations": annotations(alert),
        "startsAt": rfc3339(alert.firing_since_ms.unwrap_or(alert.active_since_ms)),
        "endsAt": ends_at,
        "generatorURL": generator,
        "fingerprint": alert.id,
    })
}

/// The alert's labels plus `alertname`, `host` and `severity`, as Alertmanager receivers expect.
fn all_labels(alert: &Alert) -> Labels {
    let mut labels = alert.labels.clone();
    labels.insert("alertname".into(), alert.rule.clone());
    labels.insert("host".into(), alert.host.clone());
    labels.insert("severity".into(), alert.severity.as_str().into());
    labels
}

fn annotations(alert: &Alert) -> Labels {
    let mut out: Labels = alert.annotations.clone().into_iter().collect();
    out.insert("summary".into(), current_summary(alert));
    if !alert.description.is_empty() {
        out.insert("description".into(), alert.description.clone());
    }
    out
}

/// Pairs present with equal values in every set.
fn common(sets: &[Labels]) -> BTreeMap<String, String> {
    let Some((first, rest)) = sets.split_first() else {
        return BTreeMap::new();
    };
    first
        .iter()
        .filter(|(k, v)| rest.iter().all(|set| set.get(*k) == Some(*v)))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}
