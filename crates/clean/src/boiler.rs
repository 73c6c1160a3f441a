//! Whole-line boilerplate: a teaser first line, web-page chrome at the head
//! and the tail of a document, licence and "related links" footers, and
//! lines matching user patterns.
//!
//! Chrome tokens such as `大`, `下载` or `首页` are only dropped in the head
//! zone (before the first long line) and the tail zone (the footer), where
//! they cannot be report text; in the body a line is dropped only by a user
//! pattern.

use regex::Regex;

/// A line this long is report text; the head zone ends before it.
const HEAD_END_CHARS: usize = 60;
const HEAD_MAX_LINES: usize = 50;
/// A footer is cut only if what it would remove is this small.
const FOOTER_MAX_CHARS: usize = 3000;
const FOOTER_MAX_LINES: usize = 60;

pub(crate) const DEFAULT_CHROME: &str = r"下载|打印|全屏|收藏|加大|还原|减小|【|】|[大中小]|【?字[号体][:：]?\s*(?:[大中小]\s*)*】?|分享(?:到)?\s*[:：]?|分享到(?:微信|微博|QQ空间)|[×|]|打印本页|关闭窗口|【?\s*(?:打印本页|关闭窗口)\s*】?|扫一扫在手机打开当前页|首页|返回顶部|相关(?:报道|文档|阅读|新闻|链接|附件)\s*[:：>》]*|》》点击图片进入专题《《";
pub(crate) const DEFAULT_HEAD: &str = r"(?:来源|时间|发表时间|发布时间|作者|编辑|责任编辑|阅读量|浏览次数|浏览量|点击数)\s*[:：].{0,30}|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?|\d{4}年\d{1,2}月\d{1,2}日\s*\d{1,2}[时:]\d{2}分?|.{0,40}记者.{0,20}摄";
pub(crate) const DEFAULT_FOOTER: &str = r"相关(?:报道|文档|阅读|新闻)\s*[:：]?|扫一扫在手机打开当前页|责任编辑\s*[:：].*|编辑\s*[:：].{0,12}|》》点击图片进入专题《《|本作品(?:是|来自|在|于|属于).*|Public domain|[（(](?:来源|Source)\s*[:：]\s*[^）)]{1,20}[）)]";
const LABEL: &str = r"^(?:来源|时间|发表时间|发布时间|作者|编辑|责任编辑|阅读量|浏览次数)\s*[:：]$";
const CRUMB_START: &str = r"^(?:您的位置|当前位置|所在位置)\s*[:：]?(.*)$";

/// The chars of `s`, or `limit` if there are more. A document without line
/// breaks (hprc) is one line, and counting all of it twice, for the head
/// and for the footer, was a third of this step.
fn chars_upto(s: &str, limit: usize) -> usize {
    // A char has at most four bytes.
    if s.len() >= limit.saturating_mul(4) {
        return limit;
    }
    s.chars().count().min(limit)
}

pub(crate) struct Boiler {
    chrome: Regex,
    head: Regex,
    footer: Regex,
    label: Regex,
    crumb: Regex,
    extra_lines: Option<Regex>,
}

fn whole(alts: &[String], what: &str) -> Result<Option<Regex>, String> {
    if alts.is_empty() {
        return Ok(None);
    }
    let joined = alts
        .iter()
        .map(|a| format!("(?:{a})"))
        .collect::<Vec<_>>()
        .join("|");
    match Regex::new(&format!("^(?:{joined})$")) {
        Ok(re) => Ok(Some(re)),
        // Compiled one by one only to name the bad pattern: compiling every
        // pattern twice was a few milliseconds of every run's start.
        Err(e) => {
            for (i, a) in alts.iter().enumerate() {
                Regex::new(a).map_err(|e| format!("clean.{what}[{i}]: bad pattern {a:?}: {e}"))?;
            }
            Err(format!("clean.{what}: {e}"))
        }
    }
}

impl Boiler {
    pub(crate) fn new(
        extra_lines: &[String],
        extra_head: &[String],
        extra_footer: &[String],
    ) -> Result<Self, String> {
        let with = |default: &str, extra: &[String], what: &str| {
            let mut v = vec![default.to_string()];
            v.extend(extra.iter().cloned());
            whole(&v, what).map(|r| r.expect("non-empty"))
        };
        Ok(Boiler {
            chrome: with(DEFAULT_CHROME, &[], "chrome")?,
            head: with(DEFAULT_HEAD, extra_head, "extra_head_patterns")?,
            footer: with(DEFAULT_FOOTER, extra_footer, "extra_footer_patterns")?,
            label: Regex::new(LABEL).map_err(|e| e.to_string())?,
            crumb: Regex::new(CRUMB_START).map_err(|e| e.to_string())?,
            extra_lines: whole(extra_lines, "extra_line_patterns")?,
        })
    }

