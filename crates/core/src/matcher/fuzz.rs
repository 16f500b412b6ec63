//! Entry point shared by the `matcher` fuzz target and its corpus regression test: label
//! matchers through the one matcher grammar.

use super::{format_matcher, parse_matcher, parse_matcher_list, validate_matcher};

/// Runs one matcher input, as one matcher and as a comma-separated list. What the parser
/// accepts must pass [`validate_matcher`] and read back unchanged from [`format_matcher`].
/// Panics, with the broken invariant, only on a defect of the grammar.
pub fn parse_matcher_text(text: &str) {
    if let Err(defect) = check_matcher_text(text) {
        #[allow(
            clippy::panic,
            reason = "a fuzz entry reports a broken invariant by panicking; the fuzzer catches it"
        )]
        {
            panic!("{defect}");
        }
    }
}

/// Checks the grammar's invariants for one input; `Err` describes the first one broken.
fn check_matcher_text(text: &str) -> Result<(), String> {
    if let Ok(matcher) = parse_matcher(text) {
        if let Err(error) = validate_matcher(&matcher) {
            return Err(format!("{text:?} parses but does not validate: {error}"));
        }
        let written = format_matcher(&matcher);
        match parse_matcher(&written) {
            Ok(again) if again == matcher => {}
            Ok(again) => {
                return Err(format!(
                    "{written:?} reads back differently: {again:?} != {matcher:?}"
                ));
            }
            Err(error) => {
                return Err(format!(
                    "{written:?}, written from {text:?}, is refused: {error}"
                ));
            }
        }
    }
    if let Ok(list) = parse_matcher_list(text) {
        if list.is_empty() {
            return Err(format!("{text:?} parses as an empty list"));
        }
        let written: Vec<String> = list.iter().map(format_matcher).collect();
        let written = written.join(",");
        match parse_matcher_list(&written) {
            Ok(again) if again == list => {}
            Ok(again) => {
                return Err(format!(
                    "{written:?} reads back differently: {again:?} != {list:?}"
                ));
            }
            Err(error) => {
                return Err(format!(
                    "{written:?}, written from {text:?}, is refused: {error}"
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_and_refused_inputs_keep_the_invariants() {
        for text in [
            r#"host="web-1""#,
            r#"rule=~"disk_.*",severity!="info""#,
            "",
            "=",
            "a=\"",
        ] {
            assert_eq!(check_matcher_text(text), Ok(()), "{text:?}");
        }
    }
}
