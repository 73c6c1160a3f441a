//! Longest-match lookup of words in a char slice, forwards and backwards.
//!
//! A probe is keyed on the folded pair of chars it starts (or ends) with:
//! most probes whose first char starts some word still fail on the second,
//! and one lookup in a small open-addressing table settles that before any
//! entry is looked at. No string is built while scanning.

use std::sync::OnceLock;

/// Bits of the prefilter: most probes (every CJK char of a sentence) hit no
/// bucket, and one bit test is far cheaper than a table lookup.
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
struct Entry<T> {
    word: Vec<char>,
    value: T,
}

/// Kinds of bucket key. A word of one char, or whose second (second-to-last)
/// char is whitespace, cannot be keyed on a pair: whitespace matches any
/// whitespace, so it goes to the bucket of its first (last) char alone.
const FWD_PAIR: u64 = 0;
const FWD_ONE: u64 = 1;
const BWD_PAIR: u64 = 2;
const BWD_ONE: u64 = 3;
/// No key: chars are below 2^21, so real keys stay below 2^44.
const EMPTY: u64 = u64::MAX;

#[inline]
fn key(kind: u64, a: char, b: char) -> u64 {
    kind << 42 | (a as u64) << 21 | b as u64
}

/// FWD_ONE and BWD_ONE are the odd kinds.
fn is_one(key: u64) -> bool {
    key >> 42 & 1 == 1
}

/// The one-char bucket key of a pair key's direction and char.
fn one_of(pair: u64) -> u64 {
    (pair | 1 << 42) & !0x1F_FFFF
}

/// One entry in one bucket.
#[derive(Debug, Clone, Copy)]
struct Cand {
    /// The entry's folded word in `Index::arena`.
    at: u32,
    len: u32,
    entry: u32,
    /// Chars at the keyed end the bucket key has already matched.
    keyed: u8,
    /// The arena char just past those (when the word is longer): most
    /// candidates fail on it, and here it costs no arena access.
    next: char,
    /// Latin entries must not be glued to more Latin letters ("cut" in "cuts").
    latin_start: bool,
    latin_end: bool,
}

#[derive(Debug, Clone, Copy)]
struct Slot {
    key: u64,
    start: u32,
    end: u32,
}

/// The entries laid out for probing, built on the first probe after an
/// insert so that filling a lexicon stays linear.
#[derive(Debug, Clone)]
struct Index {
    /// Open addressing with linear probing, kept at most a quarter full so a
    /// miss nearly always stops at the first slot.
    slots: Vec<Slot>,
    shift: u32,
    /// Buckets, each a contiguous run sorted longest first, then in entry
    /// order (which is what makes the earlier of two equal words win).
    cands: Vec<Cand>,
    /// Every entry's word, ASCII-folded and with any whitespace as a space,
    /// back to back. Only positions the bucket key did not match are read,
    /// and there whitespace matches any whitespace.
    arena: Vec<char>,
}

