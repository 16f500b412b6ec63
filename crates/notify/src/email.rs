//! E-mail over SMTP (STARTTLS, implicit TLS or plain for a local relay) with lettre:
//! one multipart plain + HTML message per notification, with a stable `Message-ID` and
//! resolutions threaded under the firing message.

use crate::{EmailSettings, SmtpTls};
use async_trait::async_trait;
use hostpulse_core::Notification;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, CertificateStore, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::message::Summary;
use crate::parts::PartsSent;
use crate::{Delivered, MessageContext, Notifier, NotifyError, Redactor, SendError};
use hostpulse_core::text::escape_html;

/// An e-mail receiver.
pub(crate) struct Email {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    to: Vec<Mailbox>,
    template: Option<String>,
    redactor: Redactor,
}

impl Email {
    pub(crate) fn new(receiver: &str, settings: &EmailSettings) -> Result<Self, NotifyError> {
        let smtp_error = |reason: String| NotifyError::Smtp {
            receiver: receiver.to_owned(),
            reason,
        };
        let parse = |text: &str| {
            text.parse::<Mailbox>()
                .map_err(|e| smtp_error(format!("{text:?} is not an address: {e}")))
        };
        let from = parse(&settings.from)?;
        let to = settings
            .to
            .iter()
            .map(|address| parse(address))
            .collect::<Result<_, _>>()?;
        let mut redactor = Redactor::new();
        if let Some(password) = &settings.smtp.password {
            redactor = redactor.secret(password.expose());
        }
        Ok(Self {
            transport: transport(receiver, settings)?,
            from,
            to,
            template: settings.template.clone(),
            redactor,
        })
    }

    /// `<{idempotency_key}@{domain of from}>`: the same on every attempt, so a re-sent
    /// message can be recognised as a duplicate.
    fn message_id(&self, n: &Notification) -> String {
        format!("<{}@{}>", n.idempotency_key(), self.from.email.domain())
    }

    fn message(
        &self,
        summary: &Summary,
        message_id: &str,
        ctx: &MessageContext,
    ) -> Result<Message, SendError> {
        let plain = summary.text_or_template(self.template.as_deref())?;
        let html = html_body(&plain);
        let mut builder = Message::builder()
            .from(self.from.clone())
            .subject(summary.title.clone())
            .message_id(Some(message_id.to_owned()));
        let parent = ctx.reply_to.as_deref();
        if let Some(parent) = parent.filter(|id| summary.resolved && is_message_id(id)) {
            builder = builder
                .in_reply_to(parent.to_owned())
                .references(parent.to_owned());
        }
        for to in &self.to {
            builder = builder.to(to.clone());
        }
        builder
            .multipart(MultiPart::alternative_plain_html(plain, html))
            .map_err(|e| SendError::Permanent {
                reason: format!("cannot build the message: {e}"),
            })
    }
}

/// Whether `text` is a single `<id@domain>` (so it cannot break the header it is put in).
fn is_message_id(text: &str) -> bool {
    text.len() > 2
        && text.starts_with('<')
        && text.ends_with('>')
        && text[1..text.len() - 1]
            .chars()
            .all(|c| c.is_ascii_graphic() && c != '<' && c != '>')
}

