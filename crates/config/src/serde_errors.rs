//! Rewrites YAML deserialization errors into a key path and an operator-friendly message.

use crate::suggest::closest;

/// Splits a YAML structure error into `(key path, message)`, without line/column.
///
/// Unknown keys become `parent.key: unknown key (did you mean ...?); valid keys: ...`.
pub(crate) fn describe(error: &yaml_serde::Error) -> (String, String) {
    let mut text = error.to_string();
    if let Some(location) = error.location() {
        let suffix = format!(" at line {} column {}", location.line(), location.column());
        if let Some(stripped) = text.strip_suffix(&suffix) {
            text = stripped.to_owned();
        }
    }
    let (parent, message) = split_path(&text);
    match unknown_key(message) {
        Some((key, valid)) => (join_path(parent, &key), unknown_key_message(&key, &valid)),
        None => (parent.to_owned(), friendly_types(message)),
    }
}

/// `storage.retention: message` -> (`storage.retention`, `message`).
fn split_path(text: &str) -> (&str, &str) {
    let is_path_char = |c: char| c.is_ascii_alphanumeric() || "_.[]?".contains(c);
    match text.split_once(": ") {
        Some((path, message)) if !path.is_empty() && path.chars().all(is_path_char) => {
            (path, message)
        }
        _ => ("", text),
    }
}

fn join_path(parent: &str, key: &str) -> String {
    if parent.is_empty() || parent == "." {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

/// Parses serde's "unknown field `x`, expected one of `a`, `b`" into `x` and `[a, b]`.
fn unknown_key(message: &str) -> Option<(String, Vec<String>)> {
    let rest = message.strip_prefix("unknown field `")?;
    let (key, expected) = rest.split_once('`')?;
    let valid = expected
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect();
    Some((key.to_owned(), valid))
}

fn unknown_key_message(key: &str, valid: &[String]) -> String {
    let names: Vec<&str> = valid.iter().map(String::as_str).collect();
    let hint = closest(key, &names)
        .map(|name| format!(" (did you mean {name:?}?)"))
        .unwrap_or_default();
    if names.is_empty() {
        format!("unknown key{hint}; this section takes no keys")
    } else {
        format!("unknown key{hint}; valid keys: {}", names.join(", "))
    }
}

/// Replaces internal type names (`struct RawStorage`) with what the operator should write.
fn friendly_types(message: &str) -> String {
    match message.find("expected struct ") {
        Some(start) => format!(
            "{}expected a mapping of keys (key: value)",
            &message[..start]
        ),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_unknown_field_messages() {
        let parsed = unknown_key("unknown field `rwa`, expected one of `raw`, `minute`, `hour`");
        assert_eq!(
            parsed,
            Some((
                "rwa".to_owned(),
                vec!["raw".into(), "minute".into(), "hour".into()]
            ))
        );
        let two = unknown_key("unknown field `x`, expected `a` or `b`");
        assert_eq!(two, Some(("x".to_owned(), vec!["a".into(), "b".into()])));
    }

    #[test]
    fn splits_paths_only_when_they_look_like_paths() {
        assert_eq!(
            split_path("storage.retention: bad"),
            ("storage.retention", "bad")
        );
        assert_eq!(
            split_path("invalid type: map, expected x"),
            ("", "invalid type: map, expected x")
        );
    }
}
