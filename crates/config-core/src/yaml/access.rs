//! How serde walks the mappings and lists of the tree: keys a struct does not take are
//! recorded with their position and skipped.

use serde::de::{self, DeserializeSeed, Visitor};

use super::de::{Mode, NodeDe};
use super::error::{DeError, unknown_key_message};
use super::{Entry, Issue, Node, Segment};

/// One key of a mapping as handed to serde.
pub(super) enum Item<'a> {
    Entry(&'a Entry),
    /// The mapping's other keys, after its `type` (see [`TYPE_FIRST`]).
    Rest(&'a Node),
}

/// Key of [`Item::Rest`].
pub(super) const REST_KEY: &str = "$rest";

/// The entries of a mapping; keys the struct does not take are recorded and skipped.
pub(super) struct MapDe<'p, 'a> {
    pub(super) parent: &'p NodeDe<'a>,
    pub(super) items: Vec<Item<'a>>,
    pub(super) next: usize,
    /// The keys a struct takes; `None` for free-form mappings.
    pub(super) known: Option<&'static [&'static str]>,
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
pub(super) struct SeqDe<'p, 'a> {
    pub(super) parent: &'p NodeDe<'a>,
    pub(super) items: &'a [Node],
    pub(super) next: usize,
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
