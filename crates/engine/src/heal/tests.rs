//! The heal book on a virtual clock: attempts, cooldown, give-up with what was tried.

use super::*;
use hostpulse_core::{Labels, Severity, alert_fingerprint};
use std::path::Path;

const SEC: i64 = 1_000;
const MIN: i64 = 60 * SEC;

fn rules() -> Vec<Rule> {
    let text = r#"
rules:
  - name: container_down
    expr: container.running == 0
    heal: { action: containers.start, container: "{{ labels.container }}", cooldown: 5m, max_attempts: 2, window: 1h }
"#;
    hostpulse_rules::compile_rule_text(text, Path::new("t.yaml"), &Default::default())
        .expect("rules")
}

fn firing(container: Option<&str>) -> Alert {
    let labels: Labels = container
        .map(|c| Labels::from([("container".to_owned(), c.to_owned())]))
        .unwrap_or_default();
    Alert {
        id: alert_fingerprint("container_down", "web-1", &labels),
        rule: "container_down".into(),
        host: "web-1".into(),
        labels,
        severity: Severity::Critical,
        state: AlertState::Firing,
        value: 0.0,
        threshold: Some(0.0),
        summary: "container.running = 0".into(),
        description: String::new(),
        annotations: BTreeMap::new(),
        active_since_ms: 0,
        firing_since_ms: Some(0),
        resolved_ms: None,
        last_eval_ms: 0,
        ack: None,
        dry_run: false,
    }
}

#[test]
fn attempts_wait_for_their_outcome_cool_down_then_give_up_with_what_was_tried() {
    let (rules, alert) = (rules(), firing(Some("web")));
    let mut book = HealBook::default();
    let step = book.step(&rules, std::slice::from_ref(&alert), 0);
    assert_eq!(step.requests.len(), 1);
    let request = &step.requests[0];
    assert_eq!(
        (request.action.as_str(), request.args["container"].as_str()),
        ("containers.start", "web")
    );
    assert_eq!((request.host.as_str(), request.attempt), ("web-1", 1));
    assert!(step.healing.contains(&alert.id));
    // In flight: no second attempt, still muted.
    let step = book.step(&rules, std::slice::from_ref(&alert), 10 * SEC);
    assert!(step.requests.is_empty() && step.healing.contains(&alert.id));
    book.finished(
        &alert.id,
        "containers.start web: failed: no such container".into(),
    );
    // Cooling down for 5 minutes after the first attempt.
    let step = book.step(&rules, std::slice::from_ref(&alert), MIN);
    assert!(step.requests.is_empty() && step.healing.contains(&alert.id));
    let step = book.step(&rules, std::slice::from_ref(&alert), 5 * MIN);
    assert_eq!(step.requests[0].attempt, 2);
    book.finished(&alert.id, "containers.start web: failed: exit 125".into());
    let step = book.step(&rules, std::slice::from_ref(&alert), 11 * MIN);
    assert!(step.requests.is_empty() && !step.healing.contains(&alert.id));
    let text = &step.gave_up[&alert.id];
    assert!(
        text.starts_with("healing gave up after 2 attempts within 1h"),
        "{text}"
    );
    assert!(
        text.contains("no such container") && text.contains("exit 125"),
        "{text}"
    );
    // Given up for good: an hour later still no attempt, the text stays.
    let later = book.step(&rules, std::slice::from_ref(&alert), 2 * 60 * MIN);
    assert!(later.requests.is_empty() && later.gave_up[&alert.id] == *text);
    let mut sent = vec![alert.clone()];
    annotate(&mut sent, &step.gave_up);
    assert_eq!(sent[0].annotations[HEAL_ANNOTATION], *text);
}

#[test]
fn a_resolved_alert_is_forgotten_and_an_unrenderable_action_gives_up_at_once() {
    let rules = rules();
    let mut book = HealBook::default();
    let alert = firing(Some("web"));
    assert_eq!(
        book.step(&rules, std::slice::from_ref(&alert), 0)
            .requests
            .len(),
        1
    );
    let mut resolved = alert.clone();
    resolved.state = AlertState::Resolved;
    assert!(book.step(&rules, &[resolved], SEC).requests.is_empty());
    assert!(book.entries.is_empty());
    // Firing again later: a fresh budget.
    assert_eq!(
        book.step(&rules, std::slice::from_ref(&alert), 2 * SEC)
            .requests
            .len(),
        1
    );

    let unlabelled = firing(None);
    let step = book.step(&rules, std::slice::from_ref(&unlabelled), 0);
    assert!(step.requests.is_empty());
    assert!(
        step.gave_up[&unlabelled.id].starts_with("cannot heal"),
        "{:?}",
        step.gave_up
    );
}
