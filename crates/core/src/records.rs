use std::sync::Arc;

/// One document as it moves through the pipeline. The reader fills the
/// identity and `text`; clean replaces `text` with the cleaned text; segment
/// fills `sentences`; extract fills each sentence's `metrics`. After extract
/// the pipeline empties `text` ([`Document::release_text`]) unless the
/// documents dataset stores it: read the sentences, or [`Document::chars`].
#[derive(Debug, Clone, Default)]
pub struct Document {
    pub doc_id: String,
    /// Path or URI as the user gave it.
    pub source: Arc<str>,
    /// 0-based position of the document inside its source.
    pub ordinal: u32,
    pub title: Option<String>,
    /// The text as read, kept only when the pipeline asks for it (`keep_raw`).
    pub raw_text: Option<String>,
    pub text: String,
    /// Bytes of the document in its source (before decoding and cleaning).
    pub source_bytes: u64,
    /// Characters the clean stage removed.
    pub removed_chars: u32,
    /// [`content_hash`] of the cleaned text, set once cleaning is done.
    pub content_hash: String,
    /// Dominant language, ISO 639-1 (`und` when undecided).
    pub lang: &'static str,
    pub sentences: Vec<Sentence>,
    /// The text's length in chars, kept by [`Document::release_text`].
    pub text_chars: Option<u32>,
}

impl Document {
    pub fn new(source: Arc<str>, ordinal: u32, text: String) -> Self {
        let source_bytes = text.len() as u64;
        Document {
            doc_id: doc_id(&source, ordinal),
            source,
            ordinal,
            text,
            source_bytes,
            lang: "und",
            ..Default::default()
        }
    }

    pub fn chars(&self) -> u32 {
        self.text_chars
            .unwrap_or_else(|| self.text.chars().count() as u32)
    }

    /// Frees the text once the stages are done with it (the sentences hold
    /// it too), keeping its length: batches waiting for the writer then
    /// hold their text once, not twice. Kept while the text has no content
    /// hash yet, which is computed from it.
    pub fn release_text(&mut self) {
        if self.content_hash.is_empty() {
            return;
        }
        self.text_chars = Some(self.chars());
        self.text = String::new();
    }

    pub fn metric_count(&self) -> usize {
        self.sentences.iter().map(|s| s.metrics.len()).sum()
    }
}

/// A sentence of the cleaned document text. `char_start..char_end` counts
/// chars (Unicode scalar values), so Python's `text[start:end]` agrees.
#[derive(Debug, Clone, PartialEq)]
pub struct Sentence {
    pub text: String,
    pub lang: &'static str,
    pub char_start: u32,
    pub char_end: u32,
    pub metrics: Vec<Metric>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Level,
    Change,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Level => "level",
            Kind::Change => "change",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    Up,
    Down,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Up => "up",
            Direction::Down => "down",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Comparator {
    Eq,
    Approx,
    Ge,
    Gt,
    Le,
    Lt,
}

impl Comparator {
    pub fn as_str(self) -> &'static str {
        match self {
            Comparator::Eq => "eq",
            Comparator::Approx => "approx",
            Comparator::Ge => "ge",
            Comparator::Gt => "gt",
            Comparator::Le => "le",
            Comparator::Lt => "lt",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Modality {
    Actual,
    Target,
}

impl Modality {
    pub fn as_str(self) -> &'static str {
        match self {
            Modality::Actual => "actual",
            Modality::Target => "target",
        }
    }
}

/// One quantity found in a sentence; the fields follow
/// `shared/spec/metrics-guide.md`. Offsets are chars into the sentence text.
#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    pub surface: String,
    pub char_start: u32,
    pub char_end: u32,
    pub indicator: Option<String>,
    pub value: f64,
    pub unit: Option<String>,
    pub value_normalized: f64,
    pub base_unit: String,
    pub kind: Kind,
    pub direction: Option<Direction>,
    pub comparator: Comparator,
    pub modality: Modality,
}

/// The unit of work between stages: documents in input order. `seq` numbers
/// batches so that a sink can check nothing was reordered or lost.
#[derive(Debug, Default)]
pub struct Batch {
    pub seq: u64,
    pub docs: Vec<Document>,
    /// The share of the run's [`crate::TextBudget`] this batch holds; given
    /// back when the batch is dropped (after it is written).
    pub budget: Option<crate::BudgetShare>,
}

/// Stable id: the same source and ordinal always give the same id.
pub fn doc_id(source: &str, ordinal: u32) -> String {
    let mut key = Vec::with_capacity(source.len() + 5);
    key.extend_from_slice(source.as_bytes());
    key.push(0);
    key.extend_from_slice(&ordinal.to_le_bytes());
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(&key))
}

/// Hash of a cleaned text, 128 bits as hex: equal texts from any source or
/// run give the same hash.
pub fn content_hash(text: &str) -> String {
    format!("{:032x}", content_hash_number(text))
}

/// [`content_hash`] as the number its 32 hex digits spell.
pub fn content_hash_number(text: &str) -> u128 {
    xxhash_rust::xxh3::xxh3_128(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_id_is_stable_and_distinguishes_ordinals() {
        assert_eq!(doc_id("a.txt", 0), doc_id("a.txt", 0));
        assert_ne!(doc_id("a.txt", 0), doc_id("a.txt", 1));
        assert_ne!(doc_id("a.txt", 0), doc_id("b.txt", 0));
        assert_eq!(doc_id("a.txt", 0).len(), 16);
    }

    #[test]
    fn content_hash_depends_on_text_only() {
        assert_eq!(content_hash("同一文本"), content_hash("同一文本"));
        assert_ne!(content_hash("a"), content_hash("b"));
        assert_eq!(content_hash("").len(), 32);
        let number = content_hash_number("同一文本");
        assert_eq!(content_hash("同一文本"), format!("{number:032x}"));
    }

    #[test]
    fn a_released_text_keeps_its_length() {
        let mut d = Document::new("s".into(), 0, "增长13.5%".into());
        d.release_text();
        assert_eq!(
            (d.text.as_str(), d.chars()),
            ("增长13.5%", 7),
            "no hash yet"
        );
        d.content_hash = content_hash(&d.text);
        d.release_text();
        assert_eq!((d.text.as_str(), d.chars()), ("", 7));
    }

    #[test]
    fn chars_counts_scalar_values_not_bytes() {
        let d = Document::new("s".into(), 0, "增长13.5%".into());
        assert_eq!(d.chars(), 7);
        assert_eq!(d.source_bytes, "增长13.5%".len() as u64);
    }
}
