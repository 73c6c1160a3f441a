//! The fields of a found quantity: comparator, kind and direction,
//! indicator. Modality is set per sentence by the document pass.

use crate::lexicon::Lexicon;
use crate::scan::Cand;
use crate::vocab::{ChangeCue, Compiled, Cue};
use quarry_core::{Comparator, Direction, Kind, Metric, Modality};

fn cue_cmp(c: Cue) -> Option<Comparator> {
    Some(match c {
        Cue::None => return None,
        Cue::Ge => Comparator::Ge,
        Cue::Gt => Comparator::Gt,
        Cue::Le => Comparator::Le,
        Cue::Lt => Comparator::Lt,
        Cue::Approx => Comparator::Approx,
    })
}

fn is_latin(c: char) -> bool {
    c.is_ascii_alphabetic()
}

/// Index just after a comparator written after the quantity (`以上`, `左右`,
/// ` or lower`), or `end` when there is none.
pub fn after_comparator_end(v: &Compiled, chars: &[char], end: usize) -> usize {
    if let Some((len, _)) = v.cmp_after.longest_at(chars, end) {
        return end + len;
    }
    if chars.get(end) == Some(&' ') {
        if let Some((len, _)) = v.cmp_after.longest_at(chars, end + 1) {
            if chars.get(end + 1).is_some_and(|c| is_latin(*c)) {
                return end + 1 + len;
            }
        }
    }
    end
}

/// The comparator, the left edge with a comparator written before, and
/// [`after_comparator_end`] (returned, for the caller needs it too).
fn comparator_of(v: &Compiled, chars: &[char], c: &Cand) -> (Comparator, usize, usize) {
    let mut left = c.start;
    let mut before = None;
    let probe = if left > 0 && chars[left - 1] == ' ' {
        left - 1
    } else {
        left
    };
    if let Some((len, cue)) = v.cmp_before.longest_ending_at(chars, probe) {
        let latin = is_latin(chars[probe - 1]);
        if (latin == (probe != left) || !latin) && *cue != Cue::None {
            before = cue_cmp(*cue);
            left = probe - len;
        }
    }
    let mut after = None;
    let k = after_comparator_end(v, chars, c.end);
    if k > c.end {
        let from = if chars[c.end] == ' ' {
            c.end + 1
        } else {
            c.end
        };
        after = v
            .cmp_after
            .longest_at(chars, from)
            .and_then(|(_, cue)| cue_cmp(*cue));
    }
    let cmp = c
        .comparator
        .or(after)
        .or(before)
        .or(c.internal)
        .unwrap_or(Comparator::Eq);
    (cmp, left, k)
}

fn is_clause_break(chars: &[char], k: usize) -> bool {
    match chars[k] {
        '，' | '；' | '。' | '：' | '！' | '？' | ';' | '!' | '?' => true,
        ',' | ':' => {
            !(k > 0
                && chars[k - 1].is_ascii_digit()
                && chars.get(k + 1).is_some_and(|c| c.is_ascii_digit()))
        }
        _ => false,
    }
}

fn clause_start(chars: &[char], left: usize) -> usize {
    clause_start_from(chars, left, 0).unwrap_or(0)
}

/// The clause start of `left` if a break lies in `floor..left`.
fn clause_start_from(chars: &[char], left: usize, floor: usize) -> Option<usize> {
    // a tight search for the chars that can break a clause, then the full test
    let mut end = left;
    while let Some(j) = chars[floor..end].iter().rposition(|c| {
        matches!(
            c,
            '，' | '；' | '。' | '：' | '！' | '？' | ';' | '!' | '?' | ',' | ':'
        )
    }) {
        let k = floor + j;
        if is_clause_break(chars, k) {
            return Some(k + 1);
        }
        end = k;
    }
    None
}

/// Buffers reused by the metrics of a sentence, so that each metric does not
/// grow its own.
#[derive(Default)]
struct Scratch {
    toks: Vec<(ChangeCue, usize, usize)>,
    words: Vec<(usize, usize)>,
}

fn kind_of(
    v: &Compiled,
    chars: &[char],
    from: usize,
    left: usize,
    c: &Cand,
    scratch: &mut Scratch,
) -> (Kind, Option<Direction>) {
    if c.base.as_deref() == Some("doubling") {
        return (Kind::Change, Some(Direction::Up));
    }
    let window = if chars[left.saturating_sub(1)].is_ascii() {
        60
    } else {
        14
    };
    let from = from.max(left.saturating_sub(window));
    let latin = chars[left.saturating_sub(1)].is_ascii();
    let toks = &mut scratch.toks;
    toks.clear();
    let mut i = from;
    // whether chars[i - 1] is a Latin letter, carried from the step before
    // instead of tested again
    let mut prev_alpha = i > 0 && chars[i - 1].is_ascii_alphabetic();
    while i < left {
        let alpha = chars[i].is_ascii_alphabetic();
        // inside a Latin word no entry starts (`longest_at` says so first):
        // skipping the call there saves most of an English window's probes
        if alpha && prev_alpha {
            i += 1;
            continue;
        }
        if let Some((len, cue)) = v.change.longest_at(chars, i) {
            toks.push((*cue, i + len, len));
            i += len;
            prev_alpha = chars[i - 1].is_ascii_alphabetic();
        } else {
            prev_alpha = alpha;
            i += 1;
        }
    }
    let mut seen_to = false;
    for (cue, cue_end, cue_len) in toks.iter().rev() {
        match cue {
            ChangeCue::To => seen_to = true,
            ChangeCue::Level => return (Kind::Level, None),
            ChangeCue::ChangeNoun => return (Kind::Change, Some(Direction::Up)),
            ChangeCue::Up | ChangeCue::Down => {
                if seen_to {
                    return (Kind::Level, None);
                }
                // English: a change is "rise BY" or a rate right after the
                // verb (`rose 3 percent`); `raised $40,000` is an amount
                if latin && !english_change(chars, *cue_end, left, c, &mut scratch.words) {
                    return (Kind::Level, None);
                }
                // a one-character cue (减, 降, 高) is part of a compound word
                // (`减税政策`) unless it stands right before the number
                // and a verb reaches only a short object (`减少投资审批事项100项`,
                // not `提升农村公路技术等级3000公里`)
                // (earlier numbers of a list, `增长2%、15%、13%`, do not count)
                let gap = chars[*cue_end..left]
                    .iter()
                    .filter(|&&ch| !ch.is_ascii() && !matches!(ch, '、' | '和' | '及' | '，'))
                    .count();
                if !latin && ((*cue_len == 1 && left - cue_end > 1) || gap > 6) {
                    return (Kind::Level, None);
                }
                let d = if *cue == ChangeCue::Up {
                    Direction::Up
                } else {
                    Direction::Down
                };
                return (Kind::Change, Some(d));
            }
        }
    }
    // "186.8 billion yuan more than last year", "a $100 billion increase"
    let after = &chars[c.end..(c.end + 30).min(chars.len())];
    // ASCII case folded, as `to_ascii_lowercase` of the text would; no
    // string is built, for this runs for most quantities
    let starts_with = |w: &str| {
        debug_assert!(w.is_ascii());
        w.len() <= after.len()
            && w.bytes()
                .zip(after)
                .all(|(a, b)| char::from(a) == b.to_ascii_lowercase())
    };
    // every word below starts with a space: most quantities are followed by
    // none (Chinese text), which settles it before twenty compares
    if after.first() != Some(&' ') {
        return (Kind::Level, None);
    }
    for (w, d) in [
        (" higher", Direction::Up),
        (" more than", Direction::Up),
        (" above", Direction::Up),
        (" lower", Direction::Down),
        (" less than", Direction::Down),
        (" below", Direction::Down),
        (" increase", Direction::Up),
        (" rise", Direction::Up),
        (" gain", Direction::Up),
        (" jump", Direction::Up),
        (" cut", Direction::Down),
        (" reduction", Direction::Down),
        (" decline", Direction::Down),
        (" decrease", Direction::Down),
        (" drop", Direction::Down),
        (" more than last year", Direction::Up),
        (" more than the previous year", Direction::Up),
        (" higher than last year", Direction::Up),
        (" less than last year", Direction::Down),
        (" lower than last year", Direction::Down),
    ] {
        if starts_with(w) {
            return (Kind::Change, Some(d));
        }
    }
    (Kind::Level, None)
}

