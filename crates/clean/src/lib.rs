//! The clean stage: turns raw document text into the cleaned text that
//! sentences and metrics point into.
//!
//! Public API: [`CleanConfig`], [`Cleaner`], [`Cleaned`], [`CleanStats`].
//!
//! Three steps, each over the whole document:
//! 1. one pass over chars (`chars`): line endings, whitespace, invisible
//!    chars, full-width digits and letters, punctuation by script context,
//!    HTML leftovers, `\'`, spaced digits;
//! 2. passages repeated inside the document (`dedup`);
//! 3. whole-line boilerplate (`boiler`): teaser, page chrome, footers,
//!    user patterns.
//!
//! Repeats go before boilerplate because a scraped page may repeat the whole
//! report after its footer (Sichuan), and the footer is only recognisable as
//! the tail once that repeat is gone.
//!
//! Cleaning never makes text longer: it drops chars, replaces them one for
//! one, or replaces a longer stretch by a shorter one (an entity by its
//! char, a tag by a space or line break, a glued repeat by a line break), so
//! `removed_chars` is defined as raw chars minus cleaned chars.
//!
//! Cleaning cleaned text changes nothing, with one documented exception:
//! doubly escaped input (`&amp;lt;`, `\\'`) loses one level of escaping per
//! run, because each run decodes one level.

mod boiler;
mod chars;
mod dedup;

use std::borrow::Cow;

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CleanConfig {
    /// Read `\'` and `\"` (scraping leftovers) as `'` and `"`.
    pub unescape: bool,
    /// CRLF to LF, TAB/NBSP/U+3000 to space, runs of spaces to one, lines
    /// trimmed, 3+ line breaks to 2.
    pub whitespace: bool,
    /// Drop zero-width chars, soft hyphens, bidi marks and control chars.
    pub invisible: bool,
    /// Full-width digits, letters and `％` to ASCII (not blanket NFKC).
    pub fold_width: bool,
    /// ASCII `, ; : ? ( )` inside Chinese to full-width; full-width marks
    /// between Latin letters to ASCII.
    pub cjk_punct: bool,
    /// Decode HTML entities and drop leftover tags (`<br>`, `<p>` break lines).
    pub html: bool,
    /// Join digits spaced out inside Chinese (`1 9 9 8 年` to `1998年`).
    pub join_spaced_digits: bool,
    /// Drop the built-in boilerplate: teaser line, page toolbar, breadcrumbs,
    /// source/time lines at the head, related-links and licence footers.
    pub boilerplate: bool,
    /// Regexes for whole lines to drop anywhere in a document.
    pub extra_line_patterns: Vec<String>,
    /// Regexes for whole lines to drop in the head zone (the lines before
    /// the first one of 60+ chars or ending in `。`), added to the built-in
    /// ones.
    pub extra_head_patterns: Vec<String>,
    /// Regexes for a whole line that starts a footer: it and everything
    /// after it are dropped when that tail is short (≤ 3000 chars).
    pub extra_footer_patterns: Vec<String>,
    /// Keep a repeated passage once.
    pub dedup_paragraphs: bool,
    /// Paragraphs shorter than this (non-space chars) are never dropped as
    /// repeats on their own: `（鼓掌）` and headings repeat legitimately.
    pub dedup_min_chars: u32,
}

impl Default for CleanConfig {
    fn default() -> Self {
        CleanConfig {
            unescape: true,
            whitespace: true,
            invisible: true,
            fold_width: true,
            cjk_punct: true,
            html: true,
            join_spaced_digits: true,
            boilerplate: true,
            extra_line_patterns: Vec::new(),
            extra_head_patterns: Vec::new(),
            extra_footer_patterns: Vec::new(),
            dedup_paragraphs: true,
            dedup_min_chars: 32,
        }
    }
}

/// The cleaned text and how many chars cleaning removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cleaned {
    pub text: String,
    /// Raw chars minus cleaned chars.
    pub removed_chars: u32,
}

