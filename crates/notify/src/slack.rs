//! Slack: an incoming webhook or `chat.postMessage` with Block Kit blocks (header, fields,
//! context) inside an attachment coloured by severity; as a bot, resolutions go into the
//! thread of the firing message.

use crate::{Secret, SlackSettings, SlackTarget};
use async_trait::async_trait;
use hostpulse_core::{Notification, Severity};
use serde_json::{Value, json};

use crate::http::{self, Reply};
use crate::message::Summary;
use crate::parts::PartsSent;
use crate::{Delivered, MessageContext, Notifier, NotifyError, Redactor, SendError};

/// Block Kit limits: header text, section text, fields per section.
const MAX_HEADER_CHARS: usize = 150;
const MAX_SECTION_CHARS: usize = 3000;
const MAX_FIELDS: usize = 10;
/// Alerts shown as their own section; more are counted in the context line.
const MAX_ALERT_SECTIONS: usize = 20;

/// A Slack receiver.
pub(crate) struct Slack {
    client: reqwest::Client,
    settings: SlackSettings,
    redactor: Redactor,
}

impl Slack {
    pub(crate) fn new(receiver: &str, settings: &SlackSettings) -> Result<Self, NotifyError> {
        let client = http::client(settings.timeout).map_err(|e| NotifyError::HttpClient {
            receiver: receiver.to_owned(),
            reason: e.to_string(),
        })?;
        let redactor = match &settings.target {
            SlackTarget::Webhook { url } => Redactor::new().secret_url(url.expose()),
            SlackTarget::Bot { token, .. } => Redactor::new().secret(token.expose()),
        };
        Ok(Self {
            client,
            settings: settings.clone(),
            redactor,
        })
    }
}

impl Slack {
    /// `chat.postMessage` into the channel; a resolved notification with `reply_to` goes into
    /// that thread and is broadcast to the channel too. A message an earlier attempt
    /// delivered is not posted again.
    async fn post_as_bot(
        &self,
        mut body: Value,
        (token, channel): (&Secret, &str),
        resolved: bool,
        ctx: &MessageContext,
    ) -> Result<Delivered, SendError> {
        let mut sent = PartsSent::resume(ctx);
        if sent.count() > 0 {
            return Ok(sent.delivered());
        }
        body["channel"] = json!(channel);
        if let Some(thread) = ctx.reply_to.as_deref().filter(|_| resolved) {
            body["thread_ts"] = json!(thread);
            body["reply_broadcast"] = json!(true);
        }
        let url = format!("{}/chat.postMessage", self.settings.api_url);
        let request = self.client.post(url).bearer_auth(token.expose());
        let reply = http::send(request.json(&body), &self.redactor).await?;
        http::check(&reply, &self.redactor)?;
        let ts = bot_reply(&reply).map_err(|e| http::redact_error(e, &self.redactor))?;
        sent.record(ts, 1)
            .await
            .map_err(|e| http::redact_error(e, &self.redactor))?;
        Ok(sent.delivered())
    }
}

#[async_trait]
impl Notifier for Slack {
    async fn send(&self, n: &Notification, ctx: &MessageContext) -> Result<Delivered, SendError> {
        let summary = Summary::new(n, ctx);
        let body = payload(&summary, self.settings.template.as_deref())?;
        match &self.settings.target {
            SlackTarget::Webhook { url } => {
                let request = self.client.post(url.expose()).json(&body);
                let reply = http::send(request, &self.redactor).await?;
                http::check(&reply, &self.redactor)?;
                Ok(Delivered::default())
            }
            SlackTarget::Bot { token, channel } => {
                self.post_as_bot(body, (token, channel), summary.resolved, ctx)
                    .await
            }
        }
    }
}

/// `chat.postMessage` answers JSON with `ok` and `ts`, or `ok: false` and `error`.
fn bot_reply(reply: &Reply) -> Result<Option<String>, SendError> {
    let Ok(parsed) = serde_json::from_str::<Value>(&reply.body) else {
        return Ok(None);
    };
    if parsed["ok"] == json!(false) {
        let error = parsed["error"]
            .as_str()
            .unwrap_or("unknown error")
            .to_owned();
        return Err(if error == "ratelimited" {
            SendError::Retry {
                reason: error,
                retry_after: http::retry_after_header(&reply.headers),
            }
        } else {
            SendError::Permanent { reason: error }
        });
    }
    Ok(parsed["ts"].as_str().map(str::to_owned))
}

/// The message: fallback text, and an attachment with Block Kit blocks coloured by severity.
pub fn payload(summary: &Summary, template: Option<&str>) -> Result<Value, SendError> {
    let mut blocks = vec![json!({
        "type": "header",
        "text": { "type": "plain_text", "text": cut(&summary.title, MAX_HEADER_CHARS) },
    })];
    if let Some(template) = template {
        let text = summary.render(template)?;
        blocks.push(section(&text));
    } else {
        for alert in summary.alerts.iter().take(MAX_ALERT_SECTIONS) {
            let lines = alert.detail_lines().join("\n");
            let fields = [
                format!("*Host*\n{}", alert.headline()),
                format!("*Severity*\n{}", alert.severity),
                format!("*Details*\n{lines}"),
            ];
            let fields: Vec<Value> = fields
                .iter()
                .take(MAX_FIELDS)
                .map(|text| json!({ "type": "mrkdwn", "text": cut(text, 2000) }))
                .collect();
            blocks.push(json!({ "type": "section", "fields": fields }));
        }
    }
    let mut context = summary.footer_lines();
    let hidden = summary.alerts.len().saturating_sub(MAX_ALERT_SECTIONS);
    if hidden > 0 && template.is_none() {
        context.push(format!("and {hidden} more alerts"));
    }
    if !context.is_empty() {
        blocks.push(json!({
            "type": "context",
            "elements": [{ "type": "mrkdwn", "text": cut(&context.join("\n"), MAX_SECTION_CHARS) }],
        }));
    }
    Ok(json!({
        "text": summary.title,
        "attachments": [{ "color": colour(summary), "blocks": blocks }],
    }))
}

fn section(text: &str) -> Value {
    json!({ "type": "section", "text": { "type": "mrkdwn", "text": cut(text, MAX_SECTION_CHARS) } })
}

fn colour(summary: &Summary) -> &'static str {
    match (summary.resolved, summary.severity) {
        (true, _) => "#2eb886",
        (false, Severity::Critical) => "#d00000",
        (false, Severity::Warning) => "#f2a900",
        (false, Severity::Info) => "#439fe0",
    }
}

/// At most `max` characters, ending in `…` when cut.
pub(crate) fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}
