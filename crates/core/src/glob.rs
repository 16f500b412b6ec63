//! The one glob grammar of host and rule names (`web-*`, `db-?`): shell-style patterns over
//! the whole name, used by rules, routes, maintenance windows, host groups and the bot.
//!
//! ```text
//! glob = { "*" | "?" | char }    `*` any run of characters (also none), `?` one character,
//!                                 every other character itself; case-sensitive, no escapes
//! ```

/// Whether `text` matches the glob `pattern` (whole text, case-sensitive).
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                backtrack = Some((pi, ti));
                pi += 1;
            }
            Some(c) if *c == '?' || *c == t[ti] => {
                pi += 1;
                ti += 1;
            }
            _ => match backtrack {
                Some((star, matched)) => {
                    pi = star + 1;
                    ti = matched + 1;
                    backtrack = Some((star, matched + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// Whether `text` holds a `*` or `?`, that is, is a glob rather than a plain name.
pub fn is_glob(text: &str) -> bool {
    text.contains(['*', '?'])
}

/// A regular expression (Rust `regex` syntax, to be matched against the whole text) that
/// matches the same names as the glob `pattern`: `*` is `.*`, `?` is `.`, the rest literal.
pub fn glob_regex(pattern: &str) -> String {
    let mut out = String::new();
    for c in pattern.chars() {
        match c {
            '*' => out.push_str(".*"),
            '?' => out.push('.'),
            '\\' | '.' | '+' | '(' | ')' | '|' | '[' | ']' | '{' | '}' | '^' | '$' | '#' | '&'
            | '-' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn globs_match_whole_names() {
        assert!(glob_match("web-*", "web-1"));
        assert!(glob_match("web-*", "web-"));
        assert!(!glob_match("web-*", "db-1"));
        assert!(!glob_match("web-*", "db-web-1"));
        assert!(glob_match("*-1", "db-web-1"));
        assert!(glob_match("db-?", "db-1"));
        assert!(!glob_match("db-?", "db-10"));
        assert!(glob_match("db-?", "db-2") && !glob_match("db-?", "db-22"));
        assert!(glob_match("*-prod-*", "eu-prod-web"));
        assert!(glob_match("a*b*c", "axxbyyc") && !glob_match("a*b*c", "axxbyy"));
        assert!(glob_match("*", "") && glob_match("exact", "exact"));
        assert!(!glob_match("exact", "exac") && !glob_match("exact", "exactly"));
        assert!(glob_match("東*", "東京") && !glob_match("Web-*", "web-1"));
        assert!(is_glob("web-*") && is_glob("db-?") && !is_glob("web-1"));
    }

    #[test]
    fn globs_become_regexes() {
        assert_eq!(glob_regex("web-*"), r"web\-.*");
        assert_eq!(glob_regex("db-?.eu"), r"db\-.\.eu");
        assert_eq!(
            glob_regex("a(b)|c[d]{e}^$#&~+\\"),
            r"a\(b\)\|c\[d\]\{e\}\^\$\#\&\~\+\\"
        );
    }

    proptest! {
        #[test]
        fn a_name_matches_itself_and_star(name in "[a-z0-9.-]{0,12}") {
            prop_assert!(glob_match(&name, &name));
            prop_assert!(glob_match("*", &name));
            let prefix: String = name.chars().take(3).collect();
            let pattern = format!("{prefix}*");
            prop_assert!(glob_match(&pattern, &name));
            let any: String = name.chars().map(|_| '?').collect();
            prop_assert!(glob_match(&any, &name));
        }

        #[cfg(feature = "matcher")]
        #[test]
        fn the_regex_of_a_glob_matches_the_same_names(
            pattern in "[a-c*?.()-]{0,8}",
            name in "[a-c.()-]{0,8}",
        ) {
            let regex = regex::Regex::new(&format!("^(?:{})$", glob_regex(&pattern))).unwrap();
            prop_assert_eq!(regex.is_match(&name), glob_match(&pattern, &name));
        }
    }
}
