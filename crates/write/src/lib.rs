//! The write stage: the documents, sentences, metrics and runs datasets of
//! `shared/spec/datasets.md`, as ZSTD Parquet with statistics and large row
//! groups. Every file is written under a temporary name and renamed only when
//! complete, so a reader never sees a half-written file.

mod doclist;
mod inputs;
pub mod output;
mod rewrite;
mod schema;
pub mod shards;
pub mod store;
mod table;
pub mod time;

use std::fs::File;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use arrow_array::RecordBatch;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, Encoding, ZstdLevel};
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;
use quarry_core::{Batch, Error, Result};
use quarry_storage::{ObjectWriter, Remote};

pub use doclist::{parse_hash, HashList, StrList};
pub use inputs::Inputs;
pub use rewrite::rewrite_without;
pub use schema::{documents_schema, metrics_schema, runs_schema, sentences_schema};
pub use table::RunRecord;
use table::{DocumentRows, MetricRows, SentenceRows};

/// The four dataset folder names under an output root.
pub const DATASETS: [&str; 4] = ["documents", "sentences", "metrics", "runs"];

/// The most a row group holds in memory before it is flushed: three files
/// are open at once, so this bounds the writer's memory. 4 MiB of encoded
/// sentences is ~60k rows (DuckDB's own row groups hold 122,880). Against
/// 8 MiB: peak RSS -4 MB on the 1 GB bench corpus, the same speed.
const ROW_GROUP_BYTES: usize = 4 * 1024 * 1024;

/// The same bound for a documents file without text: its rows are ids,
/// counts and hashes (~100 bytes encoded), so under an 8 MiB bound a large
/// corpus kept tens of thousands of them buffered for the whole run (peak
/// RSS on the 1 GB bench corpus, two interleaved runs each: 112-114 MB at
/// 8 MiB, 110-111 MB at 1 MiB).
const METADATA_ROW_GROUP_BYTES: usize = 1024 * 1024;

/// Integer columns that count up through a document or a sentence.
const POSITION_COLUMNS: [&str; 5] = [
    "ordinal",
    "sentence_idx",
    "metric_idx",
    "char_start",
    "char_end",
];

/// Columns left uncompressed: delta-coded offsets and dictionary-coded
/// labels, which ZSTD shrank by 0-6 % on the bench corpus (a few KB per
/// 20 MB of input). Every compressed column keeps a compression context of
/// its own, and a decompression one with it, as long as its row group is open.
const UNCOMPRESSED_COLUMNS: [&str; 9] = [
    "ordinal",
    "char_start",
    "char_end",
    "lang",
    "kind",
    "direction",
    "comparator",
    "modality",
    "run_id",
];

/// Rows are handed to Parquet in slices of this many, so builders stay small
/// (4k sentences are about half a megabyte of text).
const FLUSH_ROWS: usize = 4 * 1024;

/// ...or once their text reaches this many bytes (documents are long).
const FLUSH_BYTES: usize = 1024 * 1024;

#[derive(Debug, Clone)]
pub struct WriteOptions {
    pub zstd_level: i32,
    pub row_group_rows: usize,
    /// Store the raw text next to the cleaned text in the documents dataset.
    pub keep_raw: bool,
    /// Store each document's cleaned text in the documents dataset.
    pub document_text: bool,
}

impl Default for WriteOptions {
    fn default() -> Self {
        WriteOptions {
            zstd_level: 2,
            row_group_rows: 128 * 1024,
            keep_raw: false,
            document_text: false,
        }
    }
}

/// Where a run's files go: a local folder, or a prefix in an object store.
#[derive(Debug, Clone)]
pub enum Destination {
    Dir(PathBuf),
    Objects(Remote),
}

impl Destination {
    /// `rel` (`dataset/partition/name`, always with `/`) under this destination.
    pub fn display(&self, rel: &str) -> String {
        match self {
            Destination::Dir(dir) => dir.join(rel).display().to_string(),
            Destination::Objects(remote) => remote.url(&remote.child(rel)),
        }
    }
}

/// The bytes of a file being written: a local temporary file (renamed into
/// place on commit) or an object upload (completed on commit).
enum SinkWriter {
    File(File),
    Object(Box<ObjectWriter>),
}

