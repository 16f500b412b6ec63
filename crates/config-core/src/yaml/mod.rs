//! YAML with positions: a tree whose every key, item and value knows its line and column,
//! and a deserializer over it that finds every unknown key and wrong shape in one run.

mod access;
mod de;
mod error;
mod parse;
mod places;

use std::fmt;

pub use de::{TYPE_FIRST, from_tree};
pub use parse::parse_tree;
pub use places::Places;

/// A 1-based line and column (in characters) in a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    /// Line number, counting the file's first line as 1.
    pub line: usize,
    /// Column in characters (not bytes), counting the line's first character as 1.
    pub column: usize,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Where the text of a scalar value is written, so that a position inside the text (such
/// as the place a rule expression fails to parse) maps to a line and column of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextSpan {
    /// Written on one line, character for character, from this position.
    Inline(Position),
    /// A literal block (`|`): line `i` of the text is file line `first_line + i`, from `column`.
    Block {
        /// File line (1-based) of the block's first text line, the one after the `|` header.
        first_line: usize,
        /// Column (1-based, in characters) where every text line starts: the block's indentation plus one.
        column: usize,
    },
    /// Escaped, folded or spread over lines: only where the value starts is known.
    Start(Position),
}

impl TextSpan {
    /// The file position of byte `offset` of `text`, the value this span describes.
    pub fn position_of(&self, text: &str, offset: usize) -> Position {
        let before = text.get(..offset.min(text.len())).unwrap_or(text);
        match *self {
            TextSpan::Inline(start) => Position {
                line: start.line,
                column: start.column + before.chars().count(),
            },
            TextSpan::Block { first_line, column } => {
                let line_start = before.rfind('\n').map_or(0, |i| i + 1);
                Position {
                    line: first_line + before.matches('\n').count(),
                    column: column + before[line_start..].chars().count(),
                }
            }
            TextSpan::Start(start) => start,
        }
    }

    /// Where the value starts.
    pub fn start(&self) -> Position {
        match *self {
            TextSpan::Inline(start) | TextSpan::Start(start) => start,
            TextSpan::Block { first_line, column } => Position {
                line: first_line,
                column,
            },
        }
    }
}

/// A problem found while reading the tree: where, and what to fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// Key path of the offending value, from the document root (empty for the root itself).
    pub path: Vec<Segment>,
    /// Where the offending key or value is written; `None` when it was set outside the file.
    pub at: Option<Position>,
    /// What is wrong and how to fix it, e.g. `duplicate key (first set on line 3); keep one`.
    pub message: String,
    /// The value has the wrong shape: nothing under it is checked further.
    pub malformed: bool,
}

/// One part of a key path: a mapping key or a list index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// A mapping key, as written (unquoted).
    Key(String),
    /// A 0-based position in a list.
    Index(usize),
}

/// Renders a key path the way errors show it: `routes[1].match.severity`.
pub fn render_path(path: &[Segment]) -> String {
    let mut out = String::new();
    for segment in path {
        match segment {
            Segment::Key(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Segment::Index(index) => out.push_str(&format!("[{index}]")),
        }
    }
    out
}

/// A YAML node and where it is written (`None` for values set by the environment or flags).
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// What the node holds.
    pub value: Value,
    /// Where the node starts in the file; `None` when the environment or a flag set it.
    pub at: Option<Position>,
    /// For scalars: where their text is written.
    pub text: Option<TextSpan>,
}

/// The value of a node.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `~`, `null` or nothing.
    Null,
    /// Any other scalar, as its text after unquoting and unescaping: `"5m"` and `5m` are
    /// both `5m`. Typing (number, bool, duration) happens when it is deserialized.
    Scalar(String),
    /// A list, items in file order.
    Seq(Vec<Node>),
    /// A mapping, entries in file order; keys are unique (duplicates are reported as issues).
    Map(Vec<Entry>),
    /// A value already reported as malformed: read as missing, so nothing under it is
    /// reported again.
    Absent,
}

/// One `key: value` pair of a mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The key's text (`null` for a null key).
    pub key: String,
    /// Where the key is written; `None` when the entry was set outside the file.
    pub key_at: Option<Position>,
    /// The value under the key.
    pub value: Node,
}

impl Node {
    /// A node set outside any file.
    pub fn unplaced(value: Value) -> Self {
        Self {
            value,
            at: None,
            text: None,
        }
    }

    /// The value of `key` when this is a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|e| e.key == key).map(|e| &e.value),
            _ => None,
        }
    }

    /// The node at `path` below this one.
    pub fn find_mut(&mut self, path: &[Segment]) -> Option<&mut Node> {
        let Some((first, rest)) = path.split_first() else {
            return Some(self);
        };
        let child = match (&mut self.value, first) {
            (Value::Map(entries), Segment::Key(key)) => entries
                .iter_mut()
                .find(|e| &e.key == key)
                .map(|e| &mut e.value),
            (Value::Seq(items), Segment::Index(index)) => items.get_mut(*index),
            _ => None,
        }?;
        child.find_mut(rest)
    }

    /// Short description of the value, for "expected X, found Y".
    pub fn describe(&self) -> String {
        match &self.value {
            Value::Null | Value::Absent => "nothing".to_owned(),
            Value::Scalar(text) => format!("{text:?}"),
            Value::Seq(_) => "a list".to_owned(),
            Value::Map(_) => "a mapping".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_render_with_dots_and_indexes() {
        let path = [
            Segment::Key("routes".into()),
            Segment::Index(1),
            Segment::Key("match".into()),
        ];
        assert_eq!(render_path(&path), "routes[1].match");
        assert_eq!(render_path(&[]), "");
    }

    #[test]
    fn positions_inside_text_follow_the_layout() {
        let inline = TextSpan::Inline(Position {
            line: 3,
            column: 11,
        });
        assert_eq!(
            inline.position_of("avgg(x)", 0),
            Position {
                line: 3,
                column: 11
            }
        );
        assert_eq!(
            inline.position_of("ab cd", 3),
            Position {
                line: 3,
                column: 14
            }
        );
        let block = TextSpan::Block {
            first_line: 5,
            column: 7,
        };
        assert_eq!(
            block.position_of("one\ntwo", 5),
            Position { line: 6, column: 8 }
        );
    }
}
