//! The one label-matcher grammar (Prometheus / Alertmanager style) used by the configuration
//! (routes, inhibit rules, maintenance windows), the API (silences, the `labels` filter of
//! range queries), the CLI and the Telegram bot.
//!
//! ```text
//! matcher = name op value           spaces are allowed around name, op and value
//! list    = matcher { "," matcher }
//! name    = [A-Za-z_][A-Za-z0-9_]*  (at most 128 characters)
//! op      = "=" | "!=" | "=~" | "!~"
//! value   = '"' { char | escape } '"'        escapes \" \\ \n \t; other \x stay as written
//!         | bare                             no spaces, `"` or `,`; not starting with = ! ~
//! ```
//!
//! Values are at most 1024 bytes; `=~` and `!~` values are regular expressions that must
//! compile and match the whole label value. Label names follow the wire format's label keys
//! (letters, digits and `_`): `-` and `.` belong to host and metric names, not label names.

mod cursor;
pub mod fuzz;

use crate::alert::{MatchOp, Matcher};
use cursor::Cursor;

/// Longest label name accepted.
pub const MAX_NAME_CHARS: usize = 128;
/// Longest value accepted, bytes.
pub const MAX_VALUE_BYTES: usize = 1024;

/// Why a matcher was refused: the text, the 1-based character column and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid matcher {text:?} at column {column}: {reason}")]
pub struct MatcherError {
    /// The text that was parsed (for parts, the matcher written back).
    pub text: String,
    /// 1-based character column of the first unexpected character.
    pub column: usize,
    /// What was expected there.
    pub reason: String,
}

/// Parses one matcher such as `host=web-1`, `severity != critical` or `mount=~"/var.*"`.
pub fn parse_matcher(text: &str) -> Result<Matcher, MatcherError> {
    let mut cursor = Cursor::new(text);
    let matcher = cursor.matcher()?;
    cursor.skip_spaces();
    if let Some(found) = cursor.peek() {
        let reason = if found == ',' {
            "expected the end of the matcher, found \",\": give one matcher here, or quote a \
             value holding a comma"
                .to_string()
        } else {
            format!(
                "expected the end of the matcher, found {found:?}: quote a value holding spaces"
            )
        };
        return Err(cursor.error(reason));
    }
    Ok(matcher)
}

/// Parses matchers separated by commas: `host=web-1,rule=disk_full`.
pub fn parse_matcher_list(text: &str) -> Result<Vec<Matcher>, MatcherError> {
    let mut cursor = Cursor::new(text);
    let mut matchers = vec![cursor.matcher()?];
    loop {
        cursor.skip_spaces();
        match cursor.peek() {
            None => return Ok(matchers),
            Some(',') => {
                cursor.advance();
                matchers.push(cursor.matcher()?);
            }
            Some(found) => {
                let reason = format!(
                    "expected \",\" or the end, found {found:?}: quote a value holding spaces"
                );
                return Err(cursor.error(reason));
            }
        }
    }
}

/// Checks a matcher given as parts (`{"name", "op", "value"}`) against the same grammar.
pub fn validate_matcher(matcher: &Matcher) -> Result<(), MatcherError> {
    let text = format_matcher(matcher);
    let refuse = |column: usize, reason: String| MatcherError {
        text: text.clone(),
        column,
        reason,
    };
    if let Err(reason) = check_name(&matcher.name) {
        return Err(refuse(1, reason));
    }
    let value_column = text.chars().count() - format_value(&matcher.value).chars().count() + 1;
    check_value(matcher.op, &matcher.value).map_err(|reason| refuse(value_column, reason))
}

/// Writes a matcher back so that [`parse_matcher`] reads the same matcher; the value is
/// quoted only when it has to be.
pub fn format_matcher(matcher: &Matcher) -> String {
    format!(
        "{}{}{}",
        matcher.name,
        op_symbol(matcher.op),
        format_value(&matcher.value)
    )
}

/// The operator as written: `=`, `!=`, `=~` or `!~`.
pub fn op_symbol(op: MatchOp) -> &'static str {
    match op {
        MatchOp::Eq => "=",
        MatchOp::NotEq => "!=",
        MatchOp::Regex => "=~",
        MatchOp::NotRegex => "!~",
    }
}

/// Whether `name` is a label name of the grammar: `[A-Za-z_][A-Za-z0-9_]*`.
pub fn is_label_name(name: &str) -> bool {
    check_name(name).is_ok()
}

/// Appends the character that `\` followed by `escaped` stands for in a double-quoted value
/// (of a matcher or of a rule expression): `\"` `\\` `\n` `\t`; any other `\x` stays as
/// written, so that regular expressions such as `\d+` keep their backslash.
pub fn push_escaped(value: &mut String, escaped: char) {
    match escaped {
        'n' => value.push('\n'),
        't' => value.push('\t'),
        '"' | '\\' => value.push(escaped),
        other => {
            value.push('\\');
            value.push(other);
        }
    }
}

fn format_value(value: &str) -> String {
    let bare_ok = !value.is_empty()
        && !value.starts_with(['=', '!', '~'])
        && !value.contains(|c: char| c.is_whitespace() || c == '"' || c == ',');
    if bare_ok {
        return value.to_string();
    }
    let mut out = String::from("\"");
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            other => out.push(other),
        }
    }
    out.push('"');
    out
}

fn check_name(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    if !first_ok || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(format!(
            "{name:?} is not a label name (letters, digits and _, not starting with a digit)"
        ));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(format!(
            "the label name is longer than {MAX_NAME_CHARS} characters"
        ));
    }
    Ok(())
}

fn check_value(op: MatchOp, value: &str) -> Result<(), String> {
    if value.len() > MAX_VALUE_BYTES {
        return Err(format!("the value is longer than {MAX_VALUE_BYTES} bytes"));
    }
    if matches!(op, MatchOp::Regex | MatchOp::NotRegex) {
        regex::Regex::new(&format!("^(?:{value})$"))
            .map_err(|error| format!("invalid regular expression: {}", regex_reason(&error)))?;
    }
    Ok(())
}

/// The one-line reason of a regex error (its text spans several lines with a caret).
fn regex_reason(error: &regex::Error) -> String {
    let text = error.to_string();
    text.lines()
        .rev()
        .find_map(|line| line.trim().strip_prefix("error: "))
        .unwrap_or(text.trim())
        .to_string()
}

#[cfg(test)]
mod tests;
