//! The clean stage: turns raw document text into the cleaned text that
//! sentences and metrics point into.
//!
//! Public API: [`CleanConfig`], [`Cleaner`], [`Cleaned`].

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CleanConfig {
    /// Read `\'` and `\"` (scraping leftovers) as `'` and `"`.
    pub unescape: bool,
    /// Collapse runs of spaces and tabs, trim lines, turn CRLF into LF.
    pub whitespace: bool,
}

impl Default for CleanConfig {
    fn default() -> Self {
        CleanConfig {
            unescape: true,
            whitespace: true,
        }
    }
}

/// The cleaned text and how many chars cleaning removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cleaned {
    pub text: String,
    pub removed_chars: u32,
}

pub struct Cleaner {
    config: CleanConfig,
}

impl Cleaner {
    pub fn new(config: &CleanConfig) -> Result<Self, String> {
        Ok(Cleaner {
            config: config.clone(),
        })
    }

    pub fn clean(&self, raw: &str) -> Cleaned {
        let mut text = String::with_capacity(raw.len());
        for line in raw.split('\n') {
            let line = line.strip_suffix('\r').unwrap_or(line);
            let line = if self.config.whitespace {
                line.trim()
            } else {
                line
            };
            let mut prev_space = false;
            let mut chars = line.chars().peekable();
            while let Some(c) = chars.next() {
                if self.config.unescape && c == '\\' && matches!(chars.peek(), Some('\'' | '"')) {
                    continue;
                }
                if self.config.whitespace
                    && (c == ' ' || c == '\t' || c == '\u{3000}' || c == '\u{a0}')
                {
                    if !prev_space {
                        text.push(' ');
                    }
                    prev_space = true;
                    continue;
                }
                prev_space = false;
                text.push(c);
            }
            text.push('\n');
        }
        while text.ends_with(['\n', ' ']) {
            text.pop();
        }
        let removed = raw.chars().count().saturating_sub(text.chars().count());
        Cleaned {
            text,
            removed_chars: removed as u32,
        }
    }
}