/// Bits of [`lists_of`], one for each English word list.
const CUT: u8 = 1;
const DET: u8 = 2;
const FILLER: u8 = 4;
const TIME: u8 = 8;
const TRANSFER: u8 = 16;
/// Not a list: set by [`word_bits`] for a word [`lower`] keeps nothing of.
const EMPTY: u8 = 128;

/// A word of up to 16 bytes as one number, zero padded: a probe compares
/// two integers instead of two slices.
fn word_key(w: &[u8]) -> Option<u128> {
    let mut buf = [0u8; 16];
    buf.get_mut(..w.len())?.copy_from_slice(w);
    Some(u128::from_le_bytes(buf))
}

const WORD_SLOTS: usize = 1024;

fn word_slot(key: u128) -> usize {
    let h =
        (key as u64 ^ (key >> 64) as u64 ^ (key >> 93) as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (h >> 54) as usize
}

/// The English word lists that hold `w` (bits CUT, DET, ...). One probe of
/// an open-addressing table built once answers for all lists at a time:
/// a skipped English word is tested against four of them, and a hash set
/// per list cost more than the rest of the phrase search. Words are compared
/// as bytes: a [`lower`]ed word need not be validated as UTF-8.
fn lists_of(w: &[u8]) -> u8 {
    use std::sync::OnceLock;
    // (key, lists); a key of 0 is an empty slot, as no listed word is empty
    static TABLE: OnceLock<Vec<(u128, u8)>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut t = vec![(0u128, 0u8); WORD_SLOTS];
        for (list, bit) in [
            (EN_CUT, CUT),
            (EN_DET, DET),
            (EN_FILLER, FILLER),
            (EN_TIME, TIME),
            (EN_TRANSFER, TRANSFER),
        ] {
            for word in list {
                let key = word_key(word.as_bytes()).expect("listed words are short");
                let mut i = word_slot(key);
                while t[i].0 != 0 && t[i].0 != key {
                    i = (i + 1) % WORD_SLOTS;
                }
                t[i] = (key, t[i].1 | bit);
            }
        }
        t
    });
    let Some(key) = word_key(w).filter(|&k| k != 0) else {
        return 0;
    };
    let mut i = word_slot(key);
    loop {
        let (k, bits) = table[i];
        if k == key {
            return bits;
        }
        if k == 0 {
            return 0;
        }
        i = (i + 1) % WORD_SLOTS;
    }
}

static EN_TIME: &[&str] = &[
    "year",
    "years",
    "month",
    "months",
    "today",
    "annually",
    "yesterday",
    "now",
    "currently",
    "presently",
    "fiscal",
    "quarter",
    "week",
];

static EN_FILLER: &[&str] = &[
    "a",
    "an",
    "the",
    "modest",
    "just",
    "about",
    "around",
    "some",
    "nearly",
    "only",
    "another",
    "additional",
    "its",
    "their",
    "further",
    "roughly",
    "approximately",
    "almost",
    "over",
    "more",
    "than",
    "less",
    "at",
    "least",
    "solid",
    "strong",
    "moderate",
    "annual",
    "annualized",
    "average",
    "estimated",
    "record",
    "mere",
    "whopping",
    "of",
];

fn english_change(
    chars: &[char],
    cue_end: usize,
    left: usize,
    c: &Cand,
    words: &mut Vec<(usize, usize)>,
) -> bool {
    words_of(chars, cue_end, left, words);
    let rate = matches!(
        c.base.as_deref(),
        Some("percent") | Some("pct_point") | Some("basis_point")
    );
    // one pass, each word lowered once: `by` anywhere or a verb or `of`
    // first makes a change; otherwise a rate needs nothing but fillers
    let mut fillers = true;
    for (j, &w) in words.iter().enumerate() {
        let l = lower(chars, w);
        // `increase of 5 percent`; the rise as subject: `CPI increase will be kept around 4 percent`
        if *l == *b"by"
            || (j == 0
                && matches!(
                    &*l,
                    b"of" | b"will" | b"is" | b"was" | b"should" | b"would" | b"shall" | b"must"
                ))
        {
            return true;
        }
        fillers = fillers && rate && lists_of(&l) & FILLER != 0;
    }
    rate && fillers
}

