//! The instance rules as pure decisions.

use super::*;
use hostpulse_proto::AgentIdentity;

const NOW: i64 = 1_800_000_000_000;

fn batch(instance: &str, run: &str, previous: Option<&str>, seq: u64) -> IngestBatch {
    IngestBatch {
        agent: AgentIdentity {
            hostname: "web-1".into(),
            interval_ms: 1000,
            instance_id: instance.into(),
            run_id: run.into(),
            previous_run_id: previous.map(str::to_owned),
            ..AgentIdentity::default()
        },
        seq,
        ..IngestBatch::default()
    }
}

fn seen(batches: &[IngestBatch], at_ms: i64) -> Vec<InstanceRecord> {
    let mut instances = Vec::new();
    for b in batches {
        record(&mut instances, b, at_ms);
    }
    instances
}

#[test]
fn dedup_is_per_instance_and_the_seq_step_is_bounded() {
    let known = seen(&[batch("a", "r1", None, 10)], NOW);
    assert_eq!(
        admit("x", &known, &batch("a", "r1", None, 10), NOW),
        Admission::Duplicate
    );
    assert_eq!(
        admit("x", &known, &batch("a", "r1", None, 11), NOW),
        Admission::Store
    );
    let huge = admit("x", &known, &batch("a", "r1", None, u64::MAX), NOW);
    assert!(
        matches!(huge, Admission::SeqStep(ref why) if why.contains("4294967296")),
        "{huge:?}"
    );
    assert!(matches!(
        admit("x", &[], &batch("b", "r", None, u64::MAX), NOW),
        Admission::SeqStep(_)
    ));
}

#[test]
fn a_second_live_instance_is_refused_until_the_first_goes_quiet() {
    let known = seen(&[batch("a", "r1", None, 10)], NOW);
    let second = batch("b", "r2", None, 1);
    let refused = admit("x", &known, &second, NOW + 1000);
    let Admission::Conflict(why) = refused else {
        panic!("{refused:?}")
    };
    assert!(
        why.contains("instance a") && why.contains("instance b") && why.contains("web-1"),
        "{why}"
    );
    assert!(why.contains("first seen"), "{why}");
    let later = NOW + MIN_LIVE_WINDOW_MS + 1;
    assert_eq!(admit("x", &known, &second, later), Admission::Store);
}

#[test]
fn a_restart_takes_over_but_a_copy_of_the_instance_is_refused() {
    let known = seen(&[batch("a", "r1", None, 10)], NOW);
    let restart = batch("a", "r2", Some("r1"), 1011);
    assert_eq!(admit("x", &known, &restart, NOW + 1000), Admission::Store);
    let copy = batch("a", "r3", Some("r0"), 1011);
    assert!(matches!(
        admit("x", &known, &copy, NOW + 1000),
        Admission::Conflict(_)
    ));
    let mut moved = restart.clone();
    moved.agent.hostname = "web-2".into();
    assert!(matches!(
        admit("x", &known, &moved, NOW + 1000),
        Admission::Conflict(_)
    ));
    assert_eq!(
        admit("x", &known, &copy, NOW + MIN_LIVE_WINDOW_MS + 1),
        Admission::Store
    );
}

#[test]
fn conflict_messages_never_reveal_the_run_id() {
    let known = seen(&[batch("a", "secret-run", None, 10)], NOW);
    for newcomer in [batch("b", "r2", None, 1), batch("a", "r3", None, 11)] {
        let Admission::Conflict(why) = admit("x", &known, &newcomer, NOW) else {
            panic!("conflict expected")
        };
        assert!(
            !why.contains("secret-run") && !why.contains("r2") && !why.contains("r3"),
            "{why}"
        );
    }
}

#[test]
fn a_copy_taken_for_a_restart_is_refused_once_the_original_speaks_again() {
    let mut known = seen(&[batch("a", "r1", None, 10)], NOW);
    // The copy names r1 as its previous run, on the same host: first taken for a restart.
    let copy = batch("a", "r2", Some("r1"), 1011);
    assert_eq!(admit("x", &known, &copy, NOW + 100), Admission::Store);
    record(&mut known, &copy, NOW + 100);
    // The original goes on: accepted, deduplicated against its own seqs.
    let original = batch("a", "r1", None, 11);
    assert_eq!(admit("x", &known, &original, NOW + 1000), Admission::Store);
    record(&mut known, &original, NOW + 1000);
    assert_eq!(
        admit("x", &known, &original, NOW + 1100),
        Admission::Duplicate
    );
    // From now on the copy is refused while the original is live, and then takes over.
    let next_copy = batch("a", "r2", Some("r1"), 1012);
    let refused = admit("x", &known, &next_copy, NOW + 2000);
    assert!(
        matches!(refused, Admission::Conflict(ref why) if why.contains("copy")),
        "{refused:?}"
    );
    let later = NOW + 1000 + MIN_LIVE_WINDOW_MS + 1;
    assert_eq!(admit("x", &known, &next_copy, later), Admission::Store);
}
