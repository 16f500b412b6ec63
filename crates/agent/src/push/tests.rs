//! Reply classification and client setup.

use super::*;

fn config(url: &str) -> PushConfig {
    PushConfig {
        hub_url: url.into(),
        token: "s3cret-token".into(),
        timeout: Duration::from_secs(2),
        ca_file: None,
        insecure_skip_verify: false,
    }
}

#[test]
fn classifies_statuses() {
    let ack = classify(200, br#"{"seq":5,"duplicate":false,"samples":3}"#, None);
    assert_eq!(
        ack,
        PushOutcome::Acknowledged(Some(IngestReply {
            seq: 5,
            duplicate: false,
            samples: 3,
            version: None,
            versions: None,
            commands: Vec::new(),
        }))
    );
    assert_eq!(classify(204, b"", None), PushOutcome::Acknowledged(None));
    let newer = classify(
        200,
        br#"{"seq":5,"duplicate":false,"samples":3,"version":2,"commands":[{"do":"x"}],"new":1}"#,
        None,
    );
    assert!(matches!(newer, PushOutcome::Acknowledged(Some(r)) if r.version == Some(2)));
    let too_new = classify(
        426,
        br#"{"error":"unsupported_version","detail":"v9","versions":{"min":2,"max":2}}"#,
        None,
    );
    assert_eq!(
        too_new,
        PushOutcome::UnsupportedVersion {
            reason: "hub answered 426: unsupported_version: v9".into(),
            hub: Some(VersionRange { min: 2, max: 2 }),
        }
    );
    assert!(matches!(
        classify(400, br#"{"error":"unsupported_version"}"#, None),
        PushOutcome::UnsupportedVersion { hub: None, .. }
    ));
    assert_eq!(
        classify(403, b"", None),
        PushOutcome::Unauthorized { status: 403 }
    );
    let refused = classify(
        422,
        br#"{"error":"invalid_batch","detail":"bad name"}"#,
        None,
    );
    assert_eq!(
        refused,
        PushOutcome::Refused {
            status: 422,
            reason: "invalid_batch: bad name".into()
        }
    );
    assert_eq!(
        classify(
            409,
            br#"{"error":"conflict","detail":"instance x is live"}"#,
            None
        ),
        PushOutcome::Conflict {
            reason: "conflict: instance x is live".into()
        }
    );
    let wait = Some(Duration::from_secs(3));
    assert!(matches!(
        classify(429, b"", wait),
        PushOutcome::RetryLater { retry_after, .. } if retry_after == wait
    ));
    assert!(matches!(
        classify(503, b"down", None),
        PushOutcome::RetryLater { reason, .. } if reason.contains("503")
    ));
}

#[test]
fn builds_the_ingest_url_and_hides_the_token() {
    let pusher = Pusher::new(&config("http://hub.example:8080/")).unwrap();
    assert_eq!(pusher.url(), "http://hub.example:8080/api/v1/ingest");
    assert!(!format!("{pusher:?}").contains("s3cret"));
    assert!(!format!("{:?}", config("http://x")).contains("s3cret"));
}

#[test]
fn refuses_bad_url_and_bad_ca_file() {
    assert!(matches!(
        Pusher::new(&config("hub.example:8080")),
        Err(PushSetupError::BadUrl(_))
    ));
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("ca.pem");
    std::fs::write(&empty, b"no certificate here").unwrap();
    let mut with_ca = config("https://hub.example");
    with_ca.ca_file = Some(empty);
    assert!(Pusher::new(&with_ca).is_err());
    with_ca.ca_file = Some(dir.path().join("missing.pem"));
    assert!(matches!(
        Pusher::new(&with_ca),
        Err(PushSetupError::CaFile { .. })
    ));
}

#[test]
fn connection_refused_is_an_unreachable_hub() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let pusher = Pusher::new(&config(&format!("http://127.0.0.1:{port}"))).unwrap();
    assert!(matches!(
        pusher.push(b"body"),
        PushOutcome::Unreachable { .. }
    ));
}