impl std::io::Write for SinkWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            SinkWriter::File(f) => f.write(buf),
            SinkWriter::Object(o) => o.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            SinkWriter::File(f) => f.flush(),
            SinkWriter::Object(o) => o.flush(),
        }
    }
}

/// A Parquet file being written under a temporary name (locally) or as an
/// unfinished upload (object stores): invisible until committed.
struct PendingFile {
    writer: ArrowWriter<SinkWriter>,
    /// Local temporary path, if local.
    temp: Option<PathBuf>,
    /// Final local path, or the object's URL.
    name: String,
    final_path: Option<PathBuf>,
    rows: u64,
}

impl PendingFile {
    fn create(
        dest: &Destination,
        rel: &str,
        schema: arrow_schema::SchemaRef,
        props: WriterProperties,
    ) -> Result<Self> {
        let (sink, temp, final_path) = match dest {
            Destination::Dir(root) => {
                let path = root.join(rel);
                let dir = path.parent().expect("dataset files live in a folder");
                std::fs::create_dir_all(dir)
                    .map_err(|e| Error::io(dir.display().to_string(), e))?;
                let name = path.file_name().expect("file name").to_string_lossy();
                // A leading dot and a non-.parquet suffix keep `*.parquet` globs away.
                let temp = dir.join(format!(".{name}.tmp"));
                let file =
                    File::create(&temp).map_err(|e| Error::io(temp.display().to_string(), e))?;
                (SinkWriter::File(file), Some(temp), Some(path))
            }
            Destination::Objects(remote) => (
                SinkWriter::Object(Box::new(remote.writer(&remote.child(rel)))),
                None,
                None,
            ),
        };
        let name = dest.display(rel);
        let writer = ArrowWriter::try_new(sink, schema, Some(props))
            .map_err(|e| Error::Pipeline(format!("{name}: {e}")))?;
        Ok(PendingFile {
            writer,
            temp,
            name,
            final_path,
            rows: 0,
        })
    }

    fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        self.rows += batch.num_rows() as u64;
        self.writer
            .write(batch)
            .map_err(|e| Error::Pipeline(format!("{}: {e}", self.name)))
    }

    /// Closes the file and moves it to its final name (completes the upload).
    fn commit(self) -> Result<()> {
        self.close()?.commit()
    }

    /// Writes the footer and, for a local file, flushes it to disk: all but
    /// the rename that makes it visible.
    fn close(self) -> Result<ClosedFile> {
        let sink = self
            .writer
            .into_inner()
            .map_err(|e| Error::Pipeline(format!("{}: {e}", self.name)))?;
        if let (SinkWriter::File(file), Some(temp)) = (&sink, &self.temp) {
            if let Err(e) = file.sync_all() {
                let _ = std::fs::remove_file(temp);
                return Err(Error::io(temp.display().to_string(), e));
            }
        }
        Ok(ClosedFile {
            sink,
            temp: self.temp,
            final_path: self.final_path,
            rows: self.rows,
        })
    }

    fn abort(self) {
        let temp = self.temp.clone();
        drop(self.writer);
        if let Some(temp) = temp {
            let _ = std::fs::remove_file(&temp);
        }
    }
}

/// A complete file still under its temporary name (an upload not yet
/// completed).
struct ClosedFile {
    sink: SinkWriter,
    temp: Option<PathBuf>,
    final_path: Option<PathBuf>,
    rows: u64,
}

impl ClosedFile {
    fn commit(self) -> Result<()> {
        match (self.sink, self.temp, self.final_path) {
            (SinkWriter::File(file), Some(temp), Some(path)) => {
                drop(file);
                std::fs::rename(&temp, &path).map_err(|e| Error::io(path.display().to_string(), e))
            }
            (SinkWriter::Object(object), _, _) => object.finish(),
            _ => unreachable!("a local file has both names"),
        }
    }

    fn abort(self) {
        drop(self.sink);
        if let Some(temp) = self.temp {
            let _ = std::fs::remove_file(&temp);
        }
    }
}

/// A dataset file written on a thread of its own, so that the three datasets
/// are encoded and compressed in parallel: Parquet encoding was the serial
/// bottleneck of the pipeline.
struct FileWorker {
    tx: Option<std::sync::mpsc::SyncSender<RecordBatch>>,
    /// Set before the channel closes when the file is to be thrown away.
    discard: Arc<AtomicBool>,
    handle: Option<std::thread::JoinHandle<Result<Option<ClosedFile>>>>,
}

