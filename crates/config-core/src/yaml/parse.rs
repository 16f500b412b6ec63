//! Builds the positioned tree from saphyr-parser's events (YAML 1.2, anchors and aliases).

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

use super::{Entry, Issue, Node, Position, Segment, TextSpan, Value};

/// Deepest nesting of lists and mappings accepted (a configuration needs a handful).
const MAX_DEPTH: usize = 64;

/// Most nodes a document may expand to through aliases (`*name`), against alias bombs.
const MAX_ALIAS_NODES: usize = 100_000;

/// A document that cannot be read at all: where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub at: Option<Position>,
    pub message: String,
}

/// Parses one YAML document into a tree; duplicate keys are reported as issues (the first
/// one is kept). An empty document is `Null`.
pub fn parse_tree(text: &str) -> Result<(Node, Vec<Issue>), SyntaxError> {
    let mut builder = Builder {
        lines: text.lines().collect(),
        stack: Vec::new(),
        anchors: HashMap::new(),
        alias_nodes: 0,
        root: None,
        issues: Vec::new(),
        documents: 0,
    };
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|error| SyntaxError {
            at: Some(position(error.marker().line(), error.marker().col())),
            message: format!("invalid YAML: {}", error.info()),
        })?;
        builder.event(event, span)?;
    }
    let root = builder.root.unwrap_or_else(|| Node::unplaced(Value::Null));
    Ok((root, builder.issues))
}

fn position(line: usize, col: usize) -> Position {
    Position {
        line,
        column: col + 1,
    }
}

/// A mapping or list being read.
enum Frame {
    Seq {
        at: Position,
        anchor: usize,
        items: Vec<Node>,
    },
    Map {
        at: Position,
        anchor: usize,
        entries: Vec<Entry>,
        key: Option<(String, Option<Position>)>,
    },
}

struct Builder<'t> {
    lines: Vec<&'t str>,
    stack: Vec<Frame>,
    /// Anchored nodes and how many nodes each holds.
    anchors: HashMap<usize, (Node, usize)>,
    /// Nodes copied in by aliases so far.
    alias_nodes: usize,
    root: Option<Node>,
    issues: Vec<Issue>,
    documents: usize,
}