/// Chars removed by each step. `whitespace + invisible + markup +
/// boilerplate + duplicates + spaced_digits == removed_chars`; `folded`
/// counts chars replaced one for one and is not part of that sum.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CleanStats {
    /// Collapsed spaces, trimmed lines, CR of CRLF, extra blank lines, and
    /// the separators of dropped lines.
    pub whitespace: u32,
    /// Zero-width, soft hyphen, bidi and control chars.
    pub invisible: u32,
    /// HTML entities (all but the decoded char), tags, `\` of `\'`.
    pub markup: u32,
    /// Spaces removed inside spaced-out numbers.
    pub spaced_digits: u32,
    /// Teaser, page chrome, footers, user line patterns.
    pub boilerplate: u32,
    /// Repeated passages.
    pub duplicates: u32,
    /// Full-width digits/letters/％ folded and punctuation switched.
    pub folded: u32,
}

impl CleanStats {
    pub fn add(&mut self, o: &CleanStats) {
        self.whitespace += o.whitespace;
        self.invisible += o.invisible;
        self.markup += o.markup;
        self.spaced_digits += o.spaced_digits;
        self.boilerplate += o.boilerplate;
        self.duplicates += o.duplicates;
        self.folded += o.folded;
    }

    pub fn removed(&self) -> u64 {
        self.whitespace as u64
            + self.invisible as u64
            + self.markup as u64
            + self.spaced_digits as u64
            + self.boilerplate as u64
            + self.duplicates as u64
    }
}

pub struct Cleaner {
    config: CleanConfig,
    opts: chars::CharOpts,
    boiler: boiler::Boiler,
}

impl Cleaner {
    pub fn new(config: &CleanConfig) -> Result<Self, String> {
        if config.dedup_min_chars == 0 {
            return Err("clean.dedup_min_chars: must be at least 1".into());
        }
        let boiler = boiler::Boiler::new(
            &config.extra_line_patterns,
            &config.extra_head_patterns,
            &config.extra_footer_patterns,
        )?;
        Ok(Cleaner {
            opts: chars::CharOpts {
                unescape: config.unescape,
                whitespace: config.whitespace,
                invisible: config.invisible,
                fold_width: config.fold_width,
                cjk_punct: config.cjk_punct,
                html: config.html,
                spaced_digits: config.join_spaced_digits,
            },
            config: config.clone(),
            boiler,
        })
    }

    pub fn clean(&self, raw: &str) -> Cleaned {
        self.clean_with_stats(raw).0
    }

    /// Like [`Cleaner::clean`], but frees the raw text once the first pass
    /// has copied what it keeps: a long document is then held twice, not
    /// three times, while its repeated passages are searched.
    pub fn clean_owned(&self, raw: String) -> Cleaned {
        self.clean_cow(Cow::Owned(raw)).0
    }

    pub fn clean_with_stats(&self, raw: &str) -> (Cleaned, CleanStats) {
        self.clean_cow(Cow::Borrowed(raw))
    }

    fn clean_cow(&self, raw: Cow<'_, str>) -> (Cleaned, CleanStats) {
        let mut stats = CleanStats::default();
        let chars::CharOut { mut text, soft } = chars::run(&raw, &self.opts, &mut stats);
        let raw_chars = count_chars(&raw);
        drop(raw);
        // Chars in `text`, where a step has counted them already.
        let mut text_chars = None;
        if self.config.dedup_paragraphs {
            if let Some((t, removed, left)) =
                dedup::dedup(&text, &soft, self.config.dedup_min_chars as usize)
            {
                text = t;
                stats.duplicates = removed;
                text_chars = Some(left);
            }
        }
        if let Some((t, removed)) = self.boiler.apply(&text, self.config.boilerplate) {
            text = t;
            stats.boilerplate = removed;
            text_chars = None;
        }
        let removed = raw_chars.saturating_sub(text_chars.unwrap_or_else(|| count_chars(&text)));
        let named = stats.removed() - stats.whitespace as u64;
        stats.whitespace = (removed as u64).saturating_sub(named) as u32;
        (
            Cleaned {
                text,
                removed_chars: removed as u32,
            },
            stats,
        )
    }
}

fn count_chars(s: &str) -> usize {
    s.chars().count()
}

#[cfg(test)]
mod tests;