impl Index {
    fn build<T>(entries: &[Entry<T>]) -> Index {
        let mut arena = Vec::new();
        // (key, entry index); bucket contents gathered by sorting on key
        let mut members: Vec<(u64, u32)> = Vec::new();
        let mut starts = Vec::with_capacity(entries.len());
        for (i, e) in entries.iter().enumerate() {
            starts.push(arena.len() as u32);
            let w: Vec<char> = e.word.iter().map(|&c| fold(c)).collect();
            arena.extend(w.iter().map(|&c| if c.is_whitespace() { ' ' } else { c }));
            let (first, last, n) = (w[0], w[w.len() - 1], w.len());
            let i = i as u32;
            match w.get(1).filter(|c| !c.is_whitespace()) {
                Some(&second) => members.push((key(FWD_PAIR, first, second), i)),
                None => members.push((key(FWD_ONE, first, '\0'), i)),
            }
            match n
                .checked_sub(2)
                .map(|k| w[k])
                .filter(|c| !c.is_whitespace())
            {
                Some(penult) => members.push((key(BWD_PAIR, last, penult), i)),
                None => members.push((key(BWD_ONE, last, '\0'), i)),
            }
        }
        assert!(
            u32::try_from(arena.len()).is_ok(),
            "lexicon of 2^32 chars or more"
        );
        // A pair bucket also holds its char's one-char bucket: a probe that
        // finds its pair needs no second lookup. Sorted like the rest, it
        // is in the order the single bucket of the first char would be.
        let mut ones: Vec<(u64, u32)> = members.iter().filter(|m| is_one(m.0)).copied().collect();
        ones.sort_unstable();
        let mut pairs: Vec<u64> = members
            .iter()
            .filter(|m| !is_one(m.0))
            .map(|&(k, _)| k)
            .collect();
        pairs.sort_unstable();
        pairs.dedup();
        for p in pairs {
            let one = one_of(p);
            let lo = ones.partition_point(|&(k, _)| k < one);
            let hi = ones.partition_point(|&(k, _)| k <= one);
            members.extend(ones[lo..hi].iter().map(|&(_, i)| (p, i)));
        }
        let len = |i: u32| entries[i as usize].word.len();
        members.sort_unstable_by_key(|&(k, i)| (k, std::cmp::Reverse(len(i)), i));

        let groups = members.chunk_by(|a, b| a.0 == b.0).count();
        let size = (groups * 4).next_power_of_two().max(4);
        let mut ix = Index {
            slots: vec![
                Slot {
                    key: EMPTY,
                    start: 0,
                    end: 0
                };
                size
            ],
            shift: 64 - size.trailing_zeros(),
            cands: Vec::with_capacity(members.len()),
            arena: Vec::new(),
        };
        for run in members.chunk_by(|a, b| a.0 == b.0) {
            let k = run[0].0;
            let backward = k >> 43 == 1;
            let start = ix.cands.len() as u32;
            for &(_, i) in run {
                let w = &entries[i as usize].word;
                let pair_entry =
                    w.len() >= 2 && !(if backward { w[w.len() - 2] } else { w[1] }).is_whitespace();
                let keyed = if pair_entry { 2 } else { 1 };
                let at = starts[i as usize];
                let next = if backward {
                    w.len().checked_sub(keyed + 1)
                } else {
                    Some(keyed).filter(|&k| k < w.len())
                };
                ix.cands.push(Cand {
                    at,
                    len: w.len() as u32,
                    entry: i,
                    keyed: keyed as u8,
                    next: next.map_or('\0', |k| arena[at as usize + k]),
                    latin_start: w[0].is_ascii_alphabetic(),
                    latin_end: w[w.len() - 1].is_ascii_alphabetic(),
                });
            }
            let mut h = ix.home(k);
            while ix.slots[h].key != EMPTY {
                h = (h + 1) & (size - 1);
            }
            ix.slots[h] = Slot {
                key: k,
                start,
                end: ix.cands.len() as u32,
            };
        }
        ix.arena = arena;
        ix
    }

    #[inline]
    fn home(&self, key: u64) -> usize {
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize
    }

    #[inline]
    fn bucket(&self, key: u64) -> Option<&[Cand]> {
        let mask = self.slots.len() - 1;
        let mut h = self.home(key);
        loop {
            let s = &self.slots[h];
            if s.key == key {
                return Some(&self.cands[s.start as usize..s.end as usize]);
            }
            if s.key == EMPTY {
                return None;
            }
            h = (h + 1) & mask;
        }
    }

    /// `text` (as long as the word) equals the word in `c` but for ASCII
    /// case and the kind of whitespace, at every position in `range`.
    #[inline(always)]
    fn matches(&self, c: &Cand, text: &[char], range: std::ops::Range<usize>) -> bool {
        let word = &self.arena[c.at as usize..][..c.len as usize];
        // A plain loop: as `all` over a zip it stayed an out-of-line call
        // for what is mostly one compare.
        for (&a, &b) in text[range.clone()].iter().zip(&word[range]) {
            if !same(a, b) {
                return false;
            }
        }
        true
    }
}

/// Text char `a` matches arena char `b`.
#[inline(always)]
fn same(a: char, b: char) -> bool {
    fold(a) == b || (b == ' ' && a.is_whitespace())
}

#[derive(Debug, Clone)]
pub struct Lexicon<T> {
    /// In insertion order; inserting a word again moves it to the end.
    entries: Vec<Entry<T>>,
    first_keys: KeyFilter,
    last_keys: KeyFilter,
    /// The first (last) chars of words that have a one-char bucket: a probe
    /// whose pair has no bucket looks there only if the bit is set. (Testing
    /// it in the inlined part, where the filter slot is at hand, made some
    /// callers too big to inline in turn and cost more than it saved.)
    first_ones: KeyFilter,
    last_ones: KeyFilter,
    index: OnceLock<Index>,
}

impl<T> Default for Lexicon<T> {
    fn default() -> Self {
        Lexicon {
            entries: Vec::new(),
            first_keys: KeyFilter([0; FILTER_WORDS]),
            last_keys: KeyFilter([0; FILTER_WORDS]),
            first_ones: KeyFilter([0; FILTER_WORDS]),
            last_ones: KeyFilter([0; FILTER_WORDS]),
            index: OnceLock::new(),
        }
    }
}

#[inline]
fn fold(c: char) -> char {
    c.to_ascii_lowercase()
}