impl FileWorker {
    fn spawn(mut file: PendingFile) -> Result<Self> {
        // No queue: a slice is handed over when the thread is ready for it,
        // while the next is being built. Two queued slices per file were up
        // to 9 MB of rows waiting (peak RSS on the 1 GB bench corpus 92-96
        // against 85-89 MB, 100 MB 75-77 against 71-75, the same speed).
        let (tx, rx) = std::sync::mpsc::sync_channel::<RecordBatch>(0);
        let discard = Arc::new(AtomicBool::new(false));
        let discarded = Arc::clone(&discard);
        let handle = std::thread::Builder::new()
            .name("quarry-write".into())
            .spawn(move || {
                for batch in rx {
                    if let Err(e) = file.write(&batch) {
                        file.abort();
                        return Err(e);
                    }
                }
                if discarded.load(Ordering::Acquire) || file.rows == 0 {
                    file.abort();
                    return Ok(None);
                }
                // The footer and the fsync here, so that the three files
                // are closed at once rather than one after another.
                file.close().map(Some)
            })
            .map_err(|e| Error::Pipeline(format!("cannot start a writer thread: {e}")))?;
        Ok(FileWorker {
            tx: Some(tx),
            discard,
            handle: Some(handle),
        })
    }

    fn send(&mut self, batch: RecordBatch) -> Result<()> {
        let sent = self.tx.as_ref().is_some_and(|tx| tx.send(batch).is_ok());
        if sent {
            Ok(())
        } else {
            // The thread stopped on an error: report it.
            self.finish().map(|_| ())
        }
    }

    /// Waits for the thread to write the footer and flush the file; returns
    /// it still under its temporary name, or `None` if it has no rows.
    fn finish(&mut self) -> Result<Option<ClosedFile>> {
        drop(self.tx.take());
        match self.handle.take() {
            Some(h) => h
                .join()
                .map_err(|_| Error::Pipeline("a writer thread panicked".into()))?,
            None => Err(Error::Pipeline("the writer thread already stopped".into())),
        }
    }

    /// Stops the thread and removes its file.
    fn abort(&mut self) {
        self.discard.store(true, Ordering::Release);
        if let Ok(Some(file)) = self.finish() {
            file.abort();
        }
    }
}

/// The documents file's counts, left uncompressed: ZSTD saved ~5 bytes a
/// document on them (106 KB over 21,566 documents), while each compressed
/// column holds a compression and a decompression context (~0.1-0.2 MB) for
/// as long as its row group is open, which is most of a run once its first
/// 4k documents are written.
const DOCUMENT_COUNT_COLUMNS: [&str; 5] = [
    "chars",
    "sentence_count",
    "metric_count",
    "removed_chars",
    "source_bytes",
];

/// A metric's sentence index: ZSTD shrank it by 9 % (the delta coding has
/// already taken what repeats).
const METRIC_PLAIN_COLUMNS: [&str; 1] = ["sentence_idx"];

fn properties(
    options: &WriteOptions,
    free_text: &[&str],
    row_group_bytes: usize,
    uncompressed: &[&str],
) -> WriterProperties {
    let level = ZstdLevel::try_new(options.zstd_level).unwrap_or_default();
    let mut builder = WriterProperties::builder()
        .set_compression(Compression::ZSTD(level))
        .set_max_row_group_row_count(Some(options.row_group_rows))
        // Documents carry their whole text: cap a row group's bytes too, or
        // 128k long documents would be buffered in memory before a flush.
        .set_max_row_group_bytes(Some(row_group_bytes))
        .set_statistics_enabled(EnabledStatistics::Page)
        .set_created_by(format!("quarry {}", env!("CARGO_PKG_VERSION")));
    // Min/max of long strings would copy whole documents into the footer.
    builder = builder.set_statistics_truncate_length(Some(64));
    // Dictionaries help repeated values (lang, units) and only cost on free text.
    for column in free_text {
        builder = builder.set_column_dictionary_enabled(ColumnPath::from(*column), false);
    }
    // Positions climb row by row (offsets, ordinals): delta-coded they take
    // a byte or two a row, where a dictionary of near-unique values cost
    // more to build (hashing every value) and more to store.
    for column in POSITION_COLUMNS {
        builder = builder
            .set_column_dictionary_enabled(ColumnPath::from(column), false)
            .set_column_encoding(ColumnPath::from(column), Encoding::DELTA_BINARY_PACKED);
    }
    for &column in UNCOMPRESSED_COLUMNS.iter().chain(uncompressed) {
        builder =
            builder.set_column_compression(ColumnPath::from(column), Compression::UNCOMPRESSED);
    }
    // Nobody filters on a document's whole text: no statistics for it.
    for column in ["text", "raw_text"] {
        if free_text.contains(&column) {
            builder = builder
                .set_column_statistics_enabled(ColumnPath::from(column), EnabledStatistics::None);
        }
    }
    builder.build()
}