static CUT_ZH: &[&str] = &[
    "均在",
    "均达到",
    "均保持",
    "均超过",
    "均高于",
    "上涨",
    "下跌",
    "回落",
    "降至",
    "压减",
    "减轻",
    "扩招",
    "实际增长",
    "名义增长",
    "已达",
    "拿出",
    "增长",
    "增加",
    "提高",
    "下降",
    "减少",
    "降低",
    "上升",
    "提升",
    "扩大",
    "缩小",
    "达到",
    "达",
    "为",
    "是",
    "突破",
    "超过",
    "超",
    "控制在",
    "保持在",
    "保持",
    "稳定在",
    "实现",
    "完成",
    "比",
    "由",
    "从",
    "翻",
    "占",
    "年均",
    "同比",
    "分别",
    "均达",
    "均为",
    "约",
    "近",
    "预期",
    "预计",
    "拟安排",
    "拟",
    "安排",
    "将",
    "力争",
    "争取",
    "确保",
    "计划",
    "累计",
    "共有",
    "共计",
    "全年",
    "继续",
    "不低于",
    "不少于",
    "不超过",
    "到",
    "至",
    "了",
    "在",
    "全部",
    "通过",
    "已",
    "新开工",
    "建成",
    "基本建成",
    "解决",
    "惠及",
    "获",
    "创建",
    "引进",
    "搭建",
    "设立",
    "居全",
    "首次",
    "当年",
    "其中",
    "全市",
    "全区",
    "全省",
    "全国",
    "今年",
    "我市",
    "我区",
    "我省",
    "合计",
    "总计",
    "新建",
    "开工",
    "落实",
    "投入使用",
    "按",
    "实施",
    "组织实施",
    "组织",
    "列入",
    "率先",
    "重点抓好",
    "重点培育",
    "聘请",
    "发展壮大",
    "加快发展",
    "帮助",
    "资助",
    "创",
    "促成",
    "增至",
    "升至",
    "降至",
    "减至",
    "增到",
    "迈上",
    "迈入",
    "跨入",
    "入选",
    "获批",
    "获得",
    "覆盖",
    "提请",
    "带动",
    "吸引",
    "开办",
    "抓好",
    "做好",
    "推进",
    "支持",
    "培育",
    "打造",
    "选择",
    "就是",
    "要求",
    "力争实现",
    "努力",
];
const FRAGMENTS: &[&str] = &[
    "增加值",
    "总产值",
    "产值",
    "投资",
    "利润",
    "收入",
    "计划投资",
];
static KEEP_ZH: &[&str] = &[
    "增长贡献率",
    "经济增长",
    "贡献率",
    "在职",
    "在校",
    "在岗",
    "增加值",
    "覆盖率",
    "覆盖面",
    "获得感",
    "计划项目",
    "科技计划",
    "创新",
    "创业",
    "帮扶",
    "比重",
    "比例",
    "新增",
    "增长率",
    "计划投资",
    "以上",
    "以下",
    "在建",
    "全社会",
    "为民",
    "实际",
    "基本养老",
    "基本医疗",
    "基本公共",
    "建设投资",
    "完成投资",
    "到位",
    "超亿元",
    "超百亿元",
    "超十亿元",
    "超千万元",
    "超千亿元",
    "主要",
    "重要",
    "需要",
    "达标",
    "发达",
    "人均",
    "居民",
];
static LEAD_ZH: &[&str] = &[
    "累积",
    "累计",
    "共",
    "五年",
    "三年",
    "十年",
    "两年",
    "五年来",
    "近年来",
    "多年来",
    "年来",
    "一年来",
    "的基础上",
    "基础上",
    "就是",
    "其中",
    "全市",
    "全区",
    "全省",
    "全国",
    "今年",
    "我市",
    "我区",
    "我省",
    "全年",
    "当年",
];

/// One of the lists above, with the chars its words start with.
struct ZhList {
    lex: Lexicon<()>,
    /// A bit for each word's first char (hashed to 4096 bits, case folded as
    /// the lexicon folds it): the phrase scans probe every char, most start
    /// no word, and a clear bit answers that without the lexicon's call.
    first: [u64; 64],
    /// The same for the first chars of one-char words, and for the pair of
    /// first chars of longer words: most probes past `first` fail on the
    /// second char, and the lexicon's call costs more than two bit tests.
    /// (No word of these lists holds whitespace, which the lexicon matches
    /// loosely; `new` checks.)
    single: [u64; 64],
    pairs: [u64; 64],
}

impl ZhList {
    fn slot(c: char) -> (usize, u64) {
        let h = u32::from(c.to_ascii_lowercase()) & 0xfff;
        ((h >> 6) as usize, 1 << (h & 63))
    }

    fn pair_slot(a: char, b: char) -> (usize, u64) {
        let (a, b) = (
            u32::from(a.to_ascii_lowercase()),
            u32::from(b.to_ascii_lowercase()),
        );
        let h = (a.wrapping_mul(0x9e37_79b1) ^ b).wrapping_mul(0x85eb_ca6b) >> 20;
        ((h >> 6) as usize, 1 << (h & 63))
    }

    fn new(words: &[&str]) -> Self {
        let mut list = ZhList {
            lex: Lexicon::new(),
            first: [0; 64],
            single: [0; 64],
            pairs: [0; 64],
        };
        for w in words {
            assert!(!w.chars().any(char::is_whitespace), "{w:?}");
            list.lex.insert(w, ());
            let mut cs = w.chars();
            if let Some(c) = cs.next() {
                let (k, bit) = Self::slot(c);
                list.first[k] |= bit;
                match cs.next() {
                    None => list.single[k] |= bit,
                    Some(d) => {
                        let (k, bit) = Self::pair_slot(c, d);
                        list.pairs[k] |= bit;
                    }
                }
            }
        }
        list
    }
}

impl ZhList {
    /// Longest word of the list at `at`. Inlined: the phrase scans probe at
    /// every char, and most probes end at the bit test without a call.
    #[inline(always)]
    fn at(&self, chars: &[char], at: usize) -> Option<usize> {
        let c = *chars.get(at)?;
        let (k, bit) = ZhList::slot(c);
        if self.first[k] & bit == 0 {
            return None;
        }
        if self.single[k] & bit == 0 {
            let (p, pbit) = ZhList::pair_slot(c, *chars.get(at + 1)?);
            if self.pairs[p] & pbit == 0 {
                return None;
            }
        }
        self.lex.longest_at(chars, at).map(|(len, _)| len)
    }
}

