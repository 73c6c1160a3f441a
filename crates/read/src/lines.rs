//! Line reading with a cap on line length, so one enormous line (a JSONL
//! record, a file without line breaks) never has to be held whole.

use std::io::BufRead;

pub(crate) struct Line<'a> {
    /// The line with its `\n` (empty tail when the input ends without one).
    pub bytes: &'a [u8],
    /// 1-based line number.
    pub number: u64,
    /// Byte offset of the line's start in the input.
    pub offset: u64,
    /// The line was longer than the cap; `bytes` holds only its start.
    pub truncated: bool,
}

/// Capacity of the line buffer kept from one line to the next.
const KEEP_LINE_BUFFER: usize = 256 * 1024;

pub(crate) struct LimitedLines<R> {
    reader: R,
    cap: u64,
    buf: Vec<u8>,
    number: u64,
    offset: u64,
}

impl<R: BufRead> LimitedLines<R> {
    pub fn new(reader: R, cap: u64) -> Self {
        LimitedLines {
            reader,
            cap,
            buf: Vec::new(),
            number: 0,
            offset: 0,
        }
    }

    /// Bytes consumed so far.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    pub fn next_line(&mut self) -> std::io::Result<Option<Line<'_>>> {
        // A long record left the buffer megabytes large: let it go rather
        // than hold it for the rest of the file (most lines are short).
        if self.buf.capacity() > KEEP_LINE_BUFFER {
            self.buf = Vec::new();
        }
        self.buf.clear();
        let start = self.offset;
        let mut truncated = false;
        let mut seen_any = false;
        loop {
            let available = self.reader.fill_buf()?;
            if available.is_empty() {
                break;
            }
            seen_any = true;
            let (chunk, done) = match memchr::memchr(b'\n', available) {
                Some(i) => (&available[..=i], true),
                None => (available, false),
            };
            let room = (self.cap as usize).saturating_sub(self.buf.len());
            if chunk.len() > room {
                truncated = true;
            }
            self.buf.extend_from_slice(&chunk[..chunk.len().min(room)]);
            let n = chunk.len();
            self.reader.consume(n);
            self.offset += n as u64;
            if done {
                break;
            }
        }
        if !seen_any {
            return Ok(None);
        }
        self.number += 1;
        Ok(Some(Line {
            bytes: &self.buf,
            number: self.number,
            offset: start,
            truncated,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_lines_and_caps_long_ones() {
        let input = b"short\nthis line is long\nend";
        let mut lines = LimitedLines::new(&input[..], 8);
        let l = lines.next_line().unwrap().unwrap();
        assert_eq!(
            (l.bytes, l.number, l.offset, l.truncated),
            (&b"short\n"[..], 1, 0, false)
        );
        let l = lines.next_line().unwrap().unwrap();
        assert_eq!(
            (l.bytes.len(), l.number, l.offset, l.truncated),
            (8, 2, 6, true)
        );
        let l = lines.next_line().unwrap().unwrap();
        assert_eq!((l.bytes, l.number, l.offset), (&b"end"[..], 3, 24));
        assert!(lines.next_line().unwrap().is_none());
    }

    #[test]
    fn a_long_line_does_not_keep_its_buffer() {
        let mut input = vec![b'x'; 1 << 20];
        input.extend_from_slice(b"\nshort\n");
        let mut lines = LimitedLines::new(&input[..], u64::MAX);
        assert_eq!(
            lines.next_line().unwrap().unwrap().bytes.len(),
            (1 << 20) + 1
        );
        assert_eq!(lines.next_line().unwrap().unwrap().bytes, b"short\n");
        assert!(
            lines.buf.capacity() <= KEEP_LINE_BUFFER,
            "{}",
            lines.buf.capacity()
        );
    }
}