impl Builder<'_> {
    fn event(&mut self, event: Event<'_>, span: Span) -> Result<(), SyntaxError> {
        let at = position(span.start.line(), span.start.col());
        match event {
            Event::DocumentStart(_) => {
                self.documents += 1;
                if self.documents > 1 {
                    return Err(SyntaxError {
                        at: Some(at),
                        message: "a configuration file holds one YAML document (remove `---`)"
                            .to_owned(),
                    });
                }
            }
            Event::Scalar(text, style, anchor, _) => {
                let node = self.scalar(&text, style, span);
                self.finish(node, anchor);
            }
            Event::Alias(anchor) => {
                let (node, size) = self.anchors.get(&anchor).cloned().ok_or(SyntaxError {
                    at: Some(at),
                    message: "alias to an unknown anchor".to_owned(),
                })?;
                self.alias_nodes += size;
                if self.alias_nodes > MAX_ALIAS_NODES {
                    return Err(SyntaxError {
                        at: Some(at),
                        message: format!(
                            "aliases expand to more than {MAX_ALIAS_NODES} values; write the values out"
                        ),
                    });
                }
                self.finish(node, 0);
            }
            Event::SequenceStart(..) | Event::MappingStart(..) if self.stack.len() >= MAX_DEPTH => {
                return Err(SyntaxError {
                    at: Some(at),
                    message: format!(
                        "lists and mappings are nested deeper than {MAX_DEPTH} levels"
                    ),
                });
            }
            Event::SequenceStart(anchor, _) => self.stack.push(Frame::Seq {
                at,
                anchor,
                items: Vec::new(),
            }),
            Event::MappingStart(anchor, _) => self.stack.push(Frame::Map {
                at,
                anchor,
                entries: Vec::new(),
                key: None,
            }),
            Event::SequenceEnd | Event::MappingEnd => self.close(),
            _ => {}
        }
        Ok(())
    }

    fn close(&mut self) {
        let (node, anchor) = match self.stack.pop() {
            Some(Frame::Seq { at, anchor, items }) => (placed(Value::Seq(items), at), anchor),
            Some(Frame::Map {
                at,
                anchor,
                entries,
                ..
            }) => (placed(Value::Map(entries), at), anchor),
            None => return,
        };
        self.finish(node, anchor);
    }

    /// Key path of the mapping or list being read.
    fn container_path(&self) -> Vec<Segment> {
        let mut path = Vec::new();
        for frame in self.stack.iter().take(self.stack.len().saturating_sub(1)) {
            match frame {
                Frame::Seq { items, .. } => path.push(Segment::Index(items.len())),
                Frame::Map { key, .. } => {
                    let key = key.as_ref().map_or("?", |(k, _)| k.as_str());
                    path.push(Segment::Key(key.to_owned()));
                }
            }
        }
        path
    }

    /// Places a complete node into its parent (or as the root).
    fn finish(&mut self, node: Node, anchor: usize) {
        let mut path = self.container_path();
        if anchor != 0 {
            self.anchors
                .insert(anchor, (node.clone(), node_count(&node)));
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                None => *key = Some(key_text(&node, path, &mut self.issues)),
                Some((key, key_at)) => {
                    if let Some(first) = entries.iter().find(|e| e.key == key) {
                        let first_line = first.key_at.map_or(0, |p| p.line);
                        path.push(Segment::Key(key.clone()));
                        self.issues.push(Issue {
                            path,
                            at: key_at,
                            message: format!(
                                "duplicate key (first set on line {first_line}); keep one"
                            ),
                            malformed: false,
                        });
                        return;
                    }
                    entries.push(Entry {
                        key,
                        key_at,
                        value: node,
                    });
                }
            },
        }
    }

    fn scalar(&self, text: &str, style: ScalarStyle, span: Span) -> Node {
        let at = position(span.start.line(), span.start.col());
        let is_null =
            style == ScalarStyle::Plain && matches!(text, "" | "~" | "null" | "Null" | "NULL");
        if is_null {
            return placed(Value::Null, at);
        }
        Node {
            value: Value::Scalar(text.to_owned()),
            at: Some(at),
            text: Some(self.text_span(text, style, span)),
        }
    }

    /// Where the characters of a scalar's text are in the file.
    fn text_span(&self, text: &str, style: ScalarStyle, span: Span) -> TextSpan {
        let (line, col) = (span.start.line(), span.start.col());
        let start = position(line, col);
        let source: String = self
            .lines
            .get(line.wrapping_sub(1))
            .map(|l| l.chars().skip(col).collect())
            .unwrap_or_default();
        let one_line = !text.contains('\n');
        match style {
            ScalarStyle::Plain if one_line && source.starts_with(text) => TextSpan::Inline(start),
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted
                if one_line
                    && !text.contains(['\'', '"', '\\'])
                    && source.get(1..).is_some_and(|s| s.starts_with(text)) =>
            {
                TextSpan::Inline(position(line, col + 1))
            }
            ScalarStyle::Literal => self.block_span(line).unwrap_or(TextSpan::Start(start)),
            _ => TextSpan::Start(start),
        }
    }

    /// A literal block's text starts on the line after its `|` header, at the indentation of
    /// its first non-blank line.
    fn block_span(&self, header_line: usize) -> Option<TextSpan> {
        let first = self
            .lines
            .iter()
            .skip(header_line)
            .find(|l| !l.trim().is_empty())?;
        let indent = first.chars().take_while(|c| *c == ' ').count();
        Some(TextSpan::Block {
            first_line: header_line + 1,
            column: indent + 1,
        })
    }
}

/// The number of nodes in a tree.
fn node_count(node: &Node) -> usize {
    1 + match &node.value {
        Value::Seq(items) => items.iter().map(node_count).sum(),
        Value::Map(entries) => entries.iter().map(|e| 1 + node_count(&e.value)).sum(),
        Value::Null | Value::Scalar(_) | Value::Absent => 0,
    }
}

fn placed(value: Value, at: Position) -> Node {
    Node {
        value,
        at: Some(at),
        text: None,
    }
}

/// The text of a mapping key; keys that are lists or mappings are reported.
fn key_text(
    node: &Node,
    path: Vec<Segment>,
    issues: &mut Vec<Issue>,
) -> (String, Option<Position>) {
    match &node.value {
        Value::Scalar(text) => (text.clone(), node.at),
        Value::Null => ("null".to_owned(), node.at),
        _ => {
            issues.push(Issue {
                path,
                at: node.at,
                message: "a key must be plain text, not a list or mapping".to_owned(),
                malformed: false,
            });
            ("?".to_owned(), node.at)
        }
    }
}
