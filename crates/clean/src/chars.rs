//! The single pass over chars: whitespace, invisibles, width folding,
//! punctuation by script context, HTML leftovers, spaced digits.
//!
//! Output spaces are written lazily (a pending flag) so that runs collapse
//! and lines come out trimmed without a second pass; newlines are counted
//! and written lazily for the same reason (3+ become 2, none at the ends).

use crate::CleanStats;

#[derive(Debug, Clone, Copy)]
pub(crate) struct CharOpts {
    pub unescape: bool,
    pub whitespace: bool,
    pub invisible: bool,
    pub fold_width: bool,
    pub cjk_punct: bool,
    pub html: bool,
    pub spaced_digits: bool,
}

pub(crate) struct CharOut {
    pub text: String,
    /// Byte offsets of the spaces that stand for a TAB or an ideographic
    /// indent: hprc documents have no newlines and mark paragraphs only that
    /// way, and duplicate detection needs those paragraphs.
    pub soft: Vec<usize>,
}

pub(crate) fn is_ideograph(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{3007}'
        | '\u{20000}'..='\u{2FFFF}')
}

/// CJK and full-width punctuation (after folding, digits and letters of the
/// full-width block are already ASCII).
pub(crate) fn is_cjk_punct(c: char) -> bool {
    matches!(c, '\u{3001}'..='\u{303F}' | '\u{FF01}'..='\u{FF65}' | '\u{FE30}'..='\u{FE4F}')
}

fn is_cjkish(c: char) -> bool {
    is_ideograph(c) || is_cjk_punct(c)
}

/// Zero-width, bidi marks, soft hyphen and control chars (but not `\n`, `\t`,
/// `\r`, which the whitespace rules handle).
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{8}'
        | '\u{B}'..='\u{C}'
        | '\u{E}'..='\u{1F}'
        | '\u{7F}'..='\u{9F}'
        | '\u{AD}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{FEFF}')
}

fn is_space(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '\u{A0}' | '\u{3000}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}'
    )
}

