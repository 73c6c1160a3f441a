//! The segment stage: splits a cleaned document into sentences with exact
//! char offsets and a language tag per sentence.
//!
//! Public API (kept small on purpose): [`SegmentConfig`], [`Segmenter`],
//! [`detect_lang`].
//!
//! The scanner walks the bytes once, stopping only at bytes that can start a
//! boundary (`. ! ? \n`, spaces for double-space headings, and the UTF-8 lead
//! bytes of `。！？…` and U+3000). Each stop looks at a few bytes of context on
//! either side; nothing is allocated until a sentence is emitted.

use quarry_core::Sentence;
use serde::Deserialize;

mod rules;

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
            cur_b: 0,
            cur_c: 0,
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

/// Next byte at or after `from` that may start a boundary decision, by
/// group: ASCII terminators; line breaks and the lead bytes of `。` U+3000
/// `！` `？`; the lead bytes of `…` and NBSP; runs of spaces or a tab.
fn find_candidate(b: &[u8], group: usize, from: usize) -> usize {
    let n = b.len();
    let hay = &b[from.min(n)..];
    let found = match group {
        0 => memchr::memchr3(b'.', b'!', b'?', hay),
        1 => memchr::memchr3(b'\n', 0xE3, 0xEF, hay),
        2 => memchr::memchr2(0xE2, 0xC2, hay),
        _ => return find_ws_run(b, from),
    };
    found.map_or(n, |p| from + p)
}

/// Multi-byte chars whose lead byte is a candidate but which cannot start a
/// boundary (`，` `：` `、` `“` `”` ...), rejected without decoding.
#[inline]
fn fast_reject(b: &[u8], k: usize) -> bool {
    let (Some(&b1), Some(&b2)) = (b.get(k + 1), b.get(k + 2)) else {
        return false;
    };
    match b[k] {
        // 。 U+3002, U+3000
        0xE3 => !(b1 == 0x80 && (b2 == 0x82 || b2 == 0x80)),
        // ！ U+FF01, ？ U+FF1F
        0xEF => !(b1 == 0xBC && (b2 == 0x81 || b2 == 0x9F)),
        // … U+2026
        0xE2 => !(b1 == 0x80 && b2 == 0xA6),
        _ => false,
    }
}

/// Next run of two ASCII spaces, or a tab, at or after `from`.
fn find_ws_run(b: &[u8], from: usize) -> usize {
    static TWO_SPACES: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"  "));
    let from = from.min(b.len());
    let dbl = TWO_SPACES.find(&b[from..]).map_or(b.len(), |p| from + p);
    let tab = memchr::memchr(b'\t', &b[from..dbl]).map_or(b.len(), |p| from + p);
    dbl.min(tab)
}

