//! The command queue (hand-over, long poll, cancel, deadlines on a manual clock, updates)
//! and `run_action` (roles, `actions.operator`, the agent's allow-list, audit records).

use super::queue::CommandQueue;
use super::*;
use crate::{Actor, Service, ServiceError};
use hostpulse_config::ActionsConfig;
use hostpulse_core::{Clock, ManualClock, Role};
use hostpulse_proto::command::*;
use hostpulse_store::prelude::*;
use hostpulse_store::{AlertStore, SqliteOptions, SqliteStore, Store};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

const NOW: i64 = 1_790_000_000_000;

fn queue() -> (Arc<CommandQueue>, ManualClock) {
    let clock = ManualClock::new(NOW);
    let queue = CommandQueue::new(Arc::new(clock.clone()), QueueLimits::default());
    (Arc::new(queue), clock)
}

fn command(id: &str, deadline_ms: i64) -> Command {
    Command {
        id: id.into(),
        action: CONTAINERS_LIST.into(),
        args: BTreeMap::new(),
        deadline_ms,
        requested_by: "test".into(),
    }
}

fn poll(wait_ms: u64) -> CommandPoll {
    CommandPoll {
        wait_ms,
        allowed: vec![CONTAINERS_LIST.into()],
        commands: vec![],
    }
}

fn outcome(status: CommandStatus) -> Option<CommandOutcome> {
    Some(CommandOutcome {
        status,
        exit_code: Some(0),
        error: None,
        started_ms: Some(NOW),
        finished_ms: NOW,
        truncated: false,
    })
}

fn update(seq: u32, output: &str, end: Option<CommandStatus>) -> CommandUpdate {
    CommandUpdate {
        seq,
        output: output.into(),
        outcome: end.and_then(outcome),
    }
}

#[tokio::test]
async fn a_command_is_handed_over_once_and_only_to_its_agent() {
    let (queue, _) = queue();
    queue.submit("web-1", command("c1", NOW + 60_000)).unwrap();
    assert!(queue.poll("db-1", &poll(0)).await.commands.is_empty());
    let first = queue.poll("web-1", &poll(0)).await;
    assert_eq!(first.commands.len(), 1);
    assert_eq!(first.commands[0].id, "c1");
    assert!(queue.poll("web-1", &poll(0)).await.commands.is_empty());
    assert_eq!(
        queue.update("db-1", "c1", update(0, "x", None)),
        Err(UpdateError::Unknown("c1".into()))
    );
}

#[tokio::test]
async fn a_waiting_poll_gets_a_command_at_once() {
    let (queue, _) = queue();
    let waiting = queue.clone();
    let started = std::time::Instant::now();
    let poller = tokio::spawn(async move { waiting.poll("web-1", &poll(20_000)).await });
    tokio::time::sleep(Duration::from_millis(50)).await;
    queue.submit("web-1", command("c1", NOW + 60_000)).unwrap();
    let batch = poller.await.unwrap();
    assert_eq!(batch.commands.len(), 1);
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(queue.host_actions("web-1").connected);
}

#[tokio::test]
async fn an_empty_poll_ends_after_its_wait() {
    let (queue, _) = queue();
    let started = std::time::Instant::now();
    let batch = queue.poll("web-1", &poll(150)).await;
    assert!(batch.commands.is_empty() && batch.cancel.is_empty());
    assert!(started.elapsed() >= Duration::from_millis(140));
}

