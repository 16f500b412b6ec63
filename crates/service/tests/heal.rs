//! Self-healing through the service layer on a virtual clock: a firing `heal:` rule's action
//! goes to the host's agent through the command queue, the alert stays muted while healing
//! tries, and after `max_attempts` failures the alert is notified with what was tried.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test code: a failed step stops the test loudly"
)]

mod common;

use common::{NOW, Rig, admin, batch, with_engine_config};
use hostpulse_core::{Clock, NotificationKind};
use hostpulse_proto::command::{CommandOutcome, CommandPoll, CommandStatus, CommandUpdate};
use hostpulse_store::NotificationQuery;
use hostpulse_store::prelude::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

const CONFIG: &str = r#"
rules:
  - name: web_down
    expr: cpu.usage_percent > 90
    severity: critical
    heal: { action: restart_web, cooldown: 10s, max_attempts: 2, window: 1h }
"#;

/// An agent that answers every `run restart_web` with exit 1; counts the commands it got.
fn failing_agent(rig: &Rig, seen: Arc<AtomicUsize>) -> tokio::task::JoinHandle<()> {
    let queue = rig.service.commands().clone();
    tokio::spawn(async move {
        let poll = CommandPoll {
            wait_ms: 100,
            allowed: vec!["restart_web".into()],
            commands: vec!["restart_web".into()],
        };
        loop {
            for command in queue.poll("web-1", &poll).await.commands {
                assert_eq!(command.args["command"], "restart_web");
                assert_eq!(command.requested_by, "heal");
                seen.fetch_add(1, Ordering::SeqCst);
                let outcome = CommandOutcome {
                    status: CommandStatus::Failed,
                    exit_code: Some(1),
                    error: Some("exit 1: web did not come back".into()),
                    started_ms: Some(0),
                    finished_ms: 1,
                    truncated: false,
                };
                let update = CommandUpdate {
                    seq: 0,
                    output: String::new(),
                    outcome: Some(outcome),
                };
                queue.update("web-1", &command.id, update).unwrap();
            }
        }
    })
}

async fn notifications(rig: &Rig) -> Vec<hostpulse_core::Notification> {
    let query = NotificationQuery {
        limit: 0,
        ..NotificationQuery::default()
    };
    rig.store.notifications(query).await.unwrap().notifications
}

/// Evaluates every second of virtual time until `done`, at most `steps` times.
async fn evaluate_until(rig: &Rig, steps: usize, mut done: impl AsyncFnMut() -> bool) {
    for _ in 0..steps {
        rig.engine().evaluate_all().await;
        if done().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        rig.clock.advance(1_000);
    }
    panic!("not done after {steps} evaluations");
}

#[tokio::test]
async fn a_heal_rule_tries_through_the_agent_then_gives_up_and_tells_people_what_was_tried() {
    let rig = with_engine_config(CONFIG).await;
    rig.service.add_agent(&admin(), "web-1").await.unwrap();
    let seen = Arc::new(AtomicUsize::new(0));
    let agent = failing_agent(&rig, seen.clone());
    let healer = tokio::spawn(Arc::new(rig.service.clone()).run_healer());
    // The agent has polled once, so the hub knows it is connected.
    tokio::time::sleep(Duration::from_millis(150)).await;
    rig.service
        .ingest("web-1", batch(1, NOW, 99.0), None)
        .await
        .unwrap();

    evaluate_until(&rig, 100, async || seen.load(Ordering::SeqCst) == 1).await;
    assert!(notifications(&rig).await.is_empty(), "muted while healing");
    // Within the 10 s cooldown no second attempt; until the second has failed, nobody is told.
    let started = rig.clock.now_ms();
    evaluate_until(&rig, 100, async || {
        let attempts = seen.load(Ordering::SeqCst);
        if attempts < 2 {
            assert!(notifications(&rig).await.is_empty(), "muted while healing");
        }
        attempts == 2
    })
    .await;
    assert!(
        rig.clock.now_ms() - started >= 9_000,
        "the cooldown was kept"
    );
    let sent = {
        let rig = &rig;
        evaluate_until(rig, 100, async || !notifications(rig).await.is_empty()).await;
        notifications(rig).await
    };
    assert_eq!(
        seen.load(Ordering::SeqCst),
        2,
        "no attempt beyond max_attempts"
    );
    assert_eq!(sent[0].kind, NotificationKind::Firing);
    let heal = &sent[0].alerts[0].annotations["heal"];
    assert!(
        heal.starts_with("healing gave up after 2 attempts within 1h"),
        "{heal}"
    );
    assert!(
        heal.contains("run restart_web on web-1: failed exit 1: web did not come back"),
        "{heal}"
    );
    let audit = rig.audit().await;
    let attempts: Vec<_> = audit
        .iter()
        .filter(|(actor, action, ..)| actor == "heal" && action == "host.action")
        .collect();
    assert_eq!(attempts.len(), 2, "{audit:?}");
    assert!(
        attempts[0].2.contains("(via rule web_down)"),
        "{attempts:?}"
    );
    agent.abort();
    healer.abort();
}
