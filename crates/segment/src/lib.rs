//! The segment stage: splits a cleaned document into sentences with exact
//! char offsets and a language tag per sentence.
//!
//! Public API (kept small on purpose): [`SegmentConfig`], [`Segmenter`],
//! [`detect_lang`].
//!
//! The scanner finds candidate boundaries in one vectorized pass over the
//! text (`blocks::Cands`): `. ! ?`, line breaks and tabs, `。！？…`, and
//! white-space runs that may set a heading off. Each candidate is judged by
//! local rules that look at a few bytes of context on either side (see
//! `rules`), read from the bytes rather than decoded chars; nothing is
//! allocated until a sentence is emitted. A second vectorized pass keeps
//! running counts of chars, letters and line breaks (`blocks::Counts`), so an
//! emitted sentence's char offsets, language and line breaks come from the
//! counts at its two ends and the sentence is read only to copy it.
//!
//! Line breaks follow `LineBreaks`; in `auto` the mode is chosen per document
//! from its blank lines and wraps (see `looks_paragraphed`).

use quarry_core::Sentence;
use serde::Deserialize;

mod blocks;
mod rules;

use blocks::{has_simd, Cands, Counts};

use rules::*;

/// How line breaks are read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineBreaks {
    /// Choose per document: `paragraph` when blank lines separate paragraphs
    /// and single line breaks look like wraps, else `hard`.
    #[default]
    Auto,
    /// Every line break ends a sentence, except clear mid-sentence wraps.
    Hard,
    /// Only blank lines end paragraphs; single line breaks are wraps.
    Paragraph,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SegmentConfig {
    pub line_breaks: LineBreaks,
}

pub struct Segmenter {
    config: SegmentConfig,
}

impl Segmenter {
    pub fn new(config: &SegmentConfig) -> Self {
        Segmenter {
            config: config.clone(),
        }
    }

    /// Splits `text` into sentences. For each sentence, the chars
    /// `text[char_start..char_end]` equal `sentence.text` except that line
    /// breaks inside a sentence are shown as spaces (one char for one char).
    pub fn segment(&self, text: &str) -> Vec<Sentence> {
        let hard = match self.config.line_breaks {
            LineBreaks::Hard => true,
            LineBreaks::Paragraph => false,
            LineBreaks::Auto => !looks_paragraphed(text.as_bytes()),
        };
        let mut s = Scan {
            text,
            b: text.as_bytes(),
            hard,
            start: 0,
            simd: has_simd(),
            cands: Cands::new(),
            counts: Counts::new(),
            pending: None,
            check_start: true,
            out: Vec::with_capacity(text.len() / 64),
        };
        s.run();
        s.out
    }
}

/// Auto mode: a document is read as paragraphs when blank lines separate
/// most of its lines, or when most of its single line breaks fall where no
/// sentence ends (hard-wrapped statements, texts broken around former links).
/// Documents with a few blank lines whose single breaks follow `。` or a
/// heading before an indented paragraph keep one paragraph per line.
fn looks_paragraphed(b: &[u8]) -> bool {
    let mut blank = 0usize;
    let mut single = 0usize;
    let mut wraps = 0usize;
    let mut line_start = 0usize;
    let mut prev_line: Option<(usize, usize)> = None;
    let mut after_blank = false;
    for nl in memchr::memchr_iter(b'\n', b).chain(std::iter::once(b.len())) {
        let (ls, le) = trim_ascii_range(b, line_start, nl);
        if ls == le {
            if prev_line.is_some() {
                after_blank = true;
            }
        } else {
            if let Some((ps, pe)) = prev_line {
                if after_blank {
                    blank += 1;
                } else {
                    single += 1;
                    let prev = &b[ps..pe];
                    if !ends_with_terminator(prev)
                        && !is_rule_line(prev)
                        && !is_md_heading(prev)
                        && !is_indented(&b[line_start..nl])
                    {
                        wraps += 1;
                    }
                }
            }
            prev_line = Some((ls, le));
            after_blank = false;
        }
        line_start = nl + 1;
    }
    blank > 0 && (blank >= single || wraps * 2 >= single)
}

/// A line opening with an indent (U+3000, tab, two spaces) starts a paragraph.
fn is_indented(line: &[u8]) -> bool {
    line.starts_with("\u{3000}".as_bytes()) || line.starts_with(b"\t") || line.starts_with(b"  ")
}

fn trim_ascii_range(b: &[u8], mut s: usize, mut e: usize) -> (usize, usize) {
    while s < e && (b[s].is_ascii_whitespace()) {
        s += 1;
    }
    while e > s && (b[e - 1].is_ascii_whitespace()) {
        e -= 1;
    }
    // U+3000 indents count as white space too.
    while e >= s + 3 && &b[s..s + 3] == "\u{3000}".as_bytes() {
        s += 3;
    }
    while e >= s + 3 && &b[e - 3..e] == "\u{3000}".as_bytes() {
        e -= 3;
    }
    (s, e)
}

/// Bytes per block of `profile` (for `detect_lang`; the segmenter itself
/// counts with `blocks::Counts`).
const W: usize = 32;