/// How each dataset's files are written: by a run, and again when a
/// changed input's rows are taken out of them (the same layout either way).
pub(crate) fn dataset_properties(dataset: &str, options: &WriteOptions) -> WriterProperties {
    match dataset {
        // `source` has no dictionary: one value per small file, and the
        // dictionary of a run over thousands of them held ~0.6 MB to save
        // 2 % of a file that is ~0.06 % of the input's size.
        "documents" => properties(
            options,
            &[
                "doc_id",
                "source",
                "text",
                "raw_text",
                "content_hash",
                "title",
            ],
            if options.document_text || options.keep_raw {
                ROW_GROUP_BYTES
            } else {
                METADATA_ROW_GROUP_BYTES
            },
            &document_plain_columns(options),
        ),
        "sentences" => properties(options, &["text"], ROW_GROUP_BYTES, &[]),
        "metrics" => properties(
            options,
            &["surface"],
            ROW_GROUP_BYTES,
            &METRIC_PLAIN_COLUMNS,
        ),
        _ => properties(options, &[], ROW_GROUP_BYTES, &[]),
    }
}

/// The documents file's uncompressed columns: the counts, and the text
/// columns when they are not written (null in every row).
fn document_plain_columns(options: &WriteOptions) -> Vec<&'static str> {
    let mut columns = DOCUMENT_COUNT_COLUMNS.to_vec();
    if !options.document_text {
        columns.push("text");
    }
    if !options.keep_raw {
        columns.push("raw_text");
    }
    columns
}

/// Writes the documents, sentences and metrics of one run. Files appear
/// under `<dataset>/<partition>/<file_name>` when [`DatasetWriter::finish`]
/// succeeds; [`DatasetWriter::abort`] leaves nothing behind.
pub struct DatasetWriter {
    run_id: String,
    rels: [String; 3],
    options: WriteOptions,
    documents: FileWorker,
    sentences: FileWorker,
    metrics: FileWorker,
    document_rows: DocumentRows,
    sentence_rows: SentenceRows,
    metric_rows: MetricRows,
    /// Text bytes of the largest slice of sentences handed to their file.
    #[cfg(test)]
    largest_sentence_slice: usize,
}

/// Row counts of what a writer committed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Written {
    pub documents: u64,
    pub sentences: u64,
    pub metrics: u64,
    /// The files written, relative to the destination (`dataset/partition/name`).
    pub files: Vec<String>,
}

impl DatasetWriter {
    /// `partition` is a Hive-style folder such as `run_date=2026-11-27`;
    /// `file_name` the name of each dataset's file (`part-<run>.parquet`).
    pub fn create(
        dest: &Destination,
        partition: &str,
        file_name: &str,
        run_id: &str,
        options: WriteOptions,
    ) -> Result<Self> {
        let rels = DATASETS.map(|dataset| format!("{dataset}/{partition}/{file_name}"));
        Ok(DatasetWriter {
            rels: [rels[0].clone(), rels[1].clone(), rels[2].clone()],
            run_id: run_id.to_string(),
            documents: FileWorker::spawn(PendingFile::create(
                dest,
                &rels[0],
                documents_schema(),
                dataset_properties("documents", &options),
            )?)?,
            sentences: FileWorker::spawn(PendingFile::create(
                dest,
                &rels[1],
                sentences_schema(),
                dataset_properties("sentences", &options),
            )?)?,
            metrics: FileWorker::spawn(PendingFile::create(
                dest,
                &rels[2],
                metrics_schema(),
                dataset_properties("metrics", &options),
            )?)?,
            options,
            document_rows: DocumentRows::default(),
            sentence_rows: SentenceRows::default(),
            metric_rows: MetricRows::default(),
            #[cfg(test)]
            largest_sentence_slice: 0,
        })
    }

