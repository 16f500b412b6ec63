//! Secrets (tokens, passwords) in configuration: the core type, read from one scalar.

pub use hostpulse_core::Secret;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deserializes_from_yaml_string_and_number() {
        let text: Secret = yaml_serde::from_str("\"abc\"").expect("string");
        assert_eq!(text.expose(), "abc");
        let number: Secret = yaml_serde::from_str("12345").expect("number");
        assert_eq!(number.expose(), "12345");
    }
}