/// Whether this CPU has AVX2 (the answer is cached by std). `profile` is
/// compiled twice from the same source: for the baseline target and with
/// AVX2, which takes twice the bytes per instruction.
#[cfg(target_arch = "x86_64")]
#[inline]
fn has_avx2() -> bool {
    std::arch::is_x86_feature_detected!("avx2")
}

struct Scan<'a> {
    text: &'a str,
    b: &'a [u8],
    hard: bool,
    /// Byte offset where the current (untrimmed) sentence begins.
    start: usize,
    /// Whether the cursors take their AVX2 code (`has_simd`).
    simd: bool,
    /// Candidate cursor of `run`.
    cands: Cands,
    /// Running counts at the start and end of each emitted sentence.
    counts: Counts,
    /// A boundary found ahead of the scan (the next item of an inline list).
    pending: Option<usize>,
    check_start: bool,
    out: Vec<Sentence>,
}

impl<'a> Scan<'a> {
    fn run(&mut self) {
        let b = self.b;
        let n = b.len();
        let mut i = 0usize;
        loop {
            if self.check_start {
                self.check_start = false;
                if let Some(p) = self.sentence_start_checks() {
                    self.emit(p);
                    i = i.max(p);
                    continue;
                }
            }
            let k = self.cands.next(b, i, self.simd);
            if let Some(p) = self.pending {
                if p <= k {
                    self.pending = None;
                    if p > self.start {
                        self.emit(p);
                        i = i.max(p);
                        continue;
                    }
                }
            }
            if k >= n {
                break;
            }
            let after = self.handle(k);
            debug_assert!(after > k);
            i = after.max(k + 1);
        }
        self.emit(n);
    }

    fn handle(&mut self, k: usize) -> usize {
        let b = self.b;
        match b[k] {
            b'\n' => self.newline(k),
            b'.' | b'!' | b'?' => self.terminator(k),
            b' ' | b'\t' => self.spaces(k),
            // The scan stops at non-ASCII bytes only for `。！？…` and for
            // U+3000 (E3 80 80) and U+00A0 (C2 A0).
            0xC2 => self.spaces(k),
            0xE3 if b.get(k + 2) == Some(&0x80) => self.spaces(k),
            _ => self.terminator(k),
        }
    }

    // ---------------------------------------------------------------- emit

    fn emit(&mut self, end: usize) {
        let end = floor_boundary(self.text, end.min(self.b.len()));
        let start = self.start;
        self.start = end.max(start);
        self.check_start = true;
        self.pending = None;
        if end <= start {
            return;
        }
        let (s, e) = trim_span(self.b, start, end);
        if s >= e {
            return;
        }
        let seg = &self.text[s..e];
        if is_rule_line(seg.as_bytes()) {
            return;
        }
        // The running counts at both ends give the sentence's chars, its
        // language and whether it holds line breaks (shown as spaces, which
        // count for no language, so the tag is the same on either text).
        let c0 = self.counts.at(self.b, s, self.simd);
        let c1 = self.counts.at(self.b, e, self.simd);
        let mut p = Profile {
            latin: c1.latin - c0.latin,
            han: c1.han - c0.han,
            kana: 0,
            hangul: 0,
            chars: c1.chars - c0.chars,
            breaks: c1.breaks != c0.breaks,
        };
        if c1.rare != c0.rare {
            profile_rare(seg.as_bytes(), &mut p);
        }
        let mut text = String::with_capacity(seg.len());
        text.push_str(seg);
        if p.breaks {
            // SAFETY: only ASCII bytes are replaced, by an ASCII byte, so the
            // text stays UTF-8.
            for x in unsafe { text.as_bytes_mut() } {
                if matches!(*x, b'\n' | b'\r') {
                    *x = b' ';
                }
            }
        }
        self.out.push(Sentence {
            lang: p.lang(),
            text,
            // Char offsets wrap like the u32 they are stored in.
            char_start: c0.chars as u32,
            char_end: c1.chars as u32,
            metrics: Vec::new(),
        });
    }

    /// First non-blank byte of the current sentence.
    fn sentence_first(&self, upto: usize) -> usize {
        skip_ws_fwd(self.text, self.start, upto)
    }

    /// First byte of the current sentence's first word, past bullets.
    fn first_word(&self, upto: usize) -> usize {
        let mut i = self.sentence_first(upto);
        loop {
            let c = char_at(self.text, i);
            if i < upto && matches!(c, '•' | '⁃' | '·' | '*' | '-' | '▪' | '●') {
                i = skip_ws_fwd(self.text, i + c.len_utf8(), upto);
            } else {
                return i;
            }
        }
    }

    // --------------------------------------------------- sentence start

    /// Runs when a sentence begins: finds the next item of an inline list, and
    /// an ALL-CAPS heading that ends without punctuation (before Chinese, before
    /// two spaces, or glued to the next sentence).
    fn sentence_start_checks(&mut self) -> Option<usize> {
        let b = self.b;
        let s = skip_ws_fwd(self.text, self.start, b.len());
        if s >= b.len() {
            return None;
        }
        self.pending = next_list_item(self.text, s);
        if b[s].is_ascii_uppercase() {
            if let Some(p) = heading_end(self.text, s) {
                if p > s {
                    return Some(p);
                }
            }
        }
        None
    }

    // ------------------------------------------------------------ newline