/// One of the lists above, built on first use. Inlined, so that the list is
/// picked at compile time.
#[inline(always)]
fn zh_list(words: &'static [&'static str]) -> &'static ZhList {
    use std::sync::OnceLock;
    static CUT: OnceLock<ZhList> = OnceLock::new();
    static KEEP: OnceLock<ZhList> = OnceLock::new();
    static LEAD: OnceLock<ZhList> = OnceLock::new();
    let cell = if std::ptr::eq(words, CUT_ZH) {
        &CUT
    } else if std::ptr::eq(words, KEEP_ZH) {
        &KEEP
    } else {
        &LEAD
    };
    cell.get_or_init(|| ZhList::new(words))
}

/// Longest word of one of the lists above at `at`.
#[inline(always)]
fn match_any(chars: &[char], at: usize, words: &'static [&'static str]) -> Option<usize> {
    zh_list(words).at(chars, at)
}

fn trim_zh(s: &[char]) -> &[char] {
    let mut a = 0;
    let mut b = s.len();
    while a < b
        && matches!(
            s[a],
            '、' | '，' | ',' | ' ' | '—' | '-' | '的' | '和' | '及' | '并' | '；' | '：'
        )
    {
        a += 1;
    }
    while b > a
        && matches!(
            s[b - 1],
            '、' | '，' | ',' | ' ' | '的' | '和' | '及' | '（' | '—'
        )
    {
        b -= 1;
    }
    &s[a..b]
}

/// Strips leading fillers, years and verbs, then cuts at the first verb.
fn zh_phrase(seg: &[char]) -> Option<String> {
    let mut s = trim_zh(seg);
    loop {
        let before = s.len();
        if let Some(l) = match_any(s, 0, LEAD_ZH) {
            s = &s[l..];
        }
        // a leading year: 2024年, 2024年的
        // `2024年`, `1 9 9 7 年`
        let d = s
            .iter()
            .take_while(|c| c.is_ascii_digit() || **c == ' ')
            .count();
        if d >= 4
            && s.get(d) == Some(&'年')
            && s[..d].iter().filter(|c| c.is_ascii_digit()).count() == 4
        {
            s = &s[d + 1..];
        }
        // a year in Chinese numerals: 一九五七年
        let zy = s
            .iter()
            .take_while(|c| crate::numbers::zh_digit(**c).is_some())
            .count();
        if zy == 4 && s.get(4) == Some(&'年') {
            s = &s[5..];
        }
        // an ordinal batch or phase: 第一批, 第三期
        if s.first() == Some(&'第') {
            let k = 1 + s[1..]
                .iter()
                .take_while(|c| crate::numbers::is_zh_numeral(**c) || c.is_ascii_digit())
                .count();
            if k > 1
                && k < s.len()
                && matches!(s[k], '批' | '期' | '届' | '次' | '轮' | '个' | '阶')
            {
                s = &s[k + 1..];
            }
        }
        if match_any(s, 0, KEEP_ZH).is_none() {
            if let Some(l) = match_any(s, 0, CUT_ZH) {
                s = &s[l..];
            }
        }
        s = trim_zh(s);
        if s.len() == before {
            break;
        }
    }
    let mut i = 0;
    let mut cut = s.len();
    // the lists are looked up once, and a char that starts a word of
    // neither is passed over by one bit test
    let (keeps, cuts) = (zh_list(KEEP_ZH), zh_list(CUT_ZH));
    while i < s.len() {
        let (k, bit) = ZhList::slot(s[i]);
        if (keeps.first[k] | cuts.first[k]) & bit == 0 {
            i += 1;
            continue;
        }
        // the longer word wins: 实际 is kept, 实际增长 is cut
        let keep = keeps.at(s, i).unwrap_or(0);
        let verb = cuts.at(s, i).unwrap_or(0);
        if verb > keep {
            cut = i;
            break;
        }
        i += keep.max(1);
    }
    let mut p = trim_zh(&s[..cut]);
    // examples before 等 name members of the set, not the set
    if let Some(k) = p.iter().rposition(|&c| c == '等') {
        if k + 1 == p.len() {
            return None;
        }
        p = trim_zh(&p[k + 1..]);
    }
    // the base of a comparison (`是“十五”时期的`, `比上年`) names no indicator
    const BASES: [[char; 2]; 8] = [
        ['时', '期'],
        ['期', '末'],
        ['期', '间'],
        ['同', '期'],
        ['上', '年'],
        ['去', '年'],
        ['年', '底'],
        ['年', '末'],
    ];
    if BASES.iter().any(|w| p.ends_with(w)) {
        return None;
    }
    // a trailing year (`比重2024年`)
    let yl = p.len();
    if yl >= 5 && p[yl - 1] == '年' && p[yl - 5..yl - 1].iter().all(|c| c.is_ascii_digit()) {
        p = trim_zh(&p[..yl - 5]);
    }
    (p.len() >= 2 && p.iter().any(|c| !c.is_ascii_punctuation())).then(|| string_of(p))
}

/// The noun phrase right after a quantity (`153座病险水库除险加固`).
fn zh_forward(chars: &[char], from: usize, limit: usize) -> Option<(String, usize)> {
    let first = *chars.get(from)?;
    if first == '的' {
        return None;
    }
    if !('\u{4e00}'..='\u{9fff}').contains(&first) && first != '“' {
        return None;
    }
    if match_any(chars, from, CUT_ZH).is_some() && match_any(chars, from, KEEP_ZH).is_none() {
        return None;
    }
    let mut k = from;
    while k < limit.min(chars.len())
        && k - from < 16
        && !is_clause_break(chars, k)
        && chars[k] != '、'
        && !chars[k].is_ascii_digit()
    {
        k += 1;
    }
    // a generic word after the number names nothing (`1000套目标`)
    zh_phrase(&chars[from..k])
        .filter(|p| {
            !matches!(
                p.as_str(),
                "目标" | "任务" | "水平" | "规模" | "大关" | "台阶"
            )
        })
        .map(|p| (p, k))
}

