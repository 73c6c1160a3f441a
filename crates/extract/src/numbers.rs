//! Numbers as written: Arabic digits, Chinese numerals, English words.

pub fn zh_digit(c: char) -> Option<u32> {
    Some(match c {
        '零' | '〇' => 0,
        '一' => 1,
        '二' | '两' | '兩' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

/// The numeral chars of [`is_zh_numeral`], hashed into 256 bits.
const ZH_NUMERALS: [char; 20] = [
    '零', '〇', '一', '二', '两', '兩', '三', '四', '五', '六', '七', '八', '九', '十', '百', '千',
    '万', '亿', '萬', '億',
];

#[inline]
const fn zh_numeral_slot(c: char) -> (usize, u64) {
    let h = (c as u32).wrapping_mul(0x9E37_79B1) >> 24;
    ((h >> 6) as usize, 1u64 << (h & 63))
}

const ZH_NUMERAL_FILTER: [u64; 4] = {
    let mut t = [0u64; 4];
    let mut i = 0;
    while i < ZH_NUMERALS.len() {
        let (w, bit) = zh_numeral_slot(ZH_NUMERALS[i]);
        t[w] |= bit;
        i += 1;
    }
    t
};

#[inline(always)]
pub fn is_zh_numeral(c: char) -> bool {
    // all numeral characters lie in the CJK block (〇 aside)
    if (c as u32) < 0x4e00 && c != '〇' {
        return false;
    }
    // Most CJK chars are no numeral: one bit test rules them out.
    let (w, bit) = zh_numeral_slot(c);
    if ZH_NUMERAL_FILTER[w] & bit == 0 {
        return false;
    }
    zh_digit(c).is_some() || matches!(c, '十' | '百' | '千' | '万' | '亿' | '萬' | '億')
}

/// A Chinese numeral run starting at `at`: (end, total value, vague "几"
/// seen, only magnitude characters). Stops at the first char that is no
/// part of a numeral.
pub struct ZhNumber {
    pub end: usize,
    pub total: f64,
    /// `十几`: "ten-odd", read as more than ten.
    pub vague_plus: bool,
    /// The run is nothing but magnitude characters (`万亿`, `亿`).
    pub bare_magnitude: bool,
    /// Largest magnitude word in the run and its factor (`亿`, 1e8).
    pub magnitude: Option<(&'static str, f64)>,
    /// A digit character (一, 两 …) occurs: `千家` has none.
    pub has_digit: bool,
    /// Digits only, no 十百千万亿: `一九五七` (a year) or a code.
    pub positional: bool,
}

pub fn parse_zh(chars: &[char], at: usize) -> Option<ZhNumber> {
    let mut i = at;
    let mut result = 0.0f64;
    let mut section = 0.0f64;
    let mut number = 0.0f64;
    let mut last_digit = false;
    let mut saw_unit = false;
    let mut saw_digit = false;
    let mut vague_plus = false;
    let mut has_wan = false;
    let mut has_yi = false;
    let mut has_wanyi = false;
    let mut digits_in_row = 0;
    while i < chars.len() {
        let c = chars[i];
        if let Some(d) = zh_digit(c) {
            number = if last_digit {
                number * 10.0 + d as f64
            } else {
                d as f64
            };
            last_digit = true;
            saw_digit = true;
            digits_in_row += 1;
        } else if (c == '点' || c == '點')
            && last_digit
            && chars.get(i + 1).and_then(|&n| zh_digit(n)).is_some()
        {
            let mut scale = 0.1;
            let mut j = i + 1;
            while let Some(d) = chars.get(j).and_then(|&n| zh_digit(n)) {
                number += d as f64 * scale;
                scale /= 10.0;
                j += 1;
            }
            i = j;
            last_digit = false;
            continue;
        } else if c == '千' && matches!(chars.get(i + 1), Some('瓦') | Some('米') | Some('克'))
        {
            // 千瓦, 千米, 千克 are units, not the numeral 千
            break;
        } else if matches!(c, '十' | '百' | '千') {
            let u = match c {
                '十' => 10.0,
                '百' => 100.0,
                _ => 1000.0,
            };
            let n = if number == 0.0 { 1.0 } else { number };
            section += n * u;
            number = 0.0;
            last_digit = false;
            saw_unit = true;
            digits_in_row = 0;
            if c == '十' && chars.get(i + 1) == Some(&'几') {
                vague_plus = true;
                i += 2;
                continue;
            }
        } else if c == '万' || c == '萬' {
            let s = section + number;
            result += if s == 0.0 { 1.0 } else { s } * 1e4;
            section = 0.0;
            number = 0.0;
            last_digit = false;
            has_wan = true;
            digits_in_row = 0;
        } else if c == '亿' || c == '億' {
            if matches!(chars.get(i.wrapping_sub(1)), Some('万') | Some('萬')) && i > at {
                has_wanyi = true;
            }
            let s = result + section + number;
            result = if s == 0.0 { 1.0 } else { s } * 1e8;
            section = 0.0;
            number = 0.0;
            last_digit = false;
            has_yi = true;
            digits_in_row = 0;
        } else {
            break;
        }
        i += 1;
    }
    if i == at {
        return None;
    }
    let _ = digits_in_row;
    let total = result + section + number;
    // the magnitude word as written (Traditional 萬/億 in the 1950s reports)
    let trad = chars[at..i].iter().any(|&c| c == '萬' || c == '億');
    let magnitude = if has_wanyi && total >= 1e12 {
        Some((if trad { "萬億" } else { "万亿" }, 1e12))
    } else if has_yi {
        Some((if trad { "億" } else { "亿" }, 1e8))
    } else if has_wan {
        Some((if trad { "萬" } else { "万" }, 1e4))
    } else {
        None
    };
    Some(ZhNumber {
        end: i,
        total,
        vague_plus,
        bare_magnitude: !saw_digit && !saw_unit,
        has_digit: saw_digit,
        magnitude,
        positional: saw_digit && !saw_unit && !has_wan && !has_yi,
    })
}

/// Arabic number at `at` (an ASCII digit): (end, value). Accepts `1,234.5`
/// (groups of three after commas) and decimals.
pub fn parse_arabic(chars: &[char], at: usize) -> (usize, f64) {
    let mut i = at;
    // no text is kept: this runs at every number of a sentence
    let mut s = NumberText::default();
    let mut point = false;
    // digits typed apart in Chinese text (`7 4 7 7 2 亿元`, `5 .4 %`): single
    // digits separated by single spaces, after a non-Latin character
    let spaced = chars.get(at + 1) == Some(&' ')
        && chars
            .get(at + 2)
            .is_some_and(|c| c.is_ascii_digit() || *c == '.')
        && (at == 0 || !chars[at - 1].is_ascii());
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_digit() {
            s.push_digit(c as u8);
            i += 1;
        } else if (spaced
            && c == ' '
            && chars
                .get(i + 1)
                .is_some_and(|n| n.is_ascii_digit() || *n == '.')
            && chars.get(i + 2).is_some_and(|n| !n.is_ascii_alphabetic()))
            || (c == ','
                && !point
                && (i + 3 < chars.len() || i + 3 == chars.len())
                && chars[i + 1..]
                    .iter()
                    .take(3)
                    .filter(|c| c.is_ascii_digit())
                    .count()
                    == 3
                && !chars.get(i + 4).is_some_and(|c| c.is_ascii_digit()))
        {
            i += 1;
        } else if c == '.' && !point && chars.get(i + 1).is_some_and(|c| c.is_ascii_digit()) {
            s.push_point();
            point = true;
            i += 1;
        } else {
            break;
        }
    }
    (i, s.value(&chars[at..i]))
}

/// The digits of one number as they are read: an integer of up to 15
/// digits and a power of ten are exact f64s, so their quotient is the
/// correctly rounded decimal, the value `str::parse` gives (the fast path of
/// float parsers). Longer numbers are parsed from their chars.
#[derive(Default)]
struct NumberText {
    /// The digits as an integer, point left out, while they fit.
    mantissa: u64,
    digits: usize,
    /// Digits after the point, once there is one.
    decimals: Option<u32>,
}

/// Powers of ten that an f64 holds exactly.
const POW10: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

impl NumberText {
    fn push_digit(&mut self, d: u8) {
        self.mantissa = self
            .mantissa
            .wrapping_mul(10)
            .wrapping_add(u64::from(d - b'0'));
        self.digits += 1;
        if let Some(k) = &mut self.decimals {
            *k += 1;
        }
    }

    fn push_point(&mut self) {
        self.decimals = Some(0);
    }

    /// The number read from `chars` (the digits and the point in them are
    /// the ones pushed; spaces and group commas were skipped), or 0 where
    /// there is none (as `"".parse()` failing gave).
    fn value(&self, chars: &[char]) -> f64 {
        if self.digits <= 15 {
            let scale = POW10[self.decimals.unwrap_or(0) as usize];
            return self.mantissa as f64 / scale;
        }
        let text: String = chars
            .iter()
            .filter(|c| c.is_ascii_digit() || **c == '.')
            .collect();
        text.parse().unwrap_or(0.0)
    }
}

const EN_FRACTIONS: &[(&str, f64)] = &[
    ("half", 2.0),
    ("halves", 2.0),
    ("third", 3.0),
    ("thirds", 3.0),
    ("quarter", 4.0),
    ("quarters", 4.0),
    ("fourth", 4.0),
    ("fourths", 4.0),
    ("fifth", 5.0),
    ("fifths", 5.0),
    ("tenth", 10.0),
    ("tenths", 10.0),
];

pub fn word_at(chars: &[char], at: usize) -> usize {
    let mut i = at;
    while i < chars.len() && chars[i].is_ascii_alphabetic() {
        i += 1;
    }
    i
}

fn word_eq(chars: &[char], from: usize, to: usize, w: &str) -> bool {
    to - from == w.len()
        && chars[from..to]
            .iter()
            .zip(w.chars())
            .all(|(a, b)| a.to_ascii_lowercase() == b)
}

fn en_small(chars: &[char], from: usize, to: usize) -> Option<u32> {
    // most words are not number words: reject on length and letters first
    if to - from < 3 || to - from > 9 {
        return None;
    }
    let mut buf = [0u8; 9];
    for (b, c) in buf.iter_mut().zip(&chars[from..to]) {
        // `from..to` is a word of ASCII letters (`word_at`)
        *b = c.to_ascii_lowercase() as u8;
    }
    // bytes, not a str: the UTF-8 check per word was a third of the cost
    let v = match &buf[..to - from] {
        b"one" => 1,
        b"two" => 2,
        b"three" => 3,
        b"four" => 4,
        b"five" => 5,
        b"six" => 6,
        b"seven" => 7,
        b"eight" => 8,
        b"nine" => 9,
        b"ten" => 10,
        b"eleven" => 11,
        b"twelve" => 12,
        b"thirteen" => 13,
        b"fourteen" => 14,
        b"fifteen" => 15,
        b"sixteen" => 16,
        b"seventeen" => 17,
        b"eighteen" => 18,
        b"nineteen" => 19,
        b"twenty" => 20,
        b"thirty" => 30,
        b"forty" => 40,
        b"fifty" => 50,
        b"sixty" => 60,
        b"seventy" => 70,
        b"eighty" => 80,
        b"ninety" => 90,
        b"zero" => 0,
        _ => return None,
    };
    Some(v)
}

pub enum EnNumber {
    /// A cardinal ("twenty-five", "a dozen", "two hundred"); scale words
    /// (million ...) are left for the magnitude step.
    Cardinal { end: usize, value: f64 },
    /// A fraction word, as a percent ("one-third" -> 33.333).
    Fraction { end: usize, percent: f64 },
}

/// English number words starting at `at` (a word start).
pub fn parse_en(chars: &[char], at: usize) -> Option<EnNumber> {
    // It is tried at every word of a sentence with a number: only words
    // starting like `a`/`an`, `half` or a number word below can match.
    if !chars.get(at).is_some_and(|c| {
        matches!(
            c.to_ascii_lowercase(),
            'a' | 'h' | 'o' | 't' | 'f' | 's' | 'e' | 'n' | 'z'
        )
    }) {
        return None;
    }
    let w_end = word_at(chars, at);
    if w_end == at {
        return None;
    }
    let is_a = word_eq(chars, at, w_end, "a") || word_eq(chars, at, w_end, "an");
    // "a dozen", "a hundred", "a third", "a quarter", "a half"
    if is_a {
        let n_start = w_end + 1;
        if chars.get(w_end) != Some(&' ') {
            return None;
        }
        let n_end = word_at(chars, n_start);
        if word_eq(chars, n_start, n_end, "dozen") {
            return Some(EnNumber::Cardinal {
                end: n_end,
                value: 12.0,
            });
        }
        if word_eq(chars, n_start, n_end, "hundred") {
            return Some(EnNumber::Cardinal {
                end: n_end,
                value: 100.0,
            });
        }
        // `a million jobs`: one, with the scale word left for the magnitude step
        if ["thousand", "million", "billion", "trillion"]
            .iter()
            .any(|w| word_eq(chars, n_start, n_end, w))
        {
            return Some(EnNumber::Cardinal {
                end: w_end,
                value: 1.0,
            });
        }
        if let Some(&(_, d)) = EN_FRACTIONS
            .iter()
            .find(|(w, _)| word_eq(chars, n_start, n_end, w))
        {
            return Some(EnNumber::Fraction {
                end: n_end,
                percent: round3(100.0 / d),
            });
        }
        return None;
    }
    if word_eq(chars, at, w_end, "half") {
        return Some(EnNumber::Fraction {
            end: w_end,
            percent: 50.0,
        });
    }
    let first = en_small(chars, at, w_end)?;
    let mut value = first as f64;
    let mut end = w_end;
    // "twenty-five", "one-third", "two thirds"
    if matches!(chars.get(end), Some('-') | Some(' ')) {
        let n_start = end + 1;
        let n_end = word_at(chars, n_start);
        if n_end > n_start {
            if let Some(&(_, d)) = EN_FRACTIONS
                .iter()
                .find(|(w, _)| word_eq(chars, n_start, n_end, w))
            {
                let is_half = d == 2.0;
                if !(first == 1 && !is_half && chars[end] == ' ' && d == 4.0) {
                    return Some(EnNumber::Fraction {
                        end: n_end,
                        percent: round3(first as f64 * 100.0 / d),
                    });
                }
            }
            if chars[end] == '-' && first >= 20 && first % 10 == 0 {
                if let Some(u) = en_small(chars, n_start, n_end).filter(|&u| u < 10) {
                    value += u as f64;
                    end = n_end;
                }
            }
        }
    }
    // "two hundred", "a dozen"
    if chars.get(end) == Some(&' ') {
        let n_start = end + 1;
        let n_end = word_at(chars, n_start);
        if word_eq(chars, n_start, n_end, "hundred") {
            value *= 100.0;
            end = n_end;
        } else if word_eq(chars, n_start, n_end, "dozen") {
            value *= 12.0;
            end = n_end;
        }
    }
    Some(EnNumber::Cardinal { end, value })
}

pub fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arabic_numbers_of_any_length_parse_as_before() {
        for (text, end, value) in [
            ("1,234.5亿", 7, 1234.5),
            ("2024,12", 4, 2024.0),
            ("7 4 7 7 2 亿元", 9, 74772.0),
            ("13.5%", 4, 13.5),
            ("3.", 1, 3.0),
        ] {
            let c: Vec<char> = text.chars().collect();
            assert_eq!(parse_arabic(&c, 0), (end, value), "{text}");
        }
        // past the stack buffer: the same value a String parse gives
        for len in [31, 32, 33, 80] {
            let digits = "9".repeat(len) + ".25";
            let c: Vec<char> = digits.chars().collect();
            let (end, value) = parse_arabic(&c, 0);
            assert_eq!(end, c.len());
            assert_eq!(value, digits.parse::<f64>().unwrap(), "{len}");
        }
    }

    #[test]
    fn arabic_values_as_parse_gives() {
        // the integer-and-power path against `str::parse`, digits and
        // decimals of every length around the 15-digit bound
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let int = 1 + (x % 12) as usize;
            let dec = ((x >> 8) % 10) as usize;
            let mut t = String::new();
            for k in 0..int + dec {
                if k == int {
                    t.push('.');
                }
                t.push(char::from(b'0' + ((x >> (k % 50)) % 10) as u8));
            }
            if t.ends_with('.') {
                t.pop();
            }
            let c: Vec<char> = t.chars().collect();
            let (end, value) = parse_arabic(&c, 0);
            assert_eq!(end, c.len(), "{t}");
            assert_eq!(value.to_bits(), t.parse::<f64>().unwrap().to_bits(), "{t}");
        }
    }

    fn zh(s: &str) -> (f64, Option<&'static str>) {
        let c: Vec<char> = s.chars().collect();
        let n = parse_zh(&c, 0).unwrap();
        (n.total, n.magnitude.map(|m| m.0))
    }

    #[test]
    fn chinese_numerals() {
        assert_eq!(zh("一千三百八十七亿四千万"), (1387.4e8, Some("亿")));
        assert_eq!(zh("两万亿"), (2e12, Some("万亿")));
        assert_eq!(zh("万亿"), (1e12, Some("万亿")));
        assert_eq!(zh("千亿"), (1e11, Some("亿")));
        assert_eq!(zh("十五点三"), (15.3, None));
        assert_eq!(zh("六十八"), (68.0, None));
        assert_eq!(zh("三千万"), (3e7, Some("万")));
        assert_eq!(zh("一九五七").0, 1957.0);
        let c: Vec<char> = "十几个".chars().collect();
        let n = parse_zh(&c, 0).unwrap();
        assert!(n.vague_plus && n.total == 10.0 && n.end == 2);
    }

    #[test]
    fn arabic_numbers() {
        let c: Vec<char> = "1,234.5亿".chars().collect();
        assert_eq!(parse_arabic(&c, 0), (7, 1234.5));
        let c: Vec<char> = "2024,12".chars().collect();
        assert_eq!(parse_arabic(&c, 0), (4, 2024.0));
    }

    #[test]
    fn english_words() {
        let c: Vec<char> = "twenty-five percent".chars().collect();
        assert!(
            matches!(parse_en(&c, 0), Some(EnNumber::Cardinal { end: 11, value }) if value == 25.0)
        );
        let c: Vec<char> = "one-third of".chars().collect();
        assert!(
            matches!(parse_en(&c, 0), Some(EnNumber::Fraction { percent, .. }) if percent == 33.333)
        );
        let c: Vec<char> = "a dozen".chars().collect();
        assert!(matches!(parse_en(&c, 0), Some(EnNumber::Cardinal { value, .. }) if value == 12.0));
    }
}

#[cfg(test)]
mod numeral_filter_tests {
    use super::*;

    #[test]
    fn filter_keeps_every_numeral() {
        for c in ('\u{3000}'..='\u{FFFF}').chain('\u{20000}'..='\u{2FFFF}') {
            let plain = c == '〇'
                || ((c as u32) >= 0x4e00
                    && (zh_digit(c).is_some()
                        || matches!(c, '十' | '百' | '千' | '万' | '亿' | '萬' | '億')));
            assert_eq!(is_zh_numeral(c), plain, "{c}");
        }
    }
}
