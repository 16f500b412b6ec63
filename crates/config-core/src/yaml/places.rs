//! Where every key path of a document is written, for errors found after deserializing.

use std::collections::BTreeMap;

use super::{Node, Position, Segment, TextSpan, Value, render_path};

/// Where one key path is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Place {
    /// The key, for mapping entries.
    pub key: Option<Position>,
    /// The value (or list item).
    pub value: Option<Position>,
    /// For scalar values: where their text is.
    pub text: Option<TextSpan>,
}

impl Place {
    /// The position an error about this path points at: a scalar value itself, else its key
    /// (a section or list starts there), else the item.
    pub fn best(&self) -> Option<Position> {
        match self.text {
            Some(text) => Some(text.start()),
            None => self.key.or(self.value),
        }
    }
}

/// Key path (`routes[1].match`) → where it is written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Places(BTreeMap<String, Place>);

impl Places {
    /// Indexes every key path of `root`.
    pub fn index(root: &Node) -> Self {
        let mut places = BTreeMap::new();
        walk(root, &mut Vec::new(), None, &mut places);
        Self(places)
    }

    /// Where `path` is written, if it is.
    pub fn get(&self, path: &str) -> Option<&Place> {
        self.0.get(path)
    }

    /// The position for an error at `path`: the path itself, or its nearest written parent
    /// (a missing required key points at its section).
    pub fn nearest(&self, path: &str) -> Option<Position> {
        let mut path = path;
        loop {
            if let Some(position) = self.0.get(path).and_then(Place::best) {
                return Some(position);
            }
            path = parent_path(path)?;
        }
    }
}

/// `a.b[2].c` → `a.b[2]` → `a.b` → `a` → none.
pub fn parent_path(path: &str) -> Option<&str> {
    if path.is_empty() {
        return None;
    }
    let cut = path.rfind(['.', '[']).unwrap_or(0);
    Some(&path[..cut])
}

fn walk(
    node: &Node,
    path: &mut Vec<Segment>,
    key: Option<Position>,
    places: &mut BTreeMap<String, Place>,
) {
    places.insert(
        render_path(path),
        Place {
            key,
            value: node.at,
            text: node.text,
        },
    );
    match &node.value {
        Value::Map(entries) => {
            for entry in entries {
                path.push(Segment::Key(entry.key.clone()));
                walk(&entry.value, path, entry.key_at, places);
                path.pop();
            }
        }
        Value::Seq(items) => {
            for (index, item) in items.iter().enumerate() {
                path.push(Segment::Index(index));
                walk(item, path, None, places);
                path.pop();
            }
        }
        Value::Null | Value::Scalar(_) | Value::Absent => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_strip_one_segment() {
        assert_eq!(parent_path("routes[1].match"), Some("routes[1]"));
        assert_eq!(parent_path("routes[1]"), Some("routes"));
        assert_eq!(parent_path("routes"), Some(""));
        assert_eq!(parent_path(""), None);
    }
}
