//! Every operation of the services: who did it (the actor), whether its role allows it, and
//! the one audit record it writes — refusals for a too-low role write nothing.

#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use common::*;
use hostpulse_core::Role;
use hostpulse_core::{MatchOp, Matcher};
use hostpulse_engine::NewSilence;
use hostpulse_service::{Action, Actor, CreateSilence, IngestError, Operation, ServiceError};
use hostpulse_store::IngestOutcome;
use hostpulse_store::prelude::*;

fn audit_row(
    actor: &str,
    action: &str,
    target: &str,
    result: &str,
) -> (String, String, String, String) {
    (actor.into(), action.into(), target.into(), result.into())
}

fn web1_silence(now: i64) -> NewSilence {
    NewSilence {
        matchers: vec![Matcher {
            name: "host".into(),
            op: MatchOp::Eq,
            value: "web-1".into(),
        }],
        starts_ms: None,
        ends_ms: now + 3_600_000,
        author: "admin".into(),
        comment: String::new(),
    }
}

/// Pushes a hot CPU sample for `web-1` and evaluates: returns the firing alert's id.
async fn hot_alert(rig: &Rig) -> String {
    rig.store.add_agent("web-1", "hash").await.unwrap();
    let outcome = rig.service.ingest("web-1", batch(1, NOW, 99.0), None).await;
    assert!(
        matches!(outcome, Ok(IngestOutcome::Stored { .. })),
        "{outcome:?}"
    );
    rig.engine().evaluate_all().await;
    let alerts = rig.engine().active_alerts();
    let hot = alerts.iter().find(|a| a.rule == "hot");
    hot.unwrap_or_else(|| panic!("no hot alert: {alerts:?}"))
        .id
        .clone()
}

#[tokio::test]
async fn ingest_stores_feeds_the_engine_once_and_refuses_invalid_batches() {
    let rig = with_engine().await;
    let id = hot_alert(&rig).await;
    assert!(!id.is_empty());
    let again = rig.service.ingest("web-1", batch(1, NOW, 99.0), None).await;
    assert!(matches!(again, Ok(IngestOutcome::Duplicate)), "{again:?}");
    let future = batch(2, NOW + 86_400_000, 10.0);
    let refused = rig.service.ingest("web-1", future, None).await;
    assert!(
        matches!(refused, Err(IngestError::Invalid(_))),
        "{refused:?}"
    );
    let host = rig.store.host("web-1").await.unwrap().unwrap();
    assert_eq!(host.last_seq, 1, "the refused batch stored nothing");
    assert!(rig.audit().await.is_empty(), "ingest is not audited");
}

#[tokio::test]
async fn ack_records_the_telegram_user_and_refuses_unknown_alerts_audited() {
    let rig = with_engine().await;
    let id = hot_alert(&rig).await;
    let operator = telegram(Role::Operator);
    let alert = rig.service.ack(&operator, &id, "on it").await.unwrap();
    assert_eq!(alert.ack.unwrap().by, "telegram:200:u200");
    let missing = rig.service.ack(&admin(), "ffff", "").await;
    assert!(
        matches!(missing, Err(ServiceError::NotFound(_))),
        "{missing:?}"
    );
    assert_eq!(
        rig.audit().await,
        [
            audit_row("telegram:200:u200", "alert.ack", &id, "ok"),
            audit_row(
                "admin",
                "alert.ack",
                "ffff",
                "error: no active alert \"ffff\""
            ),
        ]
    );
}

#[tokio::test]
async fn a_too_low_role_is_refused_and_writes_nothing() {
    let rig = with_engine().await;
    let id = hot_alert(&rig).await;
    let viewer = telegram(Role::Viewer);
    let operator = telegram(Role::Operator);
    let refusals = [
        rig.service.ack(&viewer, &id, "").await.err(),
        rig.service
            .create_silence(&viewer, web1_silence(NOW).into())
            .await
            .err(),
        rig.service.expire_silence(&viewer, "s1").await.err(),
        rig.service.reload(&operator).await.err(),
        rig.service.requeue(&operator, 1).await.err(),
        rig.service.test_send(&operator, "default").await.err(),
        rig.service.add_agent(&operator, "web-9").await.err(),
        rig.service.revoke_agent(&operator, "web-1").await.err(),
    ];
    for refusal in refusals {
        assert!(
            matches!(refusal, Some(ServiceError::Forbidden { .. })),
            "{refusal:?}"
        );
    }
    assert!(rig.engine().active_alerts().iter().all(|a| a.ack.is_none()));
    assert!(
        rig.store
            .list_agents()
            .await
            .unwrap()
            .iter()
            .all(|a| a.name != "web-9")
    );
    assert!(rig.audit().await.is_empty());
}

#[tokio::test]
async fn silences_without_the_engine_are_created_expired_and_audited() {
    let rig = store_only().await;
    let created = rig
        .service
        .create_silence(&admin(), web1_silence(NOW).into())
        .await
        .unwrap();
    let named = CreateSilence {
        silence: web1_silence(NOW),
        target: Some("web-1".into()),
    };
    let operator = telegram(Role::Operator);
    rig.service.create_silence(&operator, named).await.unwrap();
    let expired = rig
        .service
        .expire_silence(&admin(), &created.id)
        .await
        .unwrap();
    assert_eq!(expired.id, created.id);
    let gone = rig.service.expire_silence(&admin(), "nope").await;
    assert!(matches!(gone, Err(ServiceError::NotFound(_))), "{gone:?}");
    let past = NewSilence {
        ends_ms: NOW - 1,
        ..web1_silence(NOW)
    };
    assert!(
        rig.service
            .create_silence(&admin(), past.into())
            .await
            .is_ok(),
        "the store takes what the front-end checked"
    );
    let audit = rig.audit().await;
    assert_eq!(audit.len(), 5, "{audit:?}");
    assert_eq!(
        audit[0],
        audit_row("admin", "silence.add", &created.id, "ok")
    );
    assert_eq!(
        audit[1],
        audit_row("telegram:200:u200", "silence.add", "web-1", "ok")
    );
    assert_eq!(
        audit[2],
        audit_row("admin", "silence.expire", &created.id, "ok")
    );
    assert_eq!(
        audit[3],
        audit_row(
            "admin",
            "silence.expire",
            "nope",
            "error: no active or scheduled silence \"nope\""
        )
    );
}

