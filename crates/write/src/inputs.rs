//! The manifest's table of processed inputs, by source.
//!
//! A vector sorted by source rather than a `BTreeMap`: the map's nodes,
//! left about half full by inserts in order, took twice the room of the
//! records themselves, and a run over 100,000 small files held them for its
//! whole length. In `state.json` it is still a JSON object keyed by source.

use std::fmt;

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::store::InputRecord;

/// Input records sorted by source, each source once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inputs(Vec<(String, InputRecord)>);

impl Inputs {
    /// Sorts `entries` by source; of a source given twice the later stays,
    /// as a map insert would keep it.
    pub fn from_unsorted(mut entries: Vec<(String, InputRecord)>) -> Self {
        // Manifests are written in order: the sort's scratch space (half
        // the records again) is needed only for a hand-edited one.
        if entries.is_sorted_by(|a, b| a.0 < b.0) {
            return Inputs(entries);
        }
        // Stable: equal sources keep their order, so the later is the second.
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        entries.dedup_by(|later, earlier| {
            let same = later.0 == earlier.0;
            if same {
                std::mem::swap(later, earlier);
            }
            same
        });
        Inputs(entries)
    }

    /// The index of `source`, for [`Inputs::record`] and [`Inputs::record_mut`].
    pub fn position(&self, source: &str) -> Option<usize> {
        self.0
            .binary_search_by(|(s, _)| s.as_str().cmp(source))
            .ok()
    }

    pub fn get(&self, source: &str) -> Option<&InputRecord> {
        self.position(source).map(|i| &self.0[i].1)
    }

    pub fn get_mut(&mut self, source: &str) -> Option<&mut InputRecord> {
        self.position(source).map(|i| &mut self.0[i].1)
    }

    /// The record at `index` (from [`Inputs::position`]).
    pub fn record(&self, index: usize) -> &InputRecord {
        &self.0[index].1
    }

    pub fn record_mut(&mut self, index: usize) -> &mut InputRecord {
        &mut self.0[index].1
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn values(&self) -> impl Iterator<Item = &InputRecord> + '_ {
        self.0.iter().map(|(_, r)| r)
    }

    /// The entries, sorted by source, to move records out without copies.
    pub fn into_vec(self) -> Vec<(String, InputRecord)> {
        self.0
    }

    /// Adds `other`'s records; its record wins for a source in both.
    pub fn merge(&mut self, other: Inputs) {
        let mut entries = std::mem::take(&mut self.0);
        entries.extend(other.0);
        *self = Inputs::from_unsorted(entries);
    }
}

impl Serialize for Inputs {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(s, r)| (s, r)))
    }
}

impl<'de> Deserialize<'de> for Inputs {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct InputsVisitor;

        impl<'de> Visitor<'de> for InputsVisitor {
            type Value = Inputs;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of input records keyed by source")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Inputs, A::Error> {
                let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0));
                while let Some(entry) = map.next_entry::<String, InputRecord>()? {
                    entries.push(entry);
                }
                entries.shrink_to_fit();
                Ok(Inputs::from_unsorted(entries))
            }
        }

        deserializer.deserialize_map(InputsVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(documents: u64) -> InputRecord {
        InputRecord {
            documents,
            ..InputRecord::default()
        }
    }

    #[test]
    fn sorts_keeps_the_later_of_a_repeated_source_and_finds_each() {
        let inputs = Inputs::from_unsorted(vec![
            ("b".into(), record(1)),
            ("a".into(), record(2)),
            ("b".into(), record(3)),
            ("c".into(), record(4)),
        ]);
        assert_eq!(inputs.get("b").map(|r| r.documents), Some(3));
        assert!(inputs.get("bb").is_none());
        assert_eq!(inputs.position("c"), Some(2));
        let order: Vec<(String, u64)> = inputs
            .into_vec()
            .into_iter()
            .map(|(s, r)| (s, r.documents))
            .collect();
        assert_eq!(order, [("a".into(), 2), ("b".into(), 3), ("c".into(), 4)]);
    }

    #[test]
    fn merge_takes_the_other_side_for_a_source_in_both() {
        let mut a = Inputs::from_unsorted(vec![("x".into(), record(1)), ("y".into(), record(2))]);
        a.merge(Inputs::from_unsorted(vec![
            ("y".into(), record(20)),
            ("z".into(), record(30)),
        ]));
        let docs: Vec<u64> = a.values().map(|r| r.documents).collect();
        assert_eq!(docs, [1, 20, 30]);
    }

    #[test]
    fn is_a_json_object_keyed_by_source_and_reads_back_unsorted_ones() {
        let inputs = Inputs::from_unsorted(vec![("b".into(), record(1)), ("a".into(), record(2))]);
        let json = serde_json::to_value(&inputs).unwrap();
        let keys: Vec<&String> = json.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["a", "b"]);
        // A hand-edited file may list sources in any order.
        let back: Inputs =
            serde_json::from_str(r#"{"b": {"documents": 1}, "a": {"documents": 2}}"#).unwrap();
        assert_eq!(back, inputs);
    }
}
