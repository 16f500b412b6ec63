//! E-mail over SMTP (STARTTLS, implicit TLS or plain for a local relay) with lettre:
//! one multipart plain + HTML message per notification.

use async_trait::async_trait;
use hostpulse_config::{EmailSettings, SmtpTls};
use hostpulse_core::Notification;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, CertificateStore, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::message::Summary;
use crate::telegram::escape_html;
use crate::{Delivered, MessageContext, Notifier, NotifyError, Redactor, SendError};

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

    fn message(&self, summary: &Summary) -> Result<Message, SendError> {
        let plain = summary.text_or_template(self.template.as_deref())?;
        let html = html_body(&plain);
        let mut builder = Message::builder()
            .from(self.from.clone())
            .subject(summary.title.clone())
            .message_id(None);
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
        let message = self.message(&Summary::new(n, ctx))?;
        match self.transport.send(message).await {
            Ok(response) => Ok(Delivered {
                provider_id: response.message().next().map(str::to_owned),
            }),
            Err(error) => {
                let reason = self.redactor.redact(&smtp_reason(&error));
                Err(if error.is_permanent() {
                    SendError::Permanent { reason }
                } else {
                    SendError::Retry {
                        reason,
                        retry_after: None,
                    }
                })
            }
        }
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