static EN_CUT: &[&str] = &[
    "surpassed",
    "topped",
    "exceeded",
    "stood",
    "reached",
    "accounted",
    "resulted",
    "benefiting",
    "average",
    "averaged",
    "posted",
    "recorded",
    "registered",
    "hit",
    "totaling",
    "totalling",
    "unchanged",
    "steady",
    "will",
    "would",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "being",
    "has",
    "have",
    "had",
    "to",
    "by",
    "at",
    "grow",
    "grew",
    "grown",
    "rise",
    "rose",
    "increase",
    "increased",
    "increases",
    "decrease",
    "decreased",
    "fall",
    "fell",
    "reach",
    "reached",
    "from",
    "kept",
    "keep",
    "remain",
    "remained",
    "stand",
    "stood",
    "total",
    "totaled",
    "totalled",
    "account",
    "accounts",
    "accounted",
    "amount",
    "amounted",
    "hit",
    "of",
    "with",
    "than",
    "about",
    "around",
    "projected",
    "expected",
    "set",
    "for",
    "on",
    "in",
    "up",
    "down",
    "cut",
    "raise",
    "reduce",
    "complete",
    "consisting",
    "more",
    "less",
    "over",
    "under",
    "nearly",
    "almost",
    "approximately",
    "some",
    "just",
    "only",
    "and",
    "or",
    "that",
    "which",
    "who",
    "we",
    "it",
    "they",
    "i",
    "this",
    "these",
    "there",
    "start",
    "create",
    "created",
    "add",
    "added",
    "compared",
    "while",
    "as",
    "per",
];
static EN_DET: &[&str] = &[
    "the", "a", "an", "its", "our", "their", "his", "her", "--", "-", "this", "that",
];
static EN_TRANSFER: &[&str] = &[
    "allocate",
    "spend",
    "invest",
    "provide",
    "earmark",
    "inject",
    "allocated",
    "spent",
    "invested",
    "provided",
    "set aside",
];

/// The space-separated words of `chars[from..to]`, into `out` (a buffer the
/// caller reuses).
fn words_of(chars: &[char], from: usize, to: usize, out: &mut Vec<(usize, usize)>) {
    words_upto(chars, from, to, usize::MAX, out);
}

/// The first `max` words of [`words_of`]: a caller that reads no further
/// need not split the rest.
fn words_upto(chars: &[char], from: usize, to: usize, max: usize, out: &mut Vec<(usize, usize)>) {
    out.clear();
    let seg = if from < to { &chars[from..to] } else { &[] };
    let mut start = None;
    for (k, &c) in seg.iter().enumerate() {
        if c != ' ' {
            start.get_or_insert(k);
        } else if let Some(s) = start.take() {
            out.push((from + s, from + k));
            if out.len() == max {
                return;
            }
        }
    }
    if let Some(s) = start.filter(|_| out.len() < max) {
        out.push((from + s, to));
    }
}

/// A word as [`lower`] gives it, as UTF-8 bytes. English clauses call it
/// several times a word, so a short ASCII word stays on the stack instead of
/// the heap; the word lists are ASCII, so comparing bytes needs no UTF-8
/// check of the buffer.
enum Lower {
    Short([u8; 24], u8),
    Long(String),
}

impl std::ops::Deref for Lower {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Lower::Short(b, n) => &b[..usize::from(*n)],
            Lower::Long(s) => s.as_bytes(),
        }
    }
}

/// The word's letters, digits and hyphens, ASCII lowercased.
fn lower(chars: &[char], w: (usize, usize)) -> Lower {
    let word = &chars[w.0..w.1];
    let mut buf = [0u8; 24];
    let mut n = 0;
    // each ASCII char kept, lowercased, or 0 when dropped: one load
    // instead of the class tests and the case fold per char
    static KEEP: [u8; 128] = {
        let mut t = [0u8; 128];
        let mut b = 0;
        while b < 128 {
            let c = b as u8;
            if c.is_ascii_alphanumeric() || c == b'-' {
                t[b] = c.to_ascii_lowercase();
            }
            b += 1;
        }
        t
    };
    for &c in word {
        if let Some(&k) = KEEP.get(c as usize) {
            if k == 0 {
                continue;
            }
            if n == buf.len() {
                return lower_long(word);
            }
            buf[n] = k;
            n += 1;
        } else if c.is_alphanumeric() {
            // kept, but not ASCII: the rare word that needs a String
            return lower_long(word);
        }
    }
    Lower::Short(buf, n as u8)
}

#[cold]
fn lower_long(word: &[char]) -> Lower {
    Lower::Long(
        word.iter()
            .filter(|c| c.is_alphanumeric() || **c == '-')
            .map(|c| c.to_ascii_lowercase())
            .collect(),
    )
}

/// A word's bits of [`lists_of`], with EMPTY set when [`lower`] keeps no
/// char of it.
fn word_bits(l: &[u8]) -> u8 {
    if l.is_empty() {
        EMPTY
    } else {
        lists_of(l)
    }
}

/// `bits(j)` gives [`word_bits`] of `words[j]`: a caller that has looked the
/// words up already passes what it found instead of lowering them again.
fn en_phrase(
    chars: &[char],
    words: &[(usize, usize)],
    bits: impl Fn(usize) -> u8,
) -> Option<String> {
    let (mut a, mut b) = (0, words.len());
    while a < b && bits(a) & (DET | EMPTY) != 0 {
        a += 1;
    }
    while b > a && bits(b - 1) & (EMPTY | CUT | DET) != 0 {
        b -= 1;
    }
    let w = &words[a..b];
    let (&first, &last) = (w.first()?, w.last()?);
    // trimmed and tested on the chars, so only a phrase that is kept is built
    let mut s = &chars[first.0..last.1];
    let edge = |c: &char| matches!(c, ',' | '-' | ' ');
    while s.first().is_some_and(edge) {
        s = &s[1..];
    }
    while s.last().is_some_and(edge) {
        s = &s[..s.len() - 1];
    }
    s.iter().any(|c| c.is_alphabetic()).then(|| string_of(s))
}

/// The words of [`words_of`], last first: the phrase before a quantity is
/// read from its end and rarely reaches far back into the clause.
struct WordsBack<'a> {
    chars: &'a [char],
    from: usize,
    at: usize,
}

impl Iterator for WordsBack<'_> {
    type Item = (usize, usize);
    fn next(&mut self) -> Option<(usize, usize)> {
        while self.at > self.from && self.chars[self.at - 1] == ' ' {
            self.at -= 1;
        }
        if self.at == self.from {
            return None;
        }
        let end = self.at;
        while self.at > self.from && self.chars[self.at - 1] != ' ' {
            self.at -= 1;
        }
        Some((self.at, end))
    }
}

