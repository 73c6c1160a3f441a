//! Local context rules used by the scanner. Each looks at a few bytes around
//! a candidate position; none allocates.

use crate::{char_at, prev_char};

/// A run of terminators starting at a candidate: `.`, `?!`, `...`, `. . .`,
/// `……`, `。`, `！？`.
pub(crate) struct Cluster {
    pub end: usize,
    pub dots: usize,
    pub ellipsis: bool,
    pub bang: bool,
    pub cjk: bool,
    /// `word. . . .`: a full stop glued to a word, then a spaced ellipsis.
    pub special_first_dot: bool,
}

/// The terminator at byte `i`, read from the bytes: `(len, kind)` with kind
/// 0 for `.`, 1 for `!` `?`, 2 for `。！？`, 3 for `…`.
#[inline]
fn term_at(b: &[u8], i: usize) -> Option<(usize, u8)> {
    let at = |j: usize| b.get(j).copied().unwrap_or(0);
    match b[i] {
        b'.' => Some((1, 0)),
        b'!' | b'?' => Some((1, 1)),
        // 。 E3 80 82
        0xE3 if at(i + 1) == 0x80 && at(i + 2) == 0x82 => Some((3, 2)),
        // ！ EF BC 81, ？ EF BC 9F
        0xEF if at(i + 1) == 0xBC && matches!(at(i + 2), 0x81 | 0x9F) => Some((3, 2)),
        // … E2 80 A6
        0xE2 if at(i + 1) == 0x80 && at(i + 2) == 0xA6 => Some((3, 3)),
        _ => None,
    }
}

pub(crate) fn cluster(text: &str, k: usize) -> Cluster {
    let b = text.as_bytes();
    let mut cl = Cluster {
        end: k,
        dots: 0,
        ellipsis: false,
        bang: false,
        cjk: false,
        special_first_dot: false,
    };
    let mut i = k;
    let mut spaced = false;
    let mut steps = 0usize;
    while i < b.len() && steps < 64 {
        steps += 1;
        let Some((len, kind)) = term_at(b, i) else {
            break;
        };
        match kind {
            0 => cl.dots += 1,
            1 => cl.bang = true,
            2 => cl.cjk = true,
            _ => {
                cl.ellipsis = true;
                cl.dots += 3;
            }
        }
        i += len;
        cl.end = i;
        if i < b.len() && term_at(b, i).is_some() {
            continue;
        }
        // Spaced runs: `. . .`, `! ! !`, `? ? ?`.
        if b.get(i) == Some(&b' ') && matches!(b.get(i + 1), Some(b'.' | b'!' | b'?')) {
            // A spaced dot must not start a decimal (`. 5` is fine, `.5` is not).
            if b.get(i + 1) == Some(&b'.') && b.get(i + 2).is_some_and(|x| x.is_ascii_digit()) {
                break;
            }
            if i == k + 1 {
                spaced = true;
            }
            i += 1;
            continue;
        }
        break;
    }
    if cl.dots >= 2 {
        cl.ellipsis = true;
    }
    if spaced
        && b[k] == b'.'
        && cl.dots >= 4
        && !cl.bang
        && !cl.cjk
        && k > 0
        && b[k - 1].is_ascii_alphanumeric()
    {
        cl.special_first_dot = true;
    }
    cl
}

/// Byte length of the closing quote or bracket at `i` that always belongs
/// to the sentence before it (`” ’ 」 』 ） ) ] 】 》 〉 } ` »`), 0 if none.
#[inline]
fn closer_len(b: &[u8], i: usize) -> usize {
    let at = |j: usize| b.get(j).copied().unwrap_or(0);
    match b[i] {
        b')' | b']' | b'}' | b'`' => 1,
        // » C2 BB
        0xC2 => 2 * usize::from(at(i + 1) == 0xBB),
        // ” E2 80 9D, ’ E2 80 99
        0xE2 => 3 * usize::from(at(i + 1) == 0x80 && matches!(at(i + 2), 0x9D | 0x99)),
        // 」 8D, 』 8F, 】 91, 》 8B, 〉 89 after E3 80
        0xE3 => {
            3 * usize::from(
                at(i + 1) == 0x80 && matches!(at(i + 2), 0x8D | 0x8F | 0x91 | 0x8B | 0x89),
            )
        }
        // ） EF BC 89
        0xEF => 3 * usize::from(at(i + 1) == 0xBC && at(i + 2) == 0x89),
        _ => 0,
    }
}

