//! Passages repeated inside one document.
//!
//! Units are lines, and inside a line the paragraphs that a TAB or an
//! ideographic indent marks (see `chars::CharOut::soft`). Scraped pages
//! repeat text in two shapes: the same paragraph again (Singapore 2007,
//! hprc 1959), and one long block that glues together paragraphs that also
//! stand alone (Singapore 2004: the whole speech on one line, then every
//! paragraph again; Sichuan: the whole report as a last line). Both are
//! caught the same way: a unit is dropped when most of its text is already
//! present in shorter or earlier kept units. Units are visited shortest
//! first, so the finest-grained copy (separate paragraphs, which the
//! segmenter handles best) is the one that survives.
//!
//! "Present" is measured with content-defined anchors: every window of `K`
//! non-space chars whose hash falls in 1/`M` of the hash space is indexed,
//! so the same text yields the same anchors at any offset; a unit's coverage
//! is the share of its chars lying inside an anchor window already indexed.

use std::collections::{HashMap, HashSet};

const K: usize = 20;
/// One window in `ANCHOR_EVERY` becomes an anchor.
const ANCHOR_EVERY: u64 = 4;
/// Share of a unit's chars that must already be present for it to go.
const COVERAGE: f64 = 0.9;
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
    nchars: usize,
    whole: u64,
    anchors: (usize, usize),
}

fn mix(h: u64) -> u64 {
    let h = (h ^ (h >> 31)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    h ^ (h >> 29)
}

/// Returns the byte ranges to keep and the number of chars dropped, or
/// `None` when nothing repeats.
pub(crate) fn dedup(text: &str, soft: &[usize], min_chars: usize) -> Option<(String, u32)> {
    let units = split_units(text, soft);
    // Cheap exit: fewer than two long units cannot repeat.
    let long_units = units
        .iter()
        .filter(|u| u.end - u.start >= min_chars)
        .count();
    if long_units < 2 {
        return None;
    }
    let mut chars: Vec<char> = Vec::new();
    let mut anchors: Vec<(u32, u64)> = Vec::new();
    let units: Vec<Unit> = units
        .into_iter()
        .map(|mut u| {
            chars.clear();
            chars.extend(
                text[u.start..u.end]
                    .chars()
                    .filter(|&c| !matches!(c, ' ' | '\n' | '#' | '*')),
            );
            u.nchars = chars.len();
            let mut whole: u64 = 0xcbf2_9ce4_8422_2325;
            for &c in &chars {
                whole = (whole ^ c as u64).wrapping_mul(BASE);
            }
            u.whole = mix(whole);
            let a0 = anchors.len();
            if chars.len() >= K {
                let mut pow: u64 = 1;
                for _ in 0..K {
                    pow = pow.wrapping_mul(BASE);
                }
                let mut h: u64 = 0;
                for (i, &c) in chars.iter().enumerate() {
                    h = h.wrapping_mul(BASE).wrapping_add(c as u64 + 1);
                    if i >= K {
                        h = h.wrapping_sub(pow.wrapping_mul(chars[i - K] as u64 + 1));
                    }
                    if i + 1 >= K {
                        let m = mix(h);
                        if m.is_multiple_of(ANCHOR_EVERY) {
                            anchors.push(((i + 1 - K) as u32, m));
                        }
                    }
                }
            }
            u.anchors = (a0, anchors.len());
            u
        })
        .collect();

    let mut order: Vec<usize> = (0..units.len()).collect();
    order.sort_by_key(|&i| (units[i].nchars, i));
    let mut seen_anchor: HashSet<u64> = HashSet::with_capacity(anchors.len());
    let mut first_whole: HashMap<u64, usize> = HashMap::with_capacity(units.len());
    let mut drop = vec![false; units.len()];
    for &i in &order {
        let u = units[i];
        if u.nchars == 0 {
            continue;
        }
        if u.nchars >= min_chars {
            let exact = first_whole.contains_key(&u.whole);
            if exact
                || (u.nchars >= CONTAINER_MIN
                    && covered(&anchors[u.anchors.0..u.anchors.1], &seen_anchor, u.nchars))
            {
                drop[i] = true;
                continue;
            }
        }
        first_whole.entry(u.whole).or_insert(i);
        seen_anchor.extend(anchors[u.anchors.0..u.anchors.1].iter().map(|a| a.1));
    }
    if !drop.iter().any(|&d| d) {
        return None;
    }
    // Short pieces (headings, `各位代表：`) inside a dropped run belong to
    // the repeat too: drop a short neighbour of a dropped unit when an
    // earlier copy of it is kept.
    let mut changed = true;
    while changed {
        changed = false;
        for i in 0..units.len() {
            if !drop[i] {
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
                if drop[j] || v.nchars >= min_chars {
                    continue;
                }
                if first_whole
                    .get(&v.whole)
                    .is_some_and(|&f| f < j && !drop[f])
                {
                    drop[j] = true;
                    changed = true;
                }
            }
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut removed = 0u32;
    let mut line_has = false;
    let mut blank_run = 0u32;
    let mut started = false;
    // A line emptied by dropping is no blank line: it must not turn a line
    // break into a paragraph break.
    let mut line_dropped = false;
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
        let s = &text[u.start..u.end];
        if drop[i] {
            removed += s.chars().count() as u32;
            line_dropped = true;
            continue;
        }
        if s.is_empty() {
            continue;
        }
        if !line_has && blank_run > 0 && started {
            // One blank line marks a paragraph; more are noise.
            if !out.ends_with("\n\n") {
                out.push('\n');
            }
        }
        blank_run = 0;
        if line_has {
            out.push(' ');
        }
        out.push_str(s);
        line_has = true;
        started = true;
    }
    while out.ends_with('\n') {
        out.pop();
    }
    Some((out, removed))
}

fn split_units(text: &str, soft: &[usize]) -> Vec<Unit> {
    let blank = Unit {
        start: 0,
        end: 0,
        line_start: true,
        nchars: 0,
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

fn covered(anchors: &[(u32, u64)], seen: &HashSet<u64>, nchars: usize) -> bool {
    let need = (nchars as f64 * COVERAGE).ceil() as usize;
    let mut total = 0usize;
    let mut reach = 0usize;
    for &(pos, h) in anchors {
        if !seen.contains(&h) {
            continue;
        }
        let (a, b) = (pos as usize, pos as usize + K);
        let a = a.max(reach);
        if b > a {
            total += b - a;
            reach = b;
        }
    }
    total >= need
}