    fn newline(&mut self, k: usize) -> usize {
        let b = self.b;
        let (j, _nls, blank) = skip_ws_count(self.text, k);
        let first = self.sentence_first(k);
        if first >= k {
            // Nothing but white space so far: let the sentence start after it.
            self.start = j;
            return j;
        }
        if j >= b.len() {
            return j;
        }
        let line_start = memchr::memrchr(b'\n', &b[..k]).map_or(0, |p| p + 1);
        let line_start = line_start.max(first);
        let cur_line = &b[line_start..k];
        let next_end = memchr::memchr(b'\n', &b[j..]).map_or(b.len(), |p| j + p);
        let next_line = &b[j..next_end];
        let brk = if is_rule_line(cur_line) || is_rule_line(next_line) {
            true
        } else {
            let prev_term = ends_with_terminator(trim_end_bytes(cur_line));
            let marker = starts_with_marker(next_line);
            if b[j].is_ascii_lowercase() && !marker && !prev_term {
                false
            } else if !prev_term && opens_with_continuation(text_from(self.text, j)) {
                // `…揭榜\n。`: no sentence opens with `。` or `，`.
                false
            } else if blank {
                true
            } else if self.hard {
                prev_term || !open_bracket_or_quote(&b[first..k])
            } else {
                // An indent opens a paragraph, except under a list item
                // (`* [Bank of` / `  Canada](…)` continues the item).
                is_md_heading(cur_line)
                    || marker
                    || (is_indented(&b[k + 1..next_end]) && !starts_with_marker(cur_line))
            }
        };
        if brk {
            self.emit(k);
        }
        j
    }

    // ------------------------------------------------------------- spaces

    /// Two or more spaces (or a tab) inside a line after Chinese text set a
    /// heading or paragraph off from what follows.
    fn spaces(&mut self, k: usize) -> usize {
        let text = self.text;
        let b = self.b;
        // The run may have begun with white space the search did not stop at.
        let mut rs = k;
        while rs > self.start {
            match prev_char(text, rs) {
                Some(c @ (' ' | '\t' | '\u{3000}' | '\u{a0}')) => rs -= c.len_utf8(),
                _ => break,
            }
        }
        let mut j = rs;
        let mut count = 0usize;
        let mut tab = false;
        while j < b.len() {
            let c = char_at(text, j);
            match c {
                ' ' | '\u{3000}' | '\u{a0}' => count += 1,
                '\t' => {
                    tab = true;
                    count += 1
                }
                _ => break,
            }
            j += c.len_utf8();
        }
        if count < 2 && !tab {
            return j.max(k + 1);
        }
        if j >= b.len() || b[j] == b'\n' || b[j] == b'\r' {
            return j.max(k + 1);
        }
        if self.sentence_first(rs) >= rs {
            self.start = j;
            return j.max(k + 1);
        }
        if let Some(p) = prev_char(text, rs) {
            if is_cjk(p) && p != '\u{3000}' {
                self.emit(rs);
            }
        }
        j.max(k + 1)
    }

    // --------------------------------------------------------- terminator

    fn terminator(&mut self, k: usize) -> usize {
        let text = self.text;
        let b = self.b;
        let cl = cluster(text, k);
        let after_close = absorb_closers(text, cl.end, self.start, k);
        let after = absorb_refs(b, after_close);
        let (np, nls, blank) = skip_ws_count(text, after);
        let glued = np == after;
        let next = if np < b.len() {
            Some(char_at(text, np))
        } else {
            None
        };

        let split = match next {
            None => true,
            Some(_) if !blank && nls == 0 && !cl.cjk && self.still_open(k, after) => false,
            Some(_) if blank => true,
            Some(_) if nls > 0 && self.hard => true,
            Some(c) => {
                if cl.cjk {
                    // Titles hold `！` and `？` (《摔跤吧！爸爸》), hardly ever `。`.
                    let exclaim = b[k] == 0xEF;
                    !(exclaim && inside_book_title(text, after))
                } else if cl.dots >= 2 || cl.ellipsis {
                    // The sentence's first word and the char before the run
                    // are looked up only for the rules that read them.
                    let (first, prev) = (self.first_word(k), prev_char(text, k));
                    self.ellipsis_split(k, &cl, first, prev, c, np, glued)
                } else if cl.bang {
                    if is_lower_latin(c)
                        || (c.is_ascii_digit() && glued)
                        || is_continuation_punct(c)
                    {
                        false
                    } else if glued {
                        c.is_ascii_uppercase() || is_cjk(c) || dash_then_upper(text, np)
                    } else {
                        true
                    }
                } else {
                    let first = self.first_word(k);
                    self.period_split(k, first, c, np, glued, after_close > cl.end)
                }
            }
        };
        if split {
            self.emit(after);
            return after;
        }
        if cl.special_first_dot {
            // `compounds. . . . The`: a full stop, then an ellipsis that opens
            // the next sentence.
            if let Some(c) = next {
                if c.is_ascii_uppercase() && !(nls > 0 && self.hard) {
                    self.emit(k + 1);
                    return k + 1;
                }
            }
        }
        after.max(k + 1)
    }

