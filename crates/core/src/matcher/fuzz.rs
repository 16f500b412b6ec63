//! Entry point shared by the `matcher` fuzz target and its corpus regression test: label
//! matchers through the one matcher grammar.

use super::{format_matcher, parse_matcher, parse_matcher_list, validate_matcher};

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
