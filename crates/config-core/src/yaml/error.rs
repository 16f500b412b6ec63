//! Deserialization failures at a node of the tree, worded for the operator.

use std::fmt;

use serde::de;

use super::Segment;
use crate::suggest::closest;

/// A deserialization failure at a node.
#[derive(Debug)]
pub struct DeError {
    pub(super) message: String,
    /// The innermost node the failure happened at.
    pub(super) path: Option<Vec<Segment>>,
}

impl DeError {
    pub(super) fn new(message: String) -> Self {
        Self {
            message,
            path: None,
        }
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(message: T) -> Self {
        Self::new(message.to_string())
    }

    fn invalid_type(unexpected: de::Unexpected<'_>, expected: &dyn de::Expected) -> Self {
        let found = match unexpected {
            de::Unexpected::Map => "a mapping".to_owned(),
            de::Unexpected::Seq => "a list".to_owned(),
            de::Unexpected::Unit => "nothing".to_owned(),
            de::Unexpected::Str(text) => format!("{text:?}"),
            other => other.to_string(),
        };
        Self::new(format!(
            "expected {}, found {found}",
            friendly(&expected.to_string())
        ))
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        Self::new(unknown_key_message(field, expected))
    }
}

/// What the operator should write instead of serde's type names.
fn friendly(expected: &str) -> String {
    if expected.starts_with("struct ") || expected == "a map" {
        "a mapping of keys (key: value)".to_owned()
    } else if expected == "a sequence" {
        "a list ([a, b] or one `- item` per line)".to_owned()
    } else {
        expected.to_owned()
    }
}

/// `unknown key (did you mean "raw"?); valid keys: raw, minute, hour`.
pub fn unknown_key_message(key: &str, valid: &[&str]) -> String {
    let hint = closest(key, valid)
        .map(|name| format!(" (did you mean {name:?}?)"))
        .unwrap_or_default();
    if valid.is_empty() {
        format!("unknown key{hint}; this section takes no keys")
    } else {
        format!("unknown key{hint}; valid keys: {}", valid.join(", "))
    }
}