    /// An ASCII double quote or a bracket opened in this sentence and closed
    /// shortly after on the same line: `"How many? I don't know."`,
    /// `[page. 42]`.
    fn still_open(&self, k: usize, after: usize) -> bool {
        let b = self.b;
        let from = self.start.max(k.saturating_sub(400));
        let back = &b[from..after];
        if memchr::memchr3(b'"', b'(', b'[', back).is_none() {
            return false;
        }
        let lim = (after + 300).min(b.len());
        let ahead = &b[after..lim];
        let ahead = &ahead[..memchr::memchr(b'\n', ahead).unwrap_or(ahead.len())];
        if memchr::memchr_iter(b'"', back).count() % 2 == 1 && memchr::memchr(b'"', ahead).is_some()
        {
            return true;
        }
        let (mut round, mut square) = (0i32, 0i32);
        for &x in back {
            match x {
                b'(' => round += 1,
                b')' => round -= 1,
                b'[' => square += 1,
                b']' => square -= 1,
                _ => {}
            }
        }
        let near = &ahead[..ahead.len().min(100)];
        (round > 0 && memchr::memchr(b')', near).is_some())
            || (square > 0 && memchr::memchr(b']', near).is_some())
    }

    #[allow(clippy::too_many_arguments)]
    fn ellipsis_split(
        &self,
        k: usize,
        cl: &Cluster,
        first: usize,
        prev: Option<char>,
        c: char,
        np: usize,
        glued: bool,
    ) -> bool {
        if first >= k {
            return false; // an ellipsis opening a sentence
        }
        if matches!(prev, Some('[' | '(')) {
            return false;
        }
        if is_lower_latin(c) || is_continuation_punct(c) {
            return false;
        }
        if glued && c.is_ascii_digit() {
            return false;
        }
        if cl.special_first_dot {
            return false; // handled by the caller
        }
        if is_cjk(c) {
            return !matches!(c, '等' | '的' | '之');
        }
        // A trailing pronoun `I` usually continues the thought (`. . . I didn't`);
        // four dots are an ellipsis plus a full stop.
        if c == 'I' && cl.dots <= 3 && !cl.bang {
            let after_i = self.b.get(np + 1).copied().unwrap_or(b' ');
            if !after_i.is_ascii_alphabetic() {
                return false;
            }
        }
        true
    }

    fn period_split(
        &self,
        k: usize,
        first: usize,
        c: char,
        np: usize,
        glued: bool,
        closed: bool,
    ) -> bool {
        let text = self.text;
        let b = self.b;
        let mut ws = word_start(b, k, self.start);
        if ws == k && k > self.start + 1 && b[k - 1] == b' ' && !glued {
            // Tokenized text (`Mr . Robinson`): judge the word before the space.
            ws = word_start(b, k - 1, self.start);
            if ws == k - 1 {
                ws = k;
            }
        }
        let w = &b[ws..k];
        let w = w.trim_ascii_end();
        let sentence_first = ws <= first;
        if glued && !closed {
            if c.is_ascii_digit() {
                return year_then_chinese(b, ws, k, np);
            }
            if is_lower_latin(c) {
                return false;
            }
            if is_cjk(c) {
                return !(sentence_first && is_list_marker_word(w));
            }
            if dash_then_upper(text, np) {
                return true;
            }
            if c.is_ascii_uppercase() {
                return glued_upper_split(b, w, np, sentence_first);
            }
            return false;
        }
        if is_lower_latin(c) || is_continuation_punct(c) {
            return false;
        }
        if w.is_empty() {
            return true;
        }
        let class = classify(w);
        if sentence_first && (is_list_marker_word(w) || class != Abbr::None) {
            return false;
        }
        let next_digit = c.is_ascii_digit();
        match class {
            Abbr::NoSplit => false,
            Abbr::NumPrefix => !(next_digit || next_is_roman(b, np)),
            Abbr::BeforeNumber => !next_digit,
            Abbr::TimeEra => {
                if next_is_time_zone(b, np) {
                    false
                } else if next_digit || !c.is_ascii_uppercase() || next_is_starter(b, np) {
                    true
                } else {
                    !clause_starts_with_preposition(b, first, ws)
                }
            }
            Abbr::Initials => {
                if w == b"I" && prev_word_is_lower(b, ws, self.start) {
                    true
                } else {
                    next_digit || next_is_starter(b, np)
                }
            }
            Abbr::Split | Abbr::None => true,
        }
    }
}

// ------------------------------------------------------------------ helpers

fn char_at(text: &str, i: usize) -> char {
    text.get(i..)
        .and_then(|t| t.chars().next())
        .unwrap_or('\u{fffd}')
}

fn prev_char(text: &str, i: usize) -> Option<char> {
    text.get(..i).and_then(|t| t.chars().next_back())
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
fn is_trim_char(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200b}' | '\u{feff}' | '\u{2060}')
}

/// Byte length of the non-ASCII char at `i` when it is a trim char
/// (`is_trim_char`), 0 otherwise; read from the bytes, no char decoded.
/// `b[i]` must be `>= 0x80`; a continuation byte gives 0, as `char_at`'s
/// U+FFFD would.
#[inline(always)]
fn trim_len_non_ascii(b: &[u8], i: usize) -> usize {
    // Only these lead bytes open a trim char; Han (E4..E9) and full-width
    // punctuation other than U+FEFF are ruled out here, inline.
    if matches!(b[i], 0xC2 | 0xE1 | 0xE2 | 0xE3 | 0xEF) {
        trim_len_lead(b, i)
    } else {
        0
    }
}

