//! A serde deserializer over the positioned tree. Unknown keys are recorded with their
//! position and a did-you-mean, then skipped; a value of the wrong shape fails the run at that
//! node, which is then marked [`Value::Absent`] and the run repeated, so that one call
//! reports every problem of the document.

use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};
use std::cell::RefCell;

use super::access::{Item, MapDe, SeqDe};
use super::error::DeError;
use super::{Entry, Issue, Node, Segment, Value};

/// Most malformed values reported from one document.
const MAX_MALFORMED: usize = 50;

/// Name under which a struct asks for its `type` key before the others (tagged sections).
pub const TYPE_FIRST: &str = "$hostpulse::type_first";

/// Deserializes `R` from `root`, collecting every unknown key and malformed value. `None`
/// when the top level itself cannot be read as `R`.
pub fn from_tree<R: DeserializeOwned>(root: &mut Node) -> (Option<R>, Vec<Issue>) {
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

/// Deserializer of one node.
pub(super) struct NodeDe<'a> {
    pub(super) node: &'a Node,
    pub(super) path: Vec<Segment>,
    pub(super) issues: &'a RefCell<Vec<Issue>>,
    pub(super) mode: Mode,
}

/// How a mapping is handed to serde.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    Plain,
    /// As `type` and [`REST_KEY`] (the other keys).
    SplitType,
    /// Without its `type` key.
    SkipType,
}

impl<'a> NodeDe<'a> {
    pub(super) fn child(&self, node: &'a Node, segment: Segment) -> Self {
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
