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

    fn emit(&mut self, c: char) {
        self.flush_breaks();
        if self.pending_space && self.last.is_some() && !self.drop_next_space {
            if self.pending_soft {
                self.soft.push(self.out.len());
            }
            self.out.push(' ');
        }
        self.pending_space = false;
        self.pending_soft = false;
        self.drop_next_space = false;
        self.out.push(c);
        self.last = Some(c);
    }

    fn space(&mut self, soft: bool) {
        self.pending_space = true;
        self.pending_soft |= soft;
    }

    fn newline(&mut self) {
        self.open_wide = None;
        if self.collapse {
            self.newlines += 1;
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
    let tail = &b[i..b.len().min(i + 512)];
    for (k, &x) in tail.iter().enumerate() {
        match x {
            b'>' => return Some((i + k + 1, kind)),
            b'<' | b'\n' => return None,
            _ => {}
        }
    }
    None
}

/// Next char after `from` on the same line, skipping spaces.
fn peek_past_spaces(raw: &str, from: usize) -> Option<char> {
    raw[from..]
        .chars()
        .find(|&c| !is_space(c) || c == '\n')
        .filter(|&c| c != '\n' && c != '\r')
}

pub(crate) fn run(raw: &str, o: &CharOpts, stats: &mut CleanStats) -> CharOut {
    let mut w = Writer {
        out: String::with_capacity(raw.len()),
        soft: Vec::new(),
        pending_space: false,
        pending_soft: false,
        newlines: 0,
        last: None,
        drop_next_space: false,
        collapse: o.whitespace,
        open_wide: None,
    };
    let b = raw.as_bytes();
    let mut i = 0;
    while i < raw.len() {
        // ASCII fast path: most bytes of the English corpora.
        let byte = b[i];
        if byte.is_ascii_alphanumeric() && !(o.spaced_digits && w.pending_space) {
            w.emit(byte as char);
            i += 1;
            continue;
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
                let mut j = i;
                for d in raw[i..].chars() {
                    if !is_space(d) {
                        break;
                    }
                    tabs += (d == '\t') as u32;
                    ideo += (d == '\u{3000}') as u32;
                    j += d.len_utf8();
                }
                w.space(tabs > 0 || ideo >= 2);
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
                    stats.markup += len as u32 - (kind == Tag::Break) as u32;
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
    if c == '\n' {
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
            && peek_past_spaces(raw, next).is_some_and(is_digit_any)
        {
            // `１５．３％`: a decimal point, not the full stop.
            stats.folded += 1;
            c = '.';
        }
    }
    let mut drop_space_after = false;
    if o.cjk_punct {
        let z = cjk_punct(c, w.last, || peek_past_spaces(raw, next));
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
        let join = if c.is_ascii_digit() {
            spaced_run_is_chinese(&w.out, raw, next)
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
            // Pairs match: `（1）` or `(1)`, never `（1)`.
            ')' => nx.is_some_and(is_ideograph) && prev.is_some_and(|p| !p.is_ascii_digit()),
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
        let next_latin = next().is_some_and(|x| x.is_ascii_alphabetic());
        (prev_latin && next_latin).then_some(wide)
    }
}

/// `1 9 9 8 年`, `7 4 7 7 2 亿元`, `（《人民日报》1 9 5 9 0 4 1 9）`: a digit
/// run split by single spaces, inside Chinese (what precedes the run or what
/// ends it is Chinese). English `in 1998 2 new` is left alone.
fn spaced_run_is_chinese(out: &str, raw: &str, next: usize) -> bool {
    let before = out
        .chars()
        .rev()
        .find(|&c| !(c.is_ascii_digit() || c == '.' || c == ' '));
    if before.is_some_and(is_cjkish) {
        return true;
    }
    let after = raw[next..]
        .chars()
        .find(|&c| !(is_digit_any(c) || c == '.' || c == '\u{FF0E}' || c == ' '));
    after.is_some_and(|c| is_ideograph(c) || c == '％' || c == '%')
}
