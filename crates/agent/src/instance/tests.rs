//! Instance state on a real temporary directory.

use super::*;

#[test]
fn seqs_grow_within_a_run_and_start_at_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut state = InstanceState::open(dir.path(), 0).unwrap();
    assert_eq!(state.next_seq(), 1);
    assert_eq!(state.next_seq(), 2);
    assert_eq!(state.peek(), 3);
    assert!(is_valid_id(state.instance_id()) && is_valid_id(state.run_id()));
    assert_eq!(state.previous_run_id(), None);
}

#[test]
fn a_restart_keeps_the_instance_names_the_previous_run_and_continues_the_seq() {
    let dir = tempfile::tempdir().unwrap();
    let mut first = InstanceState::open(dir.path(), 0).unwrap();
    let mut last = 0;
    for _ in 0..(SEQ_RESERVATION + 5) {
        last = first.next_seq();
    }
    let (instance, run) = (first.instance_id().to_owned(), first.run_id().to_owned());
    drop(first);
    let mut second = InstanceState::open(dir.path(), 0).unwrap();
    assert_eq!(second.instance_id(), instance);
    assert_ne!(second.run_id(), run);
    assert_eq!(second.previous_run_id(), Some(run.as_str()));
    let next = second.next_seq();
    assert!(
        next > last && next - last <= SEQ_RESERVATION + 1,
        "{last} -> {next}"
    );
}

#[test]
fn lost_or_garbage_state_starts_a_new_instance_above_the_spool() {
    let dir = tempfile::tempdir().unwrap();
    let first = InstanceState::open(dir.path(), 0).unwrap();
    let instance = first.instance_id().to_owned();
    drop(first);
    fs::write(dir.path().join(INSTANCE_FILE), b"not json").unwrap();
    let mut second = InstanceState::open(dir.path(), 500).unwrap();
    assert_ne!(second.instance_id(), instance);
    assert_eq!(second.previous_run_id(), None);
    assert_eq!(second.next_seq(), 500);
    fs::remove_file(dir.path().join(INSTANCE_FILE)).unwrap();
    let third = InstanceState::open(dir.path(), 0).unwrap();
    assert_ne!(third.instance_id(), second.instance_id());
}