struct Scan<'a> {
    text: &'a str,
    b: &'a [u8],
    hard: bool,
    /// Byte offset where the current (untrimmed) sentence begins.
    start: usize,
    /// Char-offset cursor: `cur_c` chars lie before byte `cur_b`.
    cur_b: usize,
    cur_c: u32,
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
        // Next candidate of each group, each found with a SIMD search and
        // searched again only once the scan has passed it.
        let mut next = [0usize; 4];
        let mut stale = [true; 4];
        loop {
            if self.check_start {
                self.check_start = false;
                if let Some(p) = self.sentence_start_checks() {
                    self.emit(p);
                    i = i.max(p);
                    continue;
                }
            }
            let k = loop {
                for g in 0..4 {
                    if stale[g] || next[g] < i {
                        next[g] = find_candidate(b, g, i);
                        stale[g] = false;
                    }
                }
                let k = next.iter().copied().min().unwrap_or(n);
                if k < n && fast_reject(b, k) {
                    i = k + 1;
                    continue;
                }
                break k;
            };
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
            _ => {
                let c = char_at(self.text, k);
                match c {
                    '。' | '！' | '？' | '…' => self.terminator(k),
                    '\u{3000}' | '\u{a0}' => self.spaces(k),
                    _ => k + c.len_utf8().max(1),
                }
            }
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
        let (s, e) = trim_span(self.text, start, end);
        if s >= e {
            return;
        }
        let seg = &self.text[s..e];
        if is_rule_line(seg.as_bytes()) {
            return;
        }
        let cs = self.char_pos(s);
        let ce = self.char_pos(e);
        let owned = if memchr::memchr2(b'\n', b'\r', seg.as_bytes()).is_some() {
            seg.replace(['\n', '\r'], " ")
        } else {
            seg.to_owned()
        };
        self.out.push(Sentence {
            lang: detect_lang(&owned),
            text: owned,
            char_start: cs,
            char_end: ce,
            metrics: Vec::new(),
        });
    }

    fn char_pos(&mut self, pos: usize) -> u32 {
        debug_assert!(pos >= self.cur_b);
        let n = self.b[self.cur_b..pos]
            .iter()
            .filter(|&&x| (x as i8) >= -0x40)
            .count();
        self.cur_c = self.cur_c.wrapping_add(n as u32);
        self.cur_b = pos;
        self.cur_c
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
                is_md_heading(cur_line) || marker || is_indented(&b[k + 1..next_end])
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
        let mut j = k;
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
        if self.sentence_first(k) >= k {
            self.start = j;
            return j.max(k + 1);
        }
        if let Some(p) = prev_char(text, k) {
            if is_cjk(p) {
                self.emit(k);
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
        let first = self.first_word(k);
        let prev = prev_char(text, k);

        let split = match next {
            None => true,
            Some(_) if !blank && nls == 0 && !cl.cjk && self.still_open(k, after) => false,
            Some(_) if blank => true,
            Some(_) if nls > 0 && self.hard => true,
            Some(c) => {
                if cl.cjk {
                    !inside_book_title(text, after)
                } else if cl.dots >= 2 || cl.ellipsis {
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
                return glued_upper_split(b, w, k, np, sentence_first);
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
                if next_digit || !c.is_ascii_uppercase() || next_is_starter(b, np) {
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

fn is_trim_char(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200b}' | '\u{feff}' | '\u{2060}')
}

fn trim_span(text: &str, start: usize, end: usize) -> (usize, usize) {
    let seg = &text[start..end];
    let lead = seg.len() - seg.trim_start_matches(is_trim_char).len();
    let t = seg.trim_matches(is_trim_char);
    (start + lead, start + lead + t.len())
}

fn skip_ws_fwd(text: &str, mut i: usize, upto: usize) -> usize {
    let b = text.as_bytes();
    while i < upto && i < b.len() {
        if b[i] < 0x80 {
            if b[i].is_ascii_whitespace() {
                i += 1;
                continue;
            }
            return i;
        }
        let c = char_at(text, i);
        if is_trim_char(c) {
            i += c.len_utf8();
        } else {
            return i;
        }
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
            let c = char_at(text, i);
            if is_trim_char(c) {
                invisible |= !c.is_whitespace();
                i += c.len_utf8();
            } else {
                break;
            }
        }
    }
    (i, nls, blank)
}

fn text_from(text: &str, i: usize) -> &str {
    text.get(i..).unwrap_or("")
}

fn opens_with_continuation(t: &str) -> bool {
    t.starts_with(['。', '，', '、', '；', '：', '！', '？', '）', '》', '」', '』', '”'])
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

/// ISO 639-1 tag of a short text: `zh` when Han characters dominate, `en`
/// when Latin letters do, `ja` / `ko` for kana / hangul, `und` when it has
/// none of these. Counts are taken on UTF-8 lead bytes, so no char is
/// decoded: a letter count is right on short sentences and fast.
pub fn detect_lang(text: &str) -> &'static str {
    let b = text.as_bytes();
    // Pass 1, branch-free so it vectorizes: ASCII and accented Latin
    // letters, lead bytes of U+4000..U+9FFF, lead bytes that may be hangul.
    let (mut latin, mut han, mut maybe_hangul) = (0usize, 0usize, 0usize);
    for chunk in b.chunks(255) {
        let (mut l, mut h, mut g) = (0u8, 0u8, 0u8);
        for &x in chunk {
            l += u8::from((x | 0x20).wrapping_sub(b'a') < 26) + u8::from(x.wrapping_sub(0xC3) < 7);
            h += u8::from(x.wrapping_sub(0xE4) < 6);
            g += u8::from(x.wrapping_sub(0xEA) < 4);
        }
        latin += usize::from(l);
        han += usize::from(h);
        maybe_hangul += usize::from(g);
    }
    // Pass 2 at the few lead bytes that need their next byte.
    let mut kana = 0usize;
    for i in memchr::memchr3_iter(0xE3, 0xEF, 0xF0, b) {
        let b1 = b.get(i + 1).copied().unwrap_or(0);
        match b[i] {
            0xE3 => match b1 {
                0x81..=0x83 => kana += 1, // U+3040..U+30FF
                0x90..=0xBF => han += 1,  // U+3400..U+3FFF
                _ => {}                   // CJK punctuation
            },
            0xEF => han += usize::from((0xA4..=0xAB).contains(&b1)), // U+F900..U+FAFF
            _ => han += usize::from((0xA0..=0xB1).contains(&b1)),    // U+20000..U+3134F
        }
    }
    let mut hangul = 0usize;
    if maybe_hangul > 0 {
        for (i, &x) in b.iter().enumerate() {
            if (0xEA..=0xED).contains(&x) {
                // U+AC00..U+D7AF: bits 15..6 of the code point
                let hi = ((u32::from(x) & 0x0F) << 6)
                    | (u32::from(b.get(i + 1).copied().unwrap_or(0)) & 0x3F);
                hangul += usize::from((0x2B0..=0x35E).contains(&hi));
            }
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

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
