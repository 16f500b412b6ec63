//! Lists the keys a raw configuration struct accepts, straight from its serde derive.

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

/// The field names of a struct deriving `Deserialize` (empty for anything else).
pub fn struct_fields<'de, T: Deserialize<'de>>() -> &'static [&'static str] {
    let mut fields: &'static [&'static str] = &[];
    // The probe always fails once the field list is captured; the error carries no information.
    let _ = T::deserialize(FieldProbe {
        fields: &mut fields,
    });
    fields
}

struct FieldProbe<'a> {
    fields: &'a mut &'static [&'static str],
}

impl<'de> Deserializer<'de> for FieldProbe<'_> {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Self::Error> {
        Err(de::Error::custom("not a struct"))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Self::Error> {
        *self.fields = fields;
        Err(de::Error::custom("fields captured"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Example {
        alpha: Option<String>,
        beta_gamma: Option<u32>,
    }

    #[test]
    fn lists_struct_fields() {
        assert_eq!(struct_fields::<Example>(), ["alpha", "beta_gamma"]);
        assert!(struct_fields::<String>().is_empty());
    }
}

/// Test support: checks that every key of a schema is documented.
#[cfg(any(test, feature = "test-support"))]
#[allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]
pub mod documented {
    use std::path::Path;

    fn repo_file(name: &str) -> String {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(name);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
    }

    /// Every `section.key` appears as a key line (set or commented out) in `example` and as
    /// `` `section.key` `` in docs/config.md.
    /// Asserts the keys are documented (see above).
    pub fn assert_keys_documented(sections: &[(&str, &[&str])], example: &str) {
        let example_text = repo_file(example);
        let docs = repo_file("docs/config.md");
        for (section, keys) in sections {
            for key in *keys {
                let dotted = if section.is_empty() {
                    (*key).to_owned()
                } else {
                    format!("{section}.{key}")
                };
                let in_example = example_text.lines().any(|line| {
                    let line = line.trim_start().trim_start_matches("# ");
                    line.starts_with(&format!("{key}:"))
                });
                assert!(in_example, "{example} does not show {dotted}");
                let is_section = sections.iter().any(|(name, _)| *name == dotted);
                let in_docs = docs.contains(&format!("`{dotted}`"));
                assert!(in_docs || is_section, "docs/config.md misses {dotted}");
            }
        }
    }
}
