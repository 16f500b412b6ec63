//! Tokenizer of rule expressions: numbers with unit suffixes (durations in the one duration
//! grammar), names, strings (escapes as in matcher values), operators.

use super::error::ExprError;
use super::units::apply_unit;
use hostpulse_core::duration::{parse_duration_ms, unit_ms};
use hostpulse_core::matcher::push_escaped;

/// One token and the byte range it covers.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub(crate) kind: TokenKind,
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// What a token is.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TokenKind {
    /// A number in base units; `duration_ms` is set when it had a duration suffix.
    Number {
        value: f64,
        duration_ms: Option<i64>,
    },
    /// A name: function, keyword, metric (`cpu.usage_percent`) or named-argument key.
    Name(String),
    Str(String),
    LParen,
    RParen,
    LBrace,
    RBrace,
    Comma,
    /// Comparison, matcher or arithmetic operator text (`>=`, `=~`, `+`, ...).
    Op(&'static str),
    End,
}

const OPERATORS: &[&str] = &[
    ">=", "<=", "==", "!=", "=~", "!~", ">", "<", "=", "+", "-", "*", "/",
];

/// Splits `text` into tokens, ending with [`TokenKind::End`].
pub(crate) fn tokenize(text: &str) -> Result<Vec<Token>, ExprError> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut pos = 0;
    while pos < bytes.len() {
        let c = bytes[pos];
        if c.is_ascii_whitespace() {
            pos += 1;
            continue;
        }
        let (kind, end) = if c.is_ascii_digit() || (c == b'.' && next_is_digit(bytes, pos)) {
            number(text, pos)?
        } else if c.is_ascii_alphabetic() || c == b'_' {
            name(text, pos)
        } else if c == b'"' {
            string(text, pos)?
        } else {
            punctuation(text, pos)?
        };
        tokens.push(Token {
            kind,
            start: pos,
            end,
        });
        pos = end;
    }
    tokens.push(Token {
        kind: TokenKind::End,
        start: text.len(),
        end: text.len(),
    });
    Ok(tokens)
}

fn next_is_digit(bytes: &[u8], pos: usize) -> bool {
    bytes.get(pos + 1).is_some_and(u8::is_ascii_digit)
}

fn scan(text: &str, start: usize, accept: impl Fn(u8) -> bool) -> usize {
    text.as_bytes()[start..]
        .iter()
        .position(|b| !accept(*b))
        .map_or(text.len(), |n| start + n)
}

fn number(text: &str, start: usize) -> Result<(TokenKind, usize), ExprError> {
    let scanned = scan(text, start, |b| {
        b.is_ascii_digit() || b == b'.' || b == b'_'
    });
    let digits_end = exponent_end(text.as_bytes(), scanned);
    let digits: String = text[start..digits_end]
        .chars()
        .filter(|c| *c != '_')
        .collect();
    let value: f64 = digits
        .parse()
        .map_err(|_| ExprError::new(start, format!("{digits:?} is not a number")))?;
    let unit_end = scan(text, digits_end, |b| b.is_ascii_alphabetic() || b == b'%');
    let unit = &text[digits_end..unit_end];
    if unit_ms(unit).is_some() && next_is_digit(text.as_bytes(), unit_end - 1) {
        return compound_duration(text, start);
    }
    let (value, duration_ms) = apply_unit(value, unit).ok_or_else(|| {
        ExprError::new(
            digits_end,
            format!(
                "unknown unit {unit:?} (use %, B, KB, MB, GB, TB, KiB, MiB, GiB, TiB, ms, s, m, h, d, w, y)"
            ),
        )
    })?;
    Ok((TokenKind::Number { value, duration_ms }, unit_end))
}

/// A compound duration such as `1h30m`, read by the one duration grammar.
fn compound_duration(text: &str, start: usize) -> Result<(TokenKind, usize), ExprError> {
    let end = scan(text, start, |b| {
        b.is_ascii_alphanumeric() || b == b'.' || b == b'_'
    });
    let written = &text[start..end];
    let ms = parse_duration_ms(written).ok_or_else(|| {
        ExprError::new(
            start,
            format!("{written:?} is not a duration (e.g. 90s, 5m, 1h30m)"),
        )
    })?;
    let value = ms as f64 / 1000.0;
    let duration_ms = Some(ms);
    Ok((TokenKind::Number { value, duration_ms }, end))
}

/// End of an exponent (`e3`, `e-3`) starting at `pos`, or `pos` when there is none.
fn exponent_end(bytes: &[u8], pos: usize) -> usize {
    if !matches!(bytes.get(pos), Some(b'e' | b'E')) {
        return pos;
    }
    let digits = pos + 1 + usize::from(matches!(bytes.get(pos + 1), Some(b'-' | b'+')));
    let count = bytes.get(digits..).map_or(0, |rest| {
        rest.iter().take_while(|b| b.is_ascii_digit()).count()
    });
    if count > 0 { digits + count } else { pos }
}

fn name(text: &str, start: usize) -> (TokenKind, usize) {
    let end = scan(text, start, |b| {
        b.is_ascii_alphanumeric() || b == b'_' || b == b'.'
    });
    (TokenKind::Name(text[start..end].to_owned()), end)
}

fn string(text: &str, start: usize) -> Result<(TokenKind, usize), ExprError> {
    let mut value = String::new();
    let mut chars = text[start + 1..].char_indices();
    while let Some((offset, c)) = chars.next() {
        match c {
            '"' => return Ok((TokenKind::Str(value), start + 1 + offset + 1)),
            '\\' => match chars.next() {
                Some((_, escaped)) => push_escaped(&mut value, escaped),
                None => break,
            },
            _ => value.push(c),
        }
    }
    Err(ExprError::new(
        start,
        "unterminated string (missing closing \")",
    ))
}

fn punctuation(text: &str, start: usize) -> Result<(TokenKind, usize), ExprError> {
    let rest = &text[start..];
    let single = match rest.as_bytes()[0] {
        b'(' => Some(TokenKind::LParen),
        b')' => Some(TokenKind::RParen),
        b'{' => Some(TokenKind::LBrace),
        b'}' => Some(TokenKind::RBrace),
        b',' => Some(TokenKind::Comma),
        _ => None,
    };
    if let Some(kind) = single {
        return Ok((kind, start + 1));
    }
    if let Some(op) = OPERATORS.iter().find(|op| rest.starts_with(**op)) {
        return Ok((TokenKind::Op(op), start + op.len()));
    }
    let c = rest.chars().next().unwrap_or(' ');
    let hint = match c {
        '&' => " (use `and`)",
        '|' => " (use `or`)",
        '!' => " (use `not`)",
        _ => "",
    };
    Err(ExprError::new(
        start,
        format!("unexpected character {c:?}{hint}"),
    ))
}
