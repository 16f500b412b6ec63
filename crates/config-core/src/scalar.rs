//! A raw leaf value from YAML or the environment, kept as text until validation parses it.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, Visitor};

/// The text of one scalar (string, number or boolean) as written by the operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scalar(String);

impl Scalar {
    /// The text, trimmed of surrounding whitespace.
    pub fn text(&self) -> &str {
        self.0.trim()
    }

    /// The text as written, without trimming.
    pub fn into_string(self) -> String {
        self.0
    }
}

struct ScalarVisitor;

impl Visitor<'_> for ScalarVisitor {
    type Value = Scalar;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a single value (text, number or true/false)")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Scalar, E> {
        Ok(Scalar(value.to_owned()))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<Scalar, E> {
        Ok(Scalar(value))
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Scalar, E> {
        Ok(Scalar(value.to_string()))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Scalar, E> {
        Ok(Scalar(value.to_string()))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Scalar, E> {
        Ok(Scalar(value.to_string()))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Scalar, E> {
        Ok(Scalar(value.to_string()))
    }
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ScalarVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_strings_numbers_and_booleans() {
        let parse = |yaml: &str| yaml_serde::from_str::<Scalar>(yaml).map(|s| s.text().to_owned());
        assert_eq!(parse("30s").ok().as_deref(), Some("30s"));
        assert_eq!(parse("42").ok().as_deref(), Some("42"));
        assert_eq!(parse("true").ok().as_deref(), Some("true"));
        assert_eq!(parse("1.5").ok().as_deref(), Some("1.5"));
    }

    #[test]
    fn rejects_lists_and_mappings() {
        assert!(yaml_serde::from_str::<Scalar>("[1, 2]").is_err());
        assert!(yaml_serde::from_str::<Scalar>("{a: 1}").is_err());
    }
}
