//! Eyeballing tool: extracts from plain-text files and prints each sentence
//! that holds metrics with its metrics, one per line.
//!
//!     cargo run --release -p quarry-extract --example corpus_dump -- FILE... [--limit N]
//!
//! The splitter here is a stand-in for the segment stage: it ends sentences
//! at 。！？ and at . ! ? before white space, and folds full-width ASCII as
//! the clean stage does.

use quarry_core::{Document, Sentence};
use quarry_extract::{ExtractConfig, Extractor};

pub fn fold(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            '\u{3000}' | '\u{a0}' => ' ',
            _ => c,
        })
        .collect()
}

pub fn split(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c == '\n' || c == '\r' {
            if !cur.trim().is_empty() {
                out.push(cur.trim().to_string());
            }
            cur.clear();
            continue;
        }
        cur.push(c);
        let next = chars.get(i + 1).copied().unwrap_or(' ');
        let end = matches!(c, '。' | '！' | '？')
            || (matches!(c, '.' | '!' | '?') && (next.is_whitespace() || next > '\u{2e80}'));
        if end && !matches!(next, '”' | '）' | ')' | '"') {
            if !cur.trim().is_empty() {
                out.push(cur.trim().to_string());
            }
            cur.clear();
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    out
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut limit = usize::MAX;
    let mut files = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--limit" {
            limit = it.next().and_then(|s| s.parse().ok()).unwrap_or(usize::MAX);
        } else {
            files.push(a.clone());
        }
    }
    let ex = Extractor::new(&ExtractConfig::default()).expect("config");
    let mut shown = 0;
    for f in files {
        let text = fold(&std::fs::read_to_string(&f).expect("read"));
        let sents = split(&text);
        let mut doc = Document::new(f.as_str().into(), 0, text.clone());
        let mut pos = 0;
        for s in sents {
            let n = s.chars().count() as u32;
            doc.sentences.push(Sentence {
                text: s,
                lang: "und",
                char_start: pos,
                char_end: pos + n,
                metrics: vec![],
            });
            pos += n;
        }
        ex.extract_document(&mut doc);
        for s in &doc.sentences {
            if s.metrics.is_empty() || shown >= limit {
                continue;
            }
            shown += 1;
            println!("## {}", s.text.chars().take(220).collect::<String>());
            for m in &s.metrics {
                println!(
                    "   [{}] {} {:?} -> {} {} | {:?} | {} {:?} {} {}",
                    m.surface,
                    m.value,
                    m.unit,
                    m.value_normalized,
                    m.base_unit,
                    m.indicator,
                    m.kind.as_str(),
                    m.direction.map(|d| d.as_str()),
                    m.comparator.as_str(),
                    m.modality.as_str()
                );
            }
        }
    }
}