/// Full-width digits, letters and `％` to ASCII; other full-width
/// punctuation is left alone because it is correct in Chinese text.
fn fold_width(c: char) -> char {
    match c {
        '\u{FF10}'..='\u{FF19}'
        | '\u{FF21}'..='\u{FF3A}'
        | '\u{FF41}'..='\u{FF5A}'
        | '\u{FF05}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

fn is_digit_any(c: char) -> bool {
    c.is_ascii_digit() || ('\u{FF10}'..='\u{FF19}').contains(&c)
}

struct Writer {
    out: String,
    soft: Vec<usize>,
    pending_space: bool,
    pending_soft: bool,
    /// The pending space stands for a gap of two or more inside a line:
    /// it is kept as two spaces, because a heading set off from its text by
    /// two spaces is a sentence of its own (metrics guide).
    pending_gap: bool,
    newlines: u32,
    /// Last content char written on the current line.
    last: Option<char>,
    /// After a converted Chinese punctuation mark the space that follows is
    /// an artifact of ASCII typing.
    drop_next_space: bool,
    collapse: bool,
    /// Whether the last `(` on this line became `（`.
    open_wide: Option<bool>,
}

impl Writer {
    fn flush_breaks(&mut self) {
        if self.newlines > 0 {
            if !self.out.is_empty() {
                for _ in 0..self.newlines.min(2) {
                    self.out.push('\n');
                }
            }
            self.newlines = 0;
        }
    }

    /// Writes the line breaks and the space that wait before the next content.
    fn before_content(&mut self) {
        self.flush_breaks();
        if self.pending_space && self.last.is_some() && !self.drop_next_space {
            if self.pending_soft {
                self.soft.push(self.out.len());
            }
            self.out.push(' ');
            if self.pending_gap && !self.pending_soft {
                self.out.push(' ');
            }
        }
        self.pending_gap = false;
        self.pending_space = false;
        self.pending_soft = false;
        self.drop_next_space = false;
    }

    fn emit(&mut self, c: char) {
        self.before_content();
        self.out.push(c);
        self.last = Some(c);
    }

    fn emit_str(&mut self, s: &str) {
        self.before_content();
        self.out.push_str(s);
        self.last = s.chars().next_back();
    }

    fn space(&mut self, soft: bool) {
        self.pending_space = true;
        self.pending_soft |= soft;
    }

    fn gap(&mut self, soft: bool) {
        self.space(soft);
        self.pending_gap = true;
    }

    fn newline(&mut self) {
        self.open_wide = None;
        if self.collapse {
            self.newlines += 1;
            self.pending_gap = false;
            self.pending_space = false;
            self.pending_soft = false;
            self.drop_next_space = false;
        } else {
            self.out.push('\n');
        }
        self.last = None;
    }
}

const ENTITIES: &[(&str, char)] = &[
    ("nbsp", '\u{A0}'),
    ("amp", '&'),
    ("lt", '<'),
    ("gt", '>'),
    ("quot", '"'),
    ("apos", '\''),
    ("ldquo", '\u{201C}'),
    ("rdquo", '\u{201D}'),
    ("lsquo", '\u{2018}'),
    ("rsquo", '\u{2019}'),
    ("mdash", '\u{2014}'),
    ("ndash", '\u{2013}'),
    ("hellip", '\u{2026}'),
    ("middot", '\u{B7}'),
    ("bull", '\u{2022}'),
    ("times", '\u{D7}'),
    ("divide", '\u{F7}'),
    ("yen", '\u{A5}'),
    ("pound", '\u{A3}'),
    ("euro", '\u{20AC}'),
    ("cent", '\u{A2}'),
    ("copy", '\u{A9}'),
    ("reg", '\u{AE}'),
    ("deg", '\u{B0}'),
    ("plusmn", '\u{B1}'),
    ("ensp", '\u{2002}'),
    ("emsp", '\u{2003}'),
    ("thinsp", '\u{2009}'),
    ("shy", '\u{AD}'),
    ("zwsp", '\u{200B}'),
    ("laquo", '\u{AB}'),
    ("raquo", '\u{BB}'),
];

/// `&name;`, `&#123;`, `&#x1F;` at the start of `s`: the char and the byte
/// length of the entity.
pub(crate) fn parse_entity(s: &str) -> Option<(char, usize)> {
    let b = s.as_bytes();
    let semi = b.iter().take(12).position(|&x| x == b';')?;
    let body = &s[1..semi];
    let c = if let Some(num) = body.strip_prefix('#') {
        let v = if let Some(hex) = num.strip_prefix(['x', 'X']) {
            if hex.is_empty() || !hex.bytes().all(|x| x.is_ascii_hexdigit()) {
                return None;
            }
            u32::from_str_radix(hex, 16).ok()?
        } else {
            if num.is_empty() || !num.bytes().all(|x| x.is_ascii_digit()) {
                return None;
            }
            num.parse::<u32>().ok()?
        };
        if v == 0 {
            return None;
        }
        char::from_u32(v)?
    } else {
        ENTITIES.iter().find(|(n, _)| *n == body).map(|&(_, c)| c)?
    };
    Some((c, semi + 1))
}

const BREAK_TAGS: &[&str] = &[
    "br",
    "p",
    "div",
    "li",
    "tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "ul",
    "ol",
    "hr",
    "blockquote",
    "section",
    "article",
];
/// Tags inside a run of text: they separate nothing (`<b>重要</b>的`).
const INLINE_TAGS: &[&str] = &[
    "span", "a", "b", "i", "u", "s", "em", "strong", "font", "sup", "sub", "small", "big", "nobr",
    "wbr", "o:p", "st1",
];
/// Tags between pieces of text: a space.
const SPACE_TAGS: &[&str] = &[
    "img", "td", "th", "tbody", "thead", "center", "html", "body", "head", "meta", "title",
    "style", "script", "label", "input", "form", "iframe",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tag {
    Break,
    Space,
    Silent,
}

/// A leftover HTML tag or comment at the start of `s`: its byte length and
/// what it stands for. Only known tag names count, so `a<b` or `<5%`
/// survive.
pub(crate) fn parse_tag(s: &str) -> Option<(usize, Tag)> {
    if let Some(rest) = s.strip_prefix("<!--") {
        let end = rest.find("-->")?;
        return Some((4 + end + 3, Tag::Silent));
    }
    let b = s.as_bytes();
    let mut i = 1;
    if b.get(i) == Some(&b'/') {
        i += 1;
    }
    let name_start = i;
    while i < b.len() && i - name_start < 12 && (b[i].is_ascii_alphanumeric() || b[i] == b':') {
        i += 1;
    }
    if i == name_start || !b[name_start].is_ascii_alphabetic() {
        return None;
    }
    let name = s[name_start..i].to_ascii_lowercase();
    let kind = if BREAK_TAGS.contains(&name.as_str()) {
        Tag::Break
    } else if SPACE_TAGS.contains(&name.as_str()) {
        Tag::Space
    } else if INLINE_TAGS.contains(&name.as_str()) {
        Tag::Silent
    } else {
        return None;
    };
    match b.get(i) {
        Some(b'>') => return Some((i + 1, kind)),
        Some(b'/' | b' ' | b'\t') => {}
        _ => return None,
    }
    // Attributes are ASCII outside quotes; anything else means this `<`
    // opens text, not a tag (`</p 3 中国 … >` is not one tag).
    let tail = &b[i..b.len().min(i + 512)];
    let mut quote = None;
    for (k, &x) in tail.iter().enumerate() {
        match (quote, x) {
            (_, b'\n') => return None,
            (Some(q), _) if x == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(x),
            (None, b'>') => return Some((i + k + 1, kind)),
            (None, b'<') => return None,
            (None, _) if !x.is_ascii() => return None,
            (None, _) => {}
        }
    }
    None
}

/// ASCII bytes that may need handling: controls, whitespace, the escape,
/// entity and tag openers, and the marks switched by script context.
const ASCII_SPECIAL: [bool; 128] = {
    let mut t = [false; 128];
    let mut i = 0;
    while i < 0x20 {
        t[i] = true;
        i += 1;
    }
    t[0x7F] = true;
    let marks = b" \\&<,;:?()";
    let mut k = 0;
    while k < marks.len() {
        t[marks[k] as usize] = true;
        k += 1;
    }
    t
};

/// `plain_run`'s step per lead byte: the length of a char that is copied
/// as it is, or 0 for a byte that stops the run or needs a closer look
/// (space, E3). Continuation bytes, C0, C1 and F5..FF never start a char.
const STEP: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = match i {
            0..=0x7F if ASCII_SPECIAL[i] => 0,
            0..=0x7F => 1,
            0xC2 | 0xE2 | 0xE3 | 0xEF => 0,
            0xC3..=0xDF => 2,
            0xE0..=0xEE => 3,
            0xF0..=0xF4 => 4,
            _ => 0,
        };
        i += 1;
    }
    t
};

/// Bytes 0x80 of `w` where its byte equals `v` (`w` is ASCII).
fn eq_bytes(w: u64, v: u8) -> u64 {
    let y = w ^ (v as u64 * 0x0101_0101_0101_0101);
    !((y + 0x7F7F_7F7F_7F7F_7F7F) | y) & 0x8080_8080_8080_8080
}

/// Whether eight bytes are English words that the run copies as they are:
/// each byte in 0x40..0x7E but `\\`, or `.`, or a single space between two
/// such bytes, which meets the space rule of `plain_run` (no digit or mark
/// around it). A char at a time, English text cost about three times as
/// much.
fn plain_words(w: u64) -> bool {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    if w & HIGH != 0 {
        return false;
    }
    // 0x40..0x7F but `\\` and DEL, which stop a run; `.` too.
    let word = ((w << 1) & HIGH & !eq_bytes(w, b'\\') & !eq_bytes(w, 0x7F)) | eq_bytes(w, b'.');
    let space = eq_bytes(w, b' ');
    (word | space) == HIGH
        && word & 0x8000_0000_0000_0080 == 0x8000_0000_0000_0080
        && space & (space << 8) == 0
}

/// End of the run of chars from `i` that are copied as they are. Ideographs
/// and most CJK punctuation are; spaces, invisibles, full-width forms and
/// general punctuation (lead bytes C2, E2, EF) take the slow path.
fn plain_run(b: &[u8], mut i: usize) -> usize {
    let start = i;
    while i < b.len() {
        let x = b[i];
        let n = STEP[x as usize] as usize;
        if n > 0 {
            i += n;
            continue;
        }
        if x == b' ' {
            // One space between words is already clean, unless digits or
            // marks around it need a look (`1 9 9 8`, `中国 ,美国`).
            let clean = i > start
                && !b[i - 1].is_ascii_digit()
                && b.get(i + 1).is_some_and(|&y| match y {
                    0..=0x7F => !ASCII_SPECIAL[y as usize] && !y.is_ascii_digit(),
                    0xC2 | 0xE2 | 0xEF => false,
                    0xE3 => !(b[i + 2] == 0x80 && b[i + 3] == 0x80),
                    _ => y >= 0xC3,
                });
            if !clean {
                break;
            }
            i += 1;
            // Only at a word start: trying after every ASCII char cost more
            // in failed checks than the words it skipped saved.
            while let Some(c) = b.get(i..i + 8) {
                if !plain_words(u64::from_le_bytes([
                    c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7],
                ])) {
                    break;
                }
                i += 8;
            }
        } else if x == 0xE3 && !(b[i + 1] == 0x80 && b[i + 2] == 0x80) {
            // U+3000 IDEOGRAPHIC SPACE stops; the rest of U+3001..U+303F
            // (and kana) is plain.
            i += 3;
        } else if x == 0xE2 && b[i + 1] == 0x80 && matches!(b[i + 2], 0x94 | 0x9C | 0x9D | 0xA6) {
            // `—“”…`: no step changes them, and they are common enough in
            // Chinese text that a slow-path call each shows.
            i += 3;
        } else if x == 0xEF
            && b[i + 1] == 0xBC
            && matches!(b[i + 2], 0x81 | 0x8C | 0x9A | 0x9B | 0x9F)
            && i > start
            && !b[i - 1].is_ascii_alphanumeric()
        {
            // `！，：；？` become ASCII only after a Latin letter or digit
            // (`cjk_punct`); inside the run the char before is what the
            // output has last. Half of all slow-path chars are `，`.
            i += 3;
        } else if matches!(x, b',' | b';' | b':' | b'?')
            && i > start
            && b[i - 1].is_ascii_alphabetic()
        {
            // After a Latin letter these stay ASCII whatever follows
            // (`cjk_punct`): English commas need no slow path.
            i += 1;
        } else {
            break;
        }
    }
    i
}

