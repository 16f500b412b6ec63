//! Microsoft Teams: a Workflows webhook with an Adaptive Card attachment, or the legacy
//! Office 365 connector MessageCard.

use crate::{TeamsFormat, TeamsSettings};
use async_trait::async_trait;
use hostpulse_core::{Notification, Severity};
use serde_json::{Value, json};

use crate::http;
use crate::message::Summary;
use crate::slack::cut;
use crate::{Delivered, MessageContext, Notifier, NotifyError, Redactor, SendError};

/// Content type of an Adaptive Card attachment.
pub const ADAPTIVE_CARD: &str = "application/vnd.microsoft.card.adaptive";
/// Longest text put in one card, in characters (Teams rejects messages over about 28 KB).
const MAX_CARD_TEXT_CHARS: usize = 20_000;

/// A Teams receiver.
pub(crate) struct Teams {
    client: reqwest::Client,
    settings: TeamsSettings,
    redactor: Redactor,
}

impl Teams {
    pub(crate) fn new(receiver: &str, settings: &TeamsSettings) -> Result<Self, NotifyError> {
        let client = http::client(settings.timeout).map_err(|e| NotifyError::HttpClient {
            receiver: receiver.to_owned(),
            reason: e.to_string(),
        })?;
        Ok(Self {
            client,
            redactor: Redactor::new().secret_url(settings.webhook_url.expose()),
            settings: settings.clone(),
        })
    }
}

#[async_trait]
impl Notifier for Teams {
    async fn send(&self, n: &Notification, ctx: &MessageContext) -> Result<Delivered, SendError> {
        let summary = Summary::new(n, ctx);
        let body = summary.text_or_template(self.settings.template.as_deref())?;
        let body = cut(&body, MAX_CARD_TEXT_CHARS);
        let payload = match self.settings.format {
            TeamsFormat::AdaptiveCard => adaptive_card(&summary, &body),
            TeamsFormat::MessageCard => message_card(&summary, &body),
        };
        let request = self.client.post(self.settings.webhook_url.expose());
        let reply = http::send(request.json(&payload), &self.redactor).await?;
        http::check(&reply, &self.redactor)?;
        Ok(Delivered::default())
    }
}

/// A Workflows message with one Adaptive Card attachment.
pub fn adaptive_card(summary: &Summary, text: &str) -> Value {
    let style = match (summary.resolved, summary.severity) {
        (true, _) => "good",
        (false, Severity::Critical) => "attention",
        (false, _) => "warning",
    };
    let body = vec![
        json!({ "type": "TextBlock", "text": summary.title, "weight": "Bolder",
                "size": "Medium", "color": style, "wrap": true }),
        json!({ "type": "TextBlock", "text": text.replace('\n', "\n\n"), "wrap": true }),
    ];
    let mut actions = Vec::new();
    if let Some(link) = &summary.link {
        actions.push(json!({ "type": "Action.OpenUrl", "title": "Dashboard", "url": link }));
    }
    json!({
        "type": "message",
        "attachments": [{
            "contentType": ADAPTIVE_CARD,
            "contentUrl": null,
            "content": {
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.4",
                "msteams": { "width": "Full" },
                "body": body,
                "actions": actions,
            },
        }],
    })
}

/// The legacy Office 365 connector card.
pub fn message_card(summary: &Summary, text: &str) -> Value {
    let colour = match (summary.resolved, summary.severity) {
        (true, _) => "2EB886",
        (false, Severity::Critical) => "D00000",
        (false, Severity::Warning) => "F2A900",
        (false, Severity::Info) => "439FE0",
    };
    let mut card = json!({
        "@type": "MessageCard",
        "@context": "https://schema.org/extensions",
        "summary": summary.title,
        "themeColor": colour,
        "title": summary.title,
        "text": text.replace('\n', "<br>"),
    });
    if let Some(link) = &summary.link {
        card["potentialAction"] = json!([{
            "@type": "OpenUri", "name": "Dashboard",
            "targets": [{ "os": "default", "uri": link }],
        }]);
    }
    card
}
