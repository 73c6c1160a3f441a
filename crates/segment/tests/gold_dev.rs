//! Sentence F1 against the hand-labelled gold (documents 0-2 of the seed),
//! scored like `eval/score.py`: folded texts compared as multisets per
//! document, unmatched predictions inside an `ignore` stretch not counted.

mod common;

use common::{canon, seed_documents, shared};
use quarry_segment::{SegmentConfig, Segmenter};
use std::collections::HashMap;

#[test]
fn gold_dev_sentence_f1() {
    let gold_path = shared("eval/gold-dev/sentences.jsonl");
    let gold_text = std::fs::read_to_string(&gold_path).unwrap();
    let mut gold: HashMap<u64, Vec<String>> = HashMap::new();
    let mut ignore: HashMap<u64, Vec<String>> = HashMap::new();
    for line in gold_text.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let doc = v["doc"].as_u64().unwrap();
        if let Some(ig) = v.get("ignore").and_then(|x| x.as_str()) {
            ignore.entry(doc).or_default().push(canon(ig));
        } else {
            gold.entry(doc)
                .or_default()
                .push(canon(v["text"].as_str().unwrap()));
        }
    }
    let docs = seed_documents();
    let seg = Segmenter::new(&SegmentConfig::default());
    let (mut tp, mut n_pred, mut n_gold) = (0usize, 0usize, 0usize);
    let mut docs_ids: Vec<u64> = gold.keys().copied().collect();
    docs_ids.sort();
    for d in docs_ids {
        let pred: Vec<String> = seg
            .segment(&docs[d as usize])
            .iter()
            .map(|s| canon(&s.text))
            .filter(|c| !c.is_empty())
            .collect();
        let mut g_count: HashMap<&str, isize> = HashMap::new();
        for g in &gold[&d] {
            *g_count.entry(g).or_default() += 1;
        }
        let mut matched = 0usize;
        let mut false_alarms = Vec::new();
        for p in &pred {
            match g_count.get_mut(p.as_str()) {
                Some(c) if *c > 0 => {
                    *c -= 1;
                    matched += 1;
                }
                _ => {
                    let ignored = ignore
                        .get(&d)
                        .is_some_and(|rs| rs.iter().any(|r| r.contains(p.as_str())));
                    if !ignored {
                        false_alarms.push(p.clone());
                    }
                }
            }
        }
        for (g, c) in &g_count {
            for _ in 0..*c {
                println!("doc {d} MISS : {g}");
            }
        }
        for p in &false_alarms {
            println!("doc {d} FALSE: {p}");
        }
        tp += matched;
        n_pred += matched + false_alarms.len();
        n_gold += gold[&d].len();
    }
    let p = tp as f64 / n_pred.max(1) as f64;
    let r = tp as f64 / n_gold.max(1) as f64;
    let f1 = if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    };
    println!("gold-dev sentences: gold {n_gold} predicted {n_pred} matched {tp} P {p:.4} R {r:.4} F1 {f1:.4}");
    assert!(f1 >= 0.99, "sentence F1 {f1:.4} < 0.99");
}
