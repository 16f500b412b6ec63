//! E-mail against a real SMTP server (aiosmtpd) on loopback: STARTTLS on a certificate made
//! here, AUTH, a multipart plain + HTML message with the expected headers, a stable
//! Message-ID and resolutions threaded under the firing message.
//!
//! Needs `python3` with `aiosmtpd` (`pip install aiosmtpd`); skipped with a message when they
//! are missing, except when `CI=true`, where that is a failure.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed setup step should stop the test loudly"
)]

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use hostpulse_notify::{
    EmailSettings, ReceiverConfig, ReceiverKind, Secret, SmtpSettings, SmtpTls,
};
use hostpulse_notify::{MessageContext, SendError, build};
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};

/// Kills the SMTP server when the test ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn aiosmtpd_available() -> bool {
    let found = Command::new("python3")
        .args(["-c", "import aiosmtpd"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        let reason = "python3 with aiosmtpd is not available (pip install aiosmtpd)";
        assert!(std::env::var("CI").as_deref() != Ok("true"), "{reason}");
        eprintln!("skipped: {reason}");
    }
    found
}

/// Writes a CA certificate and a server certificate for 127.0.0.1 signed by it.
fn make_certificates(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("ca params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_key = KeyPair::generate().expect("ca key");
    let ca_cert = ca_params.self_signed(&ca_key).expect("ca cert");
    let issuer = Issuer::new(ca_params, ca_key);
    let server_params = CertificateParams::new(vec!["127.0.0.1".to_owned()]).expect("params");
    let server_key = KeyPair::generate().expect("key");
    let server_cert = server_params.signed_by(&server_key, &issuer).expect("cert");
    let paths = (
        dir.join("ca.pem"),
        dir.join("server.pem"),
        dir.join("server.key"),
    );
    std::fs::write(&paths.0, ca_cert.pem()).expect("write ca");
    std::fs::write(&paths.1, server_cert.pem()).expect("write cert");
    std::fs::write(&paths.2, server_key.serialize_pem()).expect("write key");
    paths
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

fn start_server(dir: &Path, port: u16, cert: &Path, key: &Path, out: &Path) -> Server {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/smtp_server.py");
    let mut child = Command::new("python3")
        .arg(script)
        .arg(port.to_string())
        .args([cert, key])
        .args(["mailer", "s3cret-smtp-pass"])
        .arg(out)
        .current_dir(dir)
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the SMTP server");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("read READY");
    assert_eq!(line.trim(), "READY", "the SMTP server did not start");
    Server(child)
}

fn receiver(port: u16, password: &str, ca_file: &Path) -> ReceiverConfig {
    ReceiverConfig {
        name: "ops-mail".into(),
        kind: ReceiverKind::Email(EmailSettings {
            smtp: SmtpSettings {
                host: "127.0.0.1".into(),
                port,
                tls: SmtpTls::StartTls,
                username: Some("mailer".into()),
                password: Some(Secret::new(password)),
                ca_file: Some(ca_file.to_path_buf()),
                insecure_skip_verify: false,
                timeout: Duration::from_secs(10),
            },
            from: "hostpulse <hostpulse@example.org>".into(),
            to: vec!["ops@example.org".into(), "oncall@example.org".into()],
            template: None,
        }),
        rate_limit: None,
        retry: Default::default(),
    }
}

#[tokio::test]
async fn delivers_an_authenticated_multipart_message_over_starttls() {
    if !aiosmtpd_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let (ca, cert, key) = make_certificates(dir.path());
    let out = dir.path().join("messages.jsonl");
    let port = free_port();
    let _server = start_server(dir.path(), port, &cert, &key, &out);
    let ctx = MessageContext {
        external_url: Some("https://hub.example.org".into()),
        ..MessageContext::default()
    };

    let notifier = build(&receiver(port, "s3cret-smtp-pass", &ca)).expect("build");
    let firing = common::firing();
    let delivered = notifier.send(&firing, &ctx).await.expect("delivered");
    let message_id = format!("<{}@example.org>", firing.idempotency_key());
    assert_eq!(delivered.provider_id.as_deref(), Some(message_id.as_str()));
    assert_eq!(delivered.provider_ids, std::slice::from_ref(&message_id));

    let record = &received(&out)[0];
    assert_eq!(record["login"], "mailer");
    assert_eq!(record["tls"], true);
    assert_eq!(record["mail_from"], "hostpulse@example.org");
    assert_eq!(
        record["rcpt_tos"],
        serde_json::json!(["ops@example.org", "oncall@example.org"])
    );
    let content = record["content"].as_str().expect("content");
    for expected in [
        "From: hostpulse <hostpulse@example.org>",
        "To: ops@example.org, oncall@example.org",
        "Subject: [FIRING] critical: high_cpu on web-1",
        "Content-Type: multipart/alternative",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Type: text/html; charset=utf-8",
        &format!("Message-ID: {message_id}"),
        "Date: ",
        "hostpulse ack ",
    ] {
        assert!(
            content.contains(expected),
            "{expected:?} missing in:\n{content}"
        );
    }
    assert!(!content.contains("In-Reply-To"), "{content}");
}

/// Every message the server received, oldest first.
fn received(out: &Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(out).expect("a message arrived");
    text.lines()
        .map(|line| serde_json::from_str(line).expect("json"))
        .collect()
}

#[tokio::test]
async fn resolutions_thread_under_the_firing_message() {
    if !aiosmtpd_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let (ca, cert, key) = make_certificates(dir.path());
    let out = dir.path().join("messages.jsonl");
    let port = free_port();
    let _server = start_server(dir.path(), port, &cert, &key, &out);
    let notifier = build(&receiver(port, "s3cret-smtp-pass", &ca)).expect("build");

    let firing = notifier
        .send(&common::firing(), &MessageContext::default())
        .await
        .expect("delivered");
    let mut resolved = common::resolved();
    resolved.id = 2;
    let ctx = MessageContext {
        reply_to: firing.provider_id.clone(),
        ..MessageContext::default()
    };
    let delivered = notifier.send(&resolved, &ctx).await.expect("delivered");

    let parent = firing.provider_id.expect("a Message-ID");
    let resolved_id = format!("<{}@example.org>", resolved.idempotency_key());
    assert_eq!(delivered.provider_id.as_deref(), Some(resolved_id.as_str()));
    assert_ne!(resolved_id, parent);
    let messages = received(&out);
    assert_eq!(messages.len(), 2);
    let content = messages[1]["content"].as_str().expect("content");
    for expected in [
        format!("Message-ID: {resolved_id}"),
        format!("In-Reply-To: {parent}"),
        format!("References: {parent}"),
    ] {
        assert!(
            content.contains(&expected),
            "{expected:?} missing in:\n{content}"
        );
    }
}

#[tokio::test]
async fn a_wrong_password_is_permanent_and_not_shown() {
    if !aiosmtpd_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let (ca, cert, key) = make_certificates(dir.path());
    let out = dir.path().join("messages.jsonl");
    let port = free_port();
    let _server = start_server(dir.path(), port, &cert, &key, &out);

    let notifier = build(&receiver(port, "wrong-password-value", &ca)).expect("build");
    let error = notifier
        .send(&common::firing(), &MessageContext::default())
        .await
        .expect_err("authentication fails");
    assert!(matches!(error, SendError::Permanent { .. }), "{error:?}");
    assert!(
        !format!("{error:?}").contains("wrong-password-value"),
        "{error:?}"
    );
    assert!(!out.exists(), "nothing was delivered");
}