#[tokio::test]
async fn cancel_keeps_a_queued_command_back_and_tells_the_agent_of_a_running_one() {
    let (queue, _) = queue();
    queue.submit("web-1", command("c1", NOW + 60_000)).unwrap();
    assert!(queue.cancel("c1"));
    assert!(!queue.cancel("c1"));
    assert!(queue.poll("web-1", &poll(0)).await.commands.is_empty());
    assert_eq!(queue.result("c1").unwrap().status, CommandStatus::Cancelled);

    queue.submit("web-1", command("c2", NOW + 60_000)).unwrap();
    assert_eq!(queue.poll("web-1", &poll(0)).await.commands.len(), 1);
    assert!(queue.cancel("c2"));
    assert_eq!(
        queue.poll("web-1", &poll(0)).await.cancel,
        vec!["c2".to_string()]
    );
    assert_eq!(
        queue.update("web-1", "c2", update(0, "", Some(CommandStatus::Ok))),
        Err(UpdateError::Finished("c2".into()))
    );
}

#[tokio::test]
async fn the_deadline_on_the_clock_expires_and_cancels_the_command() {
    let (queue, clock) = queue();
    let done = queue.submit("web-1", command("c1", NOW + 1_000)).unwrap();
    assert_eq!(queue.poll("web-1", &poll(0)).await.commands.len(), 1);
    let waiter = queue.clone();
    let result = tokio::spawn(async move { waiter.wait_result("c1", NOW + 1_000, &done).await });
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(!result.is_finished());
    clock.advance(1_500);
    let result = tokio::time::timeout(Duration::from_secs(5), result)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(result.status, CommandStatus::Expired);
    assert_eq!(
        queue.poll("web-1", &poll(0)).await.cancel,
        vec!["c1".to_string()]
    );
}

#[tokio::test]
async fn a_command_past_its_deadline_is_not_handed_over() {
    let (queue, clock) = queue();
    queue.submit("web-1", command("c1", NOW + 1_000)).unwrap();
    clock.advance(1_000);
    assert!(queue.poll("web-1", &poll(0)).await.commands.is_empty());
    assert_eq!(queue.result("c1").unwrap().status, CommandStatus::Expired);
}

#[tokio::test]
async fn updates_collect_output_ignore_repeats_and_cap_the_total() {
    let (queue, clock) = queue();
    let done = queue.submit("web-1", command("c1", NOW + 60_000)).unwrap();
    queue.poll("web-1", &poll(0)).await;
    queue
        .update("web-1", "c1", update(0, "one ", None))
        .unwrap();
    queue
        .update("web-1", "c1", update(0, "one ", None))
        .unwrap();
    queue.update("web-1", "c1", update(1, "two", None)).unwrap();
    let chunk = "é".repeat(MAX_UPDATE_OUTPUT_BYTES / 2);
    for seq in 2..70 {
        queue
            .update("web-1", "c1", update(seq, &chunk, None))
            .unwrap();
    }
    let too_big = update(70, &"x".repeat(MAX_UPDATE_OUTPUT_BYTES + 1), None);
    assert!(matches!(
        queue.update("web-1", "c1", too_big),
        Err(UpdateError::Invalid(_))
    ));
    clock.advance(250);
    queue
        .update("web-1", "c1", update(70, "", Some(CommandStatus::Ok)))
        .unwrap();
    let result = queue.wait_result("c1", NOW + 60_000, &done).await;
    assert!(result.output.starts_with("one two"));
    assert!(result.output.len() <= MAX_COMMAND_OUTPUT_BYTES && result.truncated);
    assert_eq!(
        (result.status, result.exit_code),
        (CommandStatus::Ok, Some(0))
    );
    assert_eq!(result.duration_ms, 250);
}

