//! A serde deserializer over the positioned tree. Unknown keys are recorded with their
//! position and a did-you-mean, then skipped; a value of the wrong shape fails the run at that
//! node, which is then marked [`Value::Absent`] and the run repeated, so that one call
//! reports every problem of the document.

use std::cell::RefCell;
use std::fmt;

use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, Visitor};

use super::{Entry, Issue, Node, Segment, Value};
use crate::suggest::closest;

/// Most malformed values reported from one document.
const MAX_MALFORMED: usize = 50;

/// Name under which a struct asks for its `type` key before the others (tagged sections).
pub(crate) const TYPE_FIRST: &str = "$hostpulse::type_first";

/// Deserializes `R` from `root`, collecting every unknown key and malformed value. `None`
/// when the top level itself cannot be read as `R`.
pub(crate) fn from_tree<R: DeserializeOwned>(root: &mut Node) -> (Option<R>, Vec<Issue>) {
    let mut malformed = Vec::new();
    loop {
        let unknown = RefCell::new(Vec::new());
        let result = R::deserialize(NodeDe {
            node: root,
            path: Vec::new(),
            issues: &unknown,
            mode: Mode::Plain,
        });
        let error = match result {
            Ok(raw) => {
                malformed.extend(unknown.into_inner());
                return (Some(raw), malformed);
            }
            Err(error) => error,
        };
        let path = error.path.unwrap_or_default();
        let node = root.find_mut(&path);
        let at = node.as_ref().and_then(|n| n.at);
        malformed.push(Issue {
            path: path.clone(),
            at,
            message: error.message,
            malformed: true,
        });
        match node {
            Some(node)
                if !path.is_empty()
                    && node.value != Value::Absent
                    && malformed.len() < MAX_MALFORMED =>
            {
                node.value = Value::Absent;
            }
            _ => return (None, malformed),
        }
    }
}

/// A deserialization failure at a node.
#[derive(Debug)]
pub(crate) struct DeError {
    message: String,
    /// The innermost node the failure happened at.
    path: Option<Vec<Segment>>,
}

impl DeError {
    fn new(message: String) -> Self {
        Self {
            message,
            path: None,
        }
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(message: T) -> Self {
        Self::new(message.to_string())
    }

    fn invalid_type(unexpected: de::Unexpected<'_>, expected: &dyn de::Expected) -> Self {
        let found = match unexpected {
            de::Unexpected::Map => "a mapping".to_owned(),
            de::Unexpected::Seq => "a list".to_owned(),
            de::Unexpected::Unit => "nothing".to_owned(),
            de::Unexpected::Str(text) => format!("{text:?}"),
            other => other.to_string(),
        };
        Self::new(format!(
            "expected {}, found {found}",
            friendly(&expected.to_string())
        ))
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        Self::new(unknown_key_message(field, expected))
    }
}

/// What the operator should write instead of serde's type names.
fn friendly(expected: &str) -> String {
    if expected.starts_with("struct ") || expected == "a map" {
        "a mapping of keys (key: value)".to_owned()
    } else if expected == "a sequence" {
        "a list ([a, b] or one `- item` per line)".to_owned()
    } else {
        expected.to_owned()
    }
}

/// `unknown key (did you mean "raw"?); valid keys: raw, minute, hour`.
pub(crate) fn unknown_key_message(key: &str, valid: &[&str]) -> String {
    let hint = closest(key, valid)
        .map(|name| format!(" (did you mean {name:?}?)"))
        .unwrap_or_default();
    if valid.is_empty() {
        format!("unknown key{hint}; this section takes no keys")
    } else {
        format!("unknown key{hint}; valid keys: {}", valid.join(", "))
    }
}

/// Deserializer of one node.
struct NodeDe<'a> {
    node: &'a Node,
    path: Vec<Segment>,
    issues: &'a RefCell<Vec<Issue>>,
    mode: Mode,
}

