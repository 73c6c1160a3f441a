//! Runs the cleaner over every document of the shared corpora (skipped when
//! the folder is missing) and prints what cleaning removed per corpus.

use quarry_clean::{CleanConfig, CleanStats, Cleaner};
use std::path::{Path, PathBuf};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpora");

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

/// What the corpus README promises cleaning will fix.
fn check_known_cases(p: &Path, raw: &str, clean: &str, failures: &mut Vec<String>) {
    let name = p.display().to_string();
    let chars = |s: &str| s.chars().count() as f64;
    if name.contains("cn_gwr_provincial_2026") {
        if raw.starts_with("下载\n打印\n全屏\n收藏\n【字号：") && clean.starts_with("下载")
        {
            failures.push(format!("toolbar left: {name}"));
        }
        if clean.contains("【字号：") || clean.contains("【字体：") || clean.ends_with("相关报道：")
        {
            failures.push(format!("page chrome left: {name}"));
        }
    }
    if name.contains("en_sg_budget_speeches") {
        let year = p.file_stem().unwrap().to_string_lossy().to_string();
        if ["2004", "2007", "2009", "2011"].contains(&year.as_str()) {
            let ratio = chars(raw) / chars(clean);
            println!("  Singapore {year}: raw/clean = {ratio:.1}");
            // 2004 repeats the speech about 12 times counting its partial
            // copies; the others 6-20 times.
            if !(5.0..=25.0).contains(&ratio) {
                failures.push(format!("{name}: raw/clean = {ratio:.1}"));
            }
        }
        if year == "2004" {
            // One whole copy of the speech is its longest raw line.
            let copy = raw.lines().map(chars).fold(0.0, f64::max);
            if !(0.95..=1.1).contains(&(chars(clean) / copy)) {
                failures.push(format!(
                    "{name}: {} chars for a {copy}-char speech",
                    chars(clean)
                ));
            }
        }
    }
    if name.ends_with("cn_gwr_national_hprc/1959.txt") {
        let ratio = chars(raw) / chars(clean);
        println!("  hprc 1959: raw/clean = {ratio:.2}");
        if !(1.8..=2.2).contains(&ratio) {
            failures.push(format!("{name}: raw/clean = {ratio:.2}"));
        }
    }
    if name.contains("cn_gwr_national_wikisource")
        && (clean.contains("Public domain") || clean.contains("本作品是中华人民共和国的"))
    {
        failures.push(format!("licence footer left: {name}"));
    }
    if name.ends_with("seed/gov_reports_2024.txt")
        && !clean.starts_with("第一篇：2024政府工作报告摘要（精选）\n")
    {
        let head: String = clean.chars().take(60).collect();
        failures.push(format!("seed teaser: {head}"));
    }
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
            check_known_cases(p, &raw, &c.text, &mut failures);
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