#[tokio::test]
async fn engine_silences_refuse_a_window_in_the_past_audited_with_target_dash() {
    let rig = with_engine().await;
    let past = NewSilence {
        ends_ms: NOW - 1,
        ..web1_silence(NOW)
    };
    let refused = rig.service.create_silence(&admin(), past.into()).await;
    assert!(
        matches!(refused, Err(ServiceError::Invalid(_))),
        "{refused:?}"
    );
    let audit = rig.audit().await;
    assert_eq!(audit.len(), 1);
    assert_eq!(
        (audit[0].1.as_str(), audit[0].2.as_str()),
        ("silence.add", "-")
    );
    assert!(audit[0].3.starts_with("error: "), "{audit:?}");
}

#[tokio::test]
async fn reload_requeue_and_test_send_are_audited_with_their_targets() {
    let rig = with_engine().await;
    let sighup = Actor::System { cause: "SIGHUP" };
    let report = rig.service.reload(&sighup).await.unwrap();
    assert_eq!(report.rules, rig.engine().rules().len());
    let requeue = rig.service.requeue(&admin(), 42).await;
    assert!(
        matches!(requeue, Err(ServiceError::NotFound(_))),
        "{requeue:?}"
    );
    let test = rig.service.test_send(&admin(), "nope").await;
    assert!(matches!(test, Err(ServiceError::NotFound(_))), "{test:?}");
    assert_eq!(
        rig.audit().await,
        [
            audit_row("SIGHUP", "rules.reload", "rules", "ok"),
            audit_row(
                "admin",
                "notification.requeue",
                "notification 42",
                "error: no notification 42"
            ),
            audit_row(
                "admin",
                "receiver.test",
                "receiver nope",
                "error: no receiver \"nope\" is configured"
            ),
        ]
    );
    assert!(rig.service.receiver_status().await.is_ok());
}

#[tokio::test]
async fn agents_are_added_revoked_and_audited() {
    let rig = store_only().await;
    let created = rig.service.add_agent(&admin(), "web-9").await.unwrap();
    assert!(created.token.starts_with("hpa_") && created.token.len() == 68);
    assert!(rig.service.add_agent(&admin(), "web-9").await.is_err());
    let invalid = rig.service.add_agent(&admin(), "-bad").await;
    assert!(
        matches!(invalid, Err(ServiceError::Invalid(_))),
        "{invalid:?}"
    );
    rig.service.revoke_agent(&admin(), "web-9").await.unwrap();
    let again = rig.service.revoke_agent(&admin(), "web-9").await;
    assert!(
        matches!(again, Err(ServiceError::NotFound(ref m)) if m.contains("already revoked")),
        "{again:?}"
    );
    let audit = rig.audit().await;
    let rows: Vec<(&str, &str, bool)> = audit
        .iter()
        .map(|(_, action, target, result)| (action.as_str(), target.as_str(), result == "ok"))
        .collect();
    assert_eq!(
        rows,
        [
            ("agent.add", "web-9", true),
            ("agent.add", "web-9", false),
            ("agent.add", "-bad", false),
            ("agent.revoke", "web-9", true),
            ("agent.revoke", "web-9", false),
        ]
    );
}

#[tokio::test]
async fn the_local_agent_is_registered_once() {
    let rig = store_only().await;
    let local = Actor::System {
        cause: "local agent",
    };
    assert!(rig.service.ensure_agent(&local, "box").await.unwrap());
    assert!(!rig.service.ensure_agent(&local, "box").await.unwrap());
    assert_eq!(
        rig.audit().await,
        [audit_row("local agent", "agent.add", "box", "ok")]
    );
}

#[tokio::test]
async fn alerting_operations_need_the_engine_and_refusals_of_front_ends_are_audited() {
    let rig = store_only().await;
    let ack = rig.service.ack(&admin(), "ffff", "").await;
    assert!(matches!(ack, Err(ServiceError::Unavailable(_))), "{ack:?}");
    let reload = rig.service.reload(&admin()).await;
    assert!(
        matches!(reload, Err(ServiceError::Unavailable(_))),
        "{reload:?}"
    );
    assert!(
        rig.audit().await.is_empty(),
        "an unavailable operation is not audited"
    );
    let operation = Operation::new(Action::AlertAck, "-");
    rig.service
        .record_refusal(&telegram(Role::Operator), &operation, "bad arguments")
        .await;
    assert_eq!(
        rig.audit().await,
        [audit_row(
            "telegram:200:u200",
            "alert.ack",
            "-",
            "error: bad arguments"
        )]
    );
    let bare = bare().await;
    assert!(
        bare.service.add_agent(&admin(), "web-2").await.is_ok(),
        "no alerting store: nothing to audit into"
    );
}
