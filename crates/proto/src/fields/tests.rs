//! Every field limit refuses with the field's path and the limit.

use super::*;
use hostpulse_core::{ProcessSnapshot, Sample};

fn batch() -> IngestBatch {
    IngestBatch {
        version: crate::PROTOCOL_VERSION,
        agent: AgentIdentity::for_tests(),
        seq: 1,
        facts: Some(HostFacts {
            hostname: "web-1".into(),
            ips: vec!["10.0.0.1".into()],
            ..HostFacts::default()
        }),
        frames: vec![Frame {
            ts_ms: 0,
            samples: vec![Sample::new("disk.used_percent", 1.0).with_label("mount", "/")],
            ..Frame::default()
        }],
    }
}

fn refused(batch: &IngestBatch) -> FieldError {
    check_fields(batch, &FieldLimits::default(), 256).unwrap_err()
}

#[test]
fn a_good_batch_passes() {
    assert_eq!(check_fields(&batch(), &FieldLimits::default(), 256), Ok(()));
}

#[test]
fn long_names_and_lists_name_the_field_and_limit() {
    let mut b = batch();
    b.agent.hostname = "h".repeat(1 << 20);
    let e = refused(&b);
    assert_eq!(e.path, "agent.hostname");
    assert!(
        e.problem.contains("1048576 bytes") && e.problem.contains("253"),
        "{e}"
    );

    let mut b = batch();
    b.facts.as_mut().unwrap().ips = vec!["10.0.0.1".into(); 10_000];
    let e = refused(&b);
    assert_eq!(e.path, "facts.ips");
    assert!(
        e.problem.contains("10000 entries") && e.problem.contains("64"),
        "{e}"
    );

    let mut b = batch();
    b.frames[0].processes = Some(ProcessSnapshot {
        top_cpu: Vec::new(),
        top_memory: vec![
            ProcessInfo {
                pid: 1,
                name: "init".into(),
                user: "root".into(),
                cpu_percent: 0.0,
                rss_bytes: 0,
            };
            101
        ],
    });
    assert_eq!(refused(&b).path, "frames[0].processes.top_memory");
}

#[test]
fn control_characters_are_refused_where_they_are() {
    let mut b = batch();
    b.agent.hostname = "web\u{0}1".into();
    let e = refused(&b);
    assert_eq!(e.path, "agent.hostname");
    assert!(e.problem.contains("U+0000"), "{e}");

    let mut b = batch();
    b.frames[0].samples[0]
        .labels
        .insert("mount".into(), "/\u{1b}[2J".into());
    assert_eq!(refused(&b).path, "frames[0].samples[0].labels.mount");

    let mut b = batch();
    b.facts.as_mut().unwrap().kernel = "6.1\n".into();
    assert_eq!(refused(&b).path, "facts.kernel");
}

#[test]
fn interval_and_ids_are_range_checked() {
    for bad in [0, 999, 3_600_001, u64::MAX] {
        let mut b = batch();
        b.agent.interval_ms = bad;
        let e = refused(&b);
        assert_eq!(e.path, "agent.interval_ms", "{bad}");
        assert!(e.problem.contains("between 1000 and 3600000"), "{e}");
    }
    let mut b = batch();
    b.agent.instance_id = String::new();
    assert_eq!(refused(&b).path, "agent.instance_id");
    let mut b = batch();
    b.agent.previous_run_id = Some("a b".into());
    assert_eq!(refused(&b).path, "agent.previous_run_id");
}
