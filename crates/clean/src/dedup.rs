//! Passages repeated inside one document.
//!
//! Units are paragraphs: lines; blocks of hard-wrapped lines (FOMC, the
//! link-broken lines of Wikisource); and inside a line the paragraphs that a
//! TAB or an ideographic indent marks (see `chars::CharOut::soft`: hprc
//! documents have no newlines). Scraped pages repeat text in two shapes:
//! the same paragraph again (Singapore 2007, hprc 1959), and one long block
//! that glues together paragraphs that also stand alone (Singapore 2004: the
//! whole speech on one line, then parts of it, then every paragraph).
//!
//! Units are visited shortest first, so the finest-grained copy (separate
//! paragraphs, which the segmenter handles best) is the one that survives.
//! A unit of `min_chars` or more whose text equals a kept unit's goes. A
//! unit of `CONTAINER_MIN` or more that is at least half made of whole
//! paragraphs kept elsewhere (two or more of them), or that is one kept
//! paragraph plus a little, is a glued block: the stretches found elsewhere
//! go, the rest stays as paragraphs of its own. A paragraph that merely
//! quotes a sentence found elsewhere stays whole.
//!
//! Stretches are found through content-defined anchors (windows of `K`
//! bytes whose hash falls in 1/8 of the hash space, so the same text has
//! the same anchors at any offset), then extended byte by byte and trimmed
//! to char boundaries, so a hash collision cannot remove text; stretches
//! under `MIN_SPAN` bytes are shared phrases and do not count. Spaces and
//! markdown marks (`#`, `*`) are ignored when comparing, so
//! `## Heading` and `Heading` are one paragraph.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Keys are already mixed 64-bit hashes; SipHash on top of them was a fifth
/// of the cleaner's time.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8 | b as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type Map<V> = HashMap<u64, V, BuildHasherDefault<Prehashed>>;

/// Anchor key -> normalized position of the first kept text with that
/// window: open addressing with linear probing, sized for the text that is
/// not a whole repeat and grown if a document has more anchors than that.
/// The unit a position belongs to is found on a hit (units tile the
/// normalized text), which keeps a slot at 8 bytes.
struct Index {
    slots: Vec<Slot>,
    len: usize,
    shift: u32,
}

#[derive(Clone, Copy)]
struct Slot {
    key: AnchorKey,
    /// `EMPTY` for a free slot.
    pos: u32,
}

const EMPTY: u32 = u32::MAX;

/// 32 bits of an anchor window's hash. A match is only a candidate, checked
/// byte by byte, so the narrow key costs nothing in correctness, and it
/// shrinks the index: a 2 MB document has about 250k anchors, and two such
/// documents cleaned at once set the run's peak memory.
type AnchorKey = u32;

/// (normalized position of the window's start, key)
type Anchor = (u32, AnchorKey);

/// Anchor windows have their top `64 - ANCHOR_SHIFT` bits zero: the key is
/// the `32` bits below them.
fn anchor_key(h: u64) -> AnchorKey {
    (h >> (ANCHOR_SHIFT - 32)) as AnchorKey
}

impl Index {
    /// Room for `n` keys before the first growth.
    fn with_capacity(n: usize) -> Index {
        let bits = (n + n / 2 + 1).next_power_of_two().trailing_zeros().max(4);
        Index {
            slots: vec![Slot { key: 0, pos: EMPTY }; 1 << bits],
            len: 0,
            shift: 64 - bits,
        }
    }

