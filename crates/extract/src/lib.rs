//! The extract stage: finds the quantities a document reports and fills
//! every field of the metrics dataset (see shared/spec/metrics-guide.md).
//!
//! Public API: [`ExtractConfig`], [`Extractor`]. The vocabulary (units,
//! magnitudes, cue words, non-metric patterns) is data: `data/vocabulary.toml`
//! merged with the user's file and inline entries; see README.md.

mod fields;
mod lexicon;
mod numbers;
mod scan;
pub mod vocab;

use memchr::memmem;
use quarry_core::{Document, Modality};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use vocab::{Compiled, ModalCue, VocabularyFile, DEFAULT_VOCABULARY};

/// The `[extract]` table of the pipeline TOML.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExtractConfig {
    /// A vocabulary file merged over the built-in one.
    pub vocabulary: Option<PathBuf>,
    /// Start from an empty vocabulary instead of the built-in one.
    pub replace_default_vocabulary: bool,
    /// ISO 4217 code for a bare `$` (a document that names Singapore or
    /// writes `S$` uses SGD).
    pub default_currency: String,
    /// Inline units: unit as written -> base_unit.
    pub units: BTreeMap<String, String>,
    /// Inline magnitude words: word -> factor.
    pub magnitudes: BTreeMap<String, f64>,
}

impl Default for ExtractConfig {
    fn default() -> Self {
        ExtractConfig {
            vocabulary: None,
            replace_default_vocabulary: false,
            default_currency: "USD".into(),
            units: BTreeMap::new(),
            magnitudes: BTreeMap::new(),
        }
    }
}

pub struct Extractor {
    v: Compiled,
    default_currency: String,
    /// Built once: a `str::contains` sets up its searcher on every call,
    /// which cost more than the search itself on a sentence.
    goals: memmem::Finder<'static>,
    year: memmem::Finder<'static>,
}

/// Kinds of modal cue found by `Extractor::modal_cues`.
const STRONG: u8 = 1;
const WEAK: u8 = 2;
const ACTUAL: u8 = 4;

/// Characters of a sentence that section tracking looks at.
const HEAD: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Unknown,
    Review,
    Plan,
}

/// `text` is all ASCII. `str::is_ascii` tests the last `len % 64` bytes
/// one at a time, which on a sentence is most of them; this ORs 8-byte
/// words instead.
fn is_ascii(text: &str) -> bool {
    let bytes = text.as_bytes();
    // Chinese text mostly fails on its first byte
    if bytes.first().is_some_and(|b| !b.is_ascii()) {
        return false;
    }
    let mut words = bytes.chunks_exact(8);
    let mut high = 0u64;
    for word in &mut words {
        high |= u64::from_ne_bytes(word.try_into().expect("8 bytes"));
    }
    for &b in words.remainder() {
        high |= u64::from(b);
    }
    high & 0x8080_8080_8080_8080 == 0
}

/// `text` as chars in `buf`, which is reused from sentence to sentence.
/// `ascii`: `text` is all ASCII.
fn decode(text: &str, ascii: bool, buf: &mut Vec<char>) {
    buf.clear();
    if ascii {
        // a widening copy, which the compiler vectorizes
        buf.extend(text.bytes().map(char::from));
    } else {
        scan::decode_holds_number(text, buf);
    }
}