/// Closing quotes and brackets that belong to the sentence just ended.
pub(crate) fn absorb_closers(text: &str, mut i: usize, start: usize, k: usize) -> usize {
    let b = text.as_bytes();
    let mut guard = 0;
    while i < b.len() && guard < 16 {
        guard += 1;
        let len = match b[i] {
            b'"' => {
                let from = start.max(k.saturating_sub(4096));
                usize::from(memchr::memchr_iter(b'"', &b[from..k]).count() % 2 == 1)
            }
            b'\'' => usize::from(!b.get(i + 1).is_some_and(|x| x.is_ascii_alphabetic())),
            _ => closer_len(b, i),
        };
        if len == 0 {
            break;
        }
        i += len;
    }
    // `required.".`: a full stop after the closing quote belongs here too.
    if i > k + 1
        && b.get(i) == Some(&b'.')
        && !b.get(i + 1).is_some_and(|x| x.is_ascii_alphanumeric())
    {
        i += 1;
    }
    // Tokenized quotes: `do ? '' Graham`, `Boursier . ' He`, `Dad ! '' .`
    let mut q = i;
    if b.get(q) == Some(&b' ') && b.get(q + 1) == Some(&b'\'') && quote_tokens_open(b, start, k) {
        q += 2;
        if b.get(q) == Some(&b'\'') {
            q += 1;
        }
        if matches!(b.get(q), None | Some(b' ' | b'\n')) {
            i = q;
            if b.get(i) == Some(&b' ')
                && matches!(b.get(i + 1), Some(b'.' | b'!' | b'?'))
                && matches!(b.get(i + 2), None | Some(b' ' | b'\n'))
            {
                i += 2;
            }
        }
    }
    i
}

/// Standalone quote tokens (` ' `, ` '' `) seen in the sentence: with none
/// the next one is taken as closing, otherwise parity decides.
fn quote_tokens_open(b: &[u8], start: usize, k: usize) -> bool {
    let from = start.max(k.saturating_sub(2000));
    let seg = &b[from..k];
    let mut n = 0usize;
    let mut i = 0usize;
    while let Some(p) = memchr::memchr(b'\'', &seg[i..]) {
        let at = i + p;
        let mut e = at + 1;
        if seg.get(e) == Some(&b'\'') {
            e += 1;
        }
        let before_ok = at == 0 || seg[at - 1] == b' ';
        let after_ok = matches!(seg.get(e), None | Some(b' '));
        if before_ok && after_ok {
            n += 1;
        }
        i = e;
    }
    n == 0 || n % 2 == 1
}

/// Reference marks after a full stop (`martyr.[1]`, `gas. [1][2] [3]`).
pub(crate) fn absorb_refs(b: &[u8], i: usize) -> usize {
    let mut end = i;
    let mut q = i;
    loop {
        let mut r = q;
        while r < b.len() && r < q + 2 && b[r] == b' ' {
            r += 1;
        }
        if b.get(r) != Some(&b'[') {
            break;
        }
        let mut t = r + 1;
        let mut digit = false;
        while t < b.len() && t < r + 14 {
            let x = b[t];
            if x.is_ascii_digit() {
                digit = true;
            } else if !(matches!(x, b',' | b'-' | b' ' | 0xE2 | 0x80 | 0x93)) {
                break;
            }
            t += 1;
        }
        if digit && b.get(t) == Some(&b']') {
            end = t + 1;
            q = end;
        } else if let Some(e) = audience_note(b, r) {
            end = e;
            q = end;
        } else {
            break;
        }
    }
    end
}

/// `[Applause]`, `[Laughter.]`: a short bracketed note after a sentence
/// belongs to it rather than to the next one.
fn audience_note(b: &[u8], r: usize) -> Option<usize> {
    if !b.get(r + 1)?.is_ascii_uppercase() {
        return None;
    }
    let lim = (r + 24).min(b.len());
    let close = r + 1 + memchr::memchr(b']', &b[r + 1..lim])?;
    b[r + 1..close]
        .iter()
        .all(|x| x.is_ascii_alphabetic() || matches!(x, b' ' | b'.' | b'!'))
        .then_some(close + 1)
}

/// `《摔跤吧！爸爸》`: a `！` inside a title does not end the sentence.
pub(crate) fn inside_book_title(text: &str, after: usize) -> bool {
    // 《 E3 80 8A, 》 E3 80 8B, 。 E3 80 82
    let b = text.as_bytes();
    let cjk_at = |i: usize| -> u8 {
        if b.get(i + 1) == Some(&0x80) {
            b.get(i + 2).copied().unwrap_or(0)
        } else {
            0
        }
    };
    // An open 《 shortly before...
    let from = after.saturating_sub(120);
    let mut open = false;
    for i in memchr::memrchr_iter(0xE3, &b[from..after]) {
        match cjk_at(from + i) {
            0x8A => {
                open = true;
                break;
            }
            0x8B => break,
            _ => {}
        }
    }
    if !open {
        return false;
    }
    // ...and its 》 shortly after, before any 。 or line break.
    let lim = (after + 90).min(b.len());
    for i in memchr::memchr2_iter(0xE3, b'\n', &b[after..lim]) {
        if b[after + i] == b'\n' {
            return false;
        }
        match cjk_at(after + i) {
            0x8B => return true,
            0x8A | 0x82 => return false,
            _ => {}
        }
    }
    false
}

pub(crate) fn is_lower_latin(c: char) -> bool {
    c.is_ascii_lowercase() || (c.is_alphabetic() && c.is_lowercase() && (c as u32) < 0x250)
}

pub(crate) fn is_continuation_punct(c: char) -> bool {
    matches!(c, ',' | ';' | ':' | '，' | '、' | '；' | '：' | '-' | '–')
}

