//! Expression errors with the byte position they refer to, and their caret rendering.

use std::fmt;

/// A problem in an expression at byte offset `pos`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExprError {
    /// Byte offset into the expression text.
    pub pos: usize,
    /// What is wrong, without the position, e.g. "expected a quoted label value".
    pub message: String,
}

impl ExprError {
    pub(crate) fn new(pos: usize, message: impl Into<String>) -> Self {
        Self {
            pos,
            message: message.into(),
        }
    }

    /// 1-based character column of the position in `text`.
    pub fn column(&self, text: &str) -> usize {
        let pos = self.pos.min(text.len());
        text.char_indices().take_while(|(i, _)| *i < pos).count() + 1
    }

    /// `KEY:COL: message`, e.g. `expr:12: unknown function "avgg" (did you mean "avg"?)`.
    pub fn locate(&self, key: &str, text: &str) -> String {
        format!("{key}:{}: {}", self.column(text), self.message)
    }

    /// The expression and a caret line under the error position.
    pub fn caret(&self, text: &str) -> String {
        let pad = " ".repeat(self.column(text) - 1);
        format!("    {text}\n    {pad}^")
    }

    /// [`ExprError::locate`] followed by the [`ExprError::caret`] lines.
    pub fn render(&self, key: &str, text: &str) -> String {
        format!("{}\n{}", self.locate(key, text), self.caret(text))
    }
}

impl fmt::Display for ExprError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at byte {}: {}", self.pos, self.message)
    }
}

impl std::error::Error for ExprError {}

/// The candidate closest to `word` by edit distance, if close enough to be a typo.
pub(crate) use hostpulse_config_core::closest as did_you_mean;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_column_and_caret() {
        let text = "avgg(cpu.usage_percent, 1m) > 85";
        let error = ExprError::new(0, "unknown function");
        assert_eq!(error.locate("expr", text), "expr:1: unknown function");
        let error = ExprError::new(30, "x");
        assert_eq!(error.column(text), 31);
        assert!(error.caret(text).ends_with(&format!("{}^", " ".repeat(34))));
        assert_eq!(did_you_mean("avgg", &["avg", "max"]), Some("avg"));
        assert_eq!(did_you_mean("zzzzzz", &["avg"]), None);
    }
}
