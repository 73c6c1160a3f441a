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
//! unit of `CONTAINER_MIN` or more of which at least half is found in kept
//! text is a glued block: the stretches found elsewhere go, the rest stays
//! as paragraphs of its own. Stretches are found through content-defined
//! anchors (windows of `K` chars whose hash falls in 1/`ANCHOR_EVERY` of
//! the hash space, so the same text has the same anchors at any offset) and
//! then extended char by char, so a hash collision cannot remove text.
//! Spaces and markdown marks (`#`, `*`) are ignored when comparing, so
//! `## Heading` and `Heading` are one paragraph.

use std::collections::HashMap;

const K: usize = 20;
/// One window in `ANCHOR_EVERY` becomes an anchor.
const ANCHOR_EVERY: u64 = 4;
/// Share of a long unit that must be found elsewhere for it to count as a
/// glued block; then only the parts not found elsewhere stay.
const CONTAINER_COVERAGE: f64 = 0.5;
/// Parts of a glued block shorter than this are glue, not text.
const MIN_PART: usize = 8;
/// Below this many chars only exact repeats go: formulaic sentences ("The
/// Minister for X will provide more details at the Committee of Supply.")
/// are made of phrases that recur, and the glued blocks this rule is for
/// are long.
const CONTAINER_MIN: usize = 200;
const BASE: u64 = 0x100_0000_01B3;

#[derive(Debug, Clone, Copy)]
struct Unit {
    start: usize,
    end: usize,
    /// First unit of its line.
    line_start: bool,
    /// Range of the unit's chars in `Norm::chars`.
    n0: usize,
    n1: usize,
    whole: u64,
    anchors: (usize, usize),
}

impl Unit {
    fn nchars(&self) -> usize {
        self.n1 - self.n0
    }
}

/// The text of all units without spaces and markdown marks, with the byte
/// offset of every char, so that a match found on normalized text maps back
/// to a slice of the document.
struct Norm {
    chars: Vec<char>,
    at: Vec<u32>,
}

fn hash_chars(chars: &[char]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &c in chars {
        h = (h ^ c as u64).wrapping_mul(BASE);
    }
    mix(h)
}