#[inline(never)]
fn trim_len_lead(b: &[u8], i: usize) -> usize {
    let at = |j: usize| b.get(j).copied().unwrap_or(0);
    match b[i] {
        // U+0085, U+00A0
        0xC2 => 2 * usize::from(matches!(at(i + 1), 0x85 | 0xA0)),
        // U+1680
        0xE1 => 3 * usize::from(at(i + 1) == 0x9A && at(i + 2) == 0x80),
        // U+2000..U+200B, U+2028, U+2029, U+202F; U+205F, U+2060
        0xE2 => {
            let ok = match at(i + 1) {
                0x80 => matches!(at(i + 2), 0x80..=0x8B | 0xA8 | 0xA9 | 0xAF),
                0x81 => matches!(at(i + 2), 0x9F | 0xA0),
                _ => false,
            };
            3 * usize::from(ok)
        }
        // U+3000
        0xE3 => 3 * usize::from(at(i + 1) == 0x80 && at(i + 2) == 0x80),
        // U+FEFF
        0xEF => 3 * usize::from(at(i + 1) == 0xBB && at(i + 2) == 0xBF),
        _ => 0,
    }
}

/// Whether the trim char at `i` (see `trim_len_non_ascii`) is an invisible
/// one (U+200B, U+FEFF, U+2060) rather than white space.
#[inline]
fn is_invisible_at(b: &[u8], i: usize) -> bool {
    matches!(
        (b[i], b.get(i + 1), b.get(i + 2)),
        (0xE2, Some(0x80), Some(0x8B))
            | (0xEF, Some(0xBB), Some(0xBF))
            | (0xE2, Some(0x81), Some(0xA0))
    )
}

/// `char::is_whitespace` on an ASCII byte (unlike `u8::is_ascii_whitespace`
/// it takes U+000B).
#[inline]
fn is_ascii_ws_char(x: u8) -> bool {
    matches!(x, b'\t'..=b'\r' | b' ')
}

/// Length of the trim char at `i`, 0 if none.
#[inline]
fn trim_len_fwd(b: &[u8], i: usize) -> usize {
    let x = b[i];
    if x < 0x80 {
        usize::from(is_ascii_ws_char(x))
    } else {
        trim_len_non_ascii(b, i)
    }
}

/// Length of the trim char that ends at `e` (not reaching below `lo`), 0 if
/// none.
#[inline]
fn trim_len_back(b: &[u8], lo: usize, e: usize) -> usize {
    let x = b[e - 1];
    if x < 0x80 {
        return usize::from(is_ascii_ws_char(x));
    }
    if e >= lo + 2 && b[e - 2] == 0xC2 {
        return trim_len_non_ascii(b, e - 2);
    }
    if e >= lo + 3 && trim_len_non_ascii(b, e - 3) == 3 {
        return 3;
    }
    0
}

/// `text[start..end]` without its leading and trailing trim chars.
fn trim_span(b: &[u8], start: usize, end: usize) -> (usize, usize) {
    let mut s = start;
    while s < end {
        match trim_len_fwd(b, s) {
            0 => break,
            l => s += l,
        }
    }
    let mut e = end;
    while e > s {
        match trim_len_back(b, s, e) {
            0 => break,
            l => e -= l,
        }
    }
    (s, e)
}

fn skip_ws_fwd(text: &str, mut i: usize, upto: usize) -> usize {
    let b = text.as_bytes();
    while i < upto && i < b.len() {
        let x = b[i];
        let l = if x < 0x80 {
            usize::from(x.is_ascii_whitespace())
        } else {
            trim_len_non_ascii(b, i)
        };
        if l == 0 {
            return i;
        }
        i += l;
    }
    i
}

/// Skips white space from `i`; returns the next non-blank position, how many
/// line breaks were crossed and whether one of them closed a blank line.
fn skip_ws_count(text: &str, mut i: usize) -> (usize, usize, bool) {
    let b = text.as_bytes();
    let mut nls = 0usize;
    let mut blank = false;
    // A line holding only a zero-width space is no blank line (Wikisource
    // leaves them where links were).
    let mut invisible = false;
    while i < b.len() {
        let x = b[i];
        if x == b'\n' {
            nls += 1;
            if nls >= 2 && !invisible {
                blank = true;
            }
            invisible = false;
            i += 1;
        } else if x < 0x80 {
            if x.is_ascii_whitespace() {
                i += 1;
            } else {
                break;
            }
        } else {
            let l = trim_len_non_ascii(b, i);
            if l == 0 {
                break;
            }
            invisible |= is_invisible_at(b, i);
            i += l;
        }
    }
    (i, nls, blank)
}

fn text_from(text: &str, i: usize) -> &str {
    text.get(i..).unwrap_or("")
}

fn opens_with_continuation(t: &str) -> bool {
    t.starts_with([
        '。', '，', '、', '；', '：', '！', '？', '）', '》', '」', '』', '”',
    ])
}