/// How a mapping is handed to serde.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Plain,
    /// As `type` and [`REST_KEY`] (the other keys).
    SplitType,
    /// Without its `type` key.
    SkipType,
}

impl<'a> NodeDe<'a> {
    fn child(&self, node: &'a Node, segment: Segment) -> Self {
        let mut path = self.path.clone();
        path.push(segment);
        Self {
            node,
            path,
            issues: self.issues,
            mode: Mode::Plain,
        }
    }

    /// Attributes a failure to this node unless a node below already claimed it.
    fn place<T>(&self, result: Result<T, DeError>) -> Result<T, DeError> {
        result.map_err(|mut error| {
            if error.path.is_none() {
                error.path = Some(self.path.clone());
            }
            error
        })
    }

    fn wrong_shape(&self, expected: &str) -> DeError {
        DeError {
            message: format!("expected {expected}, found {}", self.node.describe()),
            path: Some(self.path.clone()),
        }
    }

    fn scalar_text(&self, expected: &str) -> Result<&'a str, DeError> {
        match &self.node.value {
            Value::Scalar(text) => Ok(text),
            _ => Err(self.wrong_shape(expected)),
        }
    }

    fn map<V: Visitor<'a>>(
        self,
        known: Option<&'static [&'static str]>,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let entries: &'a [Entry] = match &self.node.value {
            Value::Map(entries) => entries,
            Value::Null | Value::Absent => &[],
            _ => return Err(self.wrong_shape("a mapping of keys (key: value)")),
        };
        let is_type = |e: &&Entry| e.key == "type";
        let items: Vec<Item<'a>> = match self.mode {
            Mode::Plain => entries.iter().map(Item::Entry).collect(),
            Mode::SkipType => entries
                .iter()
                .filter(|e| !is_type(e))
                .map(Item::Entry)
                .collect(),
            Mode::SplitType => {
                let tag = entries.iter().find(is_type).map(Item::Entry);
                tag.into_iter().chain([Item::Rest(self.node)]).collect()
            }
        };
        let known = known.filter(|_| self.mode != Mode::SplitType);
        let access = MapDe {
            parent: &self,
            items,
            next: 0,
            known,
        };
        let result = visitor.visit_map(access);
        self.place(result)
    }
}

macro_rules! parse_number {
    ($($method:ident => $visit:ident: $ty:ty),* $(,)?) => {
        $(fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
            let text = self.scalar_text("a number")?;
            let digits: String = text.chars().filter(|c| *c != '_').collect();
            match digits.parse::<$ty>() {
                Ok(value) => self.place(visitor.$visit(value)),
                Err(_) => Err(self.wrong_shape("a number")),
            }
        })*
    };
}

