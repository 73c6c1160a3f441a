//! Compact per-document lists for the manifest: a long run records every
//! document's id and content hash, and one `String` each (plus the
//! allocator's pages they pinned between short-lived buffers) made memory
//! grow with the length of a run.

use std::fmt;

use serde::de::{self, SeqAccess, Visitor};
use serde::ser::SerializeSeq;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Strings stored end to end in one buffer; a JSON array of strings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StrList {
    text: String,
    ends: Vec<u32>,
}

impl StrList {
    pub fn push(&mut self, s: &str) {
        self.text.push_str(s);
        let end = u32::try_from(self.text.len()).expect("doc ids of one input under 4 GiB");
        self.ends.push(end);
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Adds `other`'s strings after these.
    pub fn append(&mut self, other: StrList) {
        if self.is_empty() {
            *self = other;
        } else {
            other.iter().for_each(|s| self.push(s));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(self.ends.iter().copied())
            .map(|(start, end)| &self.text[start as usize..end as usize])
    }
}

impl<'a> FromIterator<&'a str> for StrList {
    fn from_iter<I: IntoIterator<Item = &'a str>>(iter: I) -> Self {
        let mut list = StrList::default();
        for s in iter {
            list.push(s);
        }
        list
    }
}

impl Serialize for StrList {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        for s in self.iter() {
            seq.serialize_element(s)?;
        }
        seq.end()
    }
}

impl<'de> Deserialize<'de> for StrList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Strings;
        impl<'de> Visitor<'de> for Strings {
            type Value = StrList;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array of strings")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<StrList, A::Error> {
                let mut list = StrList::default();
                while let Some(s) = seq.next_element::<std::borrow::Cow<'de, str>>()? {
                    list.push(&s);
                }
                Ok(list)
            }
        }
        deserializer.deserialize_seq(Strings)
    }
}

/// Content hashes (xxh3-128, 32 hex digits in the manifest and in
/// `documents.content_hash`) held as numbers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HashList(Vec<u128>);

/// A content hash's number, or `None` if `hex` is not 1–32 hex digits.
pub fn parse_hash(hex: &str) -> Option<u128> {
    if hex.is_empty() || hex.len() > 32 {
        return None;
    }
    u128::from_str_radix(hex, 16).ok()
}

impl HashList {
    pub fn push(&mut self, hash: u128) {
        self.0.push(hash);
    }

    /// Adds `other`'s hashes after these.
    pub fn append(&mut self, mut other: HashList) {
        if self.is_empty() {
            *self = other;
        } else {
            self.0.append(&mut other.0);
        }
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = u128> + '_ {
        self.0.iter().copied()
    }
}

impl FromIterator<u128> for HashList {
    fn from_iter<I: IntoIterator<Item = u128>>(iter: I) -> Self {
        HashList(iter.into_iter().collect())
    }
}

impl Serialize for HashList {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        let mut buf = [0u8; 32];
        for hash in self.iter() {
            seq.serialize_element(hex32(hash, &mut buf))?;
        }
        seq.end()
    }
}

fn hex32(hash: u128, buf: &mut [u8; 32]) -> &str {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for (i, slot) in buf.iter_mut().enumerate() {
        *slot = DIGITS[((hash >> (4 * (31 - i))) & 0xF) as usize];
    }
    std::str::from_utf8(buf).expect("hex digits")
}

impl<'de> Deserialize<'de> for HashList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Hashes;
        impl<'de> Visitor<'de> for Hashes {
            type Value = HashList;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array of 32-digit hex content hashes")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<HashList, A::Error> {
                let mut list = HashList(Vec::with_capacity(seq.size_hint().unwrap_or(0)));
                while let Some(s) = seq.next_element::<std::borrow::Cow<'de, str>>()? {
                    let hash = parse_hash(&s).ok_or_else(|| {
                        de::Error::invalid_value(de::Unexpected::Str(&s), &"a hex content hash")
                    })?;
                    list.push(hash);
                }
                Ok(list)
            }
        }
        deserializer.deserialize_seq(Hashes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_keep_the_manifest_format() {
        let ids: StrList = ["a1", "", "文档-7"].into_iter().collect();
        assert_eq!(ids.iter().collect::<Vec<_>>(), ["a1", "", "文档-7"]);
        let hash = quarry_core::content_hash("增长13.5%");
        let hashes: HashList = [parse_hash(&hash).unwrap(), 0x1f].into_iter().collect();
        let json = serde_json::to_string(&(&ids, &hashes)).unwrap();
        assert_eq!(
            json,
            format!(r#"[["a1","","文档-7"],["{hash}","0000000000000000000000000000001f"]]"#)
        );
        let back: (StrList, HashList) = serde_json::from_str(&json).unwrap();
        assert_eq!(back, (ids, hashes));
        assert!(serde_json::from_str::<HashList>(r#"["xyz"]"#).is_err());
        assert_eq!(parse_hash(""), None);
    }

    #[test]
    fn appended_lists_keep_their_order() {
        let mut ids = StrList::default();
        ids.append(["a", "b"].into_iter().collect());
        ids.append(["", "c"].into_iter().collect());
        assert_eq!(ids.iter().collect::<Vec<_>>(), ["a", "b", "", "c"]);
        let mut hashes = HashList::default();
        hashes.append([1, 2].into_iter().collect());
        hashes.append([3].into_iter().collect());
        assert_eq!(hashes.iter().collect::<Vec<_>>(), [1, 2, 3]);
    }
}
