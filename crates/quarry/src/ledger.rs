//! What a run wrote for each input, kept on disk while the run goes on.
//!
//! The manifest records every input's doc ids and content hashes, so a run
//! must remember them until it commits. Kept in memory that grew with the
//! run: ~40 bytes a document and ~130 an input (3 GB of small files, 17k
//! inputs and 66k documents: ~5 MB). The ledger appends them to a file that
//! is unlinked as soon as it is open, and reads them back once the
//! pipeline's buffers are freed.

use std::collections::HashMap;
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

    /// The rows of each source, for the manifest.
    pub fn into_rows(self) -> Result<HashMap<String, SourceRows>> {
        let name = ledger_name(&self.path);
        read_back(self.out).map_err(|e| Error::io(name, e))
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
    let mut len = [0u8; 4];
    input.read_exact(&mut len)?;
    let mut bytes = vec![0u8; u32::from_le_bytes(len) as usize];
    input.read_exact(&mut bytes)?;
    String::from_utf8(bytes).map_err(std::io::Error::other)
}

fn read_back(out: BufWriter<File>) -> std::io::Result<HashMap<String, SourceRows>> {
    let mut file = out.into_inner().map_err(|e| e.into_error())?;
    file.seek(SeekFrom::Start(0))?;
    let mut input = BufReader::with_capacity(64 * 1024, file);
    let mut rows: HashMap<String, SourceRows> = HashMap::new();
    let mut current: Option<String> = None;
    let mut tag = [0u8; 1];
    loop {
        match input.read_exact(&mut tag) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(rows),
            Err(e) => return Err(e),
        }
        match tag[0] {
            SOURCE => current = Some(read_string(&mut input)?),
            DOCUMENT => {
                let id = read_string(&mut input)?;
                let mut hash = [0u8; 16];
                input.read_exact(&mut hash)?;
                let source = current
                    .as_ref()
                    .ok_or_else(|| std::io::Error::other("a document before any source"))?;
                let entry = match rows.get_mut(source.as_str()) {
                    Some(entry) => entry,
                    None => rows.entry(source.clone()).or_default(),
                };
                entry.doc_ids.push(&id);
                entry.doc_hashes.push(u128::from_le_bytes(hash));
            }
            other => return Err(std::io::Error::other(format!("unknown record tag {other}"))),
        }
    }
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
        // A source seen again later adds to its rows.
        ledger.record(&a, "a2", 5).unwrap();
        let rows = ledger.into_rows().unwrap();
        assert_eq!(rows.len(), 2);
        let ids = |s: &str| rows[s].doc_ids.iter().collect::<Vec<_>>();
        let hashes = |s: &str| rows[s].doc_hashes.iter().collect::<Vec<_>>();
        assert_eq!(ids("a.jsonl"), ["a0", "a1", "a2"]);
        assert_eq!(hashes("a.jsonl"), [1, u128::MAX, 5]);
        assert_eq!(ids("数据/b.txt"), ["b0", ""]);
        assert_eq!(hashes("数据/b.txt"), [3, 4]);
    }

    #[test]
    fn an_empty_ledger_has_no_rows() {
        let ledger = SourceLedger::create(&std::env::temp_dir()).unwrap();
        assert!(ledger.into_rows().unwrap().is_empty());
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
