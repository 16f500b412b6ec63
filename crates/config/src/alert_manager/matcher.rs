//! Label matchers written as `name op "value"` and shell-style globs (`web-*`).

use hostpulse_core::{MatchOp, Matcher};

/// Parses a label matcher such as `rule="host_down"`, `severity!=critical` or
/// `mount=~"/var.*"`. Operators: `=`, `!=`, `=~`, `!~`. The value may be double-quoted
/// (with `\"` and `\\` escapes) or bare. Regular expressions must compile; they match the
/// whole value.
pub fn parse_matcher(text: &str) -> Result<Matcher, String> {
    let text = text.trim();
    let name_end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
        .unwrap_or(text.len());
    let name = &text[..name_end];
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        return Err(format!(
            "{text:?} is not a matcher (use name op \"value\", e.g. rule=\"host_down\")"
        ));
    }
    let rest = text[name_end..].trim_start();
    let (op, value_text) = split_op(rest)
        .ok_or_else(|| format!("{text:?} has no operator after {name:?} (use =, !=, =~ or !~)"))?;
    let value = unquote(value_text.trim())
        .ok_or_else(|| format!("{text:?} has an unterminated quoted value"))?;
    if matches!(op, MatchOp::Regex | MatchOp::NotRegex) {
        regex::Regex::new(&format!("^(?:{value})$"))
            .map_err(|error| format!("{text:?} has an invalid regular expression: {error}"))?;
    }
    Ok(Matcher {
        name: name.to_owned(),
        op,
        value,
    })
}

fn split_op(text: &str) -> Option<(MatchOp, &str)> {
    [
        ("=~", MatchOp::Regex),
        ("!~", MatchOp::NotRegex),
        ("!=", MatchOp::NotEq),
        ("=", MatchOp::Eq),
    ]
    .into_iter()
    .find_map(|(symbol, op)| text.strip_prefix(symbol).map(|rest| (op, rest)))
}

fn unquote(text: &str) -> Option<String> {
    let Some(inner) = text.strip_prefix('"') else {
        return Some(text.to_owned());
    };
    let mut value = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => value.push(chars.next()?),
            '"' => return chars.as_str().trim().is_empty().then_some(value),
            other => value.push(other),
        }
    }
    None
}

/// Shell-style glob match of the whole `text`: `*` matches any run, `?` one character.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    let (mut p, mut t) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == '?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == '*' {
            backtrack = Some((p, t));
            p += 1;
        } else if let Some((star, matched)) = backtrack {
            p = star + 1;
            t = matched + 1;
            backtrack = Some((star, matched + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_operator_quoted_and_bare() {
        let m = parse_matcher(r#"rule="host_down""#).unwrap();
        assert_eq!(
            (m.name.as_str(), m.op, m.value.as_str()),
            ("rule", MatchOp::Eq, "host_down")
        );
        let m = parse_matcher("severity != critical").unwrap();
        assert_eq!((m.op, m.value.as_str()), (MatchOp::NotEq, "critical"));
        let m = parse_matcher(r#"mount=~"/var.*""#).unwrap();
        assert_eq!((m.op, m.value.as_str()), (MatchOp::Regex, "/var.*"));
        let m = parse_matcher(r#"host!~"web-\"x\"""#).unwrap();
        assert_eq!((m.op, m.value.as_str()), (MatchOp::NotRegex, "web-\"x\""));
        assert_eq!(parse_matcher("host=").unwrap().value, "");
    }

    #[test]
    fn rejects_bad_matchers() {
        for text in [
            "",
            "=x",
            "host",
            "host>3",
            r#"host="open"#,
            "host=~(",
            "1a=b",
            r#"a="b" c"#,
        ] {
            assert!(parse_matcher(text).is_err(), "{text}");
        }
    }

    #[test]
    fn globs_match_whole_names() {
        assert!(glob_match("web-*", "web-1"));
        assert!(glob_match("web-*", "web-"));
        assert!(!glob_match("web-*", "db-web-1"));
        assert!(glob_match("*-1", "db-web-1"));
        assert!(glob_match("db-?", "db-2") && !glob_match("db-?", "db-22"));
        assert!(glob_match("a*b*c", "axxbyyc") && !glob_match("a*b*c", "axxbyy"));
        assert!(
            glob_match("*", "") && glob_match("exact", "exact") && !glob_match("exact", "exac")
        );
    }
}