#[tokio::test]
async fn bounds_refuse_more_commands_and_more_waiting_polls() {
    let clock = ManualClock::new(NOW);
    let limits = QueueLimits {
        max_pending_per_agent: 2,
        max_waiting_polls_per_agent: 1,
        ..QueueLimits::default()
    };
    let queue = Arc::new(CommandQueue::new(Arc::new(clock.clone()), limits));
    queue.submit("web-1", command("c1", NOW + 60_000)).unwrap();
    queue.submit("web-1", command("c2", NOW + 60_000)).unwrap();
    assert!(queue.submit("web-1", command("c3", NOW + 60_000)).is_err());
    assert_eq!(queue.poll("web-1", &poll(0)).await.commands.len(), 2);
    let held = queue.clone();
    let first = tokio::spawn(async move { held.poll("web-1", &poll(2_000)).await });
    tokio::time::sleep(Duration::from_millis(50)).await;
    let started = std::time::Instant::now();
    queue.poll("web-1", &poll(2_000)).await;
    assert!(
        started.elapsed() < Duration::from_millis(1_000),
        "a second poll is not held"
    );
    first.abort();
    clock.advance(120_000);
    queue
        .submit("web-1", command("c4", NOW + 10_000_000))
        .unwrap();
    assert_eq!(queue.result("c1").unwrap().status, CommandStatus::Expired);
    clock.advance(QueueLimits::default().keep_finished_ms);
    queue
        .submit("web-1", command("c5", NOW + 10_000_000))
        .unwrap();
    assert!(queue.result("c1").is_none(), "old commands are dropped");
}

#[test]
fn ids_are_random_and_valid() {
    let a = queue::new_command_id();
    let b = queue::new_command_id();
    assert!(is_command_id(&a) && is_command_id(&b) && a != b);
}

async fn service(dir: &tempfile::TempDir, operator: &[&str]) -> (Service, Arc<SqliteStore>) {
    let clock: Arc<dyn Clock> = Arc::new(ManualClock::new(NOW));
    let options = SqliteOptions {
        path: dir.path().join("hub.db"),
        ..SqliteOptions::default()
    };
    let store = SqliteStore::open(options, clock.clone()).await.unwrap();
    store.add_agent("web-1", "hash-1").await.unwrap();
    store.add_agent("db-1", "hash-2").await.unwrap();
    let actions = ActionsConfig {
        operator: operator.iter().map(|s| s.to_string()).collect(),
    };
    let alert_store: Arc<dyn AlertStore> = store.clone();
    let metrics: Arc<dyn Store> = store.clone();
    let service = Service::new(metrics, clock)
        .with_alert_store(alert_store)
        .with_actions(actions);
    (service, store)
}

fn actor(role: Role) -> Actor {
    Actor::ApiToken {
        name: format!("{}-token", role.as_str()),
        role,
    }
}

fn request(host: &str, action: &str, args: &[(&str, &str)]) -> ActionRequest {
    ActionRequest {
        host: host.into(),
        action: action.into(),
        args: args
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        origin: "test".into(),
    }
}

/// An agent on the queue's own interface: answers every command `ok` with its action.
fn agent(service: &Service, name: &'static str, allowed: &[&str]) -> tokio::task::JoinHandle<()> {
    let queue = service.commands().clone();
    let poll = CommandPoll {
        wait_ms: 5_000,
        allowed: allowed.iter().map(|s| s.to_string()).collect(),
        commands: vec!["restart_nginx".into()],
    };
    tokio::spawn(async move {
        loop {
            for command in queue.poll(name, &poll).await.commands {
                let text = format!("did {}", command.action);
                let _ = queue.update(name, &command.id, update(0, &text, Some(CommandStatus::Ok)));
            }
        }
    })
}

