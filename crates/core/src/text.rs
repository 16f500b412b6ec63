//! Whether a piece of text is safe to store and show: printable UTF-8 without control
//! characters or the invisible bidirectional overrides that make text display reordered;
//! and the one HTML escaper of messages (Telegram HTML, e-mail HTML).

/// The first character of `text` that is not printable, with its byte offset.
pub fn first_unprintable(text: &str) -> Option<(usize, char)> {
    text.char_indices().find(|(_, c)| !is_printable(*c))
}

/// Control characters (C0, DEL, C1) and bidirectional embedding, override and isolate
/// characters are not printable; every other character is.
pub fn is_printable(c: char) -> bool {
    !(c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'))
}

/// Escapes `&`, `<`, `>` and `"` as `&amp;`, `&lt;`, `&gt;` and `&quot;`: safe in HTML text
/// and in double-quoted attributes, and only entities Telegram's HTML parse mode knows.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(escape_html("a<b> & c"), "a&lt;b&gt; &amp; c");
        assert_eq!(
            escape_html("<b>a&b\"</b>"),
            "&lt;b&gt;a&amp;b&quot;&lt;/b&gt;"
        );
        assert_eq!(escape_html("web-1 'ok' 東京"), "web-1 'ok' 東京");
    }

    proptest! {
        #[test]
        fn escaped_text_has_no_markup_and_reads_back(text in "\\PC{0,40}") {
            let html = escape_html(&text);
            prop_assert!(!html.contains(['<', '>', '"']));
            let back = html
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&amp;", "&");
            prop_assert_eq!(back, text);
        }
    }

    #[test]
    fn finds_controls_and_bidi_overrides() {
        assert_eq!(first_unprintable("web-1 ÄÖ 東京"), None);
        assert_eq!(first_unprintable("a\0b"), Some((1, '\0')));
        assert_eq!(first_unprintable("ab\x1b[31m"), Some((2, '\x1b')));
        assert_eq!(first_unprintable("x\u{7f}"), Some((1, '\u{7f}')));
        assert_eq!(first_unprintable("x\u{202e}y"), Some((1, '\u{202e}')));
        assert_eq!(first_unprintable("tab\there"), Some((3, '\t')));
    }
}
