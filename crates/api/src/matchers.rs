//! Label matchers as written by people: `name=value`, `name!=value`, `name=~regex`, `name!~regex`.

use hostpulse_core::{MatchOp, Matcher};

/// Why a matcher was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid matcher {text:?}: {reason}")]
pub struct MatcherError {
    pub text: String,
    pub reason: String,
}

fn refuse(text: &str, reason: impl Into<String>) -> MatcherError {
    MatcherError {
        text: text.to_string(),
        reason: reason.into(),
    }
}

/// Parses one matcher; the value may be wrapped in double quotes.
pub fn parse_matcher(text: &str) -> Result<Matcher, MatcherError> {
    let trimmed = text.trim();
    let split = trimmed.find(['=', '!']).ok_or_else(|| {
        refuse(
            text,
            "expected name=value, name!=value, name=~regex or name!~regex",
        )
    })?;
    let (name, rest) = trimmed.split_at(split);
    let (op, value) = if let Some(v) = rest.strip_prefix("=~") {
        (MatchOp::Regex, v)
    } else if let Some(v) = rest.strip_prefix("!~") {
        (MatchOp::NotRegex, v)
    } else if let Some(v) = rest.strip_prefix("!=") {
        (MatchOp::NotEq, v)
    } else if let Some(v) = rest.strip_prefix('=') {
        (MatchOp::Eq, v)
    } else {
        return Err(refuse(text, "`!` must be followed by `=` or `~`"));
    };
    let value = unquote(value.trim());
    let matcher = Matcher {
        name: name.trim().to_string(),
        op,
        value: value.to_string(),
    };
    validate_matcher(&matcher).map_err(|reason| refuse(text, reason))?;
    Ok(matcher)
}

fn unquote(value: &str) -> &str {
    value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value)
}

/// Checks the label name and, for regex operators, that the value compiles.
pub fn validate_matcher(matcher: &Matcher) -> Result<(), String> {
    let name = &matcher.name;
    let name_ok = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        && name.len() <= 128;
    if !name_ok {
        return Err(format!(
            "label name {name:?} must start with a letter or `_` and use letters, digits, `_`, `.` or `-`"
        ));
    }
    if matcher.value.len() > 1024 {
        return Err("value is longer than 1024 bytes".into());
    }
    if matches!(matcher.op, MatchOp::Regex | MatchOp::NotRegex) {
        regex::Regex::new(&format!("^(?:{})$", matcher.value))
            .map_err(|e| format!("bad regular expression: {e}"))?;
    }
    Ok(())
}

/// Writes a matcher back in its text form.
pub fn format_matcher(matcher: &Matcher) -> String {
    let op = match matcher.op {
        MatchOp::Eq => "=",
        MatchOp::NotEq => "!=",
        MatchOp::Regex => "=~",
        MatchOp::NotRegex => "!~",
    };
    format!("{}{op}{}", matcher.name, matcher.value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_operator() {
        let cases = [
            ("host=web-1", "host", MatchOp::Eq, "web-1"),
            ("rule!=high_cpu", "rule", MatchOp::NotEq, "high_cpu"),
            ("mount=~/var/.*", "mount", MatchOp::Regex, "/var/.*"),
            ("host!~\"db-.*\"", "host", MatchOp::NotRegex, "db-.*"),
            (" severity = critical ", "severity", MatchOp::Eq, "critical"),
            ("mount=", "mount", MatchOp::Eq, ""),
        ];
        for (text, name, op, value) in cases {
            let m = parse_matcher(text).unwrap();
            assert_eq!(
                (m.name.as_str(), m.op, m.value.as_str()),
                (name, op, value),
                "{text}"
            );
        }
        let m = parse_matcher("host=~web-[0-9]+").unwrap();
        assert_eq!(format_matcher(&m), "host=~web-[0-9]+");
    }

    #[test]
    fn refuses_bad_matchers_with_a_reason() {
        for bad in [
            "host", "=web-1", "host!web", "1host=x", "host=~(", "ho st=x",
        ] {
            let error = parse_matcher(bad).unwrap_err();
            assert_eq!(error.text, bad);
            assert!(!error.reason.is_empty());
        }
        let error = parse_matcher("host=~web-(").unwrap_err();
        assert!(error.reason.contains("regular expression"), "{error}");
    }
}