    /// The text without boilerplate lines and the chars removed, or `None`
    /// when nothing is removed.
    pub(crate) fn apply(&self, text: &str, defaults: bool) -> Option<(String, u32)> {
        // `split('\n')` found each break through a char searcher; memchr
        // costs a fraction per line, and most documents here are
        // short-lined.
        let mut lines: Vec<&str> = Vec::new();
        let mut start = 0;
        for e in memchr::memchr_iter(b'\n', text.as_bytes()) {
            lines.push(&text[start..e]);
            start = e + 1;
        }
        lines.push(&text[start..]);
        let mut drop = vec![false; lines.len()];
        if defaults {
            self.teaser(&lines, &mut drop);
            self.head(&lines, &mut drop);
            self.footer(&lines, &mut drop);
        }
        if let Some(re) = &self.extra_lines {
            for (i, l) in lines.iter().enumerate() {
                if !l.is_empty() && re.is_match(l) {
                    drop[i] = true;
                }
            }
        }
        if !drop.iter().any(|&d| d) {
            return None;
        }
        let mut out = String::with_capacity(text.len());
        let mut removed = 0u32;
        let mut blank = false;
        for (l, d) in lines.iter().zip(&drop) {
            if *d {
                removed += l.chars().count() as u32;
                continue;
            }
            if l.is_empty() {
                blank = !out.is_empty();
                continue;
            }
            if !out.is_empty() {
                out.push('\n');
                if blank {
                    out.push('\n');
                }
            }
            blank = false;
            out.push_str(l);
        }
        Some((out, removed))
    }

    /// A first line that ends in `...` and repeats the start of the text
    /// after it (the web page's teaser of the seed sample).
    fn teaser(&self, lines: &[&str], drop: &mut [bool]) {
        let Some(f) = lines.iter().position(|l| !l.is_empty()) else {
            return;
        };
        let l = lines[f];
        let stem = l.trim_end_matches(['.', '…', '。', ' ']);
        if stem.len() == l.len() || !(l.ends_with("...") || l.ends_with('…')) {
            return;
        }
        let want: Vec<char> = stem.chars().filter(|&c| c != ' ').collect();
        if want.len() < 10 {
            return;
        }
        let mut rest = lines[f + 1..]
            .iter()
            .flat_map(|l| l.chars())
            .filter(|&c| c != ' ');
        if want.iter().all(|&c| rest.next() == Some(c)) {
            drop[f] = true;
        }
    }

    fn head(&self, lines: &[&str], drop: &mut [bool]) {
        let end = lines
            .iter()
            .take(HEAD_MAX_LINES)
            .position(|l| chars_upto(l, HEAD_END_CHARS) >= HEAD_END_CHARS || l.ends_with('。'))
            .unwrap_or(lines.len().min(HEAD_MAX_LINES));
        let mut after_gt = false;
        let mut crumb_item: Option<&str> = None;
        let mut after_label = false;
        let mut seen: Vec<&str> = Vec::new();
        let mut chrome = false;
        for i in 0..end {
            let l = lines[i];
            if l.is_empty() {
                continue;
            }
            let was_label = std::mem::take(&mut after_label);
            let was_gt = std::mem::take(&mut after_gt);
            if l == ">" || l == ">>" || l == "›" || l == "»" {
                drop[i] = true;
                after_gt = true;
                chrome = true;
                continue;
            }
            if let Some(c) = self.crumb.captures(l) {
                drop[i] = true;
                // `当前位置：首页 > 要闻` on one line names its last item.
                let tail = c.get(1).map_or("", |m| m.as_str());
                crumb_item = tail
                    .rsplit(['>', '›', '»'])
                    .next()
                    .map(str::trim)
                    .filter(|s| !s.is_empty());
                continue;
            }
            if was_gt && l.chars().count() <= 16 {
                drop[i] = true;
                crumb_item = Some(l);
                continue;
            }
            if crumb_item == Some(l) {
                drop[i] = true;
                continue;
            }
            if self.label.is_match(l) {
                drop[i] = true;
                after_label = true;
                continue;
            }
            if was_label && l.chars().count() <= 24 && !l.ends_with(['。', '：', ':']) {
                drop[i] = true;
                continue;
            }
            if self.chrome.is_match(l) || self.head.is_match(l) {
                drop[i] = true;
                chrome = true;
                continue;
            }
            // The page title and date line again after the breadcrumb; only
            // on a page with chrome, as short lines such as Wikisource's
            // link fragments (`政府工作报告`) repeat legitimately.
            if chrome && l.chars().count() >= 8 && seen.contains(&l) {
                drop[i] = true;
                continue;
            }
            seen.push(l);
        }
    }

    fn footer(&self, lines: &[&str], drop: &mut [bool]) {
        let mut chars = 0usize;
        let mut cut = None;
        let mut kept_lines = 0;
        for i in (0..lines.len()).rev() {
            if drop[i] {
                continue;
            }
            chars += chars_upto(lines[i], FOOTER_MAX_CHARS + 1 - chars);
            kept_lines += 1;
            if chars > FOOTER_MAX_CHARS || kept_lines > FOOTER_MAX_LINES {
                break;
            }
            if !lines[i].is_empty() && self.footer.is_match(lines[i]) {
                cut = Some(i);
            }
        }
        if let Some(c) = cut {
            // Never cut the whole document.
            if lines[..c]
                .iter()
                .zip(drop.iter())
                .any(|(l, d)| !d && !l.is_empty())
            {
                drop[c..].iter_mut().for_each(|d| *d = true);
            }
        }
        // Page chrome left dangling at the very end (`收藏`, `|`, `】`).
        for i in (0..lines.len()).rev() {
            if drop[i] || lines[i].is_empty() {
                continue;
            }
            if self.chrome.is_match(lines[i]) {
                drop[i] = true;
            } else {
                break;
            }
        }
    }
}