    pub fn write_batch(&mut self, batch: &Batch) -> Result<()> {
        for doc in &batch.docs {
            self.document_rows.push(doc, &self.run_id, &self.options);
            for (idx, sentence) in doc.sentences.iter().enumerate() {
                self.sentence_rows
                    .push(doc, idx as u32, sentence, &self.run_id);
                for (m_idx, metric) in sentence.metrics.iter().enumerate() {
                    self.metric_rows
                        .push(doc, idx as u32, m_idx as u32, metric, &self.run_id);
                }
                // Within a document too: a long one's rows would otherwise
                // be built and handed over whole, several MB at once.
                self.flush_sentences(false)?;
                self.flush_metrics(false)?;
            }
            self.flush_documents(false)?;
        }
        Ok(())
    }

    fn flush_documents(&mut self, all: bool) -> Result<()> {
        let full = self.document_rows.len() >= FLUSH_ROWS
            || self.document_rows.text_bytes() >= FLUSH_BYTES;
        if full || (all && self.document_rows.len() > 0) {
            let batch = self.document_rows.finish();
            self.documents.send(batch)?;
        }
        Ok(())
    }

    fn flush_sentences(&mut self, all: bool) -> Result<()> {
        let full = self.sentence_rows.len() >= FLUSH_ROWS
            || self.sentence_rows.text_bytes() >= FLUSH_BYTES;
        if full || (all && self.sentence_rows.len() > 0) {
            #[cfg(test)]
            {
                self.largest_sentence_slice = self
                    .largest_sentence_slice
                    .max(self.sentence_rows.text_bytes());
            }
            let batch = self.sentence_rows.finish();
            self.sentences.send(batch)?;
        }
        Ok(())
    }

    fn flush_metrics(&mut self, all: bool) -> Result<()> {
        if self.metric_rows.len() >= FLUSH_ROWS || (all && self.metric_rows.len() > 0) {
            let batch = self.metric_rows.finish();
            self.metrics.send(batch)?;
        }
        Ok(())
    }

    /// Hands every buffered row to its file.
    fn flush_all(&mut self) -> Result<()> {
        self.flush_documents(true)?;
        self.flush_sentences(true)?;
        self.flush_metrics(true)
    }

    /// Closes and renames the three files into place.
    pub fn finish(mut self) -> Result<Written> {
        if let Err(e) = self.flush_all() {
            self.abort();
            return Err(e);
        }
        let closed = [
            self.documents.finish(),
            self.sentences.finish(),
            self.metrics.finish(),
        ];
        if closed.iter().any(|c| c.is_err()) {
            let mut first = None;
            for c in closed {
                match c {
                    Ok(file) => file.into_iter().for_each(ClosedFile::abort),
                    Err(e) => {
                        first.get_or_insert(e);
                    }
                }
            }
            return Err(first.expect("one failed"));
        }
        let [documents, sentences, metrics] = closed.map(|c| c.expect("checked above"));
        let rows = |file: &Option<ClosedFile>| file.as_ref().map_or(0, |f| f.rows);
        let mut written = Written {
            documents: rows(&documents),
            sentences: rows(&sentences),
            metrics: rows(&metrics),
            files: Vec::new(),
        };
        // A run with nothing new (a cron rerun) leaves no empty files behind:
        // a file without rows came back as `None`, already removed.
        for (file, rel) in [documents, sentences, metrics].into_iter().zip(&self.rels) {
            if let Some(file) = file {
                file.commit()?;
                written.files.push(rel.clone());
            }
        }
        Ok(written)
    }

    /// Drops everything written so far.
    pub fn abort(mut self) {
        for worker in [&mut self.documents, &mut self.sentences, &mut self.metrics] {
            worker.abort();
        }
    }
}

/// Writes one row of the runs dataset to `runs/<partition>/<file_name>`
/// under `dest`; returns that relative path.
pub fn write_run(
    dest: &Destination,
    partition: &str,
    file_name: &str,
    run: &RunRecord,
    options: &WriteOptions,
) -> Result<String> {
    let rel = format!("runs/{partition}/{file_name}");
    let mut file = PendingFile::create(
        dest,
        &rel,
        runs_schema(),
        dataset_properties("runs", options),
    )?;
    file.write(&table::run_batch(run))?;
    file.commit()?;
    Ok(rel)
}

#[cfg(test)]
mod tests;