fn mix(h: u64) -> u64 {
    let h = (h ^ (h >> 31)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    h ^ (h >> 29)
}

enum Fate {
    Keep,
    Drop,
    /// A glued block: only these normalized ranges (not found elsewhere)
    /// stay.
    Parts(Vec<(usize, usize)>),
}

/// The document with repeats removed and the number of chars dropped, or
/// `None` when nothing repeats.
pub(crate) fn dedup(text: &str, soft: &[usize], min_chars: usize) -> Option<(String, u32)> {
    let mut units = split_units(text, soft);
    // Cheap exit: fewer than two long units cannot repeat.
    let long_units = units
        .iter()
        .filter(|u| u.end - u.start >= min_chars)
        .count();
    if long_units < 2 {
        return None;
    }
    let mut norm = Norm {
        chars: Vec::with_capacity(text.len() / 2),
        at: Vec::with_capacity(text.len() / 2),
    };
    let mut anchors: Vec<(u32, u64)> = Vec::new();
    let mut pow: u64 = 1;
    for _ in 0..K {
        pow = pow.wrapping_mul(BASE);
    }
    for u in units.iter_mut() {
        u.n0 = norm.chars.len();
        for (b, c) in text[u.start..u.end].char_indices() {
            if !matches!(c, ' ' | '\n' | '#' | '*') {
                norm.chars.push(c);
                norm.at.push((u.start + b) as u32);
            }
        }
        u.n1 = norm.chars.len();
        let chars = &norm.chars[u.n0..u.n1];
        u.whole = hash_chars(chars);
        let a0 = anchors.len();
        let mut h: u64 = 0;
        for (i, &c) in chars.iter().enumerate() {
            h = h.wrapping_mul(BASE).wrapping_add(c as u64 + 1);
            if i >= K {
                h = h.wrapping_sub(pow.wrapping_mul(chars[i - K] as u64 + 1));
            }
            if i + 1 >= K {
                let m = mix(h);
                if m.is_multiple_of(ANCHOR_EVERY) {
                    anchors.push(((u.n0 + i + 1 - K) as u32, m));
                }
            }
        }
        u.anchors = (a0, anchors.len());
    }

    let mut order: Vec<usize> = (0..units.len()).collect();
    order.sort_by_key(|&i| (units[i].nchars(), i));
    // Anchor hash -> (unit, normalized position) of kept text.
    let mut index: HashMap<u64, (u32, u32)> = HashMap::with_capacity(anchors.len());
    let mut first_whole: HashMap<u64, usize> = HashMap::with_capacity(units.len());
    let mut fate: Vec<Fate> = (0..units.len()).map(|_| Fate::Keep).collect();
    let mut any = false;
    for &i in &order {
        let u = units[i];
        if u.nchars() == 0 {
            continue;
        }
        if u.nchars() >= min_chars && first_whole.contains_key(&u.whole) {
            fate[i] = Fate::Drop;
            any = true;
            continue;
        }
        first_whole.entry(u.whole).or_insert(i);
        let mut keep = vec![(u.n0, u.n1)];
        if u.nchars() >= CONTAINER_MIN {
            let spans = found_spans(&u, &anchors, &index, &units, &norm);
            let covered: usize = spans.iter().map(|s| s.1 - s.0).sum();
            if covered as f64 >= u.nchars() as f64 * CONTAINER_COVERAGE {
                keep = gaps(u.n0, u.n1, &spans);
                // Crumbs too short to carry an anchor (a glued heading)
                // would otherwise survive in every copy of the block.
                keep.retain(|&(a, b)| {
                    let h = hash_chars(&norm.chars[a..b]);
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
            }
        }
        for &(pos, h) in &anchors[u.anchors.0..u.anchors.1] {
            let pos = pos as usize;
            if keep.iter().any(|&(a, b)| a <= pos && pos + K <= b) {
                index.entry(h).or_insert((i as u32, pos as u32));
            }
        }
    }
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
                while j >= 0 && (j as usize) < units.len() && units[j as usize].nchars() == 0 {
                    j += dir;
                }
                if j < 0 || j as usize >= units.len() {
                    continue;
                }
                let j = j as usize;
                let v = units[j];
                if !matches!(fate[j], Fate::Keep) || v.nchars() >= min_chars {
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
    Some(assemble(text, &units, &fate, &norm))
}

/// Stretches of `u` that also occur in kept text, each extended char by
/// char from an anchor hit (so hash collisions cannot cut text), merged.
fn found_spans(
    u: &Unit,
    anchors: &[(u32, u64)],
    index: &HashMap<u64, (u32, u32)>,
    units: &[Unit],
    norm: &Norm,
) -> Vec<(usize, usize)> {
    let c = &norm.chars;
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut reach = u.n0;
    for &(pos, h) in &anchors[u.anchors.0..u.anchors.1] {
        let pos = pos as usize;
        if pos + K <= reach {
            continue;
        }
        let Some(&(su, sp)) = index.get(&h) else {
            continue;
        };
        let src = units[su as usize];
        let sp = sp as usize;
        if c[pos..pos + K] != c[sp..sp + K] {
            continue;
        }
        let (mut a, mut sa) = (pos, sp);
        while a > u.n0 && sa > src.n0 && c[a - 1] == c[sa - 1] {
            a -= 1;
            sa -= 1;
        }
        let (mut b, mut sb) = (pos + K, sp + K);
        while b < u.n1 && sb < src.n1 && c[b] == c[sb] {
            b += 1;
            sb += 1;
        }
        match spans.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => spans.push((a, b)),
        }
        reach = b;
    }
    spans
}

/// What is left of `n0..n1` outside `spans`, without the glue crumbs
/// (a stray `.` or `:` between two repeats).
fn gaps(n0: usize, n1: usize, spans: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut at = n0;
    for &(a, b) in spans.iter().chain(std::iter::once(&(n1, n1))) {
        if a > at && a - at >= MIN_PART {
            out.push((at, a));
        }
        at = at.max(b);
    }
    out
}

fn assemble(text: &str, units: &[Unit], fate: &[Fate], norm: &Norm) -> (String, u32) {
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
                line_dropped = true;
                for (k, &(a, b)) in parts.iter().enumerate() {
                    let start = norm.at[a] as usize;
                    let last = norm.at[b - 1] as usize;
                    let end = last + text[last..].chars().next().map_or(0, char::len_utf8);
                    if k > 0 || line_has {
                        // The parts were glued to text that is gone; each is
                        // a paragraph of its own.
                        out.push('\n');
                        line_has = false;
                    }
                    push(
                        &mut out,
                        text[start..end].trim(),
                        &mut line_has,
                        &mut blank_run,
                    );
                    started = true;
                }
            }
        }
    }
    while out.ends_with('\n') {
        out.pop();
    }
    let removed = count(text).saturating_sub(count(&out));
    (out, removed as u32)
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
        whole: 0,
        anchors: (0, 0),
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