/// The phrase ending the segment `chars[from..left]` before the quantity;
/// `words` is a buffer to reuse.
fn en_backward(
    chars: &[char],
    from: usize,
    left: usize,
    words: &mut Vec<(usize, usize)>,
) -> Option<String> {
    let skip = |l: &[u8]| {
        lists_of(l) & (CUT | DET | FILLER | TIME) != 0
            || l.iter().all(|b| b.is_ascii_digit())
            || (l.len() > 4 && l.ends_with(b"ly"))
    };
    let mut back = WordsBack {
        chars,
        from,
        at: left,
    };
    // the last word kept is lowered once, for the test and the loop below
    let last = back
        .by_ref()
        .map(|w| (w, lower(chars, w)))
        .find(|(_, l)| !skip(l))?;
    let mut next = Some(last);
    // the phrase, last word first, at most 12 words; bit j of `preps` marks
    // a preposition at position j from the end; `marks` keeps each word's
    // [`word_bits`] for `en_phrase`
    words.clear();
    let mut preps: u16 = 0;
    let mut marks = [0u8; 12];
    while let Some((w, l)) = next {
        let lists = lists_of(&l);
        if lists & (DET | TIME) != 0
            || (l.len() > 4 && l.ends_with(b"ly"))
            || (lists & CUT != 0 && !matches!(&*l, b"of" | b"on" | b"and" | b"for" | b"in"))
            || words.len() >= 12
        {
            break;
        }
        if matches!(&*l, b"for" | b"in" | b"on") {
            preps |= 1 << words.len();
        }
        marks[words.len()] = if l.is_empty() { EMPTY } else { lists };
        words.push(w);
        next = back.next().map(|w| (w, lower(chars, w)));
    }
    words.reverse();
    let n = words.len();
    marks[..n].reverse();
    // `subsidies for medical insurance for non-working urban residents`:
    // the head and its first complement
    let mut cut = n;
    let mut seen = 0;
    for j in 0..n {
        if preps & (1 << (n - 1 - j)) != 0 {
            seen += 1;
            if seen == 2 {
                cut = j;
                break;
            }
        }
    }
    en_phrase(chars, &words[..cut], |j| marks[j])
}

fn en_forward(
    chars: &[char],
    from: usize,
    words: &mut Vec<(usize, usize)>,
) -> Option<(String, usize)> {
    // most quantities are followed by no preposition: one word tells; the
    // phrase then takes at most nine
    let to = chars.len().min(from + 80);
    words_upto(chars, from, to, 1, words);
    let first = lower(chars, *words.first()?);
    if !matches!(&*first, b"in" | b"for" | b"on" | b"of" | b"to") {
        return None;
    }
    words_upto(chars, from, to, 9, words);
    let mut k = 1;
    while k < words.len() && k < 9 {
        let (s, e) = words[k];
        if chars[s].is_ascii_digit() || chars[s] == '$' {
            break;
        }
        let l = lower(chars, words[k]);
        if matches!(
            &*l,
            b"will" | b"is" | b"are" | b"was" | b"were" | b"to" | b"by" | b"which" | b"that"
        ) {
            break;
        }
        k += 1;
        if chars[e - 1] == '.' || chars[e - 1] == ';' {
            break;
        }
    }
    let end = words.get(k - 1).map(|w| w.1).unwrap_or(from);
    let phrase = &words[1..k];
    en_phrase(chars, phrase, |j| word_bits(&lower(chars, phrase[j]))).map(|mut p| {
        p.truncate(p.trim_end_matches('.').len());
        (p, end)
    })
}

fn indicator_zh(
    chars: &[char],
    seg_from: usize,
    left: usize,
    after: usize,
    limit: usize,
    counted: bool,
) -> (Option<String>, usize) {
    let seg = &chars[seg_from.min(left)..left];
    // X占Y的Z%: the share is X's
    if let Some(k) = seg.iter().position(|&c| c == '占') {
        // start after the last verb before 占
        let mut a = 0;
        let mut i = 0;
        while i < k {
            if let Some(l) = match_any(seg, i, KEEP_ZH) {
                i += l;
            } else if let Some(l) = match_any(seg, i, CUT_ZH).filter(|l| i + l <= k) {
                i += l;
                a = i;
            } else {
                if matches!(seg[i], '，' | '、' | ',') {
                    a = i + 1;
                }
                i += 1;
            }
        }
        if let Some(p) = zh_phrase(&seg[a..k]) {
            return (Some(p), after);
        }
    }
    // `引进浦东发展银行等6家银行`, `完成153座病险水库除险加固`: a count
    // followed by its noun counts that noun
    if trim_zh(seg).last() == Some(&'等') || counted {
        if let Some((p, e)) = zh_forward(chars, after, limit) {
            return (Some(p), e);
        }
    }
    if let Some(p) = zh_phrase(seg) {
        return (Some(p), after);
    }
    match zh_forward(chars, after, limit) {
        Some((p, e)) => (Some(p), e),
        None => (None, after),
    }
}

fn indicator_en(
    chars: &[char],
    seg_from: usize,
    left: usize,
    after: usize,
    c: &Cand,
    words: &mut Vec<(usize, usize)>,
) -> (Option<String>, usize) {
    let from = seg_from.min(left);
    let transfer = WordsBack {
        chars,
        from,
        at: left,
    }
    .next()
    .is_some_and(|w| lists_of(&lower(chars, w)) & TRANSFER != 0);
    if !transfer {
        if let Some(p) = en_backward(chars, from, left, words) {
            if !["government", "central government", "it", "we"]
                .iter()
                .any(|w| p.eq_ignore_ascii_case(w))
            {
                return (Some(p), after);
            }
        }
    }
    if let Some((p, e)) = en_forward(chars, after, words) {
        return (Some(p), e);
    }
    // "9 million new jobs": the counted noun
    let counted = c
        .base
        .as_deref()
        .is_some_and(|b| matches!(b, "person" | "household" | "count"));
    if let Some(u) = c.unit.as_ref().filter(|_| counted) {
        let noun: Vec<&str> = u
            .split(' ')
            .filter(|w| {
                !matches!(
                    *w,
                    "thousand" | "million" | "billion" | "trillion" | "$" | "bn"
                )
            })
            .collect();
        if !noun.is_empty() {
            return (Some(noun.join(" ")), after);
        }
    }
    (None, after)
}

/// value x factor without binary noise for powers of ten: `287.9亿` is
/// 28790000000, not 28789999999.999996.
fn scale(value: f64, factor: f64) -> f64 {
    /// Exact in binary, as literals are.
    const POW10: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    let exp = factor.log10().round();
    if factor > 1.0 && (10f64.powi(exp as i32) - factor).abs() < 1e-9 * factor {
        // A whole number times an exact power of ten is exact in binary
        // while below 2^53, and the decimal text parses to that same number:
        // most quantities (`500万`) need no text.
        if value.fract() == 0.0 && POW10.get(exp as usize) == Some(&factor) {
            let v = value * factor;
            if v.abs() < 9_007_199_254_740_992.0 {
                return v;
            }
        }
        let mut text = StackText::default();
        let parsed = if std::fmt::Write::write_fmt(&mut text, format_args!("{value}e{exp}")).is_ok()
        {
            std::str::from_utf8(text.bytes())
                .ok()
                .and_then(|t| t.parse::<f64>().ok())
        } else {
            // longer than the buffer: extreme magnitudes only
            format!("{value}e{exp}").parse::<f64>().ok()
        };
        if let Some(v) = parsed {
            return v;
        }
    }
    value * factor
}

