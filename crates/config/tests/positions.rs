//! Every configuration error points at the line and column it is about: plain, quoted and
//! block values, keys under list items, receivers of every type, aliases, syntax errors.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed setup step should stop the test loudly"
)]

use std::path::Path;

use hostpulse_config::{ConfigErrors, HubOverrides, Position, load_hub_config_text};
use hostpulse_rules::parse_rule_text;

fn errors_of(text: &str) -> ConfigErrors {
    load_hub_config_text(text, Path::new("hub.yaml"), &[], &HubOverrides::default())
        .expect_err("the configuration is invalid")
}

/// `(path, line, column)` of every error.
fn places(errors: &ConfigErrors) -> Vec<(String, usize, usize)> {
    errors
        .iter()
        .map(|e| {
            let at = e.position.unwrap_or(Position { line: 0, column: 0 });
            (e.path.clone(), at.line, at.column)
        })
        .collect()
}

fn place(path: &str, line: usize, column: usize) -> (String, usize, usize) {
    (path.to_owned(), line, column)
}

#[test]
fn plain_quoted_and_flow_values_point_at_their_text() {
    let errors = errors_of(
        "listen: nowhere\nstorage:\n  checkpoint_interval: \"5 parsecs\"\n  retention: {raw: 'soon'}\n",
    );
    assert_eq!(
        places(&errors),
        [
            place("listen", 1, 9),
            place("storage.checkpoint_interval", 3, 25),
            place("storage.retention.raw", 4, 21),
        ],
        "{errors}"
    );
}

#[test]
fn keys_of_every_receiver_type_are_located() {
    let errors = errors_of(
        "receivers:\n  - name: a\n    type: slack\n    webhook_url: https://hooks.slack.com/x\n    chanel: \"#ops\"\n  - type: pager\n    name: b\n  - name: c\n",
    );
    let found = places(&errors);
    assert_eq!(
        found,
        [
            place("receivers[0].chanel", 5, 5),
            place("receivers[1].type", 6, 11),
            place("receivers[2]", 8, 5),
        ],
        "{errors}"
    );
    let text = errors.to_string();
    assert!(text.contains("did you mean \"channel\"?"), "{text}");
    assert!(text.contains("\"pager\" is not a receiver type"), "{text}");
    assert!(text.contains("needs a type: key"), "{text}");
}

#[test]
fn block_templates_point_inside_the_template() {
    let errors = errors_of(
        "receivers:\n  - type: slack\n    name: a\n    webhook_url: https://hooks.slack.com/x\n    template: |\n      Alert: {{ title }}\n      {% if x %} unclosed\n",
    );
    let found = places(&errors);
    assert_eq!(found.len(), 1, "{errors}");
    assert_eq!(found[0].0, "receivers[0].template");
    assert!(
        found[0].1 >= 6,
        "a block template error points into the block: {errors}"
    );
}

#[test]
fn aliases_and_env_values_keep_their_origin() {
    let errors = errors_of(
        "alerting:\n  defaults:\n    group_wait: &wait soon\nroutes:\n  - match: {severity: critical}\n    group_wait: *wait\n",
    );
    let found = places(&errors);
    assert_eq!(
        found,
        [
            place("alerting.defaults.group_wait", 3, 17),
            place("routes[0].group_wait", 3, 17),
        ],
        "an alias is reported where its anchor's value is written: {errors}"
    );
    let vars = vec![("HOSTPULSE_LISTEN".to_owned(), "nowhere".to_owned())];
    let env_errors =
        load_hub_config_text("", Path::new("hub.yaml"), &vars, &HubOverrides::default())
            .expect_err("bad listen");
    assert_eq!(env_errors.0[0].position, None);
    assert!(env_errors.0[0].message.contains("set by HOSTPULSE_LISTEN"));
}

#[test]
fn syntax_errors_and_second_documents_are_located() {
    let errors = errors_of("listen: 127.0.0.1:1\nstorage: [a\n");
    assert!(errors.0[0].message.starts_with("invalid YAML:"), "{errors}");
    assert!(errors.0[0].position.is_some(), "{errors}");
    let errors = errors_of("listen: 127.0.0.1:1\n---\nlisten: 127.0.0.1:2\n");
    assert!(
        errors.0[0].message.contains("one YAML document"),
        "{errors}"
    );
    assert_eq!(errors.0[0].position.map(|p| p.line), Some(2));
}

#[test]
fn rule_files_locate_keys_under_list_items() {
    let errors = parse_rule_text(
        "rules:\n  - name: a\n    expr: up\n    severity: urgent\n  - name: b\n    exp: up\n",
        Path::new("rules.yaml"),
    )
    .expect_err("invalid rules");
    assert_eq!(
        places(&errors),
        [
            place("rules[0].severity", 4, 15),
            place("rules[1].expr", 5, 5),
            place("rules[1].exp", 6, 5),
        ],
        "{errors}"
    );
}

#[test]
fn deep_nesting_is_refused_not_a_crash() {
    let deep = format!("listen: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    let errors = errors_of(&deep);
    let message = &errors.0[0].message;
    assert!(
        message.contains("nested deeper") || message.contains("recursion limit"),
        "{errors}"
    );
    let block: String = (0..100)
        .map(|i| format!("{}k{i}:\n", "  ".repeat(i)))
        .collect();
    assert!(errors_of(&block).0[0].message.contains("nested deeper"));
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..9 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        bomb.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    let errors = errors_of(&bomb);
    assert!(errors.0[0].message.contains("aliases expand"), "{errors}");
}
