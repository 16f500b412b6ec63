//! Whether a piece of text is safe to store and show: printable UTF-8 without control
//! characters or the invisible bidirectional overrides that make text display reordered.

/// The first character of `text` that is not printable, with its byte offset.
pub fn first_unprintable(text: &str) -> Option<(usize, char)> {
    text.char_indices().find(|(_, c)| !is_printable(*c))
}

/// Control characters (C0, DEL, C1) and bidirectional embedding, override and isolate
/// characters are not printable; every other character is.
pub fn is_printable(c: char) -> bool {
    !(c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'))
}

#[cfg(test)]
mod tests {
    use super::*;

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