impl Extractor {
    pub fn new(config: &ExtractConfig) -> Result<Self, String> {
        let mut vocab = if config.replace_default_vocabulary {
            VocabularyFile::default()
        } else {
            VocabularyFile::parse(DEFAULT_VOCABULARY, "built-in data/vocabulary.toml")?
        };
        if let Some(path) = &config.vocabulary {
            let text = std::fs::read_to_string(path).map_err(|e| {
                format!(
                    "[extract] vocabulary = \"{}\": cannot read: {e}",
                    path.display()
                )
            })?;
            vocab.merge(VocabularyFile::parse(&text, &path.display().to_string())?);
        }
        let inline = VocabularyFile {
            units: config.units.clone(),
            magnitudes: config.magnitudes.clone(),
            ..Default::default()
        };
        inline.validate("[extract] inline units/magnitudes")?;
        vocab.merge(inline);
        if !vocab::is_base_unit(&config.default_currency) || config.default_currency.len() != 3 {
            return Err(format!(
                "[extract] default_currency = \"{}\": expected an ISO 4217 code such as USD or SGD",
                config.default_currency
            ));
        }
        Ok(Extractor {
            v: Compiled::new(&vocab),
            default_currency: config.default_currency.clone(),
            goals: memmem::Finder::new("主要预期目标").into_owned(),
            year: memmem::Finder::new("年").into_owned(),
        })
    }

    /// Fills `metrics` of every sentence of `doc`.
    pub fn extract_document(&self, doc: &mut Document) {
        // a speech that keeps naming Singapore (not one passing mention in a
        // US address) or writes S$ counts in Singapore dollars
        // (a short passage needs one cue, a whole speech three)
        let bytes = doc.text.as_bytes();
        let singapore = memchr::memchr(b'$', bytes).is_some() && {
            let cues: usize = [
                "Singapore",
                "CPF",
                "HDB",
                "Medisave",
                "MediSave",
                "MediShield",
            ]
            .iter()
            .map(|w| {
                memchr::memmem::find_iter(bytes, w.as_bytes())
                    .take(3)
                    .count()
            })
            .sum();
            let needed = if bytes.len() < 5000 { 1 } else { 3 };
            cues >= needed || memchr::memmem::find(bytes, b"S$").is_some()
        };
        let dollar = if singapore {
            "SGD"
        } else {
            self.default_currency.as_str()
        };
        let mut buf: Vec<char> = Vec::new();
        let mut section = Section::Unknown;
        let mut sections: Vec<Section> = Vec::with_capacity(doc.sentences.len());
        let mut undecided: Vec<usize> = Vec::new();
        let mut head = ['\0'; HEAD];
        for (idx, sentence) in doc.sentences.iter_mut().enumerate() {
            let text = sentence.text.as_str();
            // Most sentences hold no number at all: they only feed the
            // section tracking, which reads the first few dozen characters.
            buf.clear();
            // Chinese text is decoded once and tested on the way; ASCII
            // text is tested on its bytes and decoded only when it may hold
            // a number
            let ascii = is_ascii(text);
            let numeric = if ascii {
                let numeric = scan::may_hold_number(text);
                if numeric {
                    decode(text, ascii, &mut buf);
                }
                numeric
            } else {
                scan::decode_holds_number(text, &mut buf)
            };
            let first: &[char] = if !buf.is_empty() {
                &buf[..buf.len().min(HEAD)]
            } else {
                // only ASCII text is left undecoded (a non-ASCII one was
                // decoded whole), so its bytes are its chars
                debug_assert!(text.is_ascii());
                let n = text.len().min(HEAD);
                for (slot, b) in head.iter_mut().zip(text.bytes()) {
                    *slot = char::from(b);
                }
                &head[..n]
            };
            let total = if !buf.is_empty() {
                buf.len()
            } else if first.len() < HEAD {
                first.len()
            } else {
                usize::MAX
            };
            section = self.update_section(first, total, text, ascii, section);
            sections.push(section);
            let ends_colon = text.ends_with('：') || text.ends_with(':');
            // the words are Chinese: ASCII text cannot hold them
            let future = section == Section::Review && !ascii && self.this_or_next_year(text);
            if !numeric && !ends_colon && !future {
                sentence.metrics.clear();
                continue;
            }
            if buf.is_empty() {
                decode(text, ascii, &mut buf);
            }
            // A goal sentence that introduces a list ("…的奋斗目标：") opens a plan part.
            if ends_colon && self.modal_cues(&buf, STRONG) & STRONG != 0 {
                section = Section::Plan;
            }
            // a review gives way to the year's goals (`今年…的主要目标是`) even
            // where no heading line marks it (texts without line breaks)
            if section == Section::Review
                && future
                && self.modal_cues(&buf, ACTUAL) == STRONG | WEAK
            {
                section = Section::Plan;
                *sections.last_mut().expect("pushed above") = section;
            }
            if !numeric {
                sentence.metrics.clear();
                continue;
            }
            sentence.metrics = scan::extract_sentence(&self.v, &buf, dollar);
            if sentence.metrics.is_empty() {
                continue;
            }
            let decided = self.decide(&buf, sections[idx]);
            for metric in &mut sentence.metrics {
                metric.modality = decided.unwrap_or(Modality::Actual);
                // a base-year fact quoted inside a goal (`在…超万亿元的基础上翻一番`)
                let k = fields::after_comparator_end(&self.v, &buf, metric.char_end as usize);
                if self.v.base_fact_after.longest_at(&buf, k).is_some() {
                    metric.modality = Modality::Actual;
                }
            }
            if decided.is_none() {
                undecided.push(idx);
            }
        }
        // Undecided sentences take the modality of a translation glued next
        // to them (bilingual reports), else stay actual.
        let n = doc.sentences.len();
        let is_zh = |t: &str| !is_ascii(t) && t.chars().any(|c| c > '\u{2e80}');
        let mut other: Vec<char> = Vec::new();
        for idx in undecided {
            let me = is_zh(&doc.sentences[idx].text);
            let m = [idx + 1, idx.wrapping_sub(1)]
                .into_iter()
                .filter(|&j| j < n && is_zh(&doc.sentences[j].text) != me)
                .find_map(|j| {
                    other.clear();
                    other.extend(doc.sentences[j].text.chars());
                    self.decide(&other, sections[j])
                });
            if let Some(m) = m {
                buf.clear();
                buf.extend(doc.sentences[idx].text.chars());
                for metric in &mut doc.sentences[idx].metrics {
                    let k = fields::after_comparator_end(&self.v, &buf, metric.char_end as usize);
                    if self.v.base_fact_after.longest_at(&buf, k).is_none() {
                        metric.modality = m;
                    }
                }
            }
        }
    }