fn trim_end_bytes(b: &[u8]) -> &[u8] {
    let mut e = b.len();
    while e > 0 && b[e - 1].is_ascii_whitespace() {
        e -= 1;
    }
    &b[..e]
}

/// A horizontal rule (`---`, `***`, `___`) gives no sentence.
fn is_rule_line(b: &[u8]) -> bool {
    let t = b.trim_ascii();
    t.len() >= 3
        && t.iter()
            .all(|&x| matches!(x, b'-' | b'*' | b'_' | b'=' | b' '))
        && t.iter().filter(|&&x| x != b' ').count() >= 3
}

fn is_md_heading(line: &[u8]) -> bool {
    let t = line.trim_ascii_start();
    t.first() == Some(&b'#')
}

/// Letter counts of a text for [`detect_lang`], with its chars and whether
/// it holds a line break.
#[derive(Default)]
struct Profile {
    latin: usize,
    han: usize,
    kana: usize,
    hangul: usize,
    chars: usize,
    breaks: bool,
}

/// Letter counts, chars and line breaks of a text (see `profile_in`).
fn profile(b: &[u8]) -> Profile {
    #[cfg(target_arch = "x86_64")]
    if has_avx2() {
        // SAFETY: the CPU supports AVX2, checked just above.
        return unsafe { profile_avx2(b) };
    }
    profile_in(b)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn profile_avx2(b: &[u8]) -> Profile {
    profile_in(b)
}

/// One branch-free pass in blocks of `W` bytes that vectorizes, with
/// counters in u8 lanes (each block adds at most one to a lane) summed every
/// 255 blocks. Letters are counted on UTF-8 lead bytes, so no char is
/// decoded. Han is counted by lead byte alone (U+4000..U+9FFF); the lead
/// bytes whose letters need the next byte (kana, rarer Han blocks, hangul)
/// only raise a flag, and the few texts with one are counted again exactly
/// by `profile_rare`. `E3 80` (CJK punctuation) raises no flag, so Chinese
/// seldom takes that path. The last block is padded with continuation bytes,
/// which count for nothing (the byte after the last char is never looked at:
/// it would follow a lead byte).
#[inline(always)]
fn profile_in(b: &[u8]) -> Profile {
    struct Lanes {
        l: [u8; W],
        h: [u8; W],
        c: [u8; W],
        flags: [u8; W],
    }
    #[inline(always)]
    fn block(w: &[u8], at: usize, a: &mut Lanes) {
        let xs: &[u8; W] = w[at..at + W].try_into().unwrap();
        let ys: &[u8; W] = w[at + 1..at + 1 + W].try_into().unwrap();
        for j in 0..W {
            let (x, y) = (xs[j], ys[j]);
            // ASCII letters and accented Latin letters (lead bytes C3..C9).
            a.l[j] +=
                u8::from((x | 0x20).wrapping_sub(b'a') < 26) + u8::from(x.wrapping_sub(0xC3) < 7);
            a.h[j] += u8::from(x.wrapping_sub(0xE4) < 6);
            a.c[j] += u8::from((x as i8) >= -0x40);
            // bit 0: a line break; bit 1: a lead byte for `profile_rare`.
            a.flags[j] |= u8::from((x == b'\n') | (x == b'\r'))
                | (u8::from(
                    ((x == 0xE3) & (y != 0x80))
                        | ((x == 0xEF) & (y.wrapping_sub(0xA4) < 8))
                        | (x == 0xF0)
                        | (x.wrapping_sub(0xEA) < 4),
                ) << 1);
        }
    }
    #[inline(always)]
    fn flush(a: &mut Lanes, p: &mut Profile) {
        p.latin += sum_lanes(&a.l);
        p.han += sum_lanes(&a.h);
        p.chars += sum_lanes(&a.c);
        a.l = [0; W];
        a.h = [0; W];
        a.c = [0; W];
    }
    let mut p = Profile::default();
    let mut a = Lanes {
        l: [0; W],
        h: [0; W],
        c: [0; W],
        flags: [0; W],
    };
    let n = b.len();
    let mut i = 0usize;
    let mut blocks = 0usize;
    while i + W < n {
        block(b, i, &mut a);
        i += W;
        blocks += 1;
        if blocks == 255 {
            flush(&mut a, &mut p);
            blocks = 0;
        }
    }
    let mut buf = [0x80u8; W + 1];
    buf[..n - i].copy_from_slice(&b[i..]);
    block(&buf, 0, &mut a);
    flush(&mut a, &mut p);
    let flags = a.flags.iter().fold(0u8, |f, &v| f | v);
    p.breaks = flags & 1 != 0;
    if flags & 2 != 0 {
        profile_rare(b, &mut p);
    }
    p
}

/// Sum of u8 lanes, eight at a time in a u64 (SWAR), not one lane at a time.
#[inline(always)]
fn sum_lanes(v: &[u8; W]) -> usize {
    const M: u64 = 0x00FF_00FF_00FF_00FF;
    let mut t = 0u64;
    for h in v.chunks_exact(8) {
        let x = u64::from_le_bytes(h.try_into().unwrap());
        t += (x & M) + ((x >> 8) & M); // four u16 lanes, each <= 4 * 510
    }
    let t = t + (t >> 16); // u16 lanes 0 and 2, each <= 4080
    ((t + (t >> 32)) & 0xFFFF) as usize
}

/// Kana, the Han that needs a second byte, and hangul, for the texts whose
/// lead bytes `profile` flagged.
#[cold]
fn profile_rare(b: &[u8], p: &mut Profile) {
    for i in memchr::memchr3_iter(0xE3, 0xEF, 0xF0, b) {
        let b1 = b.get(i + 1).copied().unwrap_or(0);
        match b[i] {
            0xE3 => match b1 {
                0x81..=0x83 => p.kana += 1, // U+3040..U+30FF
                0x90..=0xBF => p.han += 1,  // U+3400..U+3FFF
                _ => {}                     // CJK punctuation
            },
            0xEF => p.han += usize::from((0xA4..=0xAB).contains(&b1)), // U+F900..U+FAFF
            _ => p.han += usize::from((0xA0..=0xB1).contains(&b1)),    // U+20000..U+3134F
        }
    }
    for (i, &x) in b.iter().enumerate() {
        if (0xEA..=0xED).contains(&x) {
            // U+AC00..U+D7AF: bits 15..6 of the code point
            let hi = ((u32::from(x) & 0x0F) << 6)
                | (u32::from(b.get(i + 1).copied().unwrap_or(0)) & 0x3F);
            p.hangul += usize::from((0x2B0..=0x35E).contains(&hi));
        }
    }
}

impl Profile {
    fn lang(&self) -> &'static str {
        let (latin, han, kana, hangul) = (self.latin, self.han, self.kana, self.hangul);
        if kana > 0 && kana * 4 >= han {
            return "ja";
        }
        if hangul > han && hangul * 3 >= latin {
            return "ko";
        }
        if han == 0 && latin == 0 {
            "und"
        } else if han * 3 >= latin {
            "zh"
        } else {
            "en"
        }
    }
}

