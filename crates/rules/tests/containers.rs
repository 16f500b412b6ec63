//! The built-in container rules and per-container thresholds on the `container.*` series
//! the agent sends (labels `container` and `image`).
#![allow(clippy::expect_used, clippy::panic, reason = "test code")]

mod common;

use common::*;
use hostpulse_rules::{MemorySource, default_rules};
use std::collections::BTreeMap;

/// `web` stopped, `db` running and healthy, `api` restarted 4 times in 10 minutes and
/// OOM-killed once; one point every 5 s for 10 minutes.
fn fleet() -> MemorySource {
    let mut src = MemorySource::new();
    src.set_interval("h1", 5 * SEC);
    for (name, running, healthy) in [
        ("web", 0.0, None),
        ("db", 1.0, Some(1.0)),
        ("api", 1.0, Some(0.0)),
    ] {
        let l = labels(&[("container", name), ("image", "img")]);
        fill(&mut src, "container.running", &l, T0, 5 * SEC, 120, |_| {
            running
        });
        if let Some(h) = healthy {
            fill(&mut src, "container.healthy", &l, T0, 5 * SEC, 120, |_| h);
        }
        let api = name == "api";
        fill(&mut src, "container.restarts", &l, T0, 5 * SEC, 120, |i| {
            if api { (i / 30) as f64 } else { 0.0 }
        });
        fill(&mut src, "container.oom_kills", &l, T0, 5 * SEC, 120, |i| {
            if api && i > 100 { 1.0 } else { 0.0 }
        });
    }
    src
}

fn holding(expr: &str, src: &MemorySource) -> Vec<String> {
    let now = T0 + 119 * 5 * SEC;
    let mut names: Vec<String> = rule(expr)
        .evaluate("h1", now, src)
        .into_iter()
        .filter(|r| r.holds)
        .map(|r| r.labels.get("container").cloned().unwrap_or_default())
        .collect();
    names.sort();
    names
}

#[test]
fn a_per_container_threshold_selects_one_container() {
    let src = fleet();
    assert_eq!(
        holding(r#"container.running{container="web"} == 0"#, &src),
        ["web"]
    );
    assert!(holding(r#"container.running{container="db"} == 0"#, &src).is_empty());
    assert_eq!(
        holding(r#"container.running{container!="web"} == 1"#, &src),
        ["api", "db"]
    );
}

#[test]
fn the_built_in_container_rules_fire_on_the_right_containers() {
    let src = fleet();
    let defaults: BTreeMap<String, String> = default_rules()
        .into_iter()
        .filter(|r| r.name.starts_with("container_"))
        .map(|r| (r.name.clone(), r.expr.clone()))
        .collect();
    assert_eq!(defaults.len(), 4, "{defaults:?}");
    let expect = [
        ("container_down", vec!["web"]),
        ("container_unhealthy", vec!["api"]),
        ("container_restarting", vec!["api"]),
        ("container_oom_killed", vec!["api"]),
    ];
    for (name, containers) in expect {
        let expr = defaults
            .get(name)
            .unwrap_or_else(|| panic!("no built-in {name}"));
        assert_eq!(holding(expr, &src), containers, "{name}: {expr}");
    }
}