impl<'de> de::Deserializer<'de> for NodeDe<'de> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match &self.node.value {
            Value::Scalar(text) => self.place(visitor.visit_borrowed_str(text)),
            Value::Absent => self.place(visitor.visit_borrowed_str("")),
            Value::Null => self.place(visitor.visit_unit()),
            Value::Seq(items) => {
                let access = SeqDe {
                    parent: &self,
                    items,
                    next: 0,
                };
                let result = visitor.visit_seq(access);
                self.place(result)
            }
            Value::Map(_) => self.map(None, visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.node.value {
            Value::Null | Value::Absent => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        mut self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        if name == TYPE_FIRST && self.mode == Mode::Plain {
            self.mode = Mode::SplitType;
        }
        self.map(Some(fields), visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.map(None, visitor)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match &self.node.value {
            Value::Seq(_) => self.deserialize_any(visitor),
            Value::Null | Value::Absent => {
                let access = SeqDe {
                    parent: &self,
                    items: &[],
                    next: 0,
                };
                visitor.visit_seq(access)
            }
            _ => Err(self.wrong_shape("a list ([a, b] or one `- item` per line)")),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let text = self.scalar_text("text")?;
        self.place(visitor.visit_borrowed_str(text))
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.scalar_text("true or false")? {
            "true" | "True" | "TRUE" => self.place(visitor.visit_bool(true)),
            "false" | "False" | "FALSE" => self.place(visitor.visit_bool(false)),
            _ => Err(self.wrong_shape("true or false")),
        }
    }

    parse_number! {
        deserialize_i8 => visit_i8: i8, deserialize_i16 => visit_i16: i16,
        deserialize_i32 => visit_i32: i32, deserialize_i64 => visit_i64: i64,
        deserialize_u8 => visit_u8: u8, deserialize_u16 => visit_u16: u16,
        deserialize_u32 => visit_u32: u32, deserialize_u64 => visit_u64: u64,
        deserialize_f32 => visit_f32: f32, deserialize_f64 => visit_f64: f64,
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let text = self.scalar_text("one of the listed words")?;
        let result = visitor.visit_enum(text.into_deserializer());
        self.place(result)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        i128 u128 char bytes byte_buf unit unit_struct tuple tuple_struct identifier
    }
}

/// One key of a mapping as handed to serde.
enum Item<'a> {
    Entry(&'a Entry),
    /// The mapping's other keys, after its `type` (see [`TYPE_FIRST`]).
    Rest(&'a Node),
}

/// Key of [`Item::Rest`].
pub(crate) const REST_KEY: &str = "$rest";

/// The entries of a mapping; keys the struct does not take are recorded and skipped.
struct MapDe<'p, 'a> {
    parent: &'p NodeDe<'a>,
    items: Vec<Item<'a>>,
    next: usize,
    /// The keys a struct takes; `None` for free-form mappings.
    known: Option<&'static [&'static str]>,
}

impl<'a> MapDe<'_, 'a> {
    /// Skips and records the keys the struct does not take.
    fn skip_unknown(&mut self) {
        let Some(known) = self.known else { return };
        while let Some(Item::Entry(entry)) = self.items.get(self.next) {
            if known.contains(&entry.key.as_str()) {
                return;
            }
            let mut path = self.parent.path.clone();
            path.push(Segment::Key(entry.key.clone()));
            self.parent.issues.borrow_mut().push(Issue {
                path,
                at: entry.key_at,
                message: unknown_key_message(&entry.key, known),
                malformed: false,
            });
            self.next += 1;
        }
    }
}

impl<'de> de::MapAccess<'de> for MapDe<'_, 'de> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        self.skip_unknown();
        match self.items.get(self.next) {
            Some(Item::Entry(entry)) => seed.deserialize(KeyDe(&entry.key)).map(Some),
            Some(Item::Rest(_)) => seed.deserialize(KeyDe(REST_KEY)).map(Some),
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let item = self
            .items
            .get(self.next)
            .ok_or_else(|| DeError::new("internal: value read before its key".into()))?;
        self.next += 1;
        match item {
            Item::Entry(entry) => seed.deserialize(
                self.parent
                    .child(&entry.value, Segment::Key(entry.key.clone())),
            ),
            Item::Rest(node) => seed.deserialize(NodeDe {
                node,
                path: self.parent.path.clone(),
                issues: self.parent.issues,
                mode: Mode::SkipType,
            }),
        }
    }
}

/// The items of a list.
struct SeqDe<'p, 'a> {
    parent: &'p NodeDe<'a>,
    items: &'a [Node],
    next: usize,
}

impl<'de> de::SeqAccess<'de> for SeqDe<'_, 'de> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        let Some(item) = self.items.get(self.next) else {
            return Ok(None);
        };
        let index = self.next;
        self.next += 1;
        seed.deserialize(self.parent.child(item, Segment::Index(index)))
            .map(Some)
    }
}

/// A mapping key.
struct KeyDe<'a>(&'a str);

impl<'de> de::Deserializer<'de> for KeyDe<'de> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_borrowed_str(self.0)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum
        identifier ignored_any
    }
}