/// Next char after `from` on the same line, skipping spaces, the invisible
/// chars that will be dropped and, with `skip_marks`, the ASCII marks whose
/// own width depends on what follows (`下载?,相关`: both marks look at `相`,
/// so a second run, seeing `？，`, decides the same).
fn peek_past_spaces(
    raw: &str,
    from: usize,
    skip_invisible: bool,
    skip_marks: bool,
) -> Option<char> {
    raw[from..]
        .chars()
        .find(|&c| {
            let skip = is_space(c)
                || (skip_invisible && is_invisible(c))
                || (skip_marks && matches!(c, ',' | ';' | ':' | '?'));
            !skip
        })
        .filter(|&c| !matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}'))
}

pub(crate) fn run(raw: &str, o: &CharOpts, stats: &mut CleanStats) -> CharOut {
    let mut w = Writer {
        out: String::with_capacity(raw.len()),
        soft: Vec::new(),
        pending_space: false,
        pending_soft: false,
        pending_gap: false,
        newlines: 0,
        last: None,
        drop_next_space: false,
        collapse: o.whitespace,
        open_wide: None,
    };
    let b = raw.as_bytes();
    let mut i = 0;
    while i < raw.len() {
        // Copy runs that need no handling in one go; only the char after a
        // space that follows a digit needs context the run copy skips.
        if !(o.spaced_digits && w.pending_space && w.last.is_some_and(|l| l.is_ascii_digit())) {
            let j = plain_run(b, i);
            if j > i {
                w.emit_str(&raw[i..j]);
                i = j;
                continue;
            }
        }
        let c = raw[i..].chars().next().unwrap_or('\u{FFFD}');
        let n = c.len_utf8();
        match c {
            '\n' => {
                w.newline();
                i += 1;
            }
            '\r' if o.whitespace => {
                if b.get(i + 1) != Some(&b'\n') {
                    w.newline();
                }
                i += 1;
            }
            _ if is_space(c) && o.whitespace => {
                let mut tabs = 0;
                let mut ideo = 0;
                let mut run = 0;
                let mut j = i;
                for d in raw[i..].chars() {
                    if !is_space(d) {
                        break;
                    }
                    run += 1;
                    tabs += (d == '\t') as u32;
                    ideo += (d == '\u{3000}') as u32;
                    j += d.len_utf8();
                }
                if run >= 2 && tabs == 0 && ideo == 0 {
                    w.gap(false);
                } else {
                    w.space(tabs > 0 || ideo >= 2);
                }
                i = j;
            }
            '\t' => {
                // Whitespace cleaning off: a TAB is still a paragraph mark.
                w.soft.push(w.out.len());
                w.emit('\t');
                i += 1;
            }
            '\\' if o.unescape && matches!(b.get(i + 1), Some(b'\'' | b'"')) => {
                stats.markup += 1;
                i += 1;
            }
            '&' if o.html => {
                if let Some((d, len)) = parse_entity(&raw[i..]) {
                    stats.markup += len as u32 - 1;
                    i += len;
                    handle(d, raw, i, o, &mut w, stats);
                } else {
                    handle(c, raw, i + n, o, &mut w, stats);
                    i += n;
                }
            }
            '<' if o.html => {
                if let Some((len, kind)) = parse_tag(&raw[i..]) {
                    let chars = raw[i..i + len].chars().count() as u32;
                    stats.markup += chars - (kind == Tag::Break) as u32;
                    match kind {
                        Tag::Break => w.newline(),
                        Tag::Space => w.space(false),
                        Tag::Silent => {}
                    }
                    i += len;
                } else {
                    handle(c, raw, i + n, o, &mut w, stats);
                    i += n;
                }
            }
            _ => {
                handle(c, raw, i + n, o, &mut w, stats);
                i += n;
            }
        }
    }
    CharOut {
        text: w.out,
        soft: w.soft,
    }
}