    fn decide(&self, chars: &[char], section: Section) -> Option<Modality> {
        if section == Section::Review {
            // goal words in a review restate goals that were met
            return Some(Modality::Actual);
        }
        match section {
            Section::Review => Some(Modality::Actual),
            Section::Plan => Some(if self.modal_cues(chars, STRONG | WEAK) == ACTUAL {
                Modality::Actual
            } else {
                Modality::Target
            }),
            Section::Unknown => {
                // Chinese: an explicit past form (`增长了`) outweighs plan words
                // that name things (`第一个五年计划的完成`); English: `will`
                // outweighs a reference to `last year`
                let latin = !chars.iter().any(|&c| c > '\u{2e80}');
                let found = self.modal_cues(chars, if latin { STRONG } else { ACTUAL });
                if latin && found & STRONG != 0 {
                    Some(Modality::Target)
                } else if found & ACTUAL != 0 {
                    Some(Modality::Actual)
                } else if found != 0 {
                    Some(Modality::Target)
                } else {
                    None
                }
            }
        }
    }

    /// `chars`: the sentence's first HEAD characters; `total`: its length,
    /// or usize::MAX when longer than the head.
    /// `ascii`: `text` is all ASCII.
    fn update_section(
        &self,
        chars: &[char],
        total: usize,
        text: &str,
        ascii: bool,
        current: Section,
    ) -> Section {
        let top_marker = chars.len() > 2 && chars[1] == '、' && numbers::is_zh_numeral(chars[0]);
        // each test only matters when the ones before it failed
        // (a sentence mark mostly ends the sentence: looked for from there)
        // (the marks are not ASCII; at most 60 chars are the whole text,
        // whose bytes past ASCII are no letters: one branchless pass over
        // them tests both letter cases)
        let heading = top_marker
            || (total <= 40
                && (ascii || !chars.iter().rev().any(|c| matches!(c, '。' | '！' | '？'))))
            || (total <= 60 && {
                let (mut upper, mut lower) = (false, false);
                for &b in text.as_bytes() {
                    upper |= b.is_ascii_uppercase();
                    lower |= b.is_ascii_lowercase();
                }
                upper && !lower
            });
        let head_len = if top_marker {
            chars.len().min(25)
        } else {
            chars.len()
        };
        // the title names the whole report (`政府工作报告摘要 2024年 主要工作`)
        const TITLE: [char; 4] = ['工', '作', '报', '告'];
        if heading {
            // (an ASCII text cannot name it)
            if !top_marker && !ascii && chars.windows(4).any(|w| w == TITLE) {
                return current;
            }
            let head = &chars[..head_len];
            if self.v.review_sections.contains_in(head, 0, head.len()) {
                return Section::Review;
            }
            // (in a plan part a plan heading leaves it where it is)
            if current != Section::Plan && self.v.plan_sections.contains_in(head, 0, head.len()) {
                return Section::Plan;
            }
            return current;
        }
        // Paragraphs that open a review ("过去五年，…") or state the year's goals.
        let opening = &chars[..chars.len().min(8)];
        let body: &[char] = if opening.first() == Some(&'—') || opening.first() == Some(&'-') {
            let skip = chars
                .iter()
                .take_while(|c| matches!(c, '—' | '-' | ' '))
                .count();
            &chars[skip..chars.len().min(skip + 8)]
        } else {
            opening
        };
        if self.v.review_sections.longest_at(body, 0).is_some() {
            return Section::Review;
        }
        // (in a plan part the answer is a plan part either way)
        if current != Section::Plan && !ascii && self.goals.find(text.as_bytes()).is_some() {
            return Section::Plan;
        }
        current
    }