impl<T: Clone> Lexicon<T> {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn insert(&mut self, word: &str, value: T) {
        let word: Vec<char> = word.chars().collect();
        let (Some(&first), Some(&last)) = (word.first(), word.last()) else {
            return;
        };
        // Both cases of a Latin letter: probes test the char as written and
        // fold only once past the filter.
        for c in [first.to_ascii_lowercase(), first.to_ascii_uppercase()] {
            self.first_keys.insert(c);
        }
        for c in [last.to_ascii_lowercase(), last.to_ascii_uppercase()] {
            self.last_keys.insert(c);
        }
        // the same split as the buckets' in `Index::build`
        if word.get(1).is_none_or(|c| c.is_whitespace()) {
            self.first_ones.insert(fold(first));
        }
        if word.len() < 2 || word[word.len() - 2].is_whitespace() {
            self.last_ones.insert(fold(last));
        }
        self.entries.retain(|e| e.word != word);
        self.entries.push(Entry { word, value });
        self.index = OnceLock::new();
    }

    #[inline]
    fn index(&self) -> &Index {
        self.index.get_or_init(|| Index::build(&self.entries))
    }

    /// Longest entry starting at `at`: (length in chars, value).
    ///
    /// Inlined so that the common rejection (no entry starts with this char)
    /// costs a bit test in the caller, without a call and its register saves.
    #[inline]
    pub fn longest_at(&self, chars: &[char], at: usize) -> Option<(usize, &T)> {
        let c = *chars.get(at)?;
        if !self.first_keys.may_contain(c) {
            return None;
        }
        // every entry that starts with a Latin letter needs a word start;
        // tested after the filter, which turns away most probes by itself
        if c.is_ascii_alphabetic() && at > 0 && chars[at - 1].is_ascii_alphabetic() {
            return None;
        }
        self.longest_at_bucket(chars, at, fold(c))
    }

    #[inline(never)]
    fn longest_at_bucket(&self, chars: &[char], at: usize, first: char) -> Option<(usize, &T)> {
        let ix = self.index();
        let bucket = match chars.get(at + 1) {
            Some(&c) => ix.bucket(key(FWD_PAIR, first, fold(c))),
            None => None,
        };
        let bucket = match bucket {
            Some(b) => b,
            None if self.first_ones.may_contain(first) => ix.bucket(key(FWD_ONE, first, '\0'))?,
            None => return None,
        };
        for c in bucket {
            let len = c.len as usize;
            let end = at + len;
            if end > chars.len() {
                continue;
            }
            let k = c.keyed as usize;
            if len > k
                && (!same(chars[at + k], c.next)
                    || (len > k + 1 && !ix.matches(c, &chars[at..end], k + 1..len)))
            {
                continue;
            }
            if c.latin_end && chars.get(end).is_some_and(|c| c.is_ascii_alphabetic()) {
                continue;
            }
            // `latin_start` needs no test: `longest_at` has turned away a
            // Latin first char glued to another.
            return Some((len, &self.entries[c.entry as usize].value));
        }
        None
    }

    /// Longest entry ending just before `end`; inlined like `longest_at`.
    #[inline]
    pub fn longest_ending_at(&self, chars: &[char], end: usize) -> Option<(usize, &T)> {
        if end == 0 || end > chars.len() {
            return None;
        }
        let last = chars[end - 1];
        if !self.last_keys.may_contain(last) {
            return None;
        }
        self.longest_ending_at_bucket(chars, end, fold(last))
    }

