//! Finding quantities in one sentence: numbers, their magnitude and unit,
//! and the rules that say a number is not a metric.

use crate::fields;
use crate::numbers::{is_zh_numeral, parse_arabic, parse_en, parse_zh, word_at, EnNumber};
use crate::vocab::{Compiled, Cue};
use quarry_core::{Comparator, Metric};
use std::sync::LazyLock;

#[derive(Clone, Debug)]
pub(crate) struct Cand {
    pub start: usize,
    pub end: usize,
    pub value: f64,
    pub factor: f64,
    pub unit: Option<String>,
    /// None: a bare number, kept only as a range or list partner.
    pub base: Option<String>,
    /// `多`, `余`, `十几` inside the number.
    pub internal: Option<Comparator>,
    pub zh_numeral: bool,
    pub zh_total: f64,
    pub comparator: Option<Comparator>,
}

enum Tail {
    Metric(Cand),
    Bare(Cand),
    Reject(usize),
}

const PEOPLE_ZH: &[&str] = &[
    "人",
    "农民",
    "群众",
    "劳动力",
    "职工",
    "学生",
    "游客",
    "居民",
    "儿童",
    "老人",
    "员工",
    "干部",
];
const HOUSEHOLD_ZH: &[&str] = &["农户", "家庭", "户"];

fn starts(chars: &[char], at: usize, w: &str) -> bool {
    (at..).zip(w.chars()).all(|(k, c)| chars.get(k) == Some(&c))
}

fn is_han(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

/// Skips an alphanumeric code (`PM2.5`, `G20`, `4E`).
fn skip_code(chars: &[char], mut i: usize) -> usize {
    while i < chars.len()
        && (chars[i].is_ascii_alphanumeric()
            || (chars[i] == '.' && chars.get(i + 1).is_some_and(|c| c.is_ascii_digit())))
    {
        i += 1;
    }
    i
}

/// Cheap test on the UTF-8 text: can it hold a quantity at all? An ASCII
/// digit, a Chinese numeral character, or an English number word.
///
/// It runs on ASCII sentences ([`decode_holds_number`] on the others): the
/// byte scan notes a non-ASCII byte on its way, which spares a separate
/// ASCII check, and only then are the chars decoded for numerals.
pub fn may_hold_number(text: &str) -> bool {
    let (number, non_ascii) = ascii_number(text.as_bytes());
    number || (non_ascii && text.chars().any(is_zh_numeral))
}

/// [`is_zh_numeral`] of every char below U+10000, one bit a char: one load
/// and a bit test per char of the decoder. The numerals are all 3-byte
/// chars; derived from the function so that the two cannot disagree.
static ZH_NUMERAL_BITS: LazyLock<Box<[u64; 1024]>> = LazyLock::new(|| {
    let mut bits = Box::new([0u64; 1024]);
    for c in (0..0x10000)
        .filter_map(char::from_u32)
        .filter(|&c| is_zh_numeral(c))
    {
        bits[c as usize >> 6] |= 1 << (c as u32 & 63);
    }
    bits
});

/// Decodes `text` into `buf` (cleared first) and tests on the way what
/// [`may_hold_number`] tests: one pass over the chars, which the scan needs
/// anyway when the sentence does hold a number.
pub fn decode_holds_number(text: &str, buf: &mut Vec<char>) -> bool {
    let bytes = text.as_bytes();
    buf.clear();
    // Writing into slots spares the capacity check of a push per char.
    buf.resize(bytes.len(), '\0');
    let mut dec = Decoder {
        rest: bytes,
        slots: &mut buf[..],
        n: 0,
        latin: false,
    };
    // test until the first numeral, then only decode
    let numeral = dec.run::<true>();
    if numeral {
        dec.run::<false>();
    }
    let (n, latin) = (dec.n, dec.latin);
    buf.truncate(n);
    // (no digit is left for `ascii_number` to find)
    numeral || (latin && ascii_number(bytes).0)
}

/// Valid UTF-8 being decoded into char slots.
struct Decoder<'a> {
    rest: &'a [u8],
    slots: &'a mut [char],
    /// Slots written.
    n: usize,
    /// An ASCII letter seen (while testing).
    latin: bool,
}

impl Decoder<'_> {
    /// Four 3-byte chars at the start of `chunk` (bytes 0..8 and 6..14 each
    /// hold two) into slots: None when they are not, else whether one is a
    /// numeral (with `TEST`; the chars after it are decoded all the same,
    /// and none of them is a letter). `rest` is left to the caller.
    #[inline(always)]
    fn four_threes<const TEST: bool>(
        &mut self,
        chunk: &[u8; 16],
        numerals: &[u64; 1024],
    ) -> Option<bool> {
        const LEADS: u64 = 0xf0 | (0xf0 << 24);
        const LEADS_OF_3: u64 = 0xe0 | (0xe0 << 24);
        let half = |at: usize| u64::from_le_bytes(chunk[at..at + 8].try_into().expect("8"));
        let (lo, hi) = (half(0), half(6));
        if lo & LEADS != LEADS_OF_3 || hi & LEADS != LEADS_OF_3 {
            return None;
        }
        let three = |w: u64| (((w & 0x0f) << 12) | ((w >> 2) & 0xfc0) | ((w >> 16) & 0x3f)) as u32;
        let cs = [three(lo), three(lo >> 24), three(hi), three(hi >> 24)];
        let slots = self.slots[self.n..]
            .first_chunk_mut::<4>()
            .expect("a slot for each byte");
        for (slot, &c) in slots.iter_mut().zip(&cs) {
            *slot = char::from_u32(c).expect("valid UTF-8");
        }
        self.n += 4;
        Some(
            TEST && cs
                .iter()
                .any(|&c| numerals[c as usize >> 6] >> (c & 63) & 1 != 0),
        )
    }

    /// Decodes to the end, or with `TEST` up to and including the first
    /// digit or Chinese numeral: true when it stopped there. Runs of 3-byte
    /// chars, nearly all of a Chinese text, take a loop of their own; only
    /// they can be numerals, and only ASCII chars digits or letters.
    #[inline(always)]
    fn run<const TEST: bool>(&mut self) -> bool {
        let numerals: &[u64; 1024] = &ZH_NUMERAL_BITS;
        loop {
            while let Some(chunk) = self.rest.first_chunk::<16>() {
                match self.four_threes::<TEST>(chunk, numerals) {
                    None => break,
                    Some(numeral) => {
                        self.rest = &self.rest[12..];
                        if numeral {
                            return true;
                        }
                    }
                }
            }
            if (12..16).contains(&self.rest.len()) {
                // the text's end, padded (zeros are no lead bytes)
                let mut chunk = [0u8; 16];
                chunk[..self.rest.len()].copy_from_slice(self.rest);
                if let Some(numeral) = self.four_threes::<TEST>(&chunk, numerals) {
                    self.rest = &self.rest[12..];
                    if numeral {
                        return true;
                    }
                }
            }
            while let Some(&four) = self.rest.first_chunk::<4>() {
                let w = u32::from_le_bytes(four);
                if w & 0xf0 != 0xe0 {
                    break;
                }
                let c = ((w & 0x0f) << 12) | ((w >> 2) & 0xfc0) | ((w >> 16) & 0x3f);
                self.slots[self.n] = char::from_u32(c).expect("valid UTF-8");
                self.n += 1;
                self.rest = &self.rest[3..];
                if TEST && numerals[c as usize >> 6] >> (c & 63) & 1 != 0 {
                    return true;
                }
            }
            if self.rest.is_empty() {
                return false;
            }
            let (c, width) = decode_first(self.rest);
            self.slots[self.n] = c;
            self.n += 1;
            self.rest = &self.rest[width..];
            if TEST {
                if width == 1 {
                    if c.is_ascii_digit() {
                        return true;
                    }
                    self.latin |= c.is_ascii_alphabetic();
                } else if width == 3 && is_zh_numeral(c) {
                    return true;
                }
            }
        }
    }
}

