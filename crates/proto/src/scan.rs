//! A streaming pass over a batch's JSON that allocates nothing per value: it counts the
//! samples and estimates the memory the decoded batch would take, so that an oversized
//! batch is refused before any of it is materialised.

use serde::Deserializer;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// Estimated heap cost of one string: the `String` itself plus its allocation.
const STRING_COST: usize = 56;
/// Estimated cost of a number, boolean or null.
const SCALAR_COST: usize = 16;
/// Estimated cost of a list or object shell, and of each entry's slot in it.
const CONTAINER_COST: usize = 64;
/// Estimated cost of one B-tree node of a label map (11 entries per node).
const LABEL_NODE_COST: usize = 560;
const LABELS_PER_NODE: usize = 11;

/// What the scan refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Violation {
    TooManySamples { limit: usize },
    TooLargeDecoded { limit: usize },
}

/// Running totals of a scan against its limits.
#[derive(Debug)]
pub struct Budget {
    max_samples: usize,
    max_decoded: usize,
    samples: usize,
    decoded: usize,
    violation: Option<Violation>,
    /// The batch's top-level `version` and `min_version`, when they are whole numbers.
    versions: (Option<u64>, Option<u64>),
}

impl Budget {
    pub fn new(max_samples: usize, max_decoded: usize) -> Self {
        Self {
            max_samples,
            max_decoded,
            samples: 0,
            decoded: 0,
            violation: None,
            versions: (None, None),
        }
    }

    /// The top-level `version` and `min_version` seen, read before the batch is decoded
    /// (a format this build cannot read may not decode at all).
    pub fn versions(&self) -> (Option<u64>, Option<u64>) {
        self.versions
    }

    /// The limit that stopped the scan, if one did.
    pub fn violation(&self) -> Option<Violation> {
        self.violation.clone()
    }

    fn charge<E: de::Error>(&mut self, bytes: usize) -> Result<(), E> {
        self.decoded = self.decoded.saturating_add(bytes);
        if self.decoded > self.max_decoded {
            return self.refuse(Violation::TooLargeDecoded {
                limit: self.max_decoded,
            });
        }
        Ok(())
    }

    fn count_sample<E: de::Error>(&mut self) -> Result<(), E> {
        self.samples += 1;
        if self.samples > self.max_samples {
            return self.refuse(Violation::TooManySamples {
                limit: self.max_samples,
            });
        }
        Ok(())
    }

    fn refuse<E: de::Error>(&mut self, violation: Violation) -> Result<(), E> {
        self.violation = Some(violation);
        Err(E::custom("batch exceeds a limit"))
    }
}

/// Where in the batch a value sits; only the places that matter are told apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Root,
    Frames,
    Frame,
    Samples,
    Sample,
    Labels,
    Version,
    MinVersion,
    Other,
}

/// Scans one JSON document from `deserializer` against `budget`.
pub fn scan<'de, D: Deserializer<'de>>(
    deserializer: D,
    budget: &mut Budget,
) -> Result<(), D::Error> {
    Walk {
        budget,
        place: Place::Root,
    }
    .deserialize(deserializer)
}

struct Walk<'b> {
    budget: &'b mut Budget,
    place: Place,
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl Walk<'_> {
    fn child(&mut self, place: Place) -> Walk<'_> {
        Walk {
            budget: self.budget,
            place,
        }
    }

    fn string<E: de::Error>(self, len: usize) -> Result<(), E> {
        self.budget.charge(STRING_COST + len)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.budget.charge(SCALAR_COST)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.budget.charge(SCALAR_COST)
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<(), E> {
        match self.place {
            Place::Version => self.budget.versions.0 = Some(value),
            Place::MinVersion => self.budget.versions.1 = Some(value),
            _ => {}
        }
        self.budget.charge(SCALAR_COST)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.budget.charge(SCALAR_COST)
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.budget.charge(SCALAR_COST)
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<(), E> {
        self.string(value.len())
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        self.budget.charge(CONTAINER_COST)?;
        let element = match self.place {
            Place::Frames => Place::Frame,
            Place::Samples => Place::Sample,
            _ => Place::Other,
        };
        while seq.next_element_seed(self.child(element))?.is_some() {
            if element == Place::Sample {
                self.budget.count_sample()?;
            }
            self.budget.charge(CONTAINER_COST)?;
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        // The batch, its frames, samples and label maps sit inline in their parent.
        if matches!(
            self.place,
            Place::Other | Place::Version | Place::MinVersion
        ) {
            self.budget.charge(CONTAINER_COST)?;
        }
        let mut entries = 0;
        while let Some(key) = map.next_key_seed(KeySeed)? {
            entries += 1;
            self.charge_entry(entries, key.len)?;
            let place = key.place_under(self.place);
            map.next_value_seed(self.child(place))?;
        }
        Ok(())
    }
}

impl Walk<'_> {
    /// Charges one object entry: a node share and the key for label maps, a slot and the
    /// key for objects of unknown kind, nothing for the known structs (fields are inline).
    fn charge_entry<E: de::Error>(&mut self, entries: usize, key_len: usize) -> Result<(), E> {
        match self.place {
            Place::Labels => {
                if entries % LABELS_PER_NODE == 1 {
                    self.budget.charge(LABEL_NODE_COST)?;
                }
                self.budget.charge(STRING_COST + key_len)
            }
            // A map's keys are kept; a struct's are not, but which one it is is unknown here.
            Place::Other => self.budget.charge(CONTAINER_COST + STRING_COST + key_len),
            _ => Ok(()),
        }
    }
}

/// An object key, reduced to the names the scan follows and its length.
struct Key {
    name: KeyName,
    len: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyName {
    Frames,
    Samples,
    Labels,
    Version,
    MinVersion,
    Other,
}

impl Key {
    fn place_under(&self, parent: Place) -> Place {
        match (parent, self.name) {
            (Place::Root, KeyName::Frames) => Place::Frames,
            (Place::Frame, KeyName::Samples) => Place::Samples,
            (Place::Sample, KeyName::Labels) => Place::Labels,
            (Place::Root, KeyName::Version) => Place::Version,
            (Place::Root, KeyName::MinVersion) => Place::MinVersion,
            _ => Place::Other,
        }
    }
}

struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Key;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Key, D::Error> {
        deserializer.deserialize_str(KeySeed)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Key, E> {
        let name = match value {
            "frames" => KeyName::Frames,
            "samples" => KeyName::Samples,
            "labels" => KeyName::Labels,
            "version" => KeyName::Version,
            "min_version" => KeyName::MinVersion,
            _ => KeyName::Other,
        };
        Ok(Key {
            name,
            len: value.len(),
        })
    }
}
