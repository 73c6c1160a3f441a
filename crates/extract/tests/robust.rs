//! No input may make the extractor panic or return a surface that is not
//! its own span: random sentences built from the characters the rules
//! look at (digits, numerals, units, cues, quotes, separators).

use quarry_core::{Document, Sentence};
use quarry_extract::{ExtractConfig, Extractor};

#[test]
fn random_sentences_never_break_the_span_contract() {
    let pool: Vec<char> = "0123456789.,:/-+×% 一二两三十百千万亿萬億點点几多余第年月个项家人元美$S万亿吨公里倍番翻以上下内左右约近超过增长下降提高到为和、分别均“”\"（）。，；：abc million percent of GDP a third half"
        .chars()
        .collect();
    let ex = Extractor::new(&ExtractConfig::default()).unwrap();
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..1500 {
        let mut doc = Document::new("fuzz".into(), 0, String::new());
        for _ in 0..20 {
            let len = (next() % 40) as usize;
            let text: String = (0..len)
                .map(|_| pool[(next() % pool.len() as u64) as usize])
                .collect();
            let n = text.chars().count() as u32;
            doc.sentences.push(Sentence {
                text,
                lang: "und",
                char_start: 0,
                char_end: n,
                metrics: vec![],
            });
        }
        ex.extract_document(&mut doc);
        for s in &doc.sentences {
            let chars: Vec<char> = s.text.chars().collect();
            let mut last = 0;
            for m in &s.metrics {
                let span: String = chars[m.char_start as usize..m.char_end as usize]
                    .iter()
                    .collect();
                assert_eq!(span, m.surface, "in {:?}", s.text);
                assert!(m.value_normalized.is_finite(), "in {:?}", s.text);
                assert!(
                    m.char_start >= last || m.char_start == last,
                    "order in {:?}",
                    s.text
                );
                last = m.char_start;
            }
        }
    }
}