/// The first char of valid, non-empty UTF-8 and its length. A decoder that
/// trusts the encoding and reads four bytes at once is far fewer
/// instructions than `str::chars`.
#[inline(always)]
fn decode_first(bytes: &[u8]) -> (char, usize) {
    let w = match bytes.first_chunk::<4>() {
        Some(four) => u32::from_le_bytes(*four),
        None => {
            let at = |k: usize| bytes.get(k).map_or(0, |&b| u32::from(b)) << (8 * k);
            at(0) | at(1) | at(2)
        }
    };
    let (c, width) = if w & 0xf0 == 0xe0 {
        let c = ((w & 0x0f) << 12) | ((w >> 2) & 0xfc0) | ((w >> 16) & 0x3f);
        (c, 3)
    } else if w & 0x80 == 0 {
        (w & 0x7f, 1)
    } else if w & 0xe0 == 0xc0 {
        (((w & 0x1f) << 6) | ((w >> 8) & 0x3f), 2)
    } else {
        let c =
            ((w & 0x07) << 18) | ((w << 4) & 0x3_f000) | ((w >> 10) & 0xfc0) | ((w >> 24) & 0x3f);
        (c, 4)
    };
    (char::from_u32(c).expect("valid UTF-8"), width)
}

/// The number words of the pre-filter.
const NUMBER_WORDS: [&[u8]; 46] = [
    b"one",
    b"two",
    b"three",
    b"four",
    b"five",
    b"six",
    b"seven",
    b"eight",
    b"nine",
    b"ten",
    b"eleven",
    b"twelve",
    b"thirteen",
    b"fourteen",
    b"fifteen",
    b"sixteen",
    b"seventeen",
    b"eighteen",
    b"nineteen",
    b"twenty",
    b"thirty",
    b"forty",
    b"fifty",
    b"sixty",
    b"seventy",
    b"eighty",
    b"ninety",
    b"zero",
    b"hundred",
    b"dozen",
    b"half",
    b"halves",
    b"third",
    b"thirds",
    b"quarter",
    b"quarters",
    b"fourth",
    b"fourths",
    b"fifth",
    b"fifths",
    b"tenth",
    b"tenths",
    b"thousand",
    b"million",
    b"billion",
    b"trillion",
];

/// A lowercase word packed into a u64, one letter a byte. Letters are never
/// zero, so words of different lengths get different keys; a 9-letter word
/// keeps its last 8 letters (the shift drops the first).
const fn word_key(w: &[u8]) -> u64 {
    let mut k = 0u64;
    let mut i = 0;
    while i < w.len() {
        k = (k << 8) | w[i] as u64;
        i += 1;
    }
    k
}

/// A multiplier that sends the 45 keys of [`NUMBER_TABLE`] to distinct
/// slots (found by trying random odd numbers; the table's build checks it).
const NUMBER_HASH: u64 = 0x90ba_b4d0_6ee8_6df7;

#[inline(always)]
const fn number_slot(key: u64) -> usize {
    (key.wrapping_mul(NUMBER_HASH) >> 57) as usize
}

/// Keys of the number words of up to 8 letters (all but `seventeen`), each
/// in its own slot: a word is one multiply and one compare away. Empty slots
/// hold 0, which no word's key is.
const NUMBER_TABLE: [u64; 128] = {
    let mut table = [0u64; 128];
    let mut i = 0;
    while i < NUMBER_WORDS.len() {
        if NUMBER_WORDS[i].len() <= 8 {
            let key = word_key(NUMBER_WORDS[i]);
            let slot = number_slot(key);
            assert!(table[slot] == 0, "NUMBER_HASH sends two words to one slot");
            table[slot] = key;
        }
        i += 1;
    }
    table
};

/// Last letters of the number words by length and first letter: bit
/// `last & 31` of entry `len << 5 | first & 31` (a letter's low five bits
/// are the same in either case). Of a typical text's words, one in forty
/// passes, so the letter-by-letter look-up is rare.
const NUMBER_ENDS: [u32; 512] = {
    let mut t = [0u32; 512];
    let mut i = 0;
    while i < NUMBER_WORDS.len() {
        let w = NUMBER_WORDS[i];
        t[(w.len() << 5) | (w[0] & 31) as usize] |= 1 << (w[w.len() - 1] & 31);
        i += 1;
    }
    t
};

/// Bits for the ASCII letters, the digits and the non-ASCII bytes of a
/// 64-byte block (bit k for byte k).
#[cfg(not(target_arch = "x86_64"))]
#[inline]
fn block_masks(block: &[u8; 64]) -> (u64, u64, u64) {
    block_masks_swar(block)
}

#[cfg(target_arch = "x86_64")]
#[inline]
fn block_masks(block: &[u8; 64]) -> (u64, u64, u64) {
    // SAFETY: SSE2 is part of the x86_64 baseline: every x86_64 CPU has it.
    unsafe { block_masks_sse2(block) }
}