/// One content char (possibly decoded from an entity); `next` is the byte
/// offset in `raw` right after it, for lookahead.
fn handle(c: char, raw: &str, next: usize, o: &CharOpts, w: &mut Writer, stats: &mut CleanStats) {
    // U+2028/2029 are line and paragraph separators in all but name.
    if matches!(c, '\n' | '\u{2028}' | '\u{2029}') {
        w.newline();
        return;
    }
    if is_space(c) {
        if o.whitespace {
            w.space(c == '\t');
        } else {
            w.emit(c);
        }
        return;
    }
    if o.invisible && is_invisible(c) {
        stats.invisible += 1;
        return;
    }
    let orig = c;
    let mut c = c;
    if o.fold_width {
        let f = fold_width(c);
        if f != c {
            stats.folded += 1;
            c = f;
        } else if c == '\u{FF0E}'
            && w.last.is_some_and(|l| l.is_ascii_digit())
            && peek_past_spaces(raw, next, o.invisible, false).is_some_and(is_digit_any)
        {
            // `１５．３％`: a decimal point, not the full stop.
            stats.folded += 1;
            c = '.';
        }
    }
    let mut drop_space_after = false;
    if o.cjk_punct {
        // Look at the next char as it will be written, so that a second
        // run decides the same (`１，Ａ`).
        let open_wide = w.open_wide;
        let peek = || {
            peek_past_spaces(raw, next, o.invisible, true).map(|n| match n {
                ')' if open_wide == Some(true) => '）',
                _ if o.fold_width => fold_width(n),
                _ => n,
            })
        };
        let z = cjk_punct(c, w.last, peek);
        let mut f = z.unwrap_or(c);
        match c {
            '(' | '（' => w.open_wide = Some(f == '（'),
            // Pairs match: `（1）` or `(1)`, never `（1)`.
            ')' | '）' => {
                if let Some(wide) = w.open_wide.take() {
                    f = if wide { '）' } else { ')' };
                }
            }
            _ => {}
        }
        if f != c {
            stats.folded += 1;
            if !f.is_ascii() {
                // The space typed after an ASCII mark is not Chinese.
                w.pending_space = false;
                drop_space_after = true;
            }
            c = f;
        }
    }
    if o.spaced_digits && w.pending_space && w.last.is_some_and(|l| l.is_ascii_digit()) {
        let at = next - orig.len_utf8();
        let join = if c.is_ascii_digit() {
            raw.get(at..next).is_some_and(|d| d.starts_with(orig))
                && spaced_run_is_chinese(&w.out, raw, at, next, o.invisible)
        } else {
            // `1 5 ．3 ％`: the decimal point of a spaced number.
            is_ideograph(c) || c == '%' || (c == '.' && orig == '\u{FF0E}')
        };
        if join {
            w.pending_space = false;
            w.pending_soft = false;
            stats.spaced_digits += 1;
        }
    }
    w.emit(c);
    w.drop_next_space = drop_space_after;
}