    /// `text` contains `今年` or `明年`: both end in `年`, so one search
    /// finds every candidate.
    fn this_or_next_year(&self, text: &str) -> bool {
        let bytes = text.as_bytes();
        self.year.find_iter(bytes).any(|at| {
            bytes[..at].ends_with("今".as_bytes()) || bytes[..at].ends_with("明".as_bytes())
        })
    }

    /// The kinds of cue in `chars`, as `STRONG | WEAK | ACTUAL` bits.
    /// Scanning stops at the first cue of a kind in `stop`: callers pass
    /// the kinds that settle their answer, so the rest of a long sentence
    /// need not be looked at. The cues found before that are the same as in
    /// a full scan, since matching goes left to right.
    fn modal_cues(&self, chars: &[char], stop: u8) -> u8 {
        let mut found = 0;
        let mut i = 0;
        while i < chars.len() {
            // cues start at a Latin word start or on a CJK character
            let c = chars[i];
            // (CJK first: in Chinese text nearly every char is one)
            if c <= '\u{2e80}' {
                if !c.is_ascii_alphabetic() {
                    i += 1;
                    continue;
                }
                if i > 0 && chars[i - 1].is_ascii_alphabetic() {
                    // inside a word, where no cue starts: skip to its end
                    // without testing each letter's neighbour
                    i += 1;
                    while i < chars.len() && chars[i].is_ascii_alphabetic() {
                        i += 1;
                    }
                    continue;
                }
            }
            if let Some((len, cue)) = self.v.modal.longest_at(chars, i) {
                found |= match cue {
                    ModalCue::TargetStrong => STRONG,
                    ModalCue::TargetWeak => WEAK,
                    ModalCue::Actual => ACTUAL,
                    ModalCue::Neutral => 0,
                };
                if found & stop != 0 {
                    break;
                }
                i += len;
            } else {
                i += 1;
            }
        }
        found
    }
}
