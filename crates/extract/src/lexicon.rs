//! Longest-match lookup of words in a char slice, forwards and backwards.
//!
//! Entries are bucketed by their first (and last) char so that a probe at a
//! position costs one hash lookup plus a few slice compares; no string is
//! built while scanning.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Keys are single chars: a multiply-shift hash is enough and several times
/// cheaper than SipHash on the per-character probes of the scanner.
#[derive(Default, Clone, Copy)]
pub struct CharHasher(u64);

impl Hasher for CharHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ b as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.0 = (n as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

type CharMap<V> = HashMap<char, V, BuildHasherDefault<CharHasher>>;

#[derive(Debug, Clone)]
struct Entry<T> {
    word: Vec<char>,
    value: T,
    /// Latin entries must not be glued to more Latin letters ("cut" in "cuts").
    latin_end: bool,
    latin_start: bool,
    /// The word holds whitespace, which matches any whitespace.
    spaced: bool,
    /// The word's second and second-to-last chars, case-folded, when they
    /// are no whitespace: a probe rejects most entries of a bucket on them
    /// before comparing the whole word.
    second: Option<char>,
    penult: Option<char>,
}

impl<T> Entry<T> {
    /// `chars` (as long as the word) equals the word but for ASCII case and
    /// the kind of whitespace, skipping `skip`: the char that selected the
    /// bucket and so already matches.
    #[inline]
    fn matches(&self, chars: &[char], skip: usize) -> bool {
        if self.spaced {
            return chars.iter().zip(&self.word).all(|(&a, &b)| eq_fold(a, b));
        }
        chars
            .iter()
            .zip(&self.word)
            .enumerate()
            .all(|(k, (&a, &b))| k == skip || a == b || fold(a) == fold(b))
    }
}

/// Bits of the prefilter: most probes (every CJK char of a sentence) hit no
/// bucket, and one bit test is far cheaper than a hash map lookup.
const FILTER_WORDS: usize = 64;

/// One bit per (hashed) key char of a bucket; a clear bit means no bucket.
#[derive(Debug, Clone)]
struct KeyFilter([u64; FILTER_WORDS]);

impl KeyFilter {
    #[inline]
    fn slot(c: char) -> (usize, u64) {
        let h = (c as u32).wrapping_mul(0x9E37_79B1) >> 20;
        ((h >> 6) as usize, 1u64 << (h & 63))
    }

    fn insert(&mut self, c: char) {
        let (w, bit) = Self::slot(c);
        self.0[w] |= bit;
    }

    #[inline]
    fn may_contain(&self, c: char) -> bool {
        let (w, bit) = Self::slot(c);
        self.0[w] & bit != 0
    }
}

#[derive(Debug, Clone)]
pub struct Lexicon<T> {
    by_first: CharMap<Vec<Entry<T>>>,
    by_last: CharMap<Vec<Entry<T>>>,
    first_keys: KeyFilter,
    last_keys: KeyFilter,
}

impl<T> Default for Lexicon<T> {
    fn default() -> Self {
        Lexicon {
            by_first: CharMap::default(),
            by_last: CharMap::default(),
            first_keys: KeyFilter([0; FILTER_WORDS]),
            last_keys: KeyFilter([0; FILTER_WORDS]),
        }
    }
}

#[inline]
fn fold(c: char) -> char {
    c.to_ascii_lowercase()
}

#[inline]
fn eq_fold(a: char, b: char) -> bool {
    fold(a) == fold(b) || (a.is_whitespace() && b.is_whitespace())
}

impl<T: Clone> Lexicon<T> {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn insert(&mut self, word: &str, value: T) {
        let chars: Vec<char> = word.chars().collect();
        let (Some(&first), Some(&last)) = (chars.first(), chars.last()) else {
            return;
        };
        let near = |k: Option<usize>| {
            k.and_then(|k| chars.get(k))
                .filter(|c| !c.is_whitespace())
                .map(|&c| fold(c))
        };
        let entry = Entry {
            second: near(Some(1)),
            penult: near(chars.len().checked_sub(2)),
            latin_end: last.is_ascii_alphabetic(),
            latin_start: first.is_ascii_alphabetic(),
            spaced: chars.iter().any(|c| c.is_whitespace()),
            word: chars,
            value,
        };
        self.first_keys.insert(fold(first));
        self.last_keys.insert(fold(last));
        for (map, key) in [
            (&mut self.by_first, fold(first)),
            (&mut self.by_last, fold(last)),
        ] {
            let bucket = map.entry(key).or_default();
            bucket.retain(|e| e.word != entry.word);
            bucket.push(entry.clone());
            bucket.sort_by_key(|e| std::cmp::Reverse(e.word.len()));
        }
    }

    /// Longest entry starting at `at`: (length in chars, value).
    ///
    /// Inlined so that the common rejection (no entry starts with this char)
    /// costs a bit test in the caller, without a call and its register saves.
    #[inline]
    pub fn longest_at(&self, chars: &[char], at: usize) -> Option<(usize, &T)> {
        let c = *chars.get(at)?;
        // every entry that starts with a Latin letter needs a word start
        if c.is_ascii_alphabetic() && at > 0 && chars[at - 1].is_ascii_alphabetic() {
            return None;
        }
        let first = fold(c);
        if !self.first_keys.may_contain(first) {
            return None;
        }
        self.longest_at_bucket(chars, at, first)
    }

    #[inline(never)]
    fn longest_at_bucket(&self, chars: &[char], at: usize, first: char) -> Option<(usize, &T)> {
        let bucket = self.by_first.get(&first)?;
        for e in bucket {
            let end = at + e.word.len();
            if end > chars.len() {
                continue;
            }
            if e.second.is_some_and(|c| fold(chars[at + 1]) != c) {
                continue;
            }
            // The first char picked the bucket: it matches.
            if !e.matches(&chars[at..end], 0) {
                continue;
            }
            if e.latin_end && chars.get(end).is_some_and(|c| c.is_ascii_alphabetic()) {
                continue;
            }
            if e.latin_start && at > 0 && chars[at - 1].is_ascii_alphabetic() {
                continue;
            }
            return Some((e.word.len(), &e.value));
        }
        None
    }

    /// Longest entry ending just before `end`; inlined like `longest_at`.
    #[inline]
    pub fn longest_ending_at(&self, chars: &[char], end: usize) -> Option<(usize, &T)> {
        if end == 0 || end > chars.len() {
            return None;
        }
        let last = fold(chars[end - 1]);
        if !self.last_keys.may_contain(last) {
            return None;
        }
        self.longest_ending_at_bucket(chars, end, last)
    }

    #[inline(never)]
    fn longest_ending_at_bucket(
        &self,
        chars: &[char],
        end: usize,
        last: char,
    ) -> Option<(usize, &T)> {
        let bucket = self.by_last.get(&last)?;
        for e in bucket {
            let Some(start) = end.checked_sub(e.word.len()) else {
                continue;
            };
            if e.penult.is_some_and(|c| fold(chars[end - 2]) != c) {
                continue;
            }
            // The last char picked the bucket: it matches.
            if !e.matches(&chars[start..end], e.word.len() - 1) {
                continue;
            }
            if e.latin_end && chars.get(end).is_some_and(|c| c.is_ascii_alphabetic()) {
                continue;
            }
            if e.latin_start && start > 0 && chars[start - 1].is_ascii_alphabetic() {
                continue;
            }
            return Some((e.word.len(), &e.value));
        }
        None
    }

    /// Any entry occurring in `chars[from..to]`: position of the first one.
    pub fn find_in(&self, chars: &[char], from: usize, to: usize) -> Option<(usize, usize, &T)> {
        let to = to.min(chars.len());
        (from..to).find_map(|i| {
            self.longest_at(chars, i)
                .filter(|(len, _)| i + len <= to)
                .map(|(len, v)| (i, len, v))
        })
    }

    pub fn contains_in(&self, chars: &[char], from: usize, to: usize) -> bool {
        self.find_in(chars, from, to).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longest_match_and_word_ends() {
        let mut l = Lexicon::new();
        l.insert("个", 1);
        l.insert("个百分点", 2);
        l.insert("cut", 3);
        let s: Vec<char> = "3个百分点 cuts cut".chars().collect();
        assert_eq!(l.longest_at(&s, 1), Some((4, &2)));
        assert_eq!(l.longest_at(&s, 6), None);
        assert_eq!(l.longest_at(&s, 11), Some((3, &3)));
        assert_eq!(l.longest_ending_at(&s, 5), Some((4, &2)));
    }
}