/// `.--It will`, `。——The`: a translation marker opening the next sentence
/// (`a.m.—noted` is a dash inside one).
pub(crate) fn dash_then_upper(text: &str, i: usize) -> bool {
    let t = text.get(i.min(text.len())..).unwrap_or("");
    let rest = t.trim_start_matches(['-', '—', '―', '–']);
    rest.len() + 2 <= t.len()
        && rest
            .trim_start_matches(' ')
            .starts_with(|c: char| c.is_ascii_uppercase() || is_han(c))
}

pub(crate) fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F)
}

/// Han, kana, hangul, CJK punctuation and full-width forms.
pub(crate) fn is_cjk(c: char) -> bool {
    is_han(c)
        || matches!(c as u32, 0x3000..=0x30FF | 0xFF00..=0xFFEF | 0xAC00..=0xD7AF | 0x2E80..=0x2FDF)
}

/// Start of the token that ends at `k` (a word, a number, `U.S`, `N°`).
pub(crate) fn word_start(b: &[u8], k: usize, start: usize) -> usize {
    let lim = start.max(k.saturating_sub(48));
    let mut p = k;
    while p > lim {
        let x = b[p - 1];
        if x.is_ascii_whitespace() || matches!(x, b'(' | b'[' | b'{' | b'"' | b'<' | b'/') {
            break;
        }
        if x >= 0x80 {
            // Keep `°` of `N°`; any other non-ASCII char ends the token.
            if x == 0xB0 && p >= 2 && b[p - 2] == 0xC2 {
                p -= 2;
                continue;
            }
            break;
        }
        p -= 1;
    }
    while p < k && matches!(b[p], b'\'' | b'`' | b'*' | b'-') {
        p += 1;
    }
    p
}

/// `in 2024.2024年`: an English sentence ending in a year, then a Chinese
/// sentence that opens with a year. Decimals (`7.5`, `PM 2.5今年`) stay whole.
pub(crate) fn year_then_chinese(b: &[u8], ws: usize, k: usize, np: usize) -> bool {
    let w = &b[ws..k];
    if w.is_empty() || !w.iter().all(|x| x.is_ascii_digit()) {
        return false;
    }
    let before = if ws == 0 { b' ' } else { b[ws - 1] };
    if !(before == b' ' || before.is_ascii_alphabetic()) {
        return false;
    }
    let mut r = np;
    while r < b.len() && b[r].is_ascii_digit() {
        r += 1;
    }
    let run = r - np;
    let han_next = b.get(r).is_some_and(|&x| (0xE3..=0xE9).contains(&x));
    han_next && (w.len() >= 4 || run >= 4)
}

pub(crate) fn is_roman(w: &[u8]) -> bool {
    !w.is_empty()
        && w.len() <= 5
        && (w.iter().all(|x| matches!(x, b'i' | b'v' | b'x'))
            || w.iter().all(|x| matches!(x, b'I' | b'V' | b'X')))
}

/// `1`, `12`, `a`, `iv`, `1)`: a list marker when it opens a sentence.
pub(crate) fn is_list_marker_word(w: &[u8]) -> bool {
    let w = w.strip_suffix(b")").unwrap_or(w);
    let w = w.strip_prefix(b"(").unwrap_or(w);
    (!w.is_empty() && w.len() <= 3 && w.iter().all(|x| x.is_ascii_digit()))
        || (w.len() == 1 && w[0].is_ascii_alphabetic())
        || is_roman(w)
}

