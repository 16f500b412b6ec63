//! Series ids of one host by metric name, then label set: looked up with the
//! borrowed name and labels of a sample, so that ingest allocates nothing per sample.

use hostpulse_core::{Labels, SeriesKey};
use rustc_hash::FxHashMap;

/// The series of one host.
#[derive(Debug, Default)]
pub struct SeriesIndex {
    by_name: FxHashMap<String, FxHashMap<Labels, i64>>,
    len: usize,
}

impl SeriesIndex {
    /// Records the id of `key` (again is a no-op).
    pub fn insert(&mut self, key: &SeriesKey, id: i64) {
        let by_labels = self.by_name.entry(key.name.clone()).or_default();
        if by_labels.insert(key.labels.clone(), id).is_none() {
            self.len += 1;
        }
    }

    /// The id of the series `name` with exactly `labels`.
    pub fn get(&self, name: &str, labels: &Labels) -> Option<i64> {
        self.by_name.get(name)?.get(labels).copied()
    }

    /// Series count.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the host has no series.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Every series id.
    pub fn ids(&self) -> impl Iterator<Item = i64> + '_ {
        self.by_name.values().flat_map(|m| m.values().copied())
    }

    /// Label sets and ids of the series named `name`.
    pub fn named(&self, name: &str) -> impl Iterator<Item = (&Labels, i64)> + '_ {
        self.by_name
            .get(name)
            .into_iter()
            .flat_map(|m| m.iter().map(|(labels, id)| (labels, *id)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_series_by_borrowed_name_and_labels() {
        let mut index = SeriesIndex::default();
        let a = SeriesKey::new("cpu").with_label("cpu", "0");
        let b = SeriesKey::new("cpu").with_label("cpu", "1");
        index.insert(&a, 1);
        index.insert(&b, 2);
        index.insert(&SeriesKey::new("load.1"), 3);
        index.insert(&a, 1);
        assert_eq!(index.len(), 3);
        assert_eq!(index.get("cpu", &b.labels), Some(2));
        assert_eq!(index.get("cpu", &Labels::new()), None);
        assert_eq!(index.get("load.1", &Labels::new()), Some(3));
        let mut named: Vec<i64> = index.named("cpu").map(|(_, id)| id).collect();
        named.sort_unstable();
        assert_eq!(named, vec![1, 2]);
        assert_eq!(index.ids().count(), 3);
    }
}