#[tokio::test]
async fn roles_decide_what_may_run_and_every_request_is_audited() {
    let dir = tempfile::tempdir().unwrap();
    let (service, store) = service(&dir, &["containers.restart", "restart_nginx"]).await;
    let all = [
        CONTAINERS_LIST,
        CONTAINERS_RESTART,
        CONTAINERS_STOP,
        "restart_nginx",
    ];
    let agent = agent(&service, "web-1", &all);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let restart = request("web-1", CONTAINERS_RESTART, &[("container", "web")]);
    let stop = request("web-1", CONTAINERS_STOP, &[("container", "web")]);
    let list = request("web-1", CONTAINERS_LIST, &[]);
    let run = request("web-1", RUN, &[("command", "restart_nginx")]);

    let viewer = actor(Role::Viewer);
    assert!(matches!(
        service.run_action(&viewer, restart.clone()).await,
        Err(ServiceError::Forbidden { .. })
    ));
    let listed = service.run_action(&viewer, list).await.unwrap();
    assert_eq!(
        (listed.status, listed.output.as_str()),
        (CommandStatus::Ok, "did containers.list")
    );
    let operator = actor(Role::Operator);
    assert!(
        service
            .run_action(&operator, restart.clone())
            .await
            .unwrap()
            .is_ok()
    );
    assert!(
        service
            .run_action(&operator, run.clone())
            .await
            .unwrap()
            .is_ok()
    );
    assert!(matches!(
        service.run_action(&operator, stop.clone()).await,
        Err(ServiceError::Forbidden { .. })
    ));
    assert!(
        service
            .run_action(&actor(Role::Admin), stop)
            .await
            .unwrap()
            .is_ok()
    );
    agent.abort();

    let audit = store.audit_entries(20).await.unwrap();
    assert_eq!(audit.len(), 6, "{audit:?}");
    let refused = &audit[1];
    assert_eq!(
        (refused.actor.as_str(), refused.action.as_str()),
        ("operator-token", "host.action")
    );
    assert!(
        refused
            .target
            .contains("web-1 containers.stop container=web (via test)"),
        "{}",
        refused.target
    );
    assert!(refused.result.starts_with("error:"), "{}", refused.result);
    assert!(
        audit[0].result.starts_with("ok exit=0 ("),
        "{}",
        audit[0].result
    );
}

#[tokio::test]
async fn hosts_must_be_known_connected_and_allow_the_action() {
    let dir = tempfile::tempdir().unwrap();
    let (service, _) = service(&dir, &[]).await;
    let admin = actor(Role::Admin);
    let list = |host: &str| request(host, CONTAINERS_LIST, &[]);
    assert!(matches!(
        service.run_action(&admin, list("nope")).await,
        Err(ServiceError::NotFound(_))
    ));
    assert!(matches!(
        service.run_action(&admin, list("db-1")).await,
        Err(ServiceError::Conflict(_))
    ));
    let agent = agent(&service, "db-1", &[CONTAINERS_LIST]);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let restart = request("db-1", CONTAINERS_RESTART, &[("container", "web")]);
    let refused = service.run_action(&admin, restart).await.unwrap();
    assert_eq!(refused.status, CommandStatus::Refused);
    assert!(
        refused
            .error
            .unwrap()
            .contains("does not allow containers.restart")
    );
    let bad = request(
        "db-1",
        CONTAINERS_LOGS,
        &[("container", "../etc"), ("tail", "5")],
    );
    assert!(matches!(
        service.run_action(&admin, bad).await,
        Err(ServiceError::Invalid(_))
    ));
    let bad_tail = request(
        "db-1",
        CONTAINERS_LOGS,
        &[("container", "web"), ("tail", "0")],
    );
    assert!(matches!(
        service.run_action(&admin, bad_tail).await,
        Err(ServiceError::Invalid(_))
    ));
    let actions = service.commands().host_actions("db-1");
    assert_eq!(actions.allowed, Some(vec![CONTAINERS_LIST.to_string()]));
    agent.abort();
}

#[test]
fn container_names_are_checked() {
    for ok in ["web", "web-1", "a.b_c", &"x".repeat(128)] {
        assert!(validate_container_name(ok).is_ok(), "{ok}");
    }
    for bad in ["", "-web", ".x", "a b", "a/b", "a;rm", &"x".repeat(129)] {
        assert!(validate_container_name(bad).is_err(), "{bad}");
    }
}

#[test]
fn host_actions_have_audit_names_and_roles() {
    use crate::Action;
    assert_eq!(
        (Action::HostRead.name(), Action::HostRead.min_role()),
        ("host.read", Role::Viewer)
    );
    assert_eq!(
        (Action::HostAction.name(), Action::HostAction.min_role()),
        ("host.action", Role::Operator)
    );
}