/// [`block_masks`] 16 bytes at a time, about a quarter of the instructions
/// of the portable version: a signed compare after an offset tests a byte
/// range, and `movemask` gathers the bits.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
fn block_masks_sse2(block: &[u8; 64]) -> (u64, u64, u64) {
    use std::arch::x86_64::{
        _mm_add_epi8, _mm_cmplt_epi8, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
        _mm_set_epi64x,
    };
    // `lo..lo + n` moves to -128..-128 + n, every other byte above it
    let in_range = |x, lo: u8, n: u8| {
        let shifted = _mm_add_epi8(x, _mm_set1_epi8(0x80u8.wrapping_sub(lo) as i8));
        let below = _mm_cmplt_epi8(shifted, _mm_set1_epi8((0x80u8 + n) as i8));
        u64::from(_mm_movemask_epi8(below) as u16)
    };
    let mut letters = 0u64;
    let mut digits = 0u64;
    let mut high = 0u64;
    for (k, sixteen) in block.chunks_exact(16).enumerate() {
        let half = |at: usize| i64::from_le_bytes(sixteen[at..at + 8].try_into().expect("8"));
        let x = _mm_set_epi64x(half(8), half(0));
        let folded = _mm_or_si128(x, _mm_set1_epi8(0x20));
        letters |= in_range(folded, b'a', 26) << (16 * k);
        digits |= in_range(x, b'0', 10) << (16 * k);
        high |= u64::from(_mm_movemask_epi8(x) as u16) << (16 * k);
    }
    (letters, digits, high)
}