/// The ASCII marks that Chinese text typed on an ASCII keyboard uses, and
/// their full-width forms; and full-width marks inside Latin text.
fn cjk_punct(c: char, prev: Option<char>, next: impl Fn() -> Option<char>) -> Option<char> {
    let wide = match c {
        ',' => '，',
        ';' => '；',
        ':' => '：',
        '?' => '？',
        '(' => '（',
        ')' => '）',
        '，' => ',',
        '；' => ';',
        '：' => ':',
        '？' => '?',
        '！' => '!',
        '（' => '(',
        '）' => ')',
        _ => return None,
    };
    let prev_cjk = prev.is_some_and(is_cjkish);
    let prev_ideo = prev.is_some_and(is_ideograph);
    if c.is_ascii() {
        let nx = next();
        let next_cjk = nx.is_some_and(is_cjkish);
        let ok = match c {
            '(' => prev_cjk,
            // After `、` or `，` a `?` stands for a char the source encoding
            // lacked (`二期、?水灌区`), not for a question.
            '?' => prev_ideo && (next_cjk || nx.is_none()),
            // Pairs match: `（1）` or `(1)`, never `（1)`.
            // A `)` follows its `(` (see `handle`); a lone one stays.
            ')' => false,
            _ => {
                (prev_cjk
                    && (next_cjk
                        || nx.is_none()
                        || nx.is_some_and(|x| x.is_ascii_digit() || x == '“')))
                    // `增长7.2%;一般`, `“双修”,彰显`: a mark before Chinese
                    // that does not follow an English word.
                    || (c != '?'
                        && nx.is_some_and(is_ideograph)
                        && prev.is_some_and(|p| !p.is_ascii_alphabetic()))
            }
        };
        ok.then_some(wide)
    } else {
        let prev_latin = prev.is_some_and(|p| p.is_ascii_alphanumeric()) && !prev_ideo;
        (prev_latin && next().is_some_and(|x| x.is_ascii_alphabetic())).then_some(wide)
    }
}