/// ISO 639-1 tag of a short text: `zh` when Han characters dominate, `en`
/// when Latin letters do, `ja` / `ko` for kana / hangul, `und` when it has
/// none of these. Counts are taken on UTF-8 lead bytes, so no char is
/// decoded: a letter count is right on short sentences and fast.
pub fn detect_lang(text: &str) -> &'static str {
    profile(text.as_bytes()).lang()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_level_trim_matches_chars() {
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            let mut buf = [0u8; 4];
            let enc = c.encode_utf8(&mut buf).as_bytes();
            let want = if is_trim_char(c) { enc.len() } else { 0 };
            let fwd: Vec<u8> = [enc, b"x"].concat();
            assert_eq!(trim_len_fwd(&fwd, 0), want, "{c:?}");
            let back: Vec<u8> = [b"x", enc].concat();
            assert_eq!(trim_len_back(&back, 1, back.len()), want, "{c:?}");
            assert_eq!(trim_len_back(enc, 0, enc.len()), want, "{c:?}");
            if c >= '\u{80}' {
                let inv = want > 0 && !c.is_whitespace();
                assert_eq!(want > 0 && is_invisible_at(&fwd, 0), inv, "{c:?}");
            }
        }
    }

    #[test]
    fn lang_tags() {
        assert_eq!(detect_lang("坚持优先发展教育。"), "zh");
        assert_eq!(detect_lang("The report is expected."), "en");
        assert_eq!(detect_lang("GDP增长7.5%"), "zh");
        assert_eq!(detect_lang("MONITORING PM 2.5"), "en");
        assert_eq!(detect_lang("12345 。，"), "und");
        assert_eq!(detect_lang("こんにちは世界"), "ja");
        assert_eq!(detect_lang("안녕하세요"), "ko");
        assert_eq!(detect_lang("Café crème"), "en");
        assert_eq!(detect_lang("𠀀𠀁"), "zh");
    }

    fn texts(text: &str, lb: LineBreaks) -> Vec<String> {
        Segmenter::new(&SegmentConfig { line_breaks: lb })
            .segment(text)
            .into_iter()
            .map(|s| s.text)
            .collect()
    }

    #[test]
    fn issue_examples() {
        let a = LineBreaks::Auto;
        assert_eq!(
            texts("--It will strengthen safety.PEOPLE'S WELLBEING", a),
            ["--It will strengthen safety.", "PEOPLE'S WELLBEING"]
        );
        assert_eq!(
            texts(
                "--China will develop nuclear power.MONITORING PM 2.5今年在京津冀开展监测。",
                a
            ),
            [
                "--China will develop nuclear power.",
                "MONITORING PM 2.5",
                "今年在京津冀开展监测。"
            ]
        );
        assert_eq!(
            texts("capital cities in 2024.2024年覆盖所有地级以上城市。", a),
            ["capital cities in 2024.", "2024年覆盖所有地级以上城市。"]
        );
        assert_eq!(
            texts("Monday morning.The report is expected.", a),
            ["Monday morning.", "The report is expected."]
        );
        assert_eq!(
            texts("social conflicts.积极稳妥推进户籍管理制度改革。", a),
            ["social conflicts.", "积极稳妥推进户籍管理制度改革。"]
        );
        assert_eq!(
            texts("三、2024年主要工作部署  今年全市增长11%。", a),
            ["三、2024年主要工作部署", "今年全市增长11%。"]
        );
        assert_eq!(
            texts("1.医疗卫生保障惠民工程。8.强基惠农工程。", a),
            ["1.医疗卫生保障惠民工程。", "8.强基惠农工程。"]
        );
        assert_eq!(
            texts("增长7.5%，PM2.5下降。版本3.1.4。", a),
            ["增长7.5%，PM2.5下降。", "版本3.1.4。"]
        );
        assert_eq!(
            texts("他说：“好！”我们走。", a),
            ["他说：“好！”", "我们走。"]
        );
        assert_eq!(
            texts("发展工业、农业……等行业。真的……我们走。", a),
            ["发展工业、农业……等行业。", "真的……", "我们走。"]
        );
        assert_eq!(
            texts(
                "Mr. Smith met Dr. Jones in the U.S. on Jan. 5 at No. 5, e.g. here.",
                a
            ),
            ["Mr. Smith met Dr. Jones in the U.S. on Jan. 5 at No. 5, e.g. here."]
        );
    }

    #[test]
    fn headings_and_markers() {
        let a = LineBreaks::Auto;
        assert_eq!(
            texts("SOCIAL MANAGEMENT  The government will work hard.", a),
            ["SOCIAL MANAGEMENT", "The government will work hard."]
        );
        assert_eq!(
            texts("ANNUAL BUDGET STATEMENTThe Minister rose.", a),
            ["ANNUAL BUDGET STATEMENT", "The Minister rose."]
        );
        assert_eq!(
            texts(
                "实现全覆盖。--By the end of the year, it will.--It will go on.",
                a
            ),
            [
                "实现全覆盖。",
                "--By the end of the year, it will.",
                "--It will go on."
            ]
        );
        assert_eq!(
            texts(
                "At 6 a.m.—as planned—the talks began. At 2:15 p.m. EST on Jan. 4 they ended.",
                a
            ),
            [
                "At 6 a.m.—as planned—the talks began.",
                "At 2:15 p.m. EST on Jan. 4 they ended."
            ]
        );
        assert_eq!(
            texts("（一）坚持稳中求进。一是扩大内需。1、加快发展。", a),
            ["（一）坚持稳中求进。", "一是扩大内需。", "1、加快发展。"]
        );
    }

    #[test]
    fn line_breaks() {
        let hard = LineBreaks::Hard;
        let para = LineBreaks::Paragraph;
        assert_eq!(
            texts("--In 2024, the mainland will strengthen the cultural\nfoundation and public support.", hard),
            ["--In 2024, the mainland will strengthen the cultural foundation and public support."]
        );
        assert_eq!(
            texts("为“干好一三\n五、实现四翻番”奠定基础。", hard),
            ["为“干好一三 五、实现四翻番”奠定基础。"]
        );
        assert_eq!(
            texts("MAJOR TARGETS FOR 201\n2国内生产总值增长7.5%", hard),
            ["MAJOR TARGETS FOR 201", "2国内生产总值增长7.5%"]
        );
        assert_eq!(
            texts(
                "会议听取了所作的\n政府工作报告\n。会议决定批准。\n\n第二段。",
                LineBreaks::Auto
            ),
            [
                "会议听取了所作的 政府工作报告 。",
                "会议决定批准。",
                "第二段。"
            ]
        );
        assert_eq!(
            texts("The Committee decided today to keep\nits target at 2 percent. Growth\nslowed.\n\nNext paragraph", para),
            ["The Committee decided today to keep its target at 2 percent.", "Growth slowed.", "Next paragraph"]
        );
        assert_eq!(
            texts(
                "# Budget\n\nIntro line:\n- item one\n- item two\n\n---\n\nMore text.",
                para
            ),
            [
                "# Budget",
                "Intro line:",
                "- item one",
                "- item two",
                "More text."
            ]
        );
        assert_eq!(
            texts("The amount has been\n\ncalculated twice.", LineBreaks::Auto),
            ["The amount has been  calculated twice."]
        );
    }

    #[test]
    fn offsets_are_char_offsets() {
        let t = "第一句。\nSecond one. 第三句";
        let out = Segmenter::new(&SegmentConfig::default()).segment(t);
        let chars: Vec<char> = t.chars().collect();
        for s in &out {
            let span: String = chars[s.char_start as usize..s.char_end as usize]
                .iter()
                .collect();
            assert_eq!(span, s.text);
        }
        assert_eq!(out.len(), 3);
        assert_eq!((out[1].char_start, out[1].char_end), (5, 16));
        assert_eq!(out[1].lang, "en");
    }

    #[test]
    fn config_serde() {
        #[derive(Deserialize)]
        struct W {
            segment: SegmentConfig,
        }
        let w: W = serde_json::from_str(r#"{"segment":{"line_breaks":"paragraph"}}"#).unwrap();
        assert_eq!(w.segment.line_breaks, LineBreaks::Paragraph);
        let d: SegmentConfig = serde_json::from_str("{}").unwrap();
        assert_eq!(d.line_breaks, LineBreaks::Auto);
        assert!(serde_json::from_str::<SegmentConfig>(r#"{"bogus":1}"#).is_err());
    }
}
