//! Tests of the matcher grammar.

use super::*;

fn parts(m: &Matcher) -> (&str, MatchOp, &str) {
    (m.name.as_str(), m.op, m.value.as_str())
}

#[test]
fn parses_every_operator_quoted_and_bare() {
    let cases = [
        (r#"rule="host_down""#, ("rule", MatchOp::Eq, "host_down")),
        ("host=web-1", ("host", MatchOp::Eq, "web-1")),
        (
            "severity != critical",
            ("severity", MatchOp::NotEq, "critical"),
        ),
        (r#"mount=~"/var.*""#, ("mount", MatchOp::Regex, "/var.*")),
        ("mount=~/var/.*", ("mount", MatchOp::Regex, "/var/.*")),
        (
            r#"host!~"web-\"x\"""#,
            ("host", MatchOp::NotRegex, "web-\"x\""),
        ),
        (r#"host=~"web-\d+""#, ("host", MatchOp::Regex, r"web-\d+")),
        (r#"comment="a b, c""#, ("comment", MatchOp::Eq, "a b, c")),
        (r#"x="a\\b\tc""#, ("x", MatchOp::Eq, "a\\b\tc")),
        ("  _private = x ", ("_private", MatchOp::Eq, "x")),
        ("host=", ("host", MatchOp::Eq, "")),
        (r#"host="""#, ("host", MatchOp::Eq, "")),
        (r#"host="=web-1""#, ("host", MatchOp::Eq, "=web-1")),
    ];
    for (text, expected) in cases {
        let m = parse_matcher(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(parts(&m), expected, "{text}");
    }
}

#[test]
fn refuses_malformed_matchers_with_column_and_expectation() {
    let cases = [
        ("", 1, "expected a label name"),
        ("=x", 1, "expected a label name"),
        ("1a=b", 1, "expected a label name"),
        ("host", 5, "expected an operator"),
        ("host>3", 5, "expected an operator"),
        ("host!web", 5, "expected an operator"),
        ("ho st=x", 4, "expected an operator"),
        ("web-1=x", 4, "expected an operator"),
        ("host==web-1", 6, r#"(host="=web-1")"#),
        ("host=~~x", 7, "use one operator"),
        ("host!=!x", 7, "use one operator"),
        (r#"host="open"#, 6, "unterminated"),
        (r#"host="open\"#, 6, "unterminated"),
        ("host=~(", 7, "invalid regular expression"),
        (r#"a="b" c"#, 7, "expected the end"),
        ("host=web 1", 10, "quote a value holding spaces"),
        ("host=a,b=c", 7, "give one matcher here"),
    ];
    for (text, column, expected) in cases {
        let error = parse_matcher(text).expect_err(text);
        assert_eq!(error.text, text);
        assert_eq!(error.column, column, "{text}: {error}");
        assert!(error.to_string().contains(expected), "{text}: {error}");
    }
    let long = format!("host={}", "x".repeat(MAX_VALUE_BYTES + 1));
    assert!(parse_matcher(&long).unwrap_err().reason.contains("1024"));
    let regex = parse_matcher("host=~web-(").unwrap_err();
    assert!(!regex.reason.contains('\n'), "one line: {regex}");
}

#[test]
fn lists_split_on_commas_outside_quotes() {
    let list = parse_matcher_list(r#"host=web-1, rule=~"disk_(a|b){1,2}",mount!="/""#).unwrap();
    let got: Vec<_> = list.iter().map(parts).collect();
    assert_eq!(
        got,
        [
            ("host", MatchOp::Eq, "web-1"),
            ("rule", MatchOp::Regex, "disk_(a|b){1,2}"),
            ("mount", MatchOp::NotEq, "/"),
        ]
    );
    let error = parse_matcher_list("host=web-1,hots==x").unwrap_err();
    assert_eq!(error.column, 17, "{error}");
    assert_eq!(parse_matcher_list("host=a,").unwrap_err().column, 8);
    assert_eq!(parse_matcher_list("host=a b").unwrap_err().column, 8);
}

#[test]
fn format_round_trips_through_the_parser() {
    for value in [
        "web-1",
        "",
        "=web-1",
        "a b",
        "x,y",
        "q\"uote",
        "back\\slash",
        "~x",
        "t\tn\n",
    ] {
        for op in [MatchOp::Eq, MatchOp::NotEq] {
            let matcher = Matcher {
                name: "host".into(),
                op,
                value: value.into(),
            };
            let text = format_matcher(&matcher);
            assert_eq!(parse_matcher(&text).as_ref(), Ok(&matcher), "{text}");
        }
    }
    let bare = parse_matcher("mount=~/var/.*").unwrap();
    assert_eq!(format_matcher(&bare), "mount=~/var/.*");
}

#[test]
fn validates_matchers_given_as_parts() {
    let matcher = |name: &str, op, value: &str| Matcher {
        name: name.into(),
        op,
        value: value.into(),
    };
    assert!(validate_matcher(&matcher("mount", MatchOp::Regex, "/var/.*")).is_ok());
    assert!(validate_matcher(&matcher("host", MatchOp::Eq, "=web-1")).is_ok());
    let error = validate_matcher(&matcher("ho-st", MatchOp::Eq, "x")).unwrap_err();
    assert_eq!(error.column, 1, "{error}");
    let error = validate_matcher(&matcher("host", MatchOp::Regex, "(")).unwrap_err();
    assert_eq!(
        (error.column, error.text.as_str()),
        (7, "host=~("),
        "{error}"
    );
    assert!(is_label_name("mount") && is_label_name("_x1") && !is_label_name("a.b"));
}

proptest::proptest! {
    #[test]
    fn written_matchers_read_back(
        name in "[A-Za-z_][A-Za-z0-9_]{0,20}",
        op in proptest::sample::select(vec![MatchOp::Eq, MatchOp::NotEq]),
        value in "\\PC{0,30}",
    ) {
        let matcher = Matcher { name, op, value };
        let text = format_matcher(&matcher);
        proptest::prop_assert_eq!(parse_matcher(&text), Ok(matcher.clone()), "{}", text);
        let list = parse_matcher_list(&format!("{text}, {text}"));
        proptest::prop_assert_eq!(list, Ok(vec![matcher.clone(), matcher]));
    }

    #[test]
    fn never_panics(text in "\\PC{0,40}") {
        let _ = parse_matcher(&text);
        let _ = parse_matcher_list(&text);
    }
}
