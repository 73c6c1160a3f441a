//! Properties that must hold for any input: no panic; every sentence's text
//! equals its char span of the input (a line break shown as one space);
//! spans trimmed, non-empty, increasing and non-overlapping.

mod common;

use common::{files_under, shared};
use quarry_core::Sentence;
use quarry_segment::{LineBreaks, SegmentConfig, Segmenter};

fn check(text: &str, sents: &[Sentence], what: &str) {
    let mut chars = text.chars();
    let mut pos = 0u32;
    let mut prev_end = 0u32;
    for (i, s) in sents.iter().enumerate() {
        assert!(
            s.char_start < s.char_end,
            "{what}: empty span at sentence {i}"
        );
        assert!(
            s.char_start >= prev_end,
            "{what}: overlap or disorder at sentence {i}"
        );
        prev_end = s.char_end;
        while pos < s.char_start {
            chars.next().expect("span past end of text");
            pos += 1;
        }
        let span: String = chars
            .by_ref()
            .take((s.char_end - s.char_start) as usize)
            .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
            .collect();
        pos = s.char_end;
        assert_eq!(
            span, s.text,
            "{what}: text differs from span at sentence {i}"
        );
        let first = s.text.chars().next().unwrap();
        let last = s.text.chars().next_back().unwrap();
        assert!(
            !first.is_whitespace() && !last.is_whitespace(),
            "{what}: untrimmed sentence {i}: {:?}",
            s.text
        );
        assert!(!s.lang.is_empty());
    }
}

fn all_modes(text: &str, what: &str) {
    for lb in [LineBreaks::Auto, LineBreaks::Hard, LineBreaks::Paragraph] {
        let seg = Segmenter::new(&SegmentConfig { line_breaks: lb });
        let out = seg.segment(text);
        check(text, &out, &format!("{what} ({lb:?})"));
    }
}

#[test]
fn corpora_spans_match_text() {
    let mut files = files_under(&shared("corpora"));
    files.retain(|p| !p.ends_with("README.md"));
    assert!(!files.is_empty());
    let mut n = 0usize;
    for p in files {
        let bytes = std::fs::read(&p).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        all_modes(&text, &p.display().to_string());
        n += 1;
    }
    println!("checked {n} files");
}

#[test]
fn seed_documents_spans_match_text() {
    for (i, d) in common::seed_documents().iter().enumerate() {
        all_modes(d, &format!("seed doc {i}"));
    }
}

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const PIECES: &[&str] = &[
    ".",
    "!",
    "?",
    "。",
    "！",
    "？",
    "…",
    "……",
    "...",
    ". . .",
    " ",
    "  ",
    "\n",
    "\n\n",
    "\r",
    "\r\n",
    "\t",
    "\u{3000}",
    "\u{a0}",
    "\u{200b}",
    "\u{feff}",
    "\u{301}",
    "\u{0}",
    "\u{7}",
    "\u{1b}",
    "a",
    "The",
    "Mr",
    "U.S",
    "e.g",
    "a.m",
    "No",
    "7",
    "2024",
    "3.1.4",
    "中国",
    "今年",
    "年",
    "“",
    "”",
    "\"",
    "'",
    "''",
    "(",
    ")",
    "（",
    "）",
    "《",
    "》",
    "[1]",
    "--",
    "——",
    "—",
    "-",
    "#",
    "## ",
    "* ",
    "---",
    "1. ",
    "2. ",
    "a) ",
    "• ",
    "⁃",
    "MONITORING PM 2.5",
    "STATEMENT",
    "The ",
    "I ",
    "𠀀",
    "é",
    "ß",
    "Ж",
    "ا",
    "\u{fffd}",
    "`",
    "|",
    ":",
    "：",
    "，",
    "、",
];

#[test]
fn random_strings_never_panic() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for round in 0..3000 {
        let n = rng.below(60);
        let mut s = String::new();
        for _ in 0..n {
            s.push_str(PIECES[rng.below(PIECES.len())]);
        }
        all_modes(&s, &format!("random #{round}: {s:?}"));
    }
    // Random code points too, including controls and lone combining marks.
    for round in 0..500 {
        let n = rng.below(200);
        let s: String = (0..n)
            .filter_map(|_| {
                let r = rng.next();
                let cp = match r % 4 {
                    0 => (r >> 8) % 0x80,
                    1 => 0x300 + (r >> 8) % 0x70,
                    2 => 0x3000 + (r >> 8) % 0x7000,
                    _ => (r >> 8) % 0x11_0000,
                } as u32;
                char::from_u32(cp)
            })
            .collect();
        all_modes(&s, &format!("codepoints #{round}"));
    }
}

#[test]
fn edge_inputs() {
    let ten_mb_line = "这是一个没有标点的很长的句子".repeat(10 * 1024 * 1024 / 42 + 1);
    let cases: Vec<String> = vec![
        String::new(),
        " ".into(),
        "\n\n\n".into(),
        "\r\r\r".into(),
        "\u{301}\u{301}".into(),
        "......!!!???。。。".into(),
        ". . . . . . .".into(),
        "a".repeat(10 * 1024 * 1024),
        ten_mb_line,
        "a. ".repeat(200_000),
        "\"(".repeat(100_000),
        format!("{}.", " ".repeat(1_000_000)),
        "1. 2. 3. 4. 5. ".repeat(50_000),
        "——".repeat(100_000),
    ];
    for (i, c) in cases.iter().enumerate() {
        let seg = Segmenter::new(&SegmentConfig::default());
        let out = seg.segment(c);
        check(c, &out, &format!("edge case {i}"));
    }
    let seg = Segmenter::new(&SegmentConfig::default());
    assert!(seg.segment("").is_empty());
    assert!(seg.segment(" \n \n ").is_empty());
}