    /// Gear hashes are poorly mixed in their low bits: take the top bits
    /// of a multiplicative hash.
    fn home(&self, key: AnchorKey) -> usize {
        (u64::from(key).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize
    }

    fn get(&self, key: AnchorKey) -> Option<u32> {
        let mask = self.slots.len() - 1;
        let mut i = self.home(key);
        loop {
            let s = self.slots[i];
            if s.pos == EMPTY {
                return None;
            }
            if s.key == key {
                return Some(s.pos);
            }
            i = (i + 1) & mask;
        }
    }

    /// Inserts unless the key is present: the first kept copy wins.
    fn insert_first(&mut self, key: AnchorKey, pos: u32) {
        // Load factor at most 2/3.
        if (self.len + 1) * 3 > self.slots.len() * 2 {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut i = self.home(key);
        loop {
            let s = &mut self.slots[i];
            if s.pos == EMPTY {
                *s = Slot { key, pos };
                self.len += 1;
                return;
            }
            if s.key == key {
                return;
            }
            i = (i + 1) & mask;
        }
    }

    /// Doubles the table. Keys are unique in it, so moving them keeps the
    /// first-kept-copy answer of every key.
    fn grow(&mut self) {
        let bits = 64 - self.shift + 1;
        let old = std::mem::replace(
            &mut self.slots,
            vec![Slot { key: 0, pos: EMPTY }; 1 << bits],
        );
        self.shift = 64 - bits;
        let mask = self.slots.len() - 1;
        for s in old.into_iter().filter(|s| s.pos != EMPTY) {
            let mut i = self.home(s.key);
            while self.slots[i].pos != EMPTY {
                i = (i + 1) & mask;
            }
            self.slots[i] = s;
        }
    }
}

/// Window length in bytes of normalized text (about 10 CJK chars or six
/// English words).
const K: usize = 32;
/// One window in 8 (hash top 3 bits zero) becomes an anchor.
const ANCHOR_SHIFT: u32 = 61;
/// Share of a long unit that must consist of whole paragraphs (at least two
/// different ones) kept elsewhere for it to count as a glued block; then
/// only the parts not found elsewhere stay.
const CONTAINER_COVERAGE: f64 = 0.5;
/// Share of a long unit that must repeat a single other paragraph, in one
/// stretch, for it to count as that paragraph with something glued on.
const SINGLE_COVERAGE: f64 = 0.9;
/// Parts of a glued block shorter than this many chars are glue, not text.
const MIN_PART: usize = 8;
/// Shared stretches shorter than this many bytes are phrases, not repeats.
const MIN_SPAN: usize = 60;
/// Below this many chars only exact repeats go: formulaic sentences ("The
/// Minister for X will provide more details at the Committee of Supply.")
/// are made of phrases that recur, and the glued blocks this rule is for
/// are long.
const CONTAINER_MIN: usize = 200;

#[derive(Debug, Clone, Copy)]
struct Unit {
    start: usize,
    end: usize,
    /// First unit of its line.
    line_start: bool,
    /// Range of the unit's bytes in the normalized text.
    n0: usize,
    n1: usize,
    nchars: usize,
    whole: u64,
}

/// Random table of the gear rolling hash: `h = h << 2 + GEAR[byte]` depends
/// on the last 32 bytes only, with a shift and an add a byte.
const GEAR: [u64; 256] = {
    let mut t = [0u64; 256];
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut i = 0;
    while i < 256 {
        // splitmix64
        x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        t[i] = z ^ (z >> 31);
        i += 1;
    }
    t
};

fn hash_bytes(b: &[u8]) -> u64 {
    const M: u64 = 0x517C_C1B7_2722_0A95;
    let mut h = b.len() as u64;
    let mut chunks = b.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        h = (h.rotate_left(5) ^ w).wrapping_mul(M);
    }
    for &x in chunks.remainder() {
        h = (h.rotate_left(5) ^ x as u64).wrapping_mul(M);
    }
    mix(h)
}

fn mix(h: u64) -> u64 {
    let h = (h ^ (h >> 31)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    h ^ (h >> 29)
}

/// Spaces, line breaks and markdown marks do not count when comparing.
fn skipped(x: u8) -> bool {
    matches!(x, b' ' | b'\n' | b'#' | b'*')
}

/// 1 for the bytes that count when comparing, 0 for skipped ones: a load
/// instead of a branch in the copy loop.
const KEPT: [u8; 256] = {
    let mut t = [1u8; 256];
    t[b' ' as usize] = 0;
    t[b'\n' as usize] = 0;
    t[b'#' as usize] = 0;
    t[b'*' as usize] = 0;
    t
};

/// Whether any of the 8 bytes of `w` is below 0x40, the range that holds
/// all skipped bytes (Chinese text has no such byte at all).
fn any_low(w: u64) -> bool {
    let n = !w;
    n & (n << 1) & 0x8080_8080_8080_8080 != 0
}

/// The text of all units without skipped bytes; fills in `n0`, `n1`,
/// `nchars` and `whole` of the units. Skipped bytes are ASCII, so char
/// boundaries survive and a match maps back to a text slice.
fn normalize(text: &[u8], units: &mut [Unit]) -> Vec<u8> {
    // Appended to, not written into a zeroed buffer: zeroing it was a
    // pass of its own over the text. Units are disjoint ranges of the
    // text, so their bytes fit (eight more for the last word's spare).
    let mut norm: Vec<u8> = Vec::with_capacity(text.len() + 8);
    for u in units.iter_mut() {
        u.n0 = norm.len();
        let src = &text[u.start..u.end];
        // Eight bytes at a time: a word without a byte below 0x40 is copied
        // whole; otherwise its kept bytes are packed to the front of a
        // word that is appended whole and then cut back.
        // Continuation bytes (10xxxxxx) seen; skipped bytes are ASCII, so
        // the unit's chars are its kept bytes minus these.
        let mut cont = 0usize;
        let mut chunks = src.chunks_exact(8);
        for c in &mut chunks {
            let c: &[u8; 8] = c.try_into().expect("eight bytes");
            let word = u64::from_le_bytes(*c);
            let tops = word & !(word << 1) & 0x8080_8080_8080_8080;
            cont += ((tops >> 7).wrapping_mul(0x0101_0101_0101_0101) >> 56) as usize;
            if any_low(word) {
                let mut packed = [0u8; 8];
                let mut o = 0;
                for &x in c {
                    // `o` never passes the index of `x`: the mask only
                    // drops a bounds check.
                    packed[o & 7] = x;
                    o += KEPT[x as usize] as usize;
                }
                let at = norm.len();
                norm.extend_from_slice(&packed);
                norm.truncate(at + o);
            } else {
                norm.extend_from_slice(c);
            }
        }
        for &x in chunks.remainder() {
            if KEPT[x as usize] == 1 {
                norm.push(x);
            }
            cont += !is_char_start(x) as usize;
        }
        u.n1 = norm.len();
        let bytes = &norm[u.n0..u.n1];
        u.nchars = bytes.len() - cont;
        u.whole = hash_bytes(bytes);
    }
    norm
}

/// The anchors of one unit, into `anchors` (cleared first). Computed when
/// the unit is visited rather than for the whole document up front: a
/// document's anchors took as many bytes as its text, and a unit dropped
/// whole as a repeat needs none.
// Not inlined: inside `dedup` the rolling-hash loop lost its registers to
// dedup's state and spilled the anchor count at every push.
#[inline(never)]
fn unit_anchors(norm: &[u8], u: &Unit, anchors: &mut Vec<Anchor>) {
    anchors.clear();
    let bytes = &norm[u.n0..u.n1];
    // The first K - 1 bytes end no full window.
    let warm = bytes.len().min(K - 1);
    let mut h: u64 = 0;
    for &x in &bytes[..warm] {
        h = (h << 2).wrapping_add(GEAR[x as usize]);
    }
    // The window ending at byte `warm + k` of the unit starts at `k`;
    // `pos` is that start in `norm`. Four bytes a round.
    let mut pos = u.n0 as u32;
    let mut quads = bytes[warm..].chunks_exact(4);
    for q in &mut quads {
        for &x in q {
            h = (h << 2).wrapping_add(GEAR[x as usize]);
            // Top bits zero: one window in eight.
            if h < 1 << ANCHOR_SHIFT {
                anchors.push((pos, anchor_key(h)));
            }
            pos += 1;
        }
    }
    for &x in quads.remainder() {
        h = (h << 2).wrapping_add(GEAR[x as usize]);
        if h < 1 << ANCHOR_SHIFT {
            anchors.push((pos, anchor_key(h)));
        }
        pos += 1;
    }
}

fn is_char_start(x: u8) -> bool {
    x & 0xC0 != 0x80
}

enum Fate {
    Keep,
    Drop,
    /// A glued block: only these normalized ranges (not found elsewhere)
    /// stay.
    Parts(Vec<(usize, usize)>),
}

/// The document with repeats removed, the number of chars dropped and the
/// chars left, or `None` when nothing repeats.
pub(crate) fn dedup(text: &str, soft: &[usize], min_chars: usize) -> Option<(String, u32, usize)> {
    let mut units = split_units(text, soft);
    // Cheap exit: fewer than two long units cannot repeat.
    let long_units = units
        .iter()
        .filter(|u| u.end - u.start >= min_chars)
        .count();
    if long_units < 2 {
        return None;
    }
    let norm = normalize(text.as_bytes(), &mut units);

    // Sorted by (nchars, index), packed in one integer: sorting through a
    // key closure that reads `units` cost twice as much. The keys are
    // distinct, so an unstable sort gives the same order.
    let mut keys: Vec<u64> = units
        .iter()
        .enumerate()
        .map(|(i, u)| (u.nchars as u64) << 32 | i as u64)
        .collect();
    keys.sort_unstable();
    let order: Vec<usize> = keys.iter().map(|&k| k as u32 as usize).collect();
    // Anchor hash -> (unit, normalized position) of kept text.
    // Sized for the anchors of the text that is not a whole repeat (one
    // window in eight is an anchor): growing it from small cost a fifth of
    // the cleaner's time, and sizing it for all the text held 6x too much
    // for a speech scraped six times over.
    let mut fresh_bytes = 0;
    let mut seen: Map<usize> = Map::with_capacity_and_hasher(units.len(), Default::default());
    for u in &units {
        match seen.entry(u.whole) {
            Entry::Occupied(first) if *first.get() == u.nchars && u.nchars >= min_chars => continue,
            Entry::Occupied(_) => {}
            Entry::Vacant(e) => {
                e.insert(u.nchars);
            }
        }
        fresh_bytes += u.n1 - u.n0;
    }
    drop(seen);
    let mut index = Index::with_capacity(fresh_bytes / 8 + 16);
    let mut anchors: Vec<Anchor> = Vec::new();
    let mut first_whole: Map<usize> =
        Map::with_capacity_and_hasher(units.len(), Default::default());
    let mut fate: Vec<Fate> = (0..units.len()).map(|_| Fate::Keep).collect();
    let mut any = false;
    for &i in &order {
        let u = units[i];
        if u.nchars == 0 {
            continue;
        }
        if u.nchars >= min_chars && first_whole.contains_key(&u.whole) {
            fate[i] = Fate::Drop;
            any = true;
            continue;
        }
        first_whole.entry(u.whole).or_insert(i);
        unit_anchors(&norm, &u, &mut anchors);
        // Kept ranges of a glued block; `None`: all of the unit is kept.
        let mut kept_parts: Option<Vec<(usize, usize)>> = None;
        if u.nchars >= CONTAINER_MIN {
            let found = found_spans(&u, &anchors, &index, &units, &norm);
            let spans = found.spans;
            let len = (u.n1 - u.n0) as f64;
            let covered: usize = spans.iter().map(|s| s.1 - s.0).sum();
            // A glued block is made of whole paragraphs found elsewhere, or is
            // one paragraph with a heading glued on. A paragraph that quotes
            // a sentence or two (Hansard's "The Question is, \"That
            // Parliament approves…\"", a recurring "The Minister will give
            // details…") is text and stays whole.
            let glued = (found.whole_sources >= 2
                && found.whole_bytes as f64 >= len * CONTAINER_COVERAGE)
                || (spans.len() == 1 && covered as f64 >= len * SINGLE_COVERAGE);
            if glued {
                let mut keep = gaps(u.n0, u.n1, &spans, &norm);
                // Crumbs too short to carry an anchor (a glued heading)
                // would otherwise survive in every copy of the block.
                keep.retain(|&(a, b)| {
                    let h = hash_bytes(&norm[a..b]);
                    let fresh = !first_whole.contains_key(&h);
                    first_whole.entry(h).or_insert(i);
                    fresh
                });
                any = true;
                fate[i] = if keep.is_empty() {
                    Fate::Drop
                } else {
                    Fate::Parts(keep.clone())
                };
                kept_parts = Some(keep);
            }
        }
        match &kept_parts {
            // Every anchor window of a unit lies inside it.
            None => {
                for &(pos, h) in &anchors {
                    index.insert_first(h, pos);
                }
            }
            Some(keep) => {
                for &(pos, h) in &anchors {
                    let p = pos as usize;
                    if keep.iter().any(|&(a, b)| a <= p && p + K <= b) {
                        index.insert_first(h, pos);
                    }
                }
            }
        }
    }
    // The copy of the text and its anchors are done with: free them before
    // the output is built, rather than hold both at once.
    drop((norm, anchors, index, order));
    if !any {
        return None;
    }
    // Short pieces (headings, `各位代表：`) inside a dropped run belong to
    // the repeat too: drop a short neighbour of a dropped unit when an
    // earlier copy of it is kept.
    let dropped = |f: &Fate| matches!(f, Fate::Drop);
    let mut changed = true;
    while changed {
        changed = false;
        for i in 0..units.len() {
            if !dropped(&fate[i]) {
                continue;
            }
            for dir in [-1isize, 1] {
                let mut j = i as isize + dir;
                while j >= 0 && (j as usize) < units.len() && units[j as usize].nchars == 0 {
                    j += dir;
                }
                if j < 0 || j as usize >= units.len() {
                    continue;
                }
                let j = j as usize;
                let v = units[j];
                if !matches!(fate[j], Fate::Keep) || v.nchars >= min_chars {
                    continue;
                }
                if first_whole
                    .get(&v.whole)
                    .is_some_and(|&f| f < j && matches!(fate[f], Fate::Keep))
                {
                    fate[j] = Fate::Drop;
                    changed = true;
                }
            }
        }
    }
    Some(assemble(text, &units, &fate))
}

/// Stretches of `u` (whose anchors are `anchors`) that also occur in kept
/// text, each extended byte by byte from an anchor hit (so hash collisions
/// cannot cut text), merged.
fn found_spans(u: &Unit, anchors: &[Anchor], index: &Index, units: &[Unit], c: &[u8]) -> Found {
    let mut sources: Vec<usize> = Vec::new();
    let mut whole_bytes = 0;
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut reach = u.n0;
    for &(pos, h) in anchors {
        let pos = pos as usize;
        if pos + K <= reach {
            continue;
        }
        let Some(sp) = index.get(h) else {
            continue;
        };
        let sp = sp as usize;
        // Units tile the normalized text in order.
        let su = units.partition_point(|v| v.n1 <= sp);
        let src = units[su];
        if c[pos..pos + K] != c[sp..sp + K] {
            continue;
        }
        let (mut a, mut sa) = (pos, sp);
        while a > u.n0 && sa > src.n0 && c[a - 1] == c[sa - 1] {
            a -= 1;
            sa -= 1;
        }
        let (mut b, mut sb) = (pos + K, sp + K);
        // Eight bytes at a time while both sides have them.
        while b + 8 <= u.n1 && sb + 8 <= src.n1 && c[b..b + 8] == c[sb..sb + 8] {
            b += 8;
            sb += 8;
        }
        while b < u.n1 && sb < src.n1 && c[b] == c[sb] {
            b += 1;
            sb += 1;
        }
        reach = b;
        // Bytes of two different chars can agree at the edges.
        while a < b && !is_char_start(c[a]) {
            a += 1;
        }
        while b > a && b < u.n1 && !is_char_start(c[b]) {
            b -= 1;
        }
        if b - a < MIN_SPAN {
            continue;
        }
        // The stretch is (nearly) all of the paragraph it repeats.
        if (sb - sa) * 10 >= (src.n1 - src.n0) * 9 {
            whole_bytes += b - a;
            if sources.len() < 2 && !sources.contains(&su) {
                sources.push(su);
            }
        }
        match spans.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => spans.push((a, b)),
        }
    }
    Found {
        spans,
        whole_sources: sources.len(),
        whole_bytes,
    }
}

struct Found {
    spans: Vec<(usize, usize)>,
    /// Distinct paragraphs (up to 2) repeated whole inside the unit.
    whole_sources: usize,
    whole_bytes: usize,
}

/// What is left of `n0..n1` outside `spans`, without the glue crumbs
/// (a stray `.` or `:` between two repeats).
fn gaps(n0: usize, n1: usize, spans: &[(usize, usize)], norm: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut at = n0;
    for &(a, b) in spans.iter().chain(std::iter::once(&(n1, n1))) {
        if a > at && norm[at..a].iter().filter(|&&x| is_char_start(x)).count() >= MIN_PART {
            out.push((at, a));
        }
        at = at.max(b);
    }
    out
}

fn assemble(text: &str, units: &[Unit], fate: &[Fate]) -> (String, u32, usize) {
    let mut out = String::with_capacity(text.len());
    let mut line_has = false;
    let mut blank_run = 0u32;
    let mut started = false;
    // A line emptied by dropping is no blank line: it must not turn a line
    // break into a paragraph break.
    let mut line_dropped = false;
    let push = |out: &mut String, s: &str, line_has: &mut bool, blank_run: &mut u32| {
        if !*line_has && *blank_run > 0 && !out.is_empty() && !out.ends_with("\n\n") {
            // One blank line marks a paragraph; more are noise.
            out.push('\n');
        }
        *blank_run = 0;
        if *line_has {
            out.push(' ');
        }
        out.push_str(s);
        *line_has = true;
    };
    for (i, u) in units.iter().enumerate() {
        if u.line_start && i > 0 {
            if line_has {
                blank_run = 0;
                out.push('\n');
            } else if started && !line_dropped {
                blank_run += 1;
            }
            line_has = false;
            line_dropped = false;
        }
        match &fate[i] {
            Fate::Drop => line_dropped = true,
            Fate::Keep => {
                let s = &text[u.start..u.end];
                if !s.is_empty() {
                    push(&mut out, s, &mut line_has, &mut blank_run);
                    started = true;
                }
            }
            Fate::Parts(parts) => {
                // Text offset of normalized byte `t` of this unit: the parts
                // are ascending, so one walk over the unit finds them all.
                let tb = text.as_bytes();
                let (mut p, mut n) = (u.start, u.n0);
                let mut at = |t: usize| loop {
                    if !skipped(tb[p]) {
                        if n == t {
                            return p;
                        }
                        n += 1;
                    }
                    p += 1;
                };
                for &(a, b) in parts {
                    let start = at(a);
                    let end = at(b - 1) + 1;
                    // The parts were glued to text that is gone; each is a
                    // paragraph of its own, whether the segmenter reads
                    // single line breaks as breaks or as wraps.
                    if !out.is_empty() {
                        while !out.ends_with("\n\n") {
                            out.push('\n');
                        }
                    }
                    out.push_str(text[start..end].trim());
                    started = true;
                }
                out.push('\n');
                line_has = false;
                line_dropped = false;
                blank_run = 1;
            }
        }
    }
    while out.ends_with('\n') {
        out.pop();
    }
    let left = count(&out);
    let removed = count(text).saturating_sub(left);
    (out, removed as u32, left)
}

fn count(s: &str) -> usize {
    s.chars().count()
}

fn split_units(text: &str, soft: &[usize]) -> Vec<Unit> {
    let blank = Unit {
        start: 0,
        end: 0,
        line_start: true,
        n0: 0,
        n1: 0,
        nchars: 0,
        whole: 0,
    };
    let mut lines: Vec<(usize, usize)> = Vec::new();
    let mut s = 0;
    for e in memchr::memchr_iter(b'\n', text.as_bytes()).chain(std::iter::once(text.len())) {
        lines.push((s, e));
        s = e + 1;
    }
    let mut units = Vec::new();
    let mut soft = soft.iter().peekable();
    let mut li = 0;
    while li < lines.len() {
        // A block of hard-wrapped lines (FOMC) or of lines broken at links
        // (Wikisource) is one paragraph: its lines are no units of their own.
        let mut lj = li;
        while lj < lines.len() && lines[lj].1 > lines[lj].0 {
            lj += 1;
        }
        let block = &lines[li..lj];
        let (bs, be) = (
            block.first().map_or(0, |l| l.0),
            block.last().map_or(0, |l| l.1),
        );
        if block.len() >= 2 && wrapped(text, block) && soft.peek().is_none_or(|&&p| p >= be) {
            units.push(Unit {
                start: bs,
                end: be,
                ..blank
            });
            li = lj;
            continue;
        }
        for &(line_start, line_end) in &lines[li..lj.max(li + 1)] {
            let mut s = line_start;
            let mut first = true;
            while let Some(&&p) = soft.peek() {
                if p >= line_end {
                    break;
                }
                soft.next();
                if p > s {
                    units.push(Unit {
                        start: s,
                        end: p,
                        line_start: first,
                        ..blank
                    });
                    first = false;
                }
                s = p + 1;
            }
            units.push(Unit {
                start: s,
                end: line_end,
                line_start: first,
                ..blank
            });
        }
        li = lj.max(li + 1);
    }
    units
}

/// Most lines of the block (but the last) stop mid-sentence.
fn wrapped(text: &str, block: &[(usize, usize)]) -> bool {
    let open = block[..block.len() - 1]
        .iter()
        .filter(|&&(s, e)| {
            !text[s..e].ends_with([
                '。', '！', '？', '；', '：', '.', '!', '?', ';', ':', '”', '"', '）', ')', '」',
                '』', '…',
            ])
        })
        .count();
    open * 2 > block.len() - 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_index_keeps_the_first_position_of_a_key_as_it_grows() {
        let mut index = Index::with_capacity(4);
        for key in 0..1000u32 {
            index.insert_first(key, key * 2);
        }
        for key in 0..1000u32 {
            index.insert_first(key, 7);
        }
        assert!(index.slots.len() >= 1500);
        assert_eq!(index.len, 1000);
        for key in 0..1000u32 {
            assert_eq!(index.get(key), Some(key * 2));
        }
        assert_eq!(index.get(5000), None);
    }

    #[test]
    fn anchor_keys_are_the_32_bits_under_the_zero_top() {
        // An anchor window's hash is below 1 << ANCHOR_SHIFT.
        assert_eq!(anchor_key((1 << ANCHOR_SHIFT) - 1), u32::MAX);
        assert_eq!(anchor_key(1 << (ANCHOR_SHIFT - 32)), 1);
        assert_eq!(anchor_key((1 << (ANCHOR_SHIFT - 32)) - 1), 0);
    }
}
