//! Entry points shared by the `config_load` and `matcher` fuzz targets and their corpus
//! regression tests: configuration text through the whole load and validation path, and
//! label matchers through the one matcher grammar.

use crate::{
    AgentOverrides, HubOverrides, format_matcher, load_agent_config_text, load_hub_config_text,
    parse_matcher, parse_matcher_list, validate_matcher,
};
use std::path::Path;

/// Runs one configuration input: the first byte picks hub (even) or agent (odd), the rest
/// is the YAML text. Every error must render and name the file. Panics only on a defect.
pub fn load_config(data: &[u8]) {
    let Some((&kind, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let name = Path::new("fuzz.yaml");
    let errors = if kind % 2 == 0 {
        load_hub_config_text(text, name, &[], &HubOverrides::default()).err()
    } else {
        load_agent_config_text(text, name, &[], &AgentOverrides::default()).err()
    };
    let Some(errors) = errors else {
        return;
    };
    assert!(!errors.is_empty(), "a refused configuration has no error");
    for error in errors.iter() {
        assert!(
            error.to_string().contains("fuzz.yaml"),
            "an error does not name the file: {error}"
        );
    }
}

/// Runs one matcher input, as one matcher and as a comma-separated list. What the parser
/// accepts must pass [`validate_matcher`] and read back unchanged from [`format_matcher`].
pub fn parse_matcher_text(text: &str) {
    if let Ok(matcher) = parse_matcher(text) {
        if let Err(error) = validate_matcher(&matcher) {
            panic!("{text:?} parses but does not validate: {error}");
        }
        let written = format_matcher(&matcher);
        match parse_matcher(&written) {
            Ok(again) => assert_eq!(again, matcher, "{written:?} reads back differently"),
            Err(error) => panic!("{written:?}, written from {text:?}, is refused: {error}"),
        }
    }
    if let Ok(list) = parse_matcher_list(text) {
        assert!(!list.is_empty(), "{text:?} parses as an empty list");
        let written: Vec<String> = list.iter().map(format_matcher).collect();
        let written = written.join(",");
        match parse_matcher_list(&written) {
            Ok(again) => assert_eq!(again, list, "{written:?} reads back differently"),
            Err(error) => panic!("{written:?}, written from {text:?}, is refused: {error}"),
        }
    }
}
