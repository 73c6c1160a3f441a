//! The vocabulary file: units, magnitudes, cue words and non-metric
//! patterns. The default ships in `data/vocabulary.toml`; users merge their
//! own file and inline entries over it (see README.md).

use crate::lexicon::Lexicon;
use serde::Deserialize;
use std::collections::BTreeMap;

pub const DEFAULT_VOCABULARY: &str = include_str!("../data/vocabulary.toml");

/// Base units the metrics guide allows besides ISO 4217 money codes.
pub const BASE_UNITS: &[&str] = &[
    "CNY",
    "USD",
    "SGD",
    "EUR",
    "GBP",
    "JPY",
    "HKD",
    "percent",
    "permille",
    "pct_point",
    "basis_point",
    "person",
    "person_time",
    "household",
    "mu",
    "m2",
    "km2",
    "hectare",
    "km",
    "m",
    "kWh",
    "kW",
    "t",
    "times",
    "doubling",
    "count",
    "other",
];

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VocabularyFile {
    pub units: BTreeMap<String, String>,
    pub magnitudes: BTreeMap<String, f64>,
    pub currency_symbols: BTreeMap<String, String>,
    pub count_nouns: BTreeMap<String, String>,
    pub cues: Cues,
    pub non_metric: NonMetric,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Cues {
    pub ge_before: Vec<String>,
    pub ge_after: Vec<String>,
    pub gt_before: Vec<String>,
    pub gt_after: Vec<String>,
    pub le_before: Vec<String>,
    pub le_after: Vec<String>,
    pub lt_before: Vec<String>,
    pub lt_after: Vec<String>,
    pub approx_before: Vec<String>,
    pub approx_after: Vec<String>,
    pub not_comparators: Vec<String>,
    pub up: Vec<String>,
    pub down: Vec<String>,
    pub to: Vec<String>,
    pub change_nouns: Vec<String>,
    pub level_words: Vec<String>,
    pub target_strong: Vec<String>,
    pub target_weak: Vec<String>,
    pub actual: Vec<String>,
    pub neutral: Vec<String>,
    pub base_fact_after: Vec<String>,
    pub plan_sections: Vec<String>,
    pub review_sections: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NonMetric {
    pub before: Vec<String>,
    pub after: Vec<String>,
    pub category_nouns: Vec<String>,
    pub list_heads: Vec<String>,
    pub facility_nouns: Vec<String>,
    pub english_after: Vec<String>,
    pub idioms: Vec<String>,
}

fn merge_list(base: &mut Vec<String>, extra: Vec<String>) {
    for w in extra {
        if let Some(removed) = w.strip_prefix('-').filter(|r| !r.is_empty()) {
            base.retain(|b| b != removed);
        } else if !base.contains(&w) {
            base.push(w);
        }
    }
}

impl VocabularyFile {
    pub fn parse(text: &str, origin: &str) -> Result<Self, String> {
        let v: VocabularyFile =
            toml::from_str(text).map_err(|e| format!("vocabulary {origin}: {e}"))?;
        v.validate(origin)?;
        Ok(v)
    }

    pub fn validate(&self, origin: &str) -> Result<(), String> {
        for (table, map) in [
            ("units", &self.units),
            ("currency_symbols", &self.currency_symbols),
            ("count_nouns", &self.count_nouns),
        ] {
            for (k, v) in map {
                if k.trim().is_empty() {
                    return Err(format!("vocabulary {origin}: [{table}] has an empty key"));
                }
                if !is_base_unit(v) {
                    return Err(format!(
                        "vocabulary {origin}: [{table}] \"{k}\" = \"{v}\": unknown base_unit; \
                         use one of {} or an ISO 4217 code",
                        BASE_UNITS.join(", ")
                    ));
                }
            }
        }
        for (k, f) in &self.magnitudes {
            if k.trim().is_empty() || !f.is_finite() || *f <= 0.0 {
                return Err(format!(
                    "vocabulary {origin}: [magnitudes] \"{k}\" = {f}: needs a non-empty word and a positive factor"
                ));
            }
        }
        Ok(())
    }

    pub fn merge(&mut self, over: VocabularyFile) {
        self.units.extend(over.units);
        self.magnitudes.extend(over.magnitudes);
        self.currency_symbols.extend(over.currency_symbols);
        self.count_nouns.extend(over.count_nouns);
        let (c, o) = (&mut self.cues, over.cues);
        merge_list(&mut c.ge_before, o.ge_before);
        merge_list(&mut c.ge_after, o.ge_after);
        merge_list(&mut c.gt_before, o.gt_before);
        merge_list(&mut c.gt_after, o.gt_after);
        merge_list(&mut c.le_before, o.le_before);
        merge_list(&mut c.le_after, o.le_after);
        merge_list(&mut c.lt_before, o.lt_before);
        merge_list(&mut c.lt_after, o.lt_after);
        merge_list(&mut c.approx_before, o.approx_before);
        merge_list(&mut c.approx_after, o.approx_after);
        merge_list(&mut c.not_comparators, o.not_comparators);
        merge_list(&mut c.up, o.up);
        merge_list(&mut c.down, o.down);
        merge_list(&mut c.to, o.to);
        merge_list(&mut c.change_nouns, o.change_nouns);
        merge_list(&mut c.level_words, o.level_words);
        merge_list(&mut c.target_strong, o.target_strong);
        merge_list(&mut c.target_weak, o.target_weak);
        merge_list(&mut c.actual, o.actual);
        merge_list(&mut c.neutral, o.neutral);
        merge_list(&mut c.base_fact_after, o.base_fact_after);
        merge_list(&mut c.plan_sections, o.plan_sections);
        merge_list(&mut c.review_sections, o.review_sections);
        let (n, o) = (&mut self.non_metric, over.non_metric);
        merge_list(&mut n.before, o.before);
        merge_list(&mut n.after, o.after);
        merge_list(&mut n.category_nouns, o.category_nouns);
        merge_list(&mut n.list_heads, o.list_heads);
        merge_list(&mut n.facility_nouns, o.facility_nouns);
        merge_list(&mut n.english_after, o.english_after);
        merge_list(&mut n.idioms, o.idioms);
    }
}

pub fn is_base_unit(s: &str) -> bool {
    BASE_UNITS.contains(&s) || (s.len() == 3 && s.bytes().all(|b| b.is_ascii_uppercase()))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cue {
    /// A word that ends like a cue but is none (`条约` before a number).
    None,
    Ge,
    Gt,
    Le,
    Lt,
    Approx,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeCue {
    Up,
    Down,
    To,
    ChangeNoun,
    Level,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModalCue {
    TargetStrong,
    TargetWeak,
    Actual,
    Neutral,
}

/// The vocabulary compiled into lexicons for scanning.
#[derive(Debug, Clone)]
pub struct Compiled {
    pub units: Lexicon<String>,
    pub magnitudes: Lexicon<f64>,
    pub currency: Lexicon<String>,
    pub count_nouns: Lexicon<String>,
    pub cmp_before: Lexicon<Cue>,
    pub cmp_after: Lexicon<Cue>,
    pub change: Lexicon<ChangeCue>,
    pub modal: Lexicon<ModalCue>,
    pub base_fact_after: Lexicon<()>,
    pub plan_sections: Lexicon<()>,
    pub review_sections: Lexicon<()>,
    pub nm_before: Lexicon<()>,
    pub nm_after: Lexicon<()>,
    pub category_nouns: Lexicon<()>,
    pub list_heads: Lexicon<()>,
    pub facility_nouns: Lexicon<()>,
    pub english_after: Lexicon<()>,
    pub idioms: Lexicon<()>,
}

fn set(words: &[String]) -> Lexicon<()> {
    let mut l = Lexicon::new();
    for w in words {
        l.insert(w, ());
    }
    l
}

impl Compiled {
    pub fn new(v: &VocabularyFile) -> Self {
        let mut units = Lexicon::new();
        for (k, b) in &v.units {
            units.insert(k, b.clone());
        }
        let mut magnitudes = Lexicon::new();
        for (k, f) in &v.magnitudes {
            magnitudes.insert(k, *f);
        }
        let mut currency = Lexicon::new();
        for (k, b) in &v.currency_symbols {
            currency.insert(k, b.clone());
        }
        let mut count_nouns = Lexicon::new();
        for (k, b) in &v.count_nouns {
            count_nouns.insert(k, b.clone());
        }
        let c = &v.cues;
        let mut cmp_before = Lexicon::new();
        let mut cmp_after = Lexicon::new();
        for (list, cue) in [
            (&c.ge_before, Cue::Ge),
            (&c.gt_before, Cue::Gt),
            (&c.le_before, Cue::Le),
            (&c.lt_before, Cue::Lt),
            (&c.approx_before, Cue::Approx),
            (&c.not_comparators, Cue::None),
        ] {
            for w in list {
                cmp_before.insert(w, cue);
            }
        }
        for (list, cue) in [
            (&c.ge_after, Cue::Ge),
            (&c.gt_after, Cue::Gt),
            (&c.le_after, Cue::Le),
            (&c.lt_after, Cue::Lt),
            (&c.approx_after, Cue::Approx),
        ] {
            for w in list {
                cmp_after.insert(w, cue);
            }
        }
        let mut change = Lexicon::new();
        for (list, cue) in [
            (&c.up, ChangeCue::Up),
            (&c.down, ChangeCue::Down),
            (&c.to, ChangeCue::To),
            (&c.change_nouns, ChangeCue::ChangeNoun),
            (&c.level_words, ChangeCue::Level),
        ] {
            for w in list {
                change.insert(w, cue);
            }
        }
        let mut modal = Lexicon::new();
        for (list, cue) in [
            (&c.target_weak, ModalCue::TargetWeak),
            (&c.actual, ModalCue::Actual),
            (&c.target_strong, ModalCue::TargetStrong),
            (&c.neutral, ModalCue::Neutral),
        ] {
            for w in list {
                modal.insert(w, cue);
            }
        }
        let n = &v.non_metric;
        Compiled {
            units,
            magnitudes,
            currency,
            count_nouns,
            cmp_before,
            cmp_after,
            change,
            modal,
            base_fact_after: set(&c.base_fact_after),
            plan_sections: set(&c.plan_sections),
            review_sections: set(&c.review_sections),
            nm_before: set(&n.before),
            nm_after: set(&n.after),
            category_nouns: set(&n.category_nouns),
            list_heads: set(&n.list_heads),
            facility_nouns: set(&n.facility_nouns),
            english_after: set(&n.english_after),
            idioms: set(&n.idioms),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_vocabulary_is_valid() {
        let v = VocabularyFile::parse(DEFAULT_VOCABULARY, "default").unwrap();
        assert_eq!(
            v.units.get("个百分点").map(String::as_str),
            Some("pct_point")
        );
        assert_eq!(v.magnitudes.get("亿"), Some(&1e8));
    }

    #[test]
    fn bad_base_unit_is_named() {
        let e = VocabularyFile::parse("[units]\n\"斤\" = \"jin\"\n", "x.toml").unwrap_err();
        assert!(
            e.contains("x.toml") && e.contains("斤") && e.contains("jin"),
            "{e}"
        );
    }

    #[test]
    fn unknown_key_is_rejected() {
        let e = VocabularyFile::parse("[unitz]\n", "x.toml").unwrap_err();
        assert!(e.contains("unitz"), "{e}");
    }

    #[test]
    fn merge_adds_and_removes() {
        let mut v = VocabularyFile::parse(DEFAULT_VOCABULARY, "default").unwrap();
        let o = VocabularyFile::parse(
            "[units]\n\"担\" = \"t\"\n[cues]\ntarget_weak = [\"-继续\", \"下一步\"]\n",
            "o",
        )
        .unwrap();
        v.merge(o);
        assert_eq!(v.units["担"], "t");
        assert!(!v.cues.target_weak.contains(&"继续".to_string()));
        assert!(v.cues.target_weak.contains(&"下一步".to_string()));
    }
}
