//! Entry points shared by the `config_load` and `matcher` fuzz targets and their corpus
//! regression tests: configuration text through the whole load and validation path, and
//! label matchers through the parser.

use crate::{
    AgentOverrides, HubOverrides, load_agent_config_text, load_hub_config_text, parse_matcher,
};
use hostpulse_core::{MatchOp, Matcher};
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

/// Runs one matcher input. A matcher the parser accepts must come back unchanged when
/// written in its quoted form and parsed again.
pub fn parse_matcher_text(text: &str) {
    let Ok(matcher) = parse_matcher(text) else {
        return;
    };
    assert!(!matcher.name.is_empty(), "a matcher without a name");
    let written = quoted(&matcher);
    match parse_matcher(&written) {
        Ok(again) => assert_eq!(again, matcher, "{written:?} reads back differently"),
        Err(error) => panic!("{written:?}, written from {text:?}, is refused: {error}"),
    }
}

fn quoted(matcher: &Matcher) -> String {
    let op = match matcher.op {
        MatchOp::Eq => "=",
        MatchOp::NotEq => "!=",
        MatchOp::Regex => "=~",
        MatchOp::NotRegex => "!~",
    };
    let value = matcher.value.replace('\\', "\\\\").replace('"', "\\\"");
    format!("{}{op}\"{value}\"", matcher.name)
}
