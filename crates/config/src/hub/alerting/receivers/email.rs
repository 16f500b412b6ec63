//! `type: email` receivers as written, and their validation.

use serde::Deserialize;

use super::{required_text, template, timeout};
use crate::scalar::Scalar;
use crate::secret::Secret;
use crate::validate::{Validator, join};
use hostpulse_notify::{EmailSettings, SmtpSettings, SmtpTls};

/// The `smtp:` block of an e-mail receiver as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSmtp {
    host: Option<Scalar>,
    port: Option<Scalar>,
    tls: Option<Scalar>,
    username: Option<Scalar>,
    password: Option<Secret>,
    password_file: Option<Scalar>,
    ca_file: Option<Scalar>,
    insecure_skip_verify: Option<Scalar>,
    timeout: Option<Scalar>,
}

/// A `type: email` receiver as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawEmail {
    pub(in crate::hub::alerting) name: Option<Scalar>,
    pub(in crate::hub::alerting) rate_limit: Option<Scalar>,
    pub(in crate::hub::alerting) max_attempts: Option<Scalar>,
    pub(in crate::hub::alerting) max_age: Option<Scalar>,
    smtp: Option<RawSmtp>,
    from: Option<Scalar>,
    to: Option<Vec<Scalar>>,
    template: Option<Scalar>,
}

impl RawEmail {
    pub(in crate::hub::alerting) fn validate(
        self,
        v: &mut Validator,
        path: &str,
    ) -> Option<EmailSettings> {
        let smtp_path = join(path, "smtp");
        let smtp = match self.smtp {
            Some(smtp) => smtp.validate(v, &smtp_path),
            None => {
                v.error(&smtp_path, "is required");
                None
            }
        };
        let from = address(v, &join(path, "from"), self.from);
        let to_path = join(path, "to");
        let raw_to = self.to.unwrap_or_default();
        if raw_to.is_empty() {
            v.error(&to_path, "needs at least one address");
        }
        let to: Vec<Option<String>> = raw_to
            .into_iter()
            .enumerate()
            .map(|(i, raw)| address(v, &format!("{to_path}[{i}]"), Some(raw)))
            .collect();
        let template = template(v, &join(path, "template"), self.template);
        let to: Option<Vec<String>> = to.into_iter().collect();
        Some(EmailSettings {
            smtp: smtp?,
            from: from?,
            to: to.filter(|to| !to.is_empty())?,
            template,
        })
    }
}

/// An e-mail address, `user@domain` or `Name <user@domain>`.
fn address(v: &mut Validator, path: &str, raw: Option<Scalar>) -> Option<String> {
    let text = required_text(v, path, raw)?;
    let bare = text
        .rsplit_once('<')
        .map_or(text.as_str(), |(_, rest)| rest.trim_end_matches('>'));
    let valid = bare
        .split_once('@')
        .is_some_and(|(user, domain)| !user.is_empty() && domain.contains(|c| c != '.'));
    if !valid || bare.contains(char::is_whitespace) {
        v.error(path, format!("{text:?} is not an e-mail address"));
        return None;
    }
    Some(text)
}

impl RawSmtp {
    fn validate(self, v: &mut Validator, path: &str) -> Option<SmtpSettings> {
        let host = required_text(v, &join(path, "host"), self.host);
        let tls = v.parse_or(
            &join(path, "tls"),
            self.tls,
            SmtpTls::default(),
            |text| match text {
                "starttls" => Ok(SmtpTls::StartTls),
                "tls" => Ok(SmtpTls::Tls),
                "none" => Ok(SmtpTls::None),
                _ => Err(format!(
                    "{text:?} is not a TLS mode (use starttls, tls or none)"
                )),
            },
        );
        let default_port = match tls {
            SmtpTls::StartTls => 587,
            SmtpTls::Tls => 465,
            SmtpTls::None => 25,
        };
        let port = v.count(&join(path, "port"), self.port, default_port, 1..=65_535);
        let username = v.name(&join(path, "username"), self.username, 256);
        let password_path = join(path, "password");
        let password = v.secret(&password_path, self.password, self.password_file);
        if username.is_some() != password.is_some() && v.is_clean(&password_path) {
            v.error(
                path,
                "set both username and password (or password_file), or neither",
            );
        }
        let ca_file = v.optional_path(&join(path, "ca_file"), self.ca_file);
        let insecure_skip_verify = v.boolean(
            &join(path, "insecure_skip_verify"),
            self.insecure_skip_verify,
            false,
        );
        let timeout = timeout(v, &join(path, "timeout"), self.timeout);
        Some(SmtpSettings {
            host: host?,
            port: u16::try_from(port).ok()?,
            tls,
            username,
            password,
            ca_file,
            insecure_skip_verify,
            timeout,
        })
    }
}
