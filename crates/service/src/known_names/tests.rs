//! Warnings for silence matchers that match nothing today.

use super::*;
use hostpulse_core::matcher::parse_matcher;

fn known() -> KnownNames {
    let mut known = KnownNames {
        agents: ["web-1", "web-2", "box"].map(String::from).into(),
        rules: Some(["high_cpu", "disk_full"].map(String::from).into()),
        ..KnownNames::default()
    };
    known.add_labels(&BTreeMap::from([("mount".to_string(), "/var".to_string())]));
    known.add_labels(&BTreeMap::from([("iface".to_string(), "eth0".to_string())]));
    known.add_other_name("vm", "box");
    known
}

fn warn(text: &str) -> Vec<String> {
    known().warnings(&[parse_matcher(text).unwrap()])
}

#[test]
fn known_names_give_no_warning() {
    for text in [
        "host=web-1",
        "host=~web-.*",
        "host!=web-2",
        "rule=high_cpu",
        "severity=critical",
        "mount=/var",
        "mount=~/v.*",
        "iface!~lo",
    ] {
        assert_eq!(warn(text), Vec::<String>::new(), "{text}");
    }
}

#[test]
fn unknown_labels_hosts_rules_and_values_warn_with_a_suggestion() {
    let cases = [
        ("hots=web-1", r#"the label "hots"; did you mean "host"?"#),
        ("moutn=/", r#"the label "moutn"; did you mean "mount"?"#),
        ("zzz=1", r#"no current series or alert has the label "zzz""#),
        ("host=nosuchhost", r#"no agent is named "nosuchhost""#),
        ("host=web-3", "did you mean host=web-1?"),
        ("host=~db-.*", "host=~db-.* matches no current host"),
        ("rule=hgh_cpu", "did you mean rule=high_cpu?"),
        ("severity=crit", r#"no severity is named "crit""#),
        (
            "mount=/vra",
            r#"no current series has the value "/vra"; did you mean mount=/var?"#,
        ),
        (
            "host=vm",
            r#"it is the hostname of "box", and alerts carry the agent's name; did you mean host=box?"#,
        ),
    ];
    for (text, expected) in cases {
        let warnings = warn(text);
        assert_eq!(warnings.len(), 1, "{text}: {warnings:?}");
        assert!(warnings[0].contains(expected), "{text}: {}", warnings[0]);
    }
    assert!(!warn("zzz=1")[0].contains("did you mean"));
}

#[test]
fn rules_are_not_judged_without_the_engine() {
    let known = KnownNames {
        rules: None,
        ..known()
    };
    assert!(
        known
            .warnings(&[parse_matcher("rule=whatever").unwrap()])
            .is_empty()
    );
}
