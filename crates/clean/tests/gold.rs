//! Cleaning must not cost the scorer anything: every gold sentence of the
//! seed sample must still be in its cleaned document, compared the way
//! `eval/score.py` folds text (whitespace and markup removed, full-width
//! forms folded as NFKC does, `\'` read as `'`). Skipped when the shared
//! eval or corpus folders are missing.

use quarry_clean::{CleanConfig, Cleaner};

const SEED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/corpora/seed/gov_reports_2024.txt"
);
const GOLD: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/eval/gold-dev/sentences.jsonl"
);

/// The part of score.py's `canon` that matters here (NFKC on the chars
/// this text has: full-width ASCII forms and the ideographic space).
fn canon(s: &str) -> String {
    let s = s.replace("\\'", "'").replace("\\\"", "\"");
    let folded: String = s
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap(),
            _ => c,
        })
        .filter(|c| {
            !c.is_whitespace() && !"#*`\u{ad}\u{200b}\u{200c}\u{200d}\u{2060}\u{feff}".contains(*c)
        })
        .collect();
    folded
        .trim_start_matches(['-', '—', '–', '―', '•', '·', '*'])
        .to_string()
}

/// The value of `"key": "…"` in one JSONL line.
fn json_str(line: &str, key: &str) -> Option<String> {
    let at = line.find(&format!("\"{key}\": \""))? + key.len() + 5;
    let mut out = String::new();
    let mut chars = line[at..].chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(out),
            '\\' => match chars.next()? {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'u' => {
                    let hex: String = chars.by_ref().take(4).collect();
                    let mut v = u32::from_str_radix(&hex, 16).ok()?;
                    if (0xD800..0xDC00).contains(&v) {
                        let rest: String = chars.by_ref().take(6).collect();
                        let lo = u32::from_str_radix(rest.get(2..)?, 16).ok()?;
                        v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00);
                    }
                    out.push(char::from_u32(v)?);
                }
                e => out.push(e),
            },
            c => out.push(c),
        }
    }
    None
}

fn json_num(line: &str, key: &str) -> Option<usize> {
    let at = line.find(&format!("\"{key}\": "))? + key.len() + 4;
    let digits: String = line[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

#[test]
fn gold_sentences_survive_cleaning() {
    let (Ok(seed), Ok(gold)) = (std::fs::read_to_string(SEED), std::fs::read_to_string(GOLD))
    else {
        eprintln!("seed or gold missing: skipped");
        return;
    };
    // The reader's rule: a line that begins with a single space starts a
    // new document.
    let mut docs: Vec<String> = Vec::new();
    for line in seed.split('\n') {
        if (line.starts_with(' ') && !line.starts_with("  ")) || docs.is_empty() {
            docs.push(String::new());
        }
        let d = docs.last_mut().unwrap();
        d.push_str(line);
        d.push('\n');
    }
    let cleaner = Cleaner::new(&CleanConfig::default()).unwrap();
    let cleaned: Vec<String> = docs.iter().map(|d| canon(&cleaner.clean(d).text)).collect();
    let mut checked = 0;
    let mut missing = Vec::new();
    for line in gold.lines().filter(|l| !l.trim().is_empty()) {
        let (Some(doc), Some(text)) = (json_num(line, "doc"), json_str(line, "text")) else {
            continue;
        };
        checked += 1;
        if !cleaned[doc].contains(&canon(&text)) {
            missing.push(format!("doc {doc}: {text}"));
        }
    }
    println!(
        "{checked} gold sentences checked, {} missing",
        missing.len()
    );
    assert!(checked > 400, "gold file not read: {checked}");
    assert!(missing.is_empty(), "{}", missing.join("\n"));
    // The teaser line is gone and the first gold sentence opens document 0.
    assert!(cleaned[0].starts_with(&canon("第一篇：2024政府工作报告摘要（精选）今天上午9时")));
}
