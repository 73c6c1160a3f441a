//! What a run wrote for each input, kept on disk while the run goes on.
//!
//! The manifest records every input's doc ids and content hashes, so a run
//! must remember them until it commits. Kept in memory that grew with the
//! run: ~40 bytes a document and ~130 an input (3 GB of small files, 17k
//! inputs and 66k documents: ~5 MB). The ledger appends them to a file that
//! is unlinked as soon as it is open, and hands them back source by source
//! once the pipeline's buffers are freed, straight into the manifest: read
//! back into a map of their own first, they were a quarter of the live heap
//! at the end of a run over 100,000 small files (22 of 88 MB).

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use quarry_core::{Error, Result};

use crate::pipeline::SourceRows;

/// A source starts: its name follows (u32 length, bytes).
const SOURCE: u8 = b'S';
/// A document of the current source: id (u32 length, bytes), hash (16 bytes).
const DOCUMENT: u8 = b'D';

pub struct SourceLedger {
    out: BufWriter<File>,
    /// Where the file was made, for messages (it is unlinked at once).
    path: PathBuf,
    current: Option<Arc<str>>,
}

impl SourceLedger {
    /// A ledger in `dir`: the folder the run writes its files to, or the
    /// system's temporary folder for an object store.
    pub fn create(dir: &Path) -> Result<Self> {
        let path = dir.join(format!(
            "quarry-ledger-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        ));
        let file = File::options()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| {
                Error::io(
                    format!(
                        "{} (a writable folder is needed; for object-store outputs set TMPDIR)",
                        ledger_name(&path)
                    ),
                    e,
                )
            })?;
        // Unlinked now, the file goes away with the process, whatever ends it
        // (elsewhere an open file cannot be removed: see `Drop`).
        #[cfg(unix)]
        std::fs::remove_file(&path).map_err(|e| Error::io(ledger_name(&path), e))?;
        Ok(SourceLedger {
            out: BufWriter::with_capacity(64 * 1024, file),
            path,
            current: None,
        })
    }

    pub fn record(&mut self, source: &Arc<str>, doc_id: &str, hash: u128) -> Result<()> {
        self.write_record(source, doc_id, hash)
            .map_err(|e| Error::io(ledger_name(&self.path), e))
    }

    fn write_record(&mut self, source: &Arc<str>, doc_id: &str, hash: u128) -> std::io::Result<()> {
        let same = match &self.current {
            // A source's documents arrive together (one input is read at a
            // time), and each carries the same `Arc`.
            Some(current) => Arc::ptr_eq(current, source) || **current == **source,
            None => false,
        };
        if !same {
            self.out.write_all(&[SOURCE])?;
            write_bytes(&mut self.out, source.as_bytes())?;
            self.current = Some(Arc::clone(source));
        }
        self.out.write_all(&[DOCUMENT])?;
        write_bytes(&mut self.out, doc_id.as_bytes())?;
        self.out.write_all(&hash.to_le_bytes())
    }

    /// Hands each source's rows to `each`, in the order they were recorded.
    /// A source recorded in two stretches comes twice.
    pub fn read_back(self, each: impl FnMut(String, SourceRows)) -> Result<()> {
        let name = ledger_name(&self.path);
        read_back(self.out, each).map_err(|e| Error::io(name, e))
    }
}

#[cfg(not(unix))]
impl Drop for SourceLedger {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

fn ledger_name(path: &Path) -> String {
    format!("the run's ledger {}", path.display())
}

fn write_bytes(out: &mut impl Write, bytes: &[u8]) -> std::io::Result<()> {
    let len = u32::try_from(bytes.len()).map_err(std::io::Error::other)?;
    out.write_all(&len.to_le_bytes())?;
    out.write_all(bytes)
}

fn read_string(input: &mut impl Read) -> std::io::Result<String> {
    let mut s = String::new();
    read_string_into(input, &mut s)?;
    Ok(s)
}

/// Reads a string into `out`, reusing its buffer.
fn read_string_into(input: &mut impl Read, out: &mut String) -> std::io::Result<()> {
    let mut len = [0u8; 4];
    input.read_exact(&mut len)?;
    let mut bytes = std::mem::take(out).into_bytes();
    bytes.clear();
    bytes.resize(u32::from_le_bytes(len) as usize, 0);
    input.read_exact(&mut bytes)?;
    *out = String::from_utf8(bytes).map_err(std::io::Error::other)?;
    Ok(())
}

fn read_back(
    out: BufWriter<File>,
    mut each: impl FnMut(String, SourceRows),
) -> std::io::Result<()> {
    let mut file = out.into_inner().map_err(|e| e.into_error())?;
    file.seek(SeekFrom::Start(0))?;
    let mut input = BufReader::with_capacity(64 * 1024, file);
    let mut current: Option<(String, SourceRows)> = None;
    let mut tag = [0u8; 1];
    let mut id = String::new();
    loop {
        match input.read_exact(&mut tag) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(e) => return Err(e),
        }
        match tag[0] {
            SOURCE => {
                let source = read_string(&mut input)?;
                if let Some((done, rows)) = current.replace((source, SourceRows::default())) {
                    each(done, rows);
                }
            }
            DOCUMENT => {
                read_string_into(&mut input, &mut id)?;
                let mut hash = [0u8; 16];
                input.read_exact(&mut hash)?;
                let (_, rows) = current
                    .as_mut()
                    .ok_or_else(|| std::io::Error::other("a document before any source"))?;
                rows.doc_ids.push(&id);
                rows.doc_hashes.push(u128::from_le_bytes(hash));
            }
            other => return Err(std::io::Error::other(format!("unknown record tag {other}"))),
        }
    }
    if let Some((source, rows)) = current {
        each(source, rows);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gives_each_source_its_rows_in_order() {
        let dir = std::env::temp_dir();
        let a: Arc<str> = "a.jsonl".into();
        let b: Arc<str> = "数据/b.txt".into();
        let mut ledger = SourceLedger::create(&dir).unwrap();
        // The file is unlinked as soon as it is made.
        #[cfg(unix)]
        assert!(!ledger.path.exists());
        ledger.record(&a, "a0", 1).unwrap();
        ledger.record(&a, "a1", u128::MAX).unwrap();
        ledger.record(&b, "b0", 3).unwrap();
        // Equal text from another allocation is the same source.
        ledger.record(&Arc::from("数据/b.txt"), "", 4).unwrap();
        // A source seen again later comes again.
        ledger.record(&a, "a2", 5).unwrap();
        let rows = read_all(ledger);
        let ids = |i: usize| rows[i].1.doc_ids.iter().collect::<Vec<_>>();
        let hashes = |i: usize| rows[i].1.doc_hashes.iter().collect::<Vec<_>>();
        let sources: Vec<&str> = rows.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(sources, ["a.jsonl", "数据/b.txt", "a.jsonl"]);
        assert_eq!(ids(0), ["a0", "a1"]);
        assert_eq!(hashes(0), [1, u128::MAX]);
        assert_eq!(ids(1), ["b0", ""]);
        assert_eq!(hashes(1), [3, 4]);
        assert_eq!(ids(2), ["a2"]);
        assert_eq!(hashes(2), [5]);
    }

    fn read_all(ledger: SourceLedger) -> Vec<(String, SourceRows)> {
        let mut rows = Vec::new();
        ledger
            .read_back(|source, r| rows.push((source, r)))
            .unwrap();
        rows
    }

    #[test]
    fn an_empty_ledger_has_no_rows() {
        let ledger = SourceLedger::create(&std::env::temp_dir()).unwrap();
        assert!(read_all(ledger).is_empty());
    }

    #[test]
    fn a_missing_folder_is_an_error_naming_the_ledger() {
        let err = SourceLedger::create(Path::new("/nonexistent/quarry-test"))
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.contains("ledger") && err.contains("/nonexistent/quarry-test"),
            "{err}"
        );
    }
}