/// `1 9 9 8 年`, `7 4 7 7 2 亿元`, `（《人民日报》1 9 5 9 0 4 1 9）`: single
/// digits split by single spaces, inside Chinese (what precedes the run or
/// what ends it is Chinese). `$975.9 64.2%` (a table row), `in 1998 2 new`
/// and `almost 1 7% of` are left alone. `at..next` is the digit in `raw`.
fn spaced_run_is_chinese(
    out: &str,
    raw: &str,
    at: usize,
    next: usize,
    skip_invisible: bool,
) -> bool {
    let single = |c: Option<char>| !c.is_some_and(|c| is_digit_any(c) || c == '.' || c == ',');
    // Left: `<not a digit><digit><spaces>` right before this digit. Any
    // spaces, as the output of a first run has collapsed them to one.
    let mut left = raw[..at]
        .chars()
        .rev()
        .skip_while(|&c| is_space(c) || (skip_invisible && is_invisible(c)));
    if !left.next().is_some_and(is_digit_any) {
        return false;
    }
    // `1,000 2` is a number before; `经济,9 3` (a comma that becomes `，`)
    // is not.
    match left.next() {
        Some(',') if left.next().is_some_and(is_digit_any) => return false,
        Some(',') => {}
        c if !single(c) => return false,
        _ => {}
    }
    // Right: this digit is a token of its own too (or starts `．3`).
    let after_digit = raw[next..].chars().next();
    if !(single(after_digit) || after_digit == Some('\u{FF0E}')) {
        return false;
    }
    let before = out
        .chars()
        .rev()
        .find(|&c| !(c.is_ascii_digit() || c == '.' || c == ' '));
    if before.is_some_and(is_cjkish) {
        return true;
    }
    let after = raw[next..].chars().find(|&c| {
        let in_run = is_digit_any(c) || c == '.' || c == '\u{FF0E}' || is_space(c);
        !(in_run || (skip_invisible && is_invisible(c)))
    });
    after.is_some_and(|c| is_ideograph(c) || c == '％')
}
