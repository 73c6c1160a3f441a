//! Runs the cleaner over every document of the shared corpora (skipped when
//! the folder is missing) and prints what cleaning removed per corpus.

use quarry_clean::{CleanConfig, CleanStats, Cleaner};
use std::path::{Path, PathBuf};

const ROOT: &str = "/work/shared/corpora";

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut v: Vec<_> = rd.flatten().map(|e| e.path()).collect();
    v.sort();
    for p in v {
        if p.is_dir() {
            // Legacy encodings are the reader's business.
            if p.file_name().is_some_and(|n| n == "raw-encodings") {
                continue;
            }
            files(&p, out);
        } else if matches!(p.extension().and_then(|e| e.to_str()), Some("txt" | "md")) {
            out.push(p);
        }
    }
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn every_corpus_document() {
    let root = Path::new(ROOT);
    if !root.is_dir() {
        eprintln!("{ROOT} missing: skipped");
        return;
    }
    let cleaner = Cleaner::new(&CleanConfig::default()).unwrap();
    let mut corpora: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    corpora.sort();
    let mut failures = Vec::new();
    for corpus in corpora {
        let mut docs = Vec::new();
        files(&corpus, &mut docs);
        let mut total = CleanStats::default();
        let (mut raw_chars, mut removed) = (0u64, 0u64);
        for p in &docs {
            let raw = read(p);
            let (c, s) = cleaner.clean_with_stats(&raw);
            let n = raw.chars().count() as u64;
            assert_eq!(
                c.removed_chars as u64,
                n - c.text.chars().count() as u64,
                "{}",
                p.display()
            );
            assert_eq!(
                s.removed(),
                c.removed_chars as u64,
                "{}: {s:?}",
                p.display()
            );
            let again = cleaner.clean(&c.text);
            if again.text != c.text {
                let at = again
                    .text
                    .chars()
                    .zip(c.text.chars())
                    .position(|(a, b)| a != b)
                    .unwrap_or(0);
                let ctx: String = c
                    .text
                    .chars()
                    .skip(at.saturating_sub(30))
                    .take(80)
                    .collect();
                failures.push(format!(
                    "not idempotent: {} at char {at}: {ctx:?}",
                    p.display()
                ));
            }
            raw_chars += n;
            removed += c.removed_chars as u64;
            total.add(&s);
        }
        println!(
            "{:<34} docs {:>4} raw chars {:>9} removed {:>8} | ws {} invisible {} markup {} spaced-digits {} boilerplate {} duplicates {} (folded {})",
            corpus.file_name().unwrap().to_string_lossy(),
            docs.len(),
            raw_chars,
            removed,
            total.whitespace,
            total.invisible,
            total.markup,
            total.spaced_digits,
            total.boilerplate,
            total.duplicates,
            total.folded
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