/// Text formatted on the stack: [`scale`] formats a number for every
/// quantity with a fractional value, and a heap string for each cost more
/// than the formatting.
struct StackText {
    buf: [u8; 64],
    len: usize,
}

impl Default for StackText {
    fn default() -> Self {
        StackText {
            buf: [0; 64],
            len: 0,
        }
    }
}

impl StackText {
    fn bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

impl std::fmt::Write for StackText {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        self.buf
            .get_mut(self.len..end)
            .ok_or(std::fmt::Error)?
            .copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// The chars as a string, allocated once at its final size (collecting
/// chars reserves one byte a char, so CJK text would grow it several times).
fn string_of(chars: &[char]) -> String {
    // most strings are short: encoded into a stack buffer in one pass, then
    // copied into a string of the exact size, with no pass that sums the
    // lengths first and no capacity check per char
    let mut buf = [0u8; 128];
    if chars.len() > buf.len() / 4 {
        return string_of_long(chars);
    }
    let mut n = 0;
    for &c in chars {
        let u = u32::from(c);
        let cont = |shift: u32| 0x80 | (u >> shift & 0x3f) as u8;
        if u < 0x80 {
            buf[n] = u as u8;
            n += 1;
        } else if u < 0x800 {
            buf[n..n + 2].copy_from_slice(&[0xc0 | (u >> 6) as u8, cont(0)]);
            n += 2;
        } else if u < 0x1_0000 {
            buf[n..n + 3].copy_from_slice(&[0xe0 | (u >> 12) as u8, cont(6), cont(0)]);
            n += 3;
        } else {
            buf[n..n + 4].copy_from_slice(&[0xf0 | (u >> 18) as u8, cont(12), cont(6), cont(0)]);
            n += 4;
        }
    }
    // SAFETY: the bytes are the UTF-8 encoding of chars, by the table of
    // lengths above (`char` excludes surrogates and values past U+10FFFF)
    String::from(unsafe { std::str::from_utf8_unchecked(&buf[..n]) })
}

#[cold]
fn string_of_long(chars: &[char]) -> String {
    let mut s = String::with_capacity(chars.iter().map(|c| c.len_utf8()).sum());
    s.extend(chars);
    s
}

/// The slice without leading and trailing whitespace, as `str::trim` would
/// strip it (both go by `char::is_whitespace`).
fn trim_space(s: &[char]) -> &[char] {
    let a = s.iter().position(|c| !c.is_whitespace()).unwrap_or(s.len());
    let b = s
        .iter()
        .rposition(|c| !c.is_whitespace())
        .map_or(a, |k| k + 1);
    &s[a..b]
}

pub(crate) fn fill(v: &Compiled, chars: &[char], mut cands: Vec<Cand>) -> Vec<Metric> {
    let mut out: Vec<Metric> = Vec::with_capacity(cands.len());
    let mut consumed = 0usize;
    let mut lefts: Vec<usize> = Vec::with_capacity(cands.len());
    let mut scratch = Scratch::default();
    // (left, its clause start) of the quantity before
    let mut prev_clause: Option<(usize, usize)> = None;
    for ci in 0..cands.len() {
        // a phrase after this quantity stops where the next one starts
        let limit = cands.get(ci + 1).map_or(chars.len(), |n| n.start);
        let c = &mut cands[ci];
        let (cmp, left, after) = comparator_of(v, chars, c);
        let clause = match prev_clause {
            // the clause starts at the last break before `left`: a quantity
            // further on needs to look back only to the one before
            Some((pl, pc)) if pl <= left => clause_start_from(chars, left, pl).unwrap_or(pc),
            _ => clause_start(chars, left),
        };
        prev_clause = Some((left, clause));
        let kind_from = clause;
        let (kind, direction) = kind_of(v, chars, kind_from, left, c, &mut scratch);
        let seg_from = clause.max(consumed);
        let latin = chars[c.start..c.end]
            .iter()
            .any(|ch| ch.is_ascii_alphabetic())
            || !chars[left.saturating_sub(10)..left]
                .iter()
                .chain(&chars[c.end..(c.end + 4).min(chars.len())])
                .any(|&ch| ch > '\u{2e80}');
        let (mut ind, used) = if latin {
            let a = if chars.get(after) == Some(&' ') {
                after + 1
            } else {
                after
            };
            indicator_en(chars, seg_from, left, a, c, &mut scratch.words)
        } else {
            indicator_zh(
                chars,
                seg_from,
                left,
                after,
                limit,
                matches!(
                    c.base.as_deref(),
                    Some("count") | Some("person") | Some("household")
                ),
            )
        };
        if ind.is_none() {
            // an elided subject continues the clause's (`out` holds the
            // indicators found so far; nothing changes them before the loop ends)
            ind = out.iter().rev().find_map(|m| m.indicator.clone());
        }
        if ind.is_none() && !latin && clause > 0 {
            // or the sentence's opening clause names the programme
            // (`继续推进保障性安居工程建设，…，基本建成500万套`)
            let first_end = (0..clause)
                .find(|&j| is_clause_break(chars, j))
                .unwrap_or(clause);
            ind = zh_phrase(&chars[..first_end]);
        } else if let Some(frag) = ind.as_deref().filter(|i| FRAGMENTS.contains(i)) {
            // `农林牧渔业总产值…、增加值…`: the owner named before carries over
            // only the quantity just before can own the fragment
            let owner = out.last().and_then(|m| m.indicator.clone()).map(|p| {
                FRAGMENTS
                    .iter()
                    .filter_map(|f| p.find(f).filter(|&k| k > 0).map(|k| p[..k].to_string()))
                    .next()
                    .unwrap_or(p)
            });
            if let Some(o) = owner {
                ind = Some(format!("{o}{frag}"));
            }
        }
        consumed = used.max(c.end);
        lefts.push(left);
        let surface = string_of(&chars[c.start..c.end]);
        let value_normalized = match c.base.as_deref() {
            Some("percent") | Some("permille") | Some("pct_point") | Some("basis_point") => c.value,
            _ => scale(c.value, c.factor),
        };
        out.push(Metric {
            surface,
            char_start: c.start as u32,
            char_end: c.end as u32,
            indicator: ind,
            value: c.value,
            // the candidate is not read again: its strings move over
            unit: c.unit.take(),
            value_normalized,
            base_unit: c.base.take().unwrap_or_else(|| "count".into()),
            kind,
            direction,
            comparator: cmp,
            modality: Modality::Actual,
        });
    }
    // a comparator after the last of a list applies to each (`10%和12%以上`)
    for k in (0..out.len().saturating_sub(1)).rev() {
        let sep = trim_space(&chars[out[k].char_end as usize..lefts[k + 1]]);
        if matches!(
            sep,
            ['和'] | ['、'] | ['与'] | ['及'] | ['a', 'n', 'd'] | [',']
        ) && out[k].comparator == Comparator::Eq
            && matches!(
                out[k + 1].comparator,
                Comparator::Ge
                    | Comparator::Gt
                    | Comparator::Le
                    | Comparator::Lt
                    | Comparator::Approx
            )
        {
            out[k].comparator = out[k + 1].comparator;
        }
    }
    // the first number of a range shares its partner's indicator
    for k in (0..out.len().saturating_sub(1)).rev() {
        if out[k].indicator.is_none() && (lefts[k + 1] as u32).saturating_sub(out[k].char_end) <= 2
        {
            out[k].indicator = out[k + 1].indicator.clone();
        }
    }
    split_respectively(chars, &cands, &lefts, out)
}

/// `A、B分别增长10%和12%`: the parts get their own indicators; with one
/// number the metric is repeated per part.
fn split_respectively(
    chars: &[char],
    cands: &[Cand],
    lefts: &[usize],
    mut out: Vec<Metric>,
) -> Vec<Metric> {
    let _ = cands;
    // every sentence is searched and few hold 分别: a branch-free test of a
    // block of chars at a time (which the compiler vectorizes) settles most,
    // and no list of positions is built. The test is for 别: 分 is common
    // (百分之), 别 is not.
    let holds = chars
        .chunks(16)
        .any(|b| b.iter().fold(false, |a, &c| a | (c == '别')));
    let positions = chars
        .iter()
        .enumerate()
        .take(if holds { chars.len() } else { 0 })
        .filter(|&(k, &c)| c == '分' && chars.get(k + 1) == Some(&'别'))
        .map(|(k, _)| k);
    // indicators are assigned on the original indices; repeated metrics are
    // spliced in at the end, last first, so earlier indices stay valid
    let mut dups: Vec<(usize, Vec<String>)> = Vec::new();
    for pos in positions {
        if let Some(d) = split_one(chars, lefts, &mut out, pos) {
            dups.push(d);
        }
    }
    dups.sort_by_key(|d| std::cmp::Reverse(d.0));
    for (k, names) in dups {
        let m = out[k].clone();
        let copies: Vec<Metric> = names
            .iter()
            .map(|nm| Metric {
                indicator: Some(nm.clone()),
                ..m.clone()
            })
            .collect();
        out.splice(k..k + 1, copies);
    }
    out
}

fn split_one(
    chars: &[char],
    lefts: &[usize],
    out: &mut [Metric],
    pos: usize,
) -> Option<(usize, Vec<String>)> {
    let clause = clause_start(chars, pos);
    // metrics of the 分别 clause
    let group: Vec<usize> = (0..lefts.len().min(out.len()))
        .filter(|&k| {
            lefts[k] >= pos && clause_start(chars, lefts[k]) <= pos.max(clause) && {
                let end_clause = (pos..lefts[k]).any(|j| is_clause_break(chars, j));
                !end_clause
            }
        })
        .collect();
    if group.is_empty() {
        return None;
    }
    let subject = &chars[clause..pos];
    let mut parts: Vec<String> = subject
        .split(|c| matches!(c, '、' | '和' | '及' | '与'))
        .filter_map(|p| {
            zh_phrase(p).or_else(|| {
                let mut q = trim_zh(p);
                if let Some(l) = match_any(q, 0, LEAD_ZH) {
                    q = &q[l..];
                }
                (!q.is_empty()).then(|| string_of(q))
            })
        })
        .collect();
    // a head noun written once at the end is shared (`基本养老、失业、工伤和
    // 生育保险参保人数`): the last part's tail beyond the other parts' length
    if parts.len() >= 2 {
        let last: Vec<char> = parts[parts.len() - 1].chars().collect();
        let shortest = parts[..parts.len() - 1]
            .iter()
            .map(|p| p.chars().count())
            .min()
            .unwrap_or(0);
        if shortest <= 2 && shortest + 1 < last.len() {
            let tail = string_of(&last[shortest..]);
            let n = parts.len() - 1;
            for p in &mut parts[..n] {
                if !p.ends_with(&tail) {
                    p.push_str(&tail);
                }
            }
        }
    }
    let names: Vec<String> = if parts.len() >= 2 {
        parts
    } else {
        // subjects named earlier in the sentence (`…17949元、…5487元，年均分别增长…`)
        let mut seen: Vec<String> = Vec::new();
        for m in out.iter().take(group[0]) {
            if let Some(i) = &m.indicator {
                if !seen.contains(i) {
                    seen.push(i.clone());
                }
            }
        }
        let k = group.len().min(seen.len());
        if k < 2 {
            return None;
        }
        seen[seen.len() - k..].to_vec()
    };
    if group.len() == 1 && names.len() >= 2 {
        return Some((group[0], names));
    }
    // the next clause often goes on with the same parts (`分别达20600元、
    // 9400元，增长13.7%和20%`): quantities that only inherited the joint
    // subject take the parts too
    let mut group = group;
    let last = *group.last().expect("not empty");
    let joint = out[last].indicator.clone();
    let mut k = last + 1;
    while k < lefts.len().min(out.len())
        && joint.is_some()
        && out[k].indicator == joint
        && !(out[k - 1].char_end as usize..lefts[k]).any(|j| matches!(chars[j], '；' | ';' | '。'))
    {
        k += 1;
    }
    if k > last + 1 && (k - group[0]).is_multiple_of(names.len()) {
        group.extend(last + 1..k);
    }
    for (j, &k) in group.iter().enumerate() {
        out[k].indicator = Some(names[j % names.len()].clone());
    }
    None
}
