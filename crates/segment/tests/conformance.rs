//! Conformance suites in ../shared/conformance/segmentation. Pass rule
//! (its README): trim each segment, collapse white-space runs to one space,
//! drop empty segments, then exact equality with `sentences`.

mod common;

use common::shared;
use quarry_segment::{SegmentConfig, Segmenter};

fn norm(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

struct Tally {
    pass: usize,
    total: usize,
    failing: Vec<String>,
}

fn run(file: &str, lang: &str) -> Tally {
    let text = std::fs::read_to_string(shared("conformance/segmentation").join(file)).unwrap();
    let seg = Segmenter::new(&SegmentConfig::default());
    let mut t = Tally {
        pass: 0,
        total: 0,
        failing: Vec::new(),
    };
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        if v["lang"].as_str() != Some(lang) {
            continue;
        }
        let want: Vec<String> = v["sentences"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| norm(s.as_str().unwrap()))
            .filter(|s| !s.is_empty())
            .collect();
        let got: Vec<String> = seg
            .segment(v["text"].as_str().unwrap())
            .iter()
            .map(|s| norm(&s.text))
            .filter(|s| !s.is_empty())
            .collect();
        t.total += 1;
        if got == want {
            t.pass += 1;
        } else {
            let id = v["id"].as_str().unwrap().to_string();
            println!("FAIL {id}\n  want {want:?}\n  got  {got:?}");
            t.failing.push(id);
        }
    }
    println!(
        "{file} [{lang}]: {}/{} pass ({:.1}%); failing: {:?}",
        t.pass,
        t.total,
        100.0 * t.pass as f64 / t.total.max(1) as f64,
        t.failing
    );
    t
}

#[test]
fn pysbd_golden_rules_en() {
    let t = run("pysbd_golden_rules.jsonl", "en");
    assert!(t.pass >= 47, "pySBD golden en: {}/{}", t.pass, t.total);
}

#[test]
fn pysbd_golden_rules_zh() {
    let t = run("pysbd_golden_rules.jsonl", "zh");
    assert_eq!(t.pass, t.total, "pySBD golden zh: {}/{}", t.pass, t.total);
}

#[test]
fn sentencex_en() {
    let t = run("sentencex_tests.jsonl", "en");
    assert!(
        t.pass * 10 >= t.total * 9,
        "sentencex en: {}/{}",
        t.pass,
        t.total
    );
}

#[test]
fn sentencex_zh() {
    let t = run("sentencex_tests.jsonl", "zh");
    assert_eq!(t.pass, t.total);
}