/// `morning.The`, `safety.PEOPLE'S`: glued sentences split; `U.S.A`, `Ph.D`,
/// `Jane.Doe@example.com`, `7.Bg5` do not.
pub(crate) fn glued_upper_split(b: &[u8], w: &[u8], np: usize, first: bool) -> bool {
    if w.is_empty() {
        return true;
    }
    if w.len() == 1 || (first && is_list_marker_word(w)) {
        return false;
    }
    if w.contains(&b'.') || w.iter().any(|x| matches!(x, b'@' | b'/' | b':')) {
        return false;
    }
    if w.len() <= 2 && w.iter().all(|x| x.is_ascii_digit()) {
        return false;
    }
    if classify(w) == Abbr::NoSplit {
        return false;
    }
    let mut e = np;
    while e < b.len() && b[e].is_ascii_alphabetic() {
        e += 1;
    }
    let piece = e - np;
    match b.get(e) {
        Some(b'.') => {
            let after = b.get(e + 1).copied().unwrap_or(b' ');
            !(piece == 1 || after.is_ascii_alphanumeric())
        }
        Some(b'@' | b'/') => false,
        _ => true,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Abbr {
    /// An ordinary word: a full stop after it ends the sentence.
    None,
    /// Titles and Latin abbreviations that always run on (`Mr.`, `e.g.`).
    NoSplit,
    /// Runs on before a number or roman numeral (`No. 5`, `p. 55`, `Art. II`).
    NumPrefix,
    /// Runs on before a number (`Jan. 5`, `5 ft. 6 in.`).
    BeforeNumber,
    /// `a.m.`, `B.C.`: runs on only when the clause opened with a preposition.
    TimeEra,
    /// `E.`, `U.S.`, `J.R.R.`: runs on unless a typical sentence opener follows.
    Initials,
    /// Abbreviations that often end sentences (`etc.`, `Co.`, `Ph.D.`).
    Split,
}

/// Up to eight bytes packed big-endian: integer order is byte order, so a
/// binary search compares one integer instead of calling memcmp.
const fn key(s: &[u8]) -> u64 {
    let mut k = 0u64;
    let mut i = 0;
    while i < 8 {
        k <<= 8;
        if i < s.len() {
            k |= s[i] as u64;
        }
        i += 1;
    }
    k
}

/// Known abbreviations, lower case, sorted by bytes for a binary search.
const ABBREVIATIONS: &[(u64, Abbr)] = &[
    (key(b"a.d"), Abbr::TimeEra),
    (key(b"a.m"), Abbr::TimeEra),
    (key(b"adm"), Abbr::NoSplit),
    (key(b"al"), Abbr::Split),
    (key(b"am"), Abbr::TimeEra),
    (key(b"approx"), Abbr::NoSplit),
    (key(b"apr"), Abbr::BeforeNumber),
    (key(b"art"), Abbr::NumPrefix),
    (key(b"arts"), Abbr::NumPrefix),
    (key(b"aug"), Abbr::BeforeNumber),
    (key(b"b.c"), Abbr::TimeEra),
    (key(b"b.c.e"), Abbr::TimeEra),
    (key(b"bce"), Abbr::TimeEra),
    (key(b"brig"), Abbr::NoSplit),
    (key(b"bros"), Abbr::Split),
    (key(b"c.e"), Abbr::TimeEra),
    (key(b"ca"), Abbr::NoSplit),
    (key(b"capt"), Abbr::NoSplit),
    (key(b"cf"), Abbr::NoSplit),
    (key(b"ch"), Abbr::NumPrefix),
    (key(b"chap"), Abbr::NumPrefix),
    (key(b"cm"), Abbr::BeforeNumber),
    (key(b"cmdr"), Abbr::NoSplit),
    (key(b"co"), Abbr::Split),
    (key(b"col"), Abbr::NoSplit),
    (key(b"cols"), Abbr::NumPrefix),
    (key(b"corp"), Abbr::Split),
    (key(b"cpl"), Abbr::NoSplit),
    (key(b"dec"), Abbr::BeforeNumber),
    (key(b"dr"), Abbr::NoSplit),
    (key(b"e.g"), Abbr::NoSplit),
    (key(b"eq"), Abbr::NumPrefix),
    (key(b"esp"), Abbr::NoSplit),
    (key(b"esq"), Abbr::Split),
    (key(b"est"), Abbr::BeforeNumber),
    (key(b"etc"), Abbr::Split),
    (key(b"feb"), Abbr::BeforeNumber),
    (key(b"fig"), Abbr::NoSplit),
    (key(b"figs"), Abbr::NoSplit),
    (key(b"fl"), Abbr::BeforeNumber),
    (key(b"fr"), Abbr::NoSplit),
    (key(b"ft"), Abbr::BeforeNumber),
    (key(b"ft.-lb"), Abbr::NoSplit),
    (key(b"gal"), Abbr::BeforeNumber),
    (key(b"gen"), Abbr::NoSplit),
    (key(b"gov"), Abbr::NoSplit),
    (key(b"hon"), Abbr::NoSplit),
    (key(b"hr"), Abbr::BeforeNumber),
    (key(b"hrs"), Abbr::BeforeNumber),
    (key(b"i.e"), Abbr::NoSplit),
    (key(b"in"), Abbr::BeforeNumber),
    (key(b"inc"), Abbr::Split),
    (key(b"incl"), Abbr::NoSplit),
    (key(b"jan"), Abbr::BeforeNumber),
    (key(b"jr"), Abbr::Split),
    (key(b"jul"), Abbr::BeforeNumber),
    (key(b"jun"), Abbr::BeforeNumber),
    (key(b"kg"), Abbr::BeforeNumber),
    (key(b"km"), Abbr::BeforeNumber),
    (key(b"lb"), Abbr::BeforeNumber),
    (key(b"lbs"), Abbr::BeforeNumber),
    (key(b"lt"), Abbr::NoSplit),
    (key(b"ltd"), Abbr::Split),
    (key(b"maj"), Abbr::NoSplit),
    (key(b"mar"), Abbr::BeforeNumber),
    (key(b"messrs"), Abbr::NoSplit),
    (key(b"mi"), Abbr::BeforeNumber),
    (key(b"min"), Abbr::BeforeNumber),
    (key(b"mins"), Abbr::BeforeNumber),
    (key(b"mlle"), Abbr::NoSplit),
    (key(b"mm"), Abbr::BeforeNumber),
    (key(b"mme"), Abbr::NoSplit),
    (key(b"mo"), Abbr::BeforeNumber),
    (key(b"mos"), Abbr::BeforeNumber),
    (key(b"mr"), Abbr::NoSplit),
    (key(b"mrs"), Abbr::NoSplit),
    (key(b"ms"), Abbr::NoSplit),
    (key(b"mt"), Abbr::NoSplit),
    (key(b"no"), Abbr::NumPrefix),
    (key(b"nos"), Abbr::NumPrefix),
    (key(b"nov"), Abbr::BeforeNumber),
    (key("n°".as_bytes()), Abbr::NumPrefix),
    (key(b"oct"), Abbr::BeforeNumber),
    (key(b"op"), Abbr::NumPrefix),
    (key(b"oz"), Abbr::BeforeNumber),
    (key(b"p"), Abbr::NumPrefix),
    (key(b"p.m"), Abbr::TimeEra),
    (key(b"para"), Abbr::NumPrefix),
    (key(b"paras"), Abbr::NumPrefix),
    (key(b"pm"), Abbr::TimeEra),
    (key(b"pp"), Abbr::NumPrefix),
    (key(b"pres"), Abbr::NoSplit),
    (key(b"prof"), Abbr::NoSplit),
    (key(b"pt"), Abbr::NumPrefix),
    (key(b"pts"), Abbr::NumPrefix),
    (key(b"pvt"), Abbr::NoSplit),
    (key(b"qt"), Abbr::BeforeNumber),
    (key(b"ref"), Abbr::NumPrefix),
    (key(b"refs"), Abbr::NumPrefix),
    (key(b"rep"), Abbr::NoSplit),
    (key(b"reps"), Abbr::NoSplit),
    (key(b"rev"), Abbr::NoSplit),
    (key(b"sec"), Abbr::NumPrefix),
    (key(b"secs"), Abbr::NumPrefix),
    (key(b"sect"), Abbr::NumPrefix),
    (key(b"sen"), Abbr::NoSplit),
    (key(b"sep"), Abbr::BeforeNumber),
    (key(b"sept"), Abbr::BeforeNumber),
    (key(b"sgt"), Abbr::NoSplit),
    (key(b"sq"), Abbr::BeforeNumber),
    (key(b"sr"), Abbr::Split),
    (key(b"st"), Abbr::NoSplit),
    (key(b"supt"), Abbr::NoSplit),
    (key(b"tel"), Abbr::NumPrefix),
    (key(b"v"), Abbr::NoSplit),
    (key(b"viz"), Abbr::NoSplit),
    (key(b"vol"), Abbr::NumPrefix),
    (key(b"vols"), Abbr::NumPrefix),
    (key(b"vs"), Abbr::NoSplit),
    (key(b"yd"), Abbr::BeforeNumber),
    (key(b"yds"), Abbr::BeforeNumber),
    (key(b"yr"), Abbr::BeforeNumber),
    (key(b"yrs"), Abbr::BeforeNumber),
];

pub(crate) fn classify(w: &[u8]) -> Abbr {
    // The longest listed abbreviation has six bytes; longer words only
    // matter when dotted (`B.C.E`, `M.B.A`).
    if w.is_empty() || w.len() > 12 || (w.len() > 6 && !w.contains(&b'.')) {
        return Abbr::None;
    }
    let mut buf = [0u8; 12];
    for (d, s) in buf.iter_mut().zip(w) {
        *d = s.to_ascii_lowercase();
    }
    let lc = key(&buf[..w.len()]);
    let known = ABBREVIATIONS
        .binary_search_by(|(k, _)| k.cmp(&lc))
        .ok()
        .map(|i| ABBREVIATIONS[i].1);
    if let Some(a @ (Abbr::TimeEra | Abbr::NoSplit)) = known {
        return a;
    }
    if w.contains(&b'.') {
        let single = w
            .split(|&x| x == b'.')
            .all(|p| p.len() == 1 && p[0].is_ascii_alphabetic());
        return if single { Abbr::Initials } else { Abbr::Split };
    }
    if w.len() == 1 && w[0].is_ascii_uppercase() {
        return Abbr::Initials;
    }
    known.unwrap_or(Abbr::None)
}

pub(crate) fn next_is_roman(b: &[u8], np: usize) -> bool {
    let mut e = np;
    while e < b.len() && matches!(b[e], b'I' | b'V' | b'X' | b'L' | b'C') {
        e += 1;
    }
    e > np && e - np <= 6 && !b.get(e).is_some_and(|x| x.is_ascii_alphabetic())
}

/// `2:15 p.m. EST on January 4`: a time zone after a time runs on.
pub(crate) fn next_is_time_zone(b: &[u8], np: usize) -> bool {
    let w = read_word(b, np);
    const ZONES: &[&str] = &[
        "EST", "EDT", "CST", "CDT", "MST", "MDT", "PST", "PDT", "ET", "CT", "PT", "GMT", "UTC",
        "SGT", "HKT",
    ];
    ZONES.iter().any(|z| z.as_bytes() == w)
}

const PREPOSITIONS: &[&str] = &[
    "at",
    "on",
    "in",
    "by",
    "around",
    "about",
    "before",
    "after",
    "since",
    "until",
    "till",
    "from",
    "near",
    "circa",
    "between",
    "during",
    "through",
    "throughout",
];

/// `At 5 a.m. Mr. Smith went` runs on; `He left at 6 P.M. Mr. Smith then` ends.
pub(crate) fn clause_starts_with_preposition(b: &[u8], first: usize, ws: usize) -> bool {
    let from = first.max(ws.saturating_sub(400));
    let seg = &b[from.min(ws)..ws];
    let cs = match seg
        .windows(2)
        .rposition(|w| (w[0] == b':' || w[0] == b';') && w[1] == b' ')
    {
        Some(p) => from + p + 1,
        None => from,
    };
    let w = read_word(b, cs);
    PREPOSITIONS
        .iter()
        .any(|p| p.as_bytes().eq_ignore_ascii_case(w))
}

fn read_word(b: &[u8], mut i: usize) -> &[u8] {
    while i < b.len() && (b[i] == b' ' || b[i] == b'"') {
        i += 1;
    }
    let s = i;
    while i < b.len() && i < s + 16 && b[i].is_ascii_alphabetic() {
        i += 1;
    }
    &b[s..i]
}

/// `you and I. Did` ends; `Albert I. Jones` does not.
pub(crate) fn prev_word_is_lower(b: &[u8], ws: usize, start: usize) -> bool {
    let mut p = ws;
    while p > start && b[p - 1] == b' ' {
        p -= 1;
    }
    let e = p;
    while p > start && p + 32 > e && b[p - 1].is_ascii_alphabetic() {
        p -= 1;
    }
    p < e && b[p].is_ascii_lowercase()
}

const STARTERS: &[&str] = &[
    "the",
    "a",
    "an",
    "this",
    "that",
    "these",
    "those",
    "there",
    "then",
    "they",
    "we",
    "he",
    "she",
    "it",
    "i",
    "you",
    "our",
    "my",
    "his",
    "her",
    "its",
    "their",
    "how",
    "what",
    "when",
    "where",
    "why",
    "who",
    "which",
    "but",
    "and",
    "or",
    "so",
    "yet",
    "in",
    "on",
    "at",
    "for",
    "as",
    "if",
    "while",
    "after",
    "before",
    "since",
    "although",
    "though",
    "however",
    "meanwhile",
    "today",
    "now",
    "also",
    "thus",
    "therefore",
    "moreover",
    "furthermore",
    "let",
    "please",
    "is",
    "are",
    "was",
    "were",
    "do",
    "does",
    "did",
    "can",
    "could",
    "will",
    "would",
    "should",
    "may",
    "might",
    "must",
    "all",
    "each",
    "every",
    "some",
    "many",
    "most",
    "no",
    "not",
    "one",
    "to",
    "with",
    "by",
    "from",
    "last",
    "next",
    "this",
    "under",
    "over",
];

pub(crate) fn next_is_starter(b: &[u8], np: usize) -> bool {
    match b.get(np) {
        Some(x) if x.is_ascii_alphabetic() => {}
        Some(x) if x.is_ascii_digit() => return true,
        _ => return true,
    }
    let w = read_word(b, np);
    if b.get(np + w.len()).is_some_and(|&x| x == b'.') && w.len() <= 3 {
        return false; // another abbreviation, as in `U. A. E.`
    }
    STARTERS
        .iter()
        .any(|s| s.as_bytes().eq_ignore_ascii_case(w))
}

const CLOSERS: &[char] = &[
    '"', '\'', '”', '’', ')', '）', ']', '】', '」', '』', '》', '〉', '}', '»',
];

/// Whether a line ends with sentence punctuation (closers allowed after it).
pub(crate) fn ends_with_terminator(line: &[u8]) -> bool {
    // Only the end matters: check the last 64 bytes (from a char start), and
    // the whole line only when they are all closers and spaces.
    let mut start = line.len().saturating_sub(64);
    while start > 0 && line[start] & 0xC0 == 0x80 {
        start -= 1;
    }
    let ends = |tail: &[u8]| -> Option<bool> {
        let s = std::str::from_utf8(tail).ok()?;
        let s = s.trim_end_matches(|c: char| c.is_whitespace() || CLOSERS.contains(&c));
        if s.is_empty() && tail.len() < line.len() {
            return None;
        }
        Some(s.ends_with(['.', '!', '?', '。', '！', '？', '…', ':', '：', ';', '；']))
    };
    match ends(&line[start..]) {
        Some(found) => found,
        None if start > 0 => ends(line).unwrap_or(false),
        None => false,
    }
}

/// A list or Markdown block marker opens the line.
pub(crate) fn starts_with_marker(line: &[u8]) -> bool {
    let t = line.trim_ascii_start();
    let Some(&x) = t.first() else {
        return false;
    };
    if matches!(x, b'#' | b'>' | b'|') {
        return true;
    }
    if matches!(x, b'-' | b'*' | b'+') && t.get(1) == Some(&b' ') {
        return true;
    }
    if let Ok(s) = std::str::from_utf8(&t[..t.len().min(16)])
        .or_else(|e| std::str::from_utf8(&t[..e.valid_up_to()]))
    {
        if s.starts_with(['•', '·', '⁃', '▪', '●', '○', '■', '◆', '★', '（']) {
            return true;
        }
        let cn_num = s
            .char_indices()
            .take_while(|(_, c)| "一二三四五六七八九十".contains(*c))
            .last();
        if let Some((i, c)) = cn_num {
            if s[i + c.len_utf8()..].starts_with('、') {
                return true;
            }
        }
    }
    let mut e = 0;
    while e < t.len() && e < 4 && t[e].is_ascii_digit() {
        e += 1;
    }
    if e > 0 && e <= 3 {
        return matches!(t.get(e), Some(b'.' | b')')) || t[e..].starts_with("、".as_bytes());
    }
    if x == b'(' {
        let close = t.iter().take(6).position(|&c| c == b')');
        return close.is_some_and(|p| p > 1 && t[1..p].iter().all(|c| c.is_ascii_alphanumeric()));
    }
    let mut e = 0;
    while e < t.len() && e < 6 && t[e].is_ascii_lowercase() {
        e += 1;
    }
    if e >= 1 && (e == 1 || is_roman(&t[..e])) {
        return matches!(t.get(e), Some(b'.' | b')')) && matches!(t.get(e + 1), Some(b' ' | b')'))
            || (t.get(e) == Some(&b')') && t.get(e + 1).is_none());
    }
    false
}

/// An unclosed quotation or bracket: a line break inside it is a wrap.
pub(crate) fn open_bracket_or_quote(seg: &[u8]) -> bool {
    let seg = &seg[seg.len().saturating_sub(4096)..];
    let Ok(s) = std::str::from_utf8(seg)
        .or_else(|e| std::str::from_utf8(&seg[e.valid_up_to()..]).or(Err(())))
    else {
        return false;
    };
    let mut depth = [0i32; 6];
    for c in s.chars() {
        match c {
            '“' => depth[0] += 1,
            '”' => depth[0] -= 1,
            '（' => depth[1] += 1,
            '）' => depth[1] -= 1,
            '(' => depth[2] += 1,
            ')' => depth[2] -= 1,
            '《' => depth[3] += 1,
            '》' => depth[3] -= 1,
            '「' | '『' => depth[4] += 1,
            '」' | '』' => depth[4] -= 1,
            '【' => depth[5] += 1,
            '】' => depth[5] -= 1,
            _ => {}
        }
    }
    depth.iter().any(|&d| d > 0)
}

fn roman_value(w: &[u8]) -> Option<u32> {
    let mut total = 0u32;
    let mut prev = 0u32;
    for &x in w.iter().rev() {
        let v = match x.to_ascii_lowercase() {
            b'i' => 1,
            b'v' => 5,
            b'x' => 10,
            _ => return None,
        };
        if v < prev {
            total = total.checked_sub(v)?;
        } else {
            total += v;
            prev = v;
        }
    }
    Some(total)
}

fn roman_string(mut n: u32) -> String {
    let mut s = String::new();
    for (v, r) in [(10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")] {
        while n >= v {
            s.push_str(r);
            n -= v;
        }
    }
    s
}

/// A sentence opening with a list marker (`1.)`, `2)`, `a.`, `• 9.`, `⁃9.`,
/// `i.)`) followed on the same line by the next marker: the next item starts
/// there (`1. The first item 2. The second item`).
pub(crate) fn next_list_item(text: &str, s: usize) -> Option<usize> {
    let b = text.as_bytes();
    // Markers open with a digit, a lower-case letter, a roman numeral or a
    // bullet; most sentences are ruled out by their first byte.
    if !(b[s].is_ascii_digit()
        || b[s].is_ascii_lowercase()
        || matches!(b[s], b'I' | b'V' | b'X' | b'*' | b'-' | 0xE2 | 0xC2))
    {
        return None;
    }
    let mut i = s;
    // bullet prefix, kept as written so the next item must repeat it
    let c = char_at(text, i);
    if matches!(c, '•' | '⁃' | '·' | '*' | '-') {
        i += c.len_utf8();
        while b.get(i) == Some(&b' ') {
            i += 1;
        }
    }
    let prefix = &b[s..i];
    let ms = i;
    while i < b.len() && i < ms + 5 && b[i].is_ascii_alphanumeric() {
        i += 1;
    }
    let marker = &b[ms..i];
    if marker.is_empty() {
        return None;
    }
    let next: String = if marker.iter().all(|x| x.is_ascii_digit()) && marker.len() <= 3 {
        let v: u32 = std::str::from_utf8(marker).ok()?.parse().ok()?;
        (v + 1).to_string()
    } else if is_roman(marker) && (marker.len() != 1 || matches!(marker[0], b'i' | b'I')) {
        let v = roman_value(marker)?;
        let r = roman_string(v + 1);
        if marker[0].is_ascii_uppercase() {
            r.to_ascii_uppercase()
        } else {
            r
        }
    } else if marker.len() == 1 && marker[0].is_ascii_lowercase() && marker[0] < b'z' {
        ((marker[0] + 1) as char).to_string()
    } else {
        return None;
    };
    let style_len = if b[i..].starts_with(b".)") {
        2
    } else if matches!(b.get(i), Some(b'.' | b')')) {
        1
    } else {
        return None;
    };
    let style = &b[i..i + style_len];
    let j = i + style_len;
    if b.get(j) != Some(&b' ') || !b.get(j + 1).is_some_and(|x| x.is_ascii_uppercase()) {
        return None;
    }
    let mut pat = Vec::with_capacity(16);
    pat.push(b' ');
    pat.extend_from_slice(prefix);
    pat.extend_from_slice(next.as_bytes());
    pat.extend_from_slice(style);
    pat.push(b' ');
    let lim = (j + 2000).min(b.len());
    let line_end = memchr::memchr(b'\n', &b[j..lim]).map_or(lim, |p| j + p);
    let hay = &b[j..line_end];
    let p = memchr::memmem::find(hay, &pat)?;
    let at = j + p + pat.len();
    if !b.get(at).is_some_and(|x| x.is_ascii_uppercase()) {
        return None;
    }
    Some(j + p + 1)
}

/// An ALL-CAPS heading at the start of a sentence that ends without
/// punctuation: before Chinese text (`MONITORING PM 2.5今年`), before two
/// spaces, or glued to a sentence (`BUDGET STATEMENTThe Minister`).
pub(crate) fn heading_end(text: &str, s: usize) -> Option<usize> {
    let b = text.as_bytes();
    let mut i = s;
    let mut upper = 0usize;
    let mut run = 0usize;
    let mut words = 1usize;
    while i < b.len() && i < s + 240 {
        let x = b[i];
        match x {
            b'A'..=b'Z' => {
                upper += 1;
                run += 1;
            }
            b'a'..=b'z' => {
                if run >= 5 && words >= 2 {
                    return Some(i - 1);
                }
                return None;
            }
            b'0'..=b'9' | b'\'' | b'&' | b',' | b'-' | b'/' | b'(' | b')' => run = 0,
            b' ' => {
                run = 0;
                if b.get(i + 1) == Some(&b' ') {
                    return (upper >= 4).then_some(i);
                }
                words += 1;
            }
            b'.' => {
                let p = if i > 0 { b[i - 1] } else { b' ' };
                let n = b.get(i + 1).copied().unwrap_or(b' ');
                let ok = (p.is_ascii_digit() && n.is_ascii_digit())
                    || (p.is_ascii_uppercase() && n.is_ascii_uppercase());
                if !ok {
                    return None;
                }
                run = 0;
            }
            0x80.. => {
                let c = char_at(text, i);
                if is_han(c) {
                    let prev = prev_char(text, i).unwrap_or(' ');
                    return (upper >= 6 && words >= 2 && prev != '-').then_some(i);
                }
                if c != '’' {
                    return None;
                }
                run = 0;
                i += c.len_utf8();
                continue;
            }
            _ => return None,
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_end_is_read_from_its_tail() {
        let long = "增长".repeat(40);
        assert!(ends_with_terminator(format!("{long}。").as_bytes()));
        assert!(!ends_with_terminator(format!("{long}，").as_bytes()));
        // Closers and spaces longer than the tail that is read first.
        let padded = format!("{long}。{}", "” ".repeat(30));
        assert!(ends_with_terminator(padded.as_bytes()));
        let unended = format!("{long}{}", "」 ".repeat(30));
        assert!(!ends_with_terminator(unended.as_bytes()));
        assert!(!ends_with_terminator(" ".repeat(100).as_bytes()));
        assert!(ends_with_terminator("Done.".as_bytes()));
    }

    #[test]
    fn abbreviation_table_is_sorted_and_unique() {
        assert!(ABBREVIATIONS.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn byte_level_chars_match() {
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            let mut buf = [0u8; 4];
            let enc = c.encode_utf8(&mut buf).as_bytes();
            let b: Vec<u8> = [enc, b"x"].concat();
            let term = matches!(c, '.' | '!' | '?' | '。' | '！' | '？' | '…');
            assert_eq!(
                term_at(&b, 0).map(|t| t.0),
                term.then_some(enc.len()),
                "{c:?}"
            );
            let closer = matches!(
                c,
                '”' | '’' | '」' | '』' | '）' | ')' | ']' | '】' | '》' | '〉' | '}' | '`' | '»'
            );
            assert_eq!(
                closer_len(&b, 0),
                if closer { enc.len() } else { 0 },
                "{c:?}"
            );
        }
    }

    #[test]
    fn classes() {
        assert_eq!(classify(b"Mr"), Abbr::NoSplit);
        assert_eq!(classify(b"No"), Abbr::NumPrefix);
        assert_eq!(classify("N°".as_bytes()), Abbr::NumPrefix);
        assert_eq!(classify(b"Jan"), Abbr::BeforeNumber);
        assert_eq!(classify(b"p.m"), Abbr::TimeEra);
        assert_eq!(classify(b"U.S"), Abbr::Initials);
        assert_eq!(classify(b"E"), Abbr::Initials);
        assert_eq!(classify(b"Ph.D"), Abbr::Split);
        assert_eq!(classify(b"etc"), Abbr::Split);
        assert_eq!(classify(b"morning"), Abbr::None);
        assert_eq!(classify(b"e.g"), Abbr::NoSplit);
    }
}
