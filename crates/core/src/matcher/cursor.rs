//! The matcher parser proper: a cursor over the characters of the text, reading a name, an
//! operator and a bare or quoted value, and reporting the column of anything unexpected.

use super::{MatcherError, check_name, check_value, format_value, op_symbol, push_escaped};
use crate::alert::{MatchOp, Matcher};

/// A position in the text being parsed, in characters.
pub(super) struct Cursor<'a> {
    text: &'a str,
    chars: Vec<char>,
    pos: usize,
}

impl<'a> Cursor<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        Self {
            text,
            chars: text.chars().collect(),
            pos: 0,
        }
    }

    pub(super) fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    pub(super) fn advance(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += 1;
        Some(c)
    }

    pub(super) fn skip_spaces(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    pub(super) fn error(&self, reason: impl Into<String>) -> MatcherError {
        self.error_at(self.pos, reason)
    }

    fn error_at(&self, pos: usize, reason: impl Into<String>) -> MatcherError {
        MatcherError {
            text: self.text.to_string(),
            column: pos + 1,
            reason: reason.into(),
        }
    }

    fn found(&self) -> String {
        self.peek()
            .map_or_else(|| "the end".to_string(), |c| format!("{c:?}"))
    }

    pub(super) fn matcher(&mut self) -> Result<Matcher, MatcherError> {
        self.skip_spaces();
        let name = self.name()?;
        self.skip_spaces();
        let op = self.op(&name)?;
        self.skip_spaces();
        let start = self.pos;
        let value = self.value(&name, op)?;
        check_value(op, &value).map_err(|reason| self.error_at(start, reason))?;
        Ok(Matcher { name, op, value })
    }

    fn name(&mut self) -> Result<String, MatcherError> {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            self.pos += 1;
        }
        let name: String = self.chars[start..self.pos].iter().collect();
        if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
            let reason = format!(
                "expected a label name (letters, digits and _, not starting with a digit), \
                 found {}; e.g. host=web-1",
                if name.is_empty() {
                    self.found()
                } else {
                    format!("{name:?}")
                }
            );
            return Err(self.error_at(start, reason));
        }
        check_name(&name).map_err(|reason| self.error_at(start, reason))?;
        Ok(name)
    }

    fn op(&mut self, name: &str) -> Result<MatchOp, MatcherError> {
        let next = self.chars.get(self.pos + 1).copied();
        let op = match (self.peek(), next) {
            (Some('='), Some('~')) => MatchOp::Regex,
            (Some('!'), Some('~')) => MatchOp::NotRegex,
            (Some('!'), Some('=')) => MatchOp::NotEq,
            (Some('='), _) => MatchOp::Eq,
            _ => {
                let reason = format!(
                    "expected an operator (=, !=, =~ or !~) after the label name {name:?}, \
                     found {}",
                    self.found()
                );
                return Err(self.error(reason));
            }
        };
        self.pos += op_symbol(op).len();
        Ok(op)
    }

    fn value(&mut self, name: &str, op: MatchOp) -> Result<String, MatcherError> {
        match self.peek() {
            Some('"') => self.quoted(),
            Some(c @ ('=' | '!' | '~')) => {
                let rest: String = self.chars[self.pos..].iter().collect();
                let reason = format!(
                    "expected a value after {name}{}, found {c:?}: use one operator, or quote \
                     a value that starts with {c:?} ({name}{}{})",
                    op_symbol(op),
                    op_symbol(op),
                    format_value(&rest)
                );
                Err(self.error(reason))
            }
            _ => Ok(self.bare()),
        }
    }

    fn bare(&mut self) -> String {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| !(c.is_whitespace() || c == '"' || c == ','))
        {
            self.pos += 1;
        }
        self.chars[start..self.pos].iter().collect()
    }

    fn quoted(&mut self) -> Result<String, MatcherError> {
        let open = self.pos;
        self.pos += 1;
        let mut value = String::new();
        loop {
            match self.advance() {
                None => {
                    return Err(
                        self.error_at(open, "unterminated quoted value: expected a closing \"")
                    );
                }
                Some('"') => return Ok(value),
                Some('\\') => match self.advance() {
                    Some(escaped) => push_escaped(&mut value, escaped),
                    None => {
                        return Err(
                            self.error_at(open, "unterminated quoted value: expected a closing \"")
                        );
                    }
                },
                Some(c) => value.push(c),
            }
        }
    }
}