/// Bits for the ASCII letters and for the digits of a 64-byte block (bit k
/// for byte k), eight bytes at a time in a u64: per byte, bit 7 says "in
/// range" (no carry leaves a byte, and bytes with the high bit are out),
/// and a multiply gathers the eight bit 7s.
#[cfg(any(test, not(target_arch = "x86_64")))]
#[inline]
fn block_masks_swar(block: &[u8; 64]) -> (u64, u64, u64) {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const ONES: u64 = 0x0101_0101_0101_0101;
    let gather = |high: u64| ((high >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56;
    let mut letters = 0u64;
    let mut digits = 0u64;
    let mut high = 0u64;
    for (k, eight) in block.chunks_exact(8).enumerate() {
        let raw = u64::from_le_bytes(eight.try_into().expect("8 bytes"));
        let x = raw | (ONES * 0x20);
        let low = x & LOW7;
        // letters: low >= 'a' and not low > 'z', after folding case
        let ge_a = low + ONES * (0x80 - u64::from(b'a'));
        let gt_z = low + ONES * (0x80 - u64::from(b'z') - 1);
        letters |= gather(ge_a & !gt_z & !x & HIGH) << (8 * k);
        let low = raw & LOW7;
        let ge_0 = low + ONES * (0x80 - u64::from(b'0'));
        let gt_9 = low + ONES * (0x80 - u64::from(b'9') - 1);
        digits |= gather(ge_0 & !gt_9 & !raw & HIGH) << (8 * k);
        high |= gather(raw & HIGH) << (8 * k);
    }
    (letters, digits, high)
}

/// The masks of block `k` of `bytes`, the last one padded with zeros.
#[inline]
fn masks_of_block(bytes: &[u8], k: usize) -> (u64, u64, u64) {
    let base = 64 * k;
    let as_block = |b: &[u8]| -> [u8; 64] { b.try_into().expect("64 bytes") };
    if let Some(block) = bytes.get(base..base + 64) {
        return block_masks(&as_block(block));
    }
    let rest = bytes.len() - base;
    if let Some(from) = bytes.len().checked_sub(64) {
        // the text's last 64 bytes, shifted: no copy into a padded block
        let (letters, digits, high) = block_masks(&as_block(&bytes[from..]));
        let drop = 64 - rest;
        return (letters >> drop, digits >> drop, high >> drop);
    }
    let mut block = [0u8; 64];
    block[..rest].copy_from_slice(&bytes[base..]);
    block_masks(&block)
}

/// Is `bytes[start..end]`, a whole run of letters, a number word?
#[inline(always)]
fn is_number_word(bytes: &[u8], start: usize, end: usize) -> bool {
    let len = end - start;
    let ends = NUMBER_ENDS[(len.min(15) << 5) | usize::from(bytes[start] & 31)];
    ends != 0 && ends >> (bytes[end - 1] & 31) & 1 != 0 && is_number_key(bytes, start, end)
}

#[inline(never)]
fn is_number_key(bytes: &[u8], start: usize, end: usize) -> bool {
    let key = bytes[start..end]
        .iter()
        .fold(0u64, |k, &b| (k << 8) | u64::from(b | 0x20));
    if end - start == 9 {
        // the one 9-letter word: its key lost the first letter
        return bytes[start] | 0x20 == b's' && key == word_key(b"seventeen");
    }
    NUMBER_TABLE[number_slot(key)] == key
}

/// Does the text hold an ASCII digit or an English number word? It runs on
/// every sentence, so letters and digits are found 64 bytes at a time
/// through bit masks, and a word is looked at only at its first and last
/// letter unless those fit a number word of its length. A block's word
/// runs into the next block's mask, which is computed one block ahead.
/// Also says whether a byte is not ASCII (when no number was found).
fn ascii_number(bytes: &[u8]) -> (bool, bool) {
    let blocks = bytes.len().div_ceil(64);
    if blocks == 0 {
        return (false, false);
    }
    let (mut letters, digits, mut high) = masks_of_block(bytes, 0);
    if digits != 0 {
        return (true, false);
    }
    // 1 when the previous block ends inside a word
    let mut carry = 0u64;
    for k in 0..blocks {
        let next = if k + 1 < blocks {
            let (l, d, h) = masks_of_block(bytes, k + 1);
            if d != 0 {
                return (true, false);
            }
            high |= h;
            l
        } else {
            0
        };
        // words of one or two letters (a fifth of all) never reach the loop
        let third = (letters >> 2) | (next << 62);
        let second = (letters >> 1) | (next << 63);
        let mut starts = letters & !((letters << 1) | carry) & second & third;
        carry = letters >> 63;
        while starts != 0 {
            let s = starts.trailing_zeros() as usize;
            let mut len = (!(letters >> s)).trailing_zeros() as usize;
            if s + len == 64 {
                len += (!next).trailing_zeros() as usize;
            }
            let start = 64 * k + s;
            if is_number_word(bytes, start, start + len) {
                return (true, false);
            }
            starts &= starts - 1;
        }
        letters = next;
    }
    (false, high != 0)
}

pub fn extract_sentence(v: &Compiled, chars: &[char], dollar: &str) -> Vec<Metric> {
    // a bare number (kept only as a range or list partner) has no base
    let mut cands: Vec<Cand> = Vec::new();
    let n = chars.len();
    let numerals: &[u64; 1024] = &ZH_NUMERAL_BITS;
    let mut i = 0;
    while i < n {
        let c = chars[i];
        // most chars of a Chinese text: one test, not the three below (a
        // bit of the decoder's numeral table, cheaper than the numeral
        // hash; the numerals all lie below U+10000)
        if !c.is_ascii()
            && (c as u32 >= 0x10000 || numerals[c as usize >> 6] >> (c as u32 & 63) & 1 == 0)
        {
            i += 1;
            continue;
        }
        if c.is_ascii_digit() {
            let prev = if i > 0 { chars[i - 1] } else { ' ' };
            // codes: G20, PM2.5, COVID-19, F-35
            let code_dash = prev == '-' && i > 1 && chars[i - 2].is_ascii_alphabetic();
            if prev.is_ascii_alphabetic() || prev == '.' || prev.is_ascii_digit() || code_dash {
                i = skip_code(chars, i);
                continue;
            }
            let (ne, mut value) = parse_arabic(chars, i);
            // ratios of several parts (23.4:36.5:40.1) are scored neither way
            if matches!(chars.get(ne), Some(':') | Some('：'))
                && chars.get(ne + 1).is_some_and(|c| c.is_ascii_digit())
            {
                let mut k = ne;
                while k < n && (chars[k].is_ascii_digit() || matches!(chars[k], ':' | '：' | '.'))
                {
                    k += 1;
                }
                i = k;
                continue;
            }
            if chars.get(ne).is_some_and(|c| c.is_ascii_alphabetic())
                && v.units.longest_at(chars, ne).is_none()
                && v.magnitudes.longest_at(chars, ne).is_none()
            {
                i = skip_code(chars, i);
                continue;
            }
            let mut end = ne;
            // 4-1/4 percent, 4 1/4 percent, 1/2 percent
            if let Some((fe, frac)) = fraction_after(chars, ne) {
                value += frac;
                end = fe;
            } else if chars.get(ne) == Some(&'/') {
                if let Some((fe, den)) = small_int(chars, ne + 1) {
                    if den > 0.0 && is_percent_after(v, chars, fe) {
                        value /= den;
                        end = fe;
                    } else {
                        i = skip_code_slash(chars, ne);
                        continue;
                    }
                }
            }
            match tail(v, chars, i, end, value, None, dollar) {
                Tail::Metric(c) => {
                    i = c.end.max(end);
                    cands.push(c);
                }
                Tail::Bare(c) => {
                    i = end;
                    cands.push(c);
                }
                Tail::Reject(e) => i = e.max(end),
            }
        } else if is_zh_numeral(c) {
            if i > 0 && (is_zh_numeral(chars[i - 1]) || chars[i - 1] == '第') {
                i += 1;
                continue;
            }
            if starts(chars, i, "百分之") {
                if let Some(m) = percent_words(chars, i) {
                    i = m.end;
                    cands.push(m);
                    continue;
                }
            }
            let Some(z) = parse_zh(chars, i) else {
                i += 1;
                continue;
            };
            if z.positional && z.end - i >= 2 {
                i = z.end;
                continue;
            }
            if z.bare_magnitude {
                let gt_before =
                    matches!(v.cmp_before.longest_ending_at(chars, i), Some((_, Cue::Gt)));
                if !gt_before {
                    i = z.end;
                    continue;
                }
            }
            let (value, mag) = match z.magnitude {
                Some((word, f)) => (z.total / f, Some((word, f))),
                None => (z.total, None),
            };
            match tail(v, chars, i, z.end, value, mag, dollar) {
                Tail::Metric(_) if idiom_covers(v, chars, i, z.end) => i = z.end,
                Tail::Metric(mut c) => {
                    c.zh_numeral = true;
                    c.zh_total = z.total;
                    if z.vague_plus {
                        c.internal = Some(Comparator::Gt);
                    }
                    let small_count =
                        c.base.as_deref() == Some("count") && z.total < 100.0 && !z.vague_plus;
                    // `一个`, `三项`, `两个`: words, list heads and slogans far
                    // more often than measured counts.
                    // `千家洞`, `百姓`: a lone 千/百 is a word unless money follows
                    let no_digit = !z.has_digit
                        && !z.vague_plus
                        && mag.is_none()
                        && !matches!(
                            c.base.as_deref(),
                            Some("CNY") | Some("USD") | Some("percent")
                        );
                    let small_plain = no_digit
                        || z.total < 10.0
                            && mag.is_none()
                            && !matches!(c.base.as_deref(), Some("doubling") | Some("times"));
                    i = c.end.max(z.end);
                    if !small_count && !small_plain {
                        cands.push(c);
                    }
                }
                Tail::Bare(_) => i = z.end,
                Tail::Reject(e) => i = e.max(z.end),
            }
        } else if c.is_ascii_alphabetic() && (i == 0 || !chars[i - 1].is_ascii_alphabetic()) {
            let we = word_at(chars, i);
            if !may_start_en_number(chars, i, we) {
                i = we;
                continue;
            }
            match parse_en(chars, i) {
                Some(EnNumber::Cardinal { end, value }) => {
                    match tail(v, chars, i, end, value, None, dollar) {
                        // `four children`, `shot seven times`: small word
                        // counts are narrative; rates, money and scaled
                        // counts (`nine million`) are metrics
                        Tail::Metric(c)
                            if c.factor > 1.0
                                || (value >= 10.0 && c.base.is_some())
                                || matches!(
                                    c.base.as_deref(),
                                    Some("percent") | Some("pct_point") | Some("basis_point")
                                )
                                || c.base.as_deref().is_some_and(|b| {
                                    b.len() == 3 && b.bytes().all(|x| x.is_ascii_uppercase())
                                }) =>
                        {
                            i = c.end.max(end);
                            cands.push(c);
                        }
                        _ => i = we.max(end),
                    }
                }
                Some(EnNumber::Fraction { end, percent }) => {
                    if fraction_is_metric(chars, i, end) {
                        cands.push(Cand {
                            start: i,
                            end,
                            value: percent,
                            factor: 1.0,
                            unit: None,
                            base: Some("percent".into()),
                            internal: None,
                            zh_numeral: false,
                            zh_total: 0.0,
                            comparator: None,
                        });
                    }
                    i = end.max(we);
                }
                None => i = we,
            }
        } else {
            i += 1;
        }
    }
    if cands.is_empty() {
        return Vec::new();
    }
    resolve_partners(chars, &mut cands);
    // one pass drops the unpaired bare numbers and the excluded, in place
    // (a Vec of another element type made the collect reallocate)
    cands.retain(|c| c.base.is_some() && !is_excluded(v, chars, c));
    fields::fill(v, chars, cands)
}

/// Can the word `chars[start..end]` (ASCII letters) start what
/// [`parse_en`] reads? Only `a`, `an`, `half` and the small number words
/// do, all of them pre-filter words: the pre-filter's tables answer for
/// most words at a look-up, where `parse_en` compared each word in full.
#[inline]
fn may_start_en_number(chars: &[char], start: usize, end: usize) -> bool {
    let len = end - start;
    let lower = |k: usize| (chars[k] as u8) | 0x20;
    match len {
        1 => lower(start) == b'a',
        2 => lower(start) == b'a' && lower(start + 1) == b'n',
        3..=9 => {
            let ends = NUMBER_ENDS[(len << 5) | usize::from(lower(start) & 31)];
            ends >> (lower(end - 1) & 31) & 1 != 0 && {
                let key = (start..end).fold(0u64, |k, j| (k << 8) | u64::from(lower(j)));
                if len == 9 {
                    lower(start) == b's' && key == word_key(b"seventeen")
                } else {
                    NUMBER_TABLE[number_slot(key)] == key
                }
            }
        }
        _ => false,
    }
}

fn skip_code_slash(chars: &[char], mut i: usize) -> usize {
    while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '/') {
        i += 1;
    }
    i
}

fn small_int(chars: &[char], at: usize) -> Option<(usize, f64)> {
    let mut k = at;
    while k < chars.len() && chars[k].is_ascii_digit() && k - at < 3 {
        k += 1;
    }
    if k == at
        || chars
            .get(k)
            .is_some_and(|c| c.is_ascii_digit() || *c == '/')
    {
        return None;
    }
    // at most three ASCII digits: exact as an integer, no String to parse
    let value = chars[at..k]
        .iter()
        .fold(0u32, |n, c| 10 * n + (*c as u32 - '0' as u32));
    Some((k, f64::from(value)))
}

fn is_percent_after(v: &Compiled, chars: &[char], at: usize) -> bool {
    let k = if chars.get(at) == Some(&' ') {
        at + 1
    } else {
        at
    };
    matches!(
        v.units.longest_at(chars, k).map(|(_, b)| b.as_str()),
        Some("percent") | Some("pct_point")
    )
}

/// `-1/4` or ` 1/4` after a whole number: (end, fraction).
fn fraction_after(chars: &[char], at: usize) -> Option<(usize, f64)> {
    if !matches!(chars.get(at), Some('-') | Some(' ')) {
        return None;
    }
    let (ne, num) = small_int(chars, at + 1).or_else(|| {
        let k = at + 1;
        chars
            .get(k)
            .filter(|c| c.is_ascii_digit())
            .map(|c| (k + 1, c.to_digit(10).unwrap_or(0) as f64))
    })?;
    if chars.get(ne) != Some(&'/') {
        return None;
    }
    let (de, den) = small_int(chars, ne + 1)?;
    if den <= num || den == 0.0 {
        return None;
    }
    Some((de, num / den))
}

fn percent_words(chars: &[char], at: usize) -> Option<Cand> {
    let k = at + 3;
    let (end, value) = if chars.get(k).is_some_and(|c| c.is_ascii_digit()) {
        parse_arabic(chars, k)
    } else {
        let z = parse_zh(chars, k)?;
        (z.end, z.total)
    };
    Some(Cand {
        start: at,
        end,
        value,
        factor: 1.0,
        unit: Some("百分之".into()),
        base: Some("percent".into()),
        internal: None,
        zh_numeral: true,
        zh_total: 100.0,
        comparator: None,
    })
}

fn idiom_covers(v: &Compiled, chars: &[char], start: usize, end: usize) -> bool {
    (start.saturating_sub(4)..end).any(|k| {
        v.idioms
            .longest_at(chars, k)
            .is_some_and(|(len, _)| k + len > start)
    })
}

fn fraction_is_metric(chars: &[char], start: usize, end: usize) -> bool {
    let before: String = chars[start.saturating_sub(12)..start]
        .iter()
        .collect::<String>()
        .to_ascii_lowercase();
    let after: String = chars[end..(end + 16).min(chars.len())]
        .iter()
        .collect::<String>()
        .to_ascii_lowercase();
    for ord in [
        "first ", "second ", "third ", "fourth ", "last ", "final ", "latter ", "and a ", "-",
    ] {
        if before.ends_with(ord) {
            return false;
        }
    }
    for t in [
        " of a ",
        " of an ",
        " of a century",
        " of the year",
        " of this year",
        " of the century",
        " century",
        " a century",
        " an hour",
        " a year",
        " of a year",
        " the year",
        " of the decade",
        " decade",
        " of the twentieth",
        " of the 20th",
        " hour",
        " past",
        " time",
        "-",
    ] {
        if after.starts_with(t) {
            return false;
        }
    }
    let word: String = chars[start..end]
        .iter()
        .collect::<String>()
        .to_ascii_lowercase();
    if word == "half" {
        return after.starts_with(" of ") || before.ends_with("by ") || before.ends_with(" in ");
    }
    // `a third party`, `a year and a half`: with the article only `a third of`
    if word.starts_with("a ") || word.starts_with("an ") {
        return after.starts_with(" of ") && !before.ends_with("and ");
    }
    true
}

/// Magnitude, unit and the checks that follow a number.
#[allow(clippy::too_many_arguments)]
fn tail(
    v: &Compiled,
    chars: &[char],
    num_start: usize,
    num_end: usize,
    value: f64,
    zh_mag: Option<(&'static str, f64)>,
    dollar: &str,
) -> Tail {
    let n = chars.len();
    let latin_num = chars[num_start].is_ascii_alphabetic();
    let mut p = num_end;
    // `7 4 7 7 2 亿元`: digits typed apart keep their magnitude apart too
    if chars.get(p) == Some(&' ')
        && chars.get(p + 1).is_some_and(|c| !c.is_ascii())
        && chars[num_start..num_end].contains(&' ')
    {
        p += 1;
    }
    let mut internal = None;
    if matches!(chars.get(p), Some('多') | Some('余')) && !latin_num {
        internal = Some(Comparator::Gt);
        p += 1;
    }
    let mut factor = 1.0;
    // The unit's parts, joined into one String at the end: a money sign,
    // the magnitude (as written or a Chinese numeral's word) and the unit
    // word, each piece a span of `chars`.
    let mut mag_word: &str = "";
    let mut mag = 0..0;
    let mut unit_word = 0..0;
    // a space between magnitude and unit word
    let mut unit_sep = false;
    let mut sign = 0..0;
    let has_mag = |w: &str, m: &std::ops::Range<usize>| !w.is_empty() || !m.is_empty();
    // the unit look-up at `p`, kept for the unit step when `p` stays put
    let mut units_at_p = None;
    if let Some((word, f)) = zh_mag {
        factor = f;
        mag_word = word;
    } else {
        let direct = v.magnitudes.longest_at(chars, p).filter(|_| !latin_num);
        // looked up only when needed, and only after the cheap char tests
        let spaced = || {
            if chars.get(p) == Some(&' ')
                && chars.get(p + 1).is_some_and(|c| c.is_ascii_alphabetic())
            {
                v.magnitudes.longest_at(chars, p + 1)
            } else {
                None
            }
        };
        let at_p = v.units.longest_at(chars, p);
        units_at_p = Some((p, at_p));
        let unit_direct = at_p.map(|(l, _)| l).unwrap_or(0);
        if let Some((len, &f)) = direct.filter(|(len, _)| *len >= unit_direct) {
            factor = f;
            mag = p..p + len;
            p += len;
        } else if let Some((len, &f)) = spaced() {
            factor = f;
            mag = p + 1..p + 1 + len;
            p += 1 + len;
        }
    }
    if internal.is_none() && matches!(chars.get(p), Some('多') | Some('余')) && factor > 1.0 {
        internal = Some(Comparator::Gt);
        p += 1;
    }
    let after_number = p;
    // unit, written right after (Chinese) or after one space (English)
    let mut base: Option<String> = None;
    let mut end = p;
    let unit_at = |k: usize| v.units.longest_at(chars, k);
    let direct_unit = match units_at_p {
        Some((q, found)) if q == p => found,
        _ => unit_at(p),
    };
    let spaced_unit = || {
        if chars.get(p) == Some(&' ')
            && chars
                .get(p + 1)
                .is_some_and(|c| c.is_ascii_alphabetic() || !c.is_ascii() || *c == '%')
        {
            unit_at(p + 1)
        } else {
            None
        }
    };
    let nm_len = v.nm_after.longest_at(chars, p).map(|(l, _)| l);
    if let Some((len, b)) = direct_unit {
        if nm_len.is_some_and(|l| l >= len) {
            return Tail::Reject(p);
        }
        base = Some(b.clone());
        unit_sep = has_mag(mag_word, &mag) && chars[p].is_ascii_alphabetic();
        unit_word = p..p + len;
        end = p + len;
    } else if nm_len.is_some() {
        return Tail::Reject(p);
    } else if let Some((len, b)) = spaced_unit() {
        base = Some(b.clone());
        unit_sep = has_mag(mag_word, &mag);
        unit_word = p + 1..p + 1 + len;
        end = p + 1 + len;
    } else if chars.get(p) == Some(&' ') {
        let w0 = p + 1;
        let w1 = word_at(chars, w0);
        let word = &chars[w0..w1];
        if v.english_after.longest_at(chars, w0).is_some() {
            return Tail::Reject(w1);
        }
        if eq_ascii_lower(word, "dollars") || eq_ascii_lower(word, "dollar") {
            base = Some(dollar.to_string());
            unit_sep = has_mag(mag_word, &mag);
            unit_word = w0..w1;
            end = w1;
        } else {
            // "9 million new jobs": a count noun, maybe after one adjective
            let mut k = w0;
            let mut found = v.count_nouns.longest_at(chars, k);
            if found.is_none() && w1 > w0 && chars.get(w1) == Some(&' ') {
                let adj_ok = ADJECTIVES.iter().any(|a| eq_ascii_lower(word, a));
                if adj_ok {
                    k = w1 + 1;
                    found = v.count_nouns.longest_at(chars, k);
                }
            }
            if let Some((len, b)) = found {
                base = Some(b.clone());
                unit_sep = has_mag(mag_word, &mag);
                unit_word = w0..k + len;
                end = k + len;
            }
        }
    }
    // a money sign before the number
    let mut start = num_start;
    let sign_end = if num_start > 0 && chars[num_start - 1] == ' ' {
        num_start - 1
    } else {
        num_start
    };
    if let Some((len, b)) = v.currency.longest_ending_at(chars, sign_end) {
        if base.is_none() || base.as_deref() == Some("count") {
            sign = sign_end - len..sign_end;
            base = Some(if chars[sign.clone()] == ['$'] {
                dollar.to_string()
            } else {
                b.clone()
            });
            start = sign_end - len;
            if end < after_number {
                end = after_number;
            }
        }
    }
    // `翻1.11番`: the verb is part of the surface
    if base.as_deref() == Some("doubling") && start > 0 && chars[start - 1] == '翻' {
        start -= 1;
    }
    if base.is_none()
        && factor > 1.0
        && !latin_num
        && !chars[p.saturating_sub(1)].is_ascii_alphabetic()
    {
        // 万/亿 with the unit left out: people when a people noun is near, else money
        let ahead = &chars[p..(p + 5).min(n)];
        let behind = &chars[num_start.saturating_sub(6)..num_start];
        let has = |s: &[char], words: &[&str]| {
            (0..s.len()).any(|k| words.iter().any(|w| starts(s, k, w)))
        };
        let b = if has(ahead, HOUSEHOLD_ZH) && !has(ahead, &["人"]) {
            "household"
        } else if has(ahead, PEOPLE_ZH) || has(behind, &["人口", "人数"]) {
            "person"
        } else {
            "CNY"
        };
        base = Some(b.into());
        end = p;
    }
    if end < p && base.is_some() {
        end = p;
    }
    let cand = Cand {
        start,
        end: end.max(num_end),
        value,
        factor,
        unit: join_unit(
            &chars[sign],
            mag_word,
            &chars[mag],
            unit_sep,
            &chars[unit_word],
        ),
        base,
        internal,
        zh_numeral: false,
        zh_total: 0.0,
        comparator: None,
    };
    if cand.base.is_some() {
        Tail::Metric(cand)
    } else {
        Tail::Bare(Cand {
            end: num_end,
            ..cand
        })
    }
}

/// `word` lowercased (ASCII only) is `w`: no String per word tried.
fn eq_ascii_lower(word: &[char], w: &str) -> bool {
    word.len() == w.len()
        && word
            .iter()
            .zip(w.bytes())
            .all(|(c, b)| c.is_ascii() && (*c as u8).to_ascii_lowercase() == b)
}

/// The unit as written: `sign magnitude unit`, single spaces after a sign
/// followed by more and where `sep` says, None when all are empty. Built
/// once with room for all of it: growing it piece by piece reallocated.
fn join_unit(
    sign: &[char],
    mag_word: &str,
    mag: &[char],
    sep: bool,
    word: &[char],
) -> Option<String> {
    let rest = mag_word.len() + mag.len() + word.len();
    if sign.is_empty() && rest == 0 {
        return None;
    }
    let mut s =
        String::with_capacity(4 * (sign.len() + mag.len() + word.len()) + mag_word.len() + 2);
    s.extend(sign);
    if !sign.is_empty() && rest > 0 {
        s.push(' ');
    }
    s.push_str(mag_word);
    s.extend(mag);
    if sep {
        s.push(' ');
    }
    s.extend(word);
    Some(s)
}

const ADJECTIVES: &[&str] = &[
    "new",
    "more",
    "additional",
    "young",
    "older",
    "poor",
    "rural",
    "urban",
    "low-income",
    "full-time",
    "part-time",
    "unemployed",
    "affordable",
    "small",
    "american",
    "public",
    "local",
    "private",
    "foreign",
    "new-energy",
    "extra",
    "net",
];

/// The chars between two quantities, without white space around them.
fn sep_between(chars: &[char], a: usize, b: usize) -> &[char] {
    let sep = &chars[a..b];
    let from = sep
        .iter()
        .position(|c| !c.is_whitespace())
        .unwrap_or(sep.len());
    let to = sep
        .iter()
        .rposition(|c| !c.is_whitespace())
        .map_or(from, |k| k + 1);
    &sep[from..to]
}

/// `sep` is one of `words`: compared as chars, so no string is built for
/// the many gaps that are long clauses.
fn sep_is(sep: &[char], words: &[&str]) -> bool {
    sep.len() <= 3 && words.iter().any(|w| w.chars().eq(sep.iter().copied()))
}

/// Bare numbers take the unit of the number they pair with: a range
/// (`1至2家`) or a list (`分别翻1.37和1.40番`). A candidate is a bare number
/// exactly when it has no base (as [`tail`] tells them apart); the bare ones
/// left without a partner are dropped by the caller.
fn resolve_partners(chars: &[char], items: &mut [Cand]) {
    // right to left, so that in `A、B、C%` B takes C's unit before A looks at B
    for k in (0..items.len().saturating_sub(1)).rev() {
        if items[k].base.is_some() || items[k + 1].base.is_none() {
            continue;
        }
        // a year is never the bare half of a range or list (`in 1993 and 1994`)
        let v = items[k].value;
        if v.fract() == 0.0 && (1800.0..=2100.0).contains(&v) {
            continue;
        }
        let sep = sep_between(chars, items[k].end, items[k + 1].start);
        let range = sep_is(sep, &["至", "到", "-", "–", "—", "～", "~", "to"]);
        let list = sep_is(sep, &["和", "、", "与", "及", ",", "and", "or"]);
        if range || list {
            // only the partner's unit fields: cloning the whole Cand copied
            // its Strings twice
            let (c, rest) = items[k..].split_first_mut().expect("k < len");
            let partner = &mut rest[0];
            c.base = partner.base.clone();
            c.factor = partner.factor;
            c.unit = partner.unit.clone();
            if range {
                c.comparator = Some(Comparator::Ge);
                if partner.comparator.is_none() {
                    partner.comparator = Some(Comparator::Le);
                }
            }
        }
    }
    for k in 0..items.len() {
        if items[k].base.is_none() {
            continue;
        }
        // both written with units: 10%-15%, 10%至15%, between $200 and $400,
        // 1.0% to 3.0% (but not "from 5% to 7%", two levels)
        if let Some(next) = items.get(k + 1).filter(|n| n.base.is_some()) {
            let sep = sep_between(chars, items[k].end, next.start);
            let before = || {
                chars[items[k].start.saturating_sub(12)..items[k].start]
                    .iter()
                    .collect::<String>()
                    .to_ascii_lowercase()
            };
            let range = sep_is(sep, &["至", "-", "–", "～", "~"])
                || (sep_is(sep, &["and"]) && before().trim_end().ends_with("between"))
                || (sep_is(sep, &["to"]) && !before().contains("from"));
            if range && next.base == items[k].base {
                if items[k].comparator.is_none() {
                    items[k].comparator = Some(Comparator::Ge);
                }
                items[k + 1].comparator = Some(Comparator::Le);
            }
        }
    }
}

fn in_short_quote(chars: &[char], start: usize, end: usize) -> bool {
    let from = start.saturating_sub(12);
    let Some(o) = chars[from..start]
        .iter()
        .rposition(|&c| c == '“' || c == '「')
    else {
        return false;
    };
    let inside = &chars[from + o + 1..start];
    if inside
        .iter()
        .any(|&c| matches!(c, '”' | '」' | '，' | '。' | '；'))
    {
        return false;
    }
    let after = &chars[end..(end + 14).min(chars.len())];
    match after
        .iter()
        .position(|&c| matches!(c, '”' | '」' | '，' | '。' | '；'))
    {
        Some(k) => matches!(after[k], '”' | '」'),
        None => false,
    }
}

/// Category thresholds, list heads, specs and names.
fn is_excluded(v: &Compiled, chars: &[char], c: &Cand) -> bool {
    let base = c.base.as_deref().unwrap_or("");
    if v.nm_before.longest_ending_at(chars, c.start).is_some() {
        return true;
    }
    if c.start > 0 && chars[c.start - 1] == '每' {
        return true;
    }
    let k = fields::after_comparator_end(v, chars, c.end);
    let money = base.len() == 3 && base.bytes().all(|b| b.is_ascii_uppercase());
    if base != "count" {
        if money
            && (v.category_nouns.longest_at(chars, c.end).is_some()
                || (k > c.end && v.category_nouns.longest_at(chars, k).is_some()))
        {
            return true;
        }
        // `千亿县`, `万亿级`: money without 元 glued to a noun is a label
        let unit = c.unit.as_deref().unwrap_or("");
        if money
            && c.zh_numeral
            && !unit.contains('元')
            && chars.get(c.end).is_some_and(|&ch| is_han(ch))
        {
            return true;
        }
        // 年耗能5000吨标准煤以上企业, 20户以上自然村
        // one pass: the run of Han chars ends the search, as no later
        // `以上` would have only Han chars before it
        let window = &chars[c.end..(c.end + 7).min(chars.len())];
        for off in 0..window.len().saturating_sub(1) {
            let ch = window[off];
            if ch == '以'
                && matches!(window[off + 1], '上' | '下')
                && chars
                    .get(c.end + off + 2)
                    .is_some_and(|&ch| is_han(ch) && ch != '的')
            {
                return true;
            }
            if !is_han(ch) {
                break;
            }
        }
    } else if v.list_heads.longest_at(chars, c.end).is_some() {
        return true;
    }
    // `千亿斤粮食产能提升行动`, `百亿元产业`: a round magnitude with no digit
    // glued to a noun is a label, unless it is a milestone (`百亿元历史性跨越`)
    if c.zh_numeral
        && k == c.end
        && !chars[c.start..c.end]
            .iter()
            .any(|&ch| crate::numbers::zh_digit(ch).is_some())
        && chars[c.start..c.end]
            .iter()
            .any(|&ch| matches!(ch, '百' | '千' | '万' | '亿' | '萬' | '億'))
        && chars.get(c.end).is_some_and(|&ch| {
            is_han(ch) && !matches!(ch, '和' | '与' | '及' | '历' | '大' | '跨' | '台' | '的')
        })
    {
        return true;
    }
    // a capacity glued to a facility names it (`大唐700万吨露天矿`,
    // `200万吨褐煤提质项目`), as in `年产10万吨`
    if matches!(base, "t" | "kW" | "kWh" | "other")
        && k == c.end
        && v.facility_nouns.longest_at(chars, c.end).is_some()
    {
        return true;
    }
    // `“1212”工程`, `“翻两番”`: numbers inside a short quoted name or slogan
    if in_short_quote(chars, c.start, c.end) {
        return true;
    }
    false
}

#[cfg(test)]
mod prefilter_tests {
    use super::*;

    /// The word test as it was first written: lowercase, then compare.
    fn plain(bytes: &[u8]) -> bool {
        bytes
            .split(|b| !b.is_ascii_alphabetic())
            .any(|w| NUMBER_WORDS.contains(&w.to_ascii_lowercase().as_slice()))
    }

    #[test]
    fn decodes_as_chars() {
        let mut buf = Vec::new();
        for t in [
            "",
            "abc",
            "增长3.5%",
            "£1 €2 ¥3",
            "𠀀𝄞x",
            "一二三 four",
            "plain",
        ] {
            let numeric = decode_holds_number(t, &mut buf);
            assert_eq!(buf, t.chars().collect::<Vec<_>>(), "{t}");
            assert_eq!(numeric, may_hold_number(t), "{t}");
        }
    }

    /// A small deterministic generator, so that the random texts need no
    /// dependency and a failure repeats.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }
    }

    /// Pieces the random texts are made of: plain words, number words and
    /// near misses, digits, Chinese numerals and other chars of every UTF-8
    /// length.
    const PIECES: &[&str] = &[
        " ",
        " ",
        ", ",
        "-",
        "'",
        "\n",
        "the",
        "of",
        "to",
        "a",
        "was",
        "that",
        "those",
        "tent",
        "often",
        "tens",
        "sevenths",
        "eventeen",
        "thousands",
        "zeroes",
        "o",
        "e",
        "s",
        "n",
        "ninet",
        "tenthss",
        "xylophone",
        "abcdefghijklmnopqrstuvwxyz",
        "Z",
        "`",
        "@",
        "[",
        "{",
        "0",
        "7",
        "9",
        "/",
        ":",
        "十",
        "亿",
        "〇",
        "两",
        "兩",
        "萬",
        "年",
        "的",
        "经济",
        "增长",
        "：",
        "，",
        "é",
        "ß",
        "£",
        "€",
        "™",
        "𠀀",
        "𝄞",
        "😀",
        "\u{7f}",
        "\u{80}",
    ];

    fn random_text(rng: &mut Rng) -> String {
        let mut t = String::new();
        // a run of filler moves the pieces across the 64-byte blocks
        for _ in 0..rng.below(70) {
            t.push(if rng.below(2) == 0 { 'x' } else { ' ' });
        }
        for _ in 0..rng.below(40) {
            if rng.below(8) == 0 {
                let w = NUMBER_WORDS[rng.below(NUMBER_WORDS.len())];
                for &b in w {
                    let c = char::from(b);
                    t.push(if rng.below(3) == 0 {
                        c.to_ascii_uppercase()
                    } else {
                        c
                    });
                }
            } else {
                t.push_str(PIECES[rng.below(PIECES.len())]);
            }
        }
        t
    }

    #[test]
    fn random_texts_as_the_plain_tests() {
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        let mut buf = vec!['?'; 3];
        let mut seen = [0usize; 2];
        for _ in 0..200_000 {
            let t = random_text(&mut rng);
            let expected =
                t.chars().any(|c| c.is_ascii_digit() || is_zh_numeral(c)) || plain(t.as_bytes());
            seen[usize::from(expected)] += 1;
            assert_eq!(may_hold_number(&t), expected, "{t:?}");
            assert_eq!(decode_holds_number(&t, &mut buf), expected, "{t:?}");
            assert!(buf.iter().copied().eq(t.chars()), "{t:?}");
        }
        // both answers come up often enough to test anything
        assert!(seen.iter().all(|&n| n > 20_000), "{seen:?}");
    }

    #[test]
    fn numerals_are_3_byte_chars() {
        // the decoder tests only 3-byte chars for a numeral
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            if is_zh_numeral(c) {
                assert_eq!(c.len_utf8(), 3, "{c}");
            }
        }
    }

    #[test]
    fn block_masks_mark_letters_and_digits() {
        for b in 0..=255u8 {
            for at in [0, 7, 8, 33, 63] {
                let mut block = [b' '; 64];
                block[at] = b;
                block[(at + 1) % 64] = b.wrapping_add(1);
                let (letters, digits, high) = block_masks(&block);
                assert_eq!(block_masks_swar(&block), (letters, digits, high));
                for (k, x) in block.iter().enumerate() {
                    assert_eq!(letters >> k & 1 == 1, x.is_ascii_alphabetic(), "{x} at {k}");
                    assert_eq!(digits >> k & 1 == 1, x.is_ascii_digit(), "{x} at {k}");
                    assert_eq!(high >> k & 1 == 1, !x.is_ascii(), "{x} at {k}");
                }
            }
        }
    }

    #[test]
    fn number_words_as_the_plain_test() {
        let mut texts: Vec<String> = NUMBER_WORDS
            .iter()
            .map(|w| String::from_utf8(w.to_vec()).unwrap())
            .collect();
        for w in NUMBER_WORDS {
            let w = std::str::from_utf8(w).unwrap();
            texts.push(format!("x{w}"));
            texts.push(format!("s{w}"));
            texts.push(format!("{w}s"));
            texts.push(format!("  {}, and", w.to_uppercase()));
            texts.push(format!("增长{w}倍"));
            texts.push(format!("一二三四五六七八九十一二三四五六七八{w}"));
        }
        texts.extend(
            [
                "",
                "the",
                "eventeen",
                "sthousand",
                "seventeens",
                "Seventeen",
                "on",
                "In the year of our Lord",
            ]
            .map(String::from),
        );
        for t in &texts {
            assert_eq!(ascii_number(t.as_bytes()).0, plain(t.as_bytes()), "{t}");
        }
    }
}