    #[inline(never)]
    fn longest_ending_at_bucket(
        &self,
        chars: &[char],
        end: usize,
        last: char,
    ) -> Option<(usize, &T)> {
        let ix = self.index();
        let bucket = match end.checked_sub(2) {
            Some(k) => ix.bucket(key(BWD_PAIR, last, fold(chars[k]))),
            None => None,
        };
        let bucket = match bucket {
            Some(b) => b,
            None if self.last_ones.may_contain(last) => ix.bucket(key(BWD_ONE, last, '\0'))?,
            None => return None,
        };
        for c in bucket {
            let len = c.len as usize;
            let Some(start) = end.checked_sub(len) else {
                continue;
            };
            let k = c.keyed as usize;
            if len > k
                && (!same(chars[end - 1 - k], c.next)
                    || (len > k + 1 && !ix.matches(c, &chars[start..end], 0..len - k - 1)))
            {
                continue;
            }
            if c.latin_end && chars.get(end).is_some_and(|c| c.is_ascii_alphabetic()) {
                continue;
            }
            if c.latin_start && start > 0 && chars[start - 1].is_ascii_alphabetic() {
                continue;
            }
            return Some((len, &self.entries[c.entry as usize].value));
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

    /// The lexicon's contract spelled out directly, as the bucketed version
    /// implemented it: entries in insertion order (a re-inserted word moves
    /// to the end), the longest match wins and the earliest among equals.
    struct Naive(Vec<(Vec<char>, u32)>);

    impl Naive {
        fn insert(&mut self, w: &str, v: u32) {
            let w: Vec<char> = w.chars().collect();
            if w.is_empty() {
                return;
            }
            self.0.retain(|(x, _)| *x != w);
            self.0.push((w, v));
        }

        /// `keyed`: the char that picked the bucket, which must fold-equal
        /// exactly (whitespace there matches only the same whitespace).
        fn same(w: &[char], t: &[char], keyed: usize) -> bool {
            let spaced = w.iter().any(|c| c.is_whitespace());
            w.iter().zip(t).enumerate().all(|(k, (&a, &b))| {
                fold(a) == fold(b)
                    || (k != keyed && spaced && a.is_whitespace() && b.is_whitespace())
            })
        }

        fn alpha(t: &[char], k: Option<usize>) -> bool {
            k.and_then(|k| t.get(k))
                .is_some_and(|c| c.is_ascii_alphabetic())
        }

        fn best(&self, ok: impl Fn(&[char]) -> bool) -> Option<(usize, u32)> {
            let mut best: Option<(usize, u32)> = None;
            for (w, v) in &self.0 {
                if ok(w) && best.is_none_or(|(n, _)| w.len() > n) {
                    best = Some((w.len(), *v));
                }
            }
            best
        }

        fn longest_at(&self, t: &[char], at: usize) -> Option<(usize, u32)> {
            self.best(|w| {
                let end = at + w.len();
                end <= t.len()
                    && Self::same(w, &t[at..end], 0)
                    && !(w[w.len() - 1].is_ascii_alphabetic() && Self::alpha(t, Some(end)))
                    && !(w[0].is_ascii_alphabetic() && Self::alpha(t, at.checked_sub(1)))
            })
        }

        fn longest_ending_at(&self, t: &[char], end: usize) -> Option<(usize, u32)> {
            self.best(|w| {
                let Some(start) = end.checked_sub(w.len()) else {
                    return false;
                };
                end <= t.len()
                    && Self::same(w, &t[start..end], w.len() - 1)
                    && !(w[w.len() - 1].is_ascii_alphabetic() && Self::alpha(t, Some(end)))
                    && !(w[0].is_ascii_alphabetic() && Self::alpha(t, start.checked_sub(1)))
            })
        }
    }

    /// xorshift64*: deterministic, so a failure reproduces.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n
        }
    }

    #[test]
    fn agrees_with_naive_longest_match() {
        // few letters, so that words share first and second chars, collide
        // under case folding and run into each other
        const ALPHABET: &[char] = &[
            'a', 'A', 'b', 'B', 'z', ' ', '\t', '\u{3000}', '个', '百', '分', '点', '1', '-',
        ];
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for round in 0..3000 {
            let mut lex = Lexicon::new();
            let mut naive = Naive(Vec::new());
            let words = 1 + rng.below(12);
            for v in 0..words as u32 {
                let n = 1 + rng.below(4);
                let w: String = (0..n)
                    .map(|_| ALPHABET[rng.below(ALPHABET.len())])
                    .collect();
                lex.insert(&w, v);
                naive.insert(&w, v);
                // sometimes query between inserts, so the index is rebuilt
                if rng.below(4) == 0 {
                    let t: Vec<char> = w.chars().collect();
                    assert_eq!(
                        lex.longest_at(&t, 0).map(|(n, &v)| (n, v)),
                        naive.longest_at(&t, 0)
                    );
                }
            }
            for _ in 0..8 {
                let n = rng.below(14);
                let t: Vec<char> = (0..n)
                    .map(|_| ALPHABET[rng.below(ALPHABET.len())])
                    .collect();
                for at in 0..=t.len() + 1 {
                    let got = lex.longest_at(&t, at).map(|(n, &v)| (n, v));
                    let want = if at < t.len() {
                        naive.longest_at(&t, at)
                    } else {
                        None
                    };
                    assert_eq!(
                        got, want,
                        "round {round} longest_at {at} in {t:?} of {:?}",
                        naive.0
                    );
                    let got = lex.longest_ending_at(&t, at).map(|(n, &v)| (n, v));
                    let want = if at > 0 && at <= t.len() {
                        naive.longest_ending_at(&t, at)
                    } else {
                        None
                    };
                    assert_eq!(
                        got, want,
                        "round {round} ending_at {at} in {t:?} of {:?}",
                        naive.0
                    );
                }
                let (from, to) = (rng.below(n + 1), rng.below(n + 2));
                let want = (from..to.min(n)).find_map(|i| {
                    naive
                        .longest_at(&t, i)
                        .filter(|(len, _)| i + len <= to)
                        .map(|(len, v)| (i, len, v))
                });
                assert_eq!(lex.find_in(&t, from, to).map(|(i, n, &v)| (i, n, v)), want);
                assert_eq!(lex.contains_in(&t, from, to), want.is_some());
            }
        }
    }
}