fn transport(
    receiver: &str,
    settings: &EmailSettings,
) -> Result<AsyncSmtpTransport<Tokio1Executor>, NotifyError> {
    let smtp = &settings.smtp;
    let tls = match smtp.tls {
        SmtpTls::None => Tls::None,
        SmtpTls::StartTls => Tls::Required(tls_parameters(receiver, settings)?),
        SmtpTls::Tls => Tls::Wrapper(tls_parameters(receiver, settings)?),
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(smtp.host.as_str())
        .port(smtp.port)
        .tls(tls)
        .timeout(Some(smtp.timeout));
    if let (Some(user), Some(password)) = (&smtp.username, &smtp.password) {
        builder = builder.credentials(Credentials::new(user.clone(), password.expose().into()));
    }
    Ok(builder.build())
}

fn tls_parameters(receiver: &str, settings: &EmailSettings) -> Result<TlsParameters, NotifyError> {
    let smtp = &settings.smtp;
    let mut builder = TlsParameters::builder(smtp.host.clone());
    if smtp.insecure_skip_verify {
        tracing::warn!(
            receiver,
            "insecure_skip_verify is set: the SMTP server's certificate is not checked"
        );
        builder = builder
            .dangerous_accept_invalid_certs(true)
            .dangerous_accept_invalid_hostnames(true);
    }
    if let Some(path) = &smtp.ca_file {
        let ca_error = |reason: String| NotifyError::CaFile {
            receiver: receiver.to_owned(),
            path: path.display().to_string(),
            reason,
        };
        let pem = std::fs::read(path).map_err(|e| ca_error(e.to_string()))?;
        let certificate = Certificate::from_pem(&pem).map_err(|e| ca_error(e.to_string()))?;
        builder = builder
            .certificate_store(CertificateStore::None)
            .add_root_certificate(certificate);
    }
    builder.build_rustls().map_err(|e| NotifyError::Smtp {
        receiver: receiver.to_owned(),
        reason: format!("TLS setup failed: {e}"),
    })
}

/// The plain text as simple HTML.
fn html_body(plain: &str) -> String {
    let mut lines = plain.lines();
    let title = lines.next().unwrap_or_default();
    let rest: Vec<String> = lines.map(escape_html).collect();
    format!(
        "<html><body><h2>{}</h2><pre style=\"font-family:sans-serif\">{}</pre></body></html>",
        escape_html(title),
        rest.join("\n")
    )
}

#[async_trait]
impl Notifier for Email {
    async fn send(&self, n: &Notification, ctx: &MessageContext) -> Result<Delivered, SendError> {
        let mut sent = PartsSent::resume(ctx);
        if sent.count() > 0 {
            return Ok(sent.delivered());
        }
        let message_id = self.message_id(n);
        let message = self.message(&Summary::new(n, ctx), &message_id, ctx)?;
        if let Err(error) = self.transport.send(message).await {
            let reason = self.redactor.redact(&smtp_reason(&error));
            return Err(if error.is_permanent() {
                SendError::Permanent { reason }
            } else {
                SendError::Retry {
                    reason,
                    retry_after: None,
                }
            });
        }
        sent.record(Some(message_id), 1)
            .await
            .map_err(|e| crate::http::redact_error(e, &self.redactor))?;
        Ok(sent.delivered())
    }
}

fn smtp_reason(error: &lettre::transport::smtp::Error) -> String {
    let mut reason = format!("SMTP: {error}");
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        reason.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    reason
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use crate::SmtpSettings;
    use hostpulse_core::{AlertState, DeliveryStatus, NotificationKind, Severity};

    use super::*;

    fn email() -> Email {
        let settings = EmailSettings {
            smtp: SmtpSettings {
                host: "127.0.0.1".into(),
                port: 25,
                tls: SmtpTls::None,
                username: None,
                password: None,
                ca_file: None,
                insecure_skip_verify: false,
                timeout: Duration::from_secs(1),
            },
            from: "hostpulse <alerts@mail.example.org>".into(),
            to: vec!["ops@example.org".into()],
            template: None,
        };
        Email::new("ops-mail", &settings).expect("email receiver")
    }

    fn resolved() -> Notification {
        let mut n = crate::test_notification("ops-mail", 1_700_000_000_000);
        n.id = 12;
        n.kind = NotificationKind::Resolved;
        n.severity = Severity::Critical;
        n.status = DeliveryStatus::Sending;
        n.alerts[0].state = AlertState::Resolved;
        n
    }

    fn header_block(n: &Notification, ctx: &MessageContext) -> String {
        let email = email();
        let message = email
            .message(&Summary::new(n, ctx), &email.message_id(n), ctx)
            .expect("message");
        let raw = String::from_utf8(message.formatted()).expect("utf-8");
        raw.split("\r\n\r\n").next().expect("headers").to_owned()
    }

    // The pooled transport needs a Tokio runtime, also when it is dropped.
    #[tokio::test]
    async fn message_id_is_the_idempotency_key_at_the_sender_domain() {
        let n = resolved();
        let id = email().message_id(&n);
        assert_eq!(id, format!("<{}@mail.example.org>", n.idempotency_key()));
        let mut retried = n.clone();
        retried.attempts = 4;
        assert_eq!(email().message_id(&retried), id, "stable across attempts");
        let headers = header_block(&n, &MessageContext::default());
        assert!(headers.contains(&format!("Message-ID: {id}")), "{headers}");
    }

    #[tokio::test]
    async fn resolutions_thread_under_the_firing_message() {
        let ctx = MessageContext {
            reply_to: Some("<firing@mail.example.org>".into()),
            ..MessageContext::default()
        };
        let headers = header_block(&resolved(), &ctx);
        assert!(
            headers.contains("In-Reply-To: <firing@mail.example.org>")
                && headers.contains("References: <firing@mail.example.org>"),
            "{headers}"
        );
        let mut firing = resolved();
        firing.kind = NotificationKind::Firing;
        let headers = header_block(&firing, &ctx);
        assert!(!headers.contains("In-Reply-To"), "{headers}");
    }

    #[tokio::test]
    async fn a_reply_to_that_is_not_a_message_id_is_ignored() {
        for bad in ["firing@x", "<a>\r\nBcc: x@y", "<>", "<a b@c>"] {
            let ctx = MessageContext {
                reply_to: Some(bad.into()),
                ..MessageContext::default()
            };
            let headers = header_block(&resolved(), &ctx);
            assert!(
                !headers.contains("In-Reply-To") && !headers.contains("Bcc"),
                "{headers}"
            );
        }
    }
}
