//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

pub const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared");

pub fn shared(rel: &str) -> PathBuf {
    Path::new(SHARED).join(rel)
}

/// The fold of `eval/score.py`'s `canon()`. NFKC is approximated by folding
/// full-width ASCII and U+3000, which is all this corpus needs; gold and
/// prediction go through the same fold, so the comparison stays fair.
pub fn canon(s: &str) -> String {
    let s = s.replace("\\'", "'").replace("\\\"", "\"");
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let c = match c as u32 {
            0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        };
        if c.is_whitespace()
            || matches!(
                c,
                '#' | '*'
                    | '`'
                    | '\u{ad}'
                    | '\u{200b}'
                    | '\u{200c}'
                    | '\u{200d}'
                    | '\u{2060}'
                    | '\u{feff}'
            )
        {
            continue;
        }
        out.push(c);
    }
    out.trim_start_matches(['-', '—', '–', '―', '•', '·', '*'])
        .to_string()
}

/// Documents of the seed file: a line that begins with a single space starts
/// a new document; a last line holding only a space is no document. Cleaned
/// minimally: lines trimmed, `\'` read as `'`.
pub fn seed_documents() -> Vec<String> {
    let raw = std::fs::read_to_string(shared("corpora/seed/gov_reports_2024.txt")).unwrap();
    let mut docs: Vec<Vec<String>> = Vec::new();
    for line in raw.lines() {
        if (line.starts_with(' ') && !line.trim().is_empty()) || docs.is_empty() {
            docs.push(Vec::new());
        }
        if line.trim().is_empty() {
            continue;
        }
        docs.last_mut()
            .unwrap()
            .push(line.trim().replace("\\'", "'"));
    }
    docs.into_iter().map(|d| d.join("\n")).collect()
}

/// Every regular file under `dir`, recursively, sorted.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}
