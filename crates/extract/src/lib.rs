//! The extract stage: finds the quantities a document reports and fills
//! every field of the metrics dataset (see shared/spec/metrics-guide.md).
//!
//! Public API: [`ExtractConfig`], [`Extractor`].

use quarry_core::{Comparator, Document, Kind, Metric, Modality};
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExtractConfig {}

pub struct Extractor {}

const UNITS: &[(&str, &str)] = &[
    ("个百分点", "pct_point"),
    ("%", "percent"),
    ("％", "percent"),
    ("元", "CNY"),
    ("人次", "person_time"),
    ("人", "person"),
    ("户", "household"),
    ("家", "count"),
    ("个", "count"),
    ("项", "count"),
];

impl Extractor {
    pub fn new(_config: &ExtractConfig) -> Result<Self, String> {
        Ok(Extractor {})
    }

    /// Fills `metrics` of every sentence of `doc`.
    pub fn extract_document(&self, doc: &mut Document) {
        for sentence in &mut doc.sentences {
            sentence.metrics = self.extract_sentence(&sentence.text);
        }
    }

    fn extract_sentence(&self, text: &str) -> Vec<Metric> {
        let chars: Vec<char> = text.chars().collect();
        let mut out = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            if !chars[i].is_ascii_digit()
                || (i > 0 && (chars[i - 1].is_ascii_alphanumeric() || chars[i - 1] == '.'))
            {
                i += 1;
                continue;
            }
            let start = i;
            while i < chars.len()
                && (chars[i].is_ascii_digit()
                    || (chars[i] == '.' && chars.get(i + 1).is_some_and(|c| c.is_ascii_digit())))
            {
                i += 1;
            }
            let number: String = chars[start..i].iter().collect();
            let Ok(value) = number.parse::<f64>() else {
                continue;
            };
            let mut j = i;
            let mut magnitude = 1.0;
            let mut unit = String::new();
            for (word, m) in [("万亿", 1e12), ("亿", 1e8), ("万", 1e4)] {
                if starts_with(&chars, j, word) {
                    magnitude = m;
                    unit.push_str(word);
                    j += word.chars().count();
                    break;
                }
            }
            let mut base = None;
            for (u, b) in UNITS {
                if starts_with(&chars, j, u) {
                    unit.push_str(u);
                    j += u.chars().count();
                    base = Some(*b);
                    break;
                }
            }
            if starts_with(&chars, j, "年")
                || starts_with(&chars, j, "月")
                || starts_with(&chars, j, "日")
            {
                i = j;
                continue;
            }
            let Some(base) = base.or(if magnitude > 1.0 { Some("CNY") } else { None }) else {
                i = j;
                continue;
            };
            let is_rate = matches!(base, "percent" | "pct_point");
            let before: String = chars[start.saturating_sub(4)..start].iter().collect();
            let change = ["增长", "提高", "增加", "下降", "减少"]
                .iter()
                .any(|w| before.ends_with(w));
            out.push(Metric {
                surface: chars[start..j].iter().collect(),
                char_start: start as u32,
                char_end: j as u32,
                indicator: None,
                value,
                unit: (!unit.is_empty()).then_some(unit),
                value_normalized: if is_rate { value } else { value * magnitude },
                base_unit: base.to_string(),
                kind: if change { Kind::Change } else { Kind::Level },
                direction: change.then(|| {
                    if before.ends_with("下降") || before.ends_with("减少") {
                        quarry_core::Direction::Down
                    } else {
                        quarry_core::Direction::Up
                    }
                }),
                comparator: Comparator::Eq,
                modality: Modality::Actual,
            });
            i = j;
        }
        out
    }
}

fn starts_with(chars: &[char], at: usize, word: &str) -> bool {
    word.chars()
        .enumerate()
        .all(|(k, w)| chars.get(at + k) == Some(&w))
}
