//! Wires the stages: a reader thread, three ordered parallel CPU stages and
//! a writer thread, connected by bounded channels.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use quarry_clean::Cleaner;
use quarry_core::{
    batch_channel, run_ordered_stage, Batch, BatchSender, CpuSlots, Document, Error, Result,
    StageClock, TextBudget,
};
use quarry_extract::Extractor;
use quarry_read::{ContentDigest, InputFile, Reader};
use quarry_segment::Segmenter;
use quarry_write::{
    parse_hash, DatasetWriter, Destination, HashList, StrList, WriteOptions, Written,
};

use crate::config::{OnError, Plan};
use crate::ledger::SourceLedger;

/// The stage objects, built (and their configs validated) before any run.
pub struct Stages {
    pub reader: Reader,
    pub cleaner: Cleaner,
    pub segmenter: Segmenter,
    pub extractor: Extractor,
}

impl Stages {
    pub fn build(plan: &Plan) -> std::result::Result<Stages, String> {
        let file = plan.file.display();
        Ok(Stages {
            reader: Reader::new(&plan.config.input).map_err(|e| format!("{file}: {e}"))?,
            cleaner: Cleaner::new(&plan.config.clean).map_err(|e| format!("{file}: clean: {e}"))?,
            segmenter: Segmenter::new(&plan.config.segment),
            extractor: Extractor::new(&plan.config.extract)
                .map_err(|e| format!("{file}: extract: {e}"))?,
        })
    }
}

/// Counters shared by the stages while a run goes on.
#[derive(Default)]
pub struct Counters {
    pub bytes_read: AtomicU64,
    pub records_skipped: AtomicU64,
    pub documents_skipped: AtomicU64,
    pub errors: AtomicU64,
}

#[derive(Default)]
pub struct Clocks {
    pub read: StageClock,
    pub clean: Arc<StageClock>,
    pub segment: Arc<StageClock>,
    pub extract: Arc<StageClock>,
    pub write: StageClock,
}

/// What one input produced: for the state, to replace or dedup it later.
#[derive(Debug, Default, Clone)]
pub struct SourceRows {
    pub doc_ids: StrList,
    pub doc_hashes: HashList,
}

pub struct Outcome {
    pub written: Written,
    /// Each input's doc ids and hashes, on disk until the manifest takes them.
    pub ledger: SourceLedger,
    /// The content id of each input of [`RunSpec::inputs`], at the same
    /// index: hashed while it was read (empty for objects and unreadable files).
    pub content_ids: Vec<String>,
}

pub struct RunSpec {
    /// Shared with the caller, which records them in the manifest after the run.
    pub inputs: Arc<Vec<InputFile>>,
    /// Where the run's files go until the commit.
    pub dest: Destination,
    pub partition: String,
    /// The name of each dataset's file.
    pub file_name: String,
    pub run_id: String,
    /// Content hashes already in the output (documents written once).
    pub known_hashes: HashSet<u128>,
    pub write_options: WriteOptions,
}

/// Runs the pipeline over `spec.inputs`; files land in `spec.dest`.
pub async fn execute(
    plan: &Plan,
    stages: Arc<Stages>,
    spec: RunSpec,
    counters: Arc<Counters>,
    clocks: Arc<Clocks>,
    cancel: Arc<AtomicBool>,
    progress: indicatif::ProgressBar,
) -> Result<Outcome> {
    let capacity = plan.config.run.channel_capacity;
    let threads = plan.threads;
    let (read_tx, read_rx) = batch_channel(capacity);
    let (clean_tx, clean_rx) = batch_channel(capacity);
    let (segment_tx, segment_rx) = batch_channel(capacity);
    let (extract_tx, mut extract_rx) = batch_channel(capacity);
    let slots = CpuSlots::new(threads);

    let reader = {
        let stages = Arc::clone(&stages);
        let counters = Arc::clone(&counters);
        let clocks = Arc::clone(&clocks);
        let cancel = Arc::clone(&cancel);
        let run = plan.config.run.clone();
        let inputs = Arc::clone(&spec.inputs);
        tokio::task::spawn_blocking(move || {
            read_inputs(
                &stages.reader,
                &inputs,
                run,
                read_tx,
                &counters,
                &clocks,
                &cancel,
                &progress,
            )
        })
    };

    let keep_raw = plan.config.output.keep_raw;
    let document_text = plan.config.output.document_text;
    let s = Arc::clone(&stages);
    let clean = tokio::spawn(run_ordered_stage(
        read_rx,
        clean_tx,
        threads,
        slots.clone(),
        Arc::clone(&clocks.clean),
        Arc::new(move |mut batch: Batch| {
            for doc in &mut batch.docs {
                let cleaned = if keep_raw {
                    let cleaned = s.cleaner.clean(&doc.text);
                    doc.raw_text = Some(std::mem::take(&mut doc.text));
                    cleaned
                } else {
                    s.cleaner.clean_owned(std::mem::take(&mut doc.text))
                };
                doc.text = cleaned.text;
                doc.removed_chars = cleaned.removed_chars;
                doc.content_hash = quarry_core::content_hash(&doc.text);
            }
            Ok(batch)
        }),
    ));
    let s = Arc::clone(&stages);
    let segment = tokio::spawn(run_ordered_stage(
        clean_rx,
        segment_tx,
        threads,
        slots.clone(),
        Arc::clone(&clocks.segment),
        Arc::new(move |mut batch: Batch| {
            for doc in &mut batch.docs {
                doc.sentences = s.segmenter.segment(&doc.text);
                doc.lang = dominant_lang(doc);
            }
            Ok(batch)
        }),
    ));
    let s = Arc::clone(&stages);
    let extract = tokio::spawn(run_ordered_stage(
        segment_rx,
        extract_tx,
        threads,
        slots.clone(),
        Arc::clone(&clocks.extract),
        Arc::new(move |mut batch: Batch| {
            for doc in &mut batch.docs {
                s.extractor.extract_document(doc);
                if !document_text {
                    doc.release_text();
                }
            }
            Ok(batch)
        }),
    ));

    let writer = {
        let counters = Arc::clone(&counters);
        let clocks = Arc::clone(&clocks);
        let dedup = plan.config.output.dedup_documents;
        tokio::task::spawn_blocking(move || -> Result<(Written, SourceLedger)> {
            let mut writer = DatasetWriter::create(
                &spec.dest,
                &spec.partition,
                &spec.file_name,
                &spec.run_id,
                spec.write_options,
            )?;
            let mut seen = spec.known_hashes;
            // Beside the run's files (on the output's disk), not in a
            // temporary folder that may be memory (tmpfs).
            let ledger_dir = match &spec.dest {
                Destination::Dir(dir) => dir.clone(),
                Destination::Objects(_) => std::env::temp_dir(),
            };
            let mut ledger = match SourceLedger::create(&ledger_dir) {
                Ok(ledger) => ledger,
                Err(e) => {
                    writer.abort();
                    return Err(e);
                }
            };
            let mut ledger_error = None;
            let mut expected_seq = 0;
            while let Some(mut batch) = extract_rx.blocking_recv() {
                if batch.seq != expected_seq {
                    writer.abort();
                    return Err(Error::Pipeline(format!(
                        "batch {} arrived where {expected_seq} was due",
                        batch.seq
                    )));
                }
                expected_seq += 1;
                batch.docs.retain(|doc| {
                    let hash = hash_of(doc);
                    let fresh = seen.insert(hash);
                    if !fresh && dedup {
                        counters.documents_skipped.fetch_add(1, Ordering::Relaxed);
                        tracing::info!(source = %doc.source, ordinal = doc.ordinal, "duplicate document skipped (same cleaned text as one already written)");
                        return false;
                    }
                    if let Err(e) = ledger.record(&doc.source, &doc.doc_id, hash) {
                        ledger_error.get_or_insert(e);
                    }
                    true
                });
                if let Some(e) = ledger_error.take() {
                    writer.abort();
                    return Err(e);
                }
                if let Err(e) = clocks.write.time(|| writer.write_batch(&batch)) {
                    writer.abort();
                    return Err(e);
                }
            }
            let written = clocks.write.time(|| writer.finish())?;
            Ok((written, ledger))
        })
    };

    // Collect every stage's result; the first real error wins. A stage that
    // stopped because its neighbour hung up reports Ok.
    let read_result = joined(reader.await);
    let clean_result = joined(clean.await);
    let segment_result = joined(segment.await);
    let extract_result = joined(extract.await);
    let outcome = writer
        .await
        .map_err(|e| Error::Pipeline(format!("the writer failed: {e}")))?;
    let content_ids = read_result?;
    clean_result?;
    segment_result?;
    extract_result?;
    if cancel.load(Ordering::Relaxed) {
        // Whatever the writer finished sits in the uncommitted snapshot only.
        return Err(Error::Interrupted);
    }
    // The per-source lists are read back once the run's buffers are freed.
    let (written, ledger) = outcome?;
    Ok(Outcome {
        written,
        ledger,
        content_ids,
    })
}

/// A document's content hash as a number: the clean stage's, or computed
/// here for a document that skipped it.
fn hash_of(doc: &Document) -> u128 {
    parse_hash(&doc.content_hash).unwrap_or_else(|| quarry_core::content_hash_number(&doc.text))
}

/// A stage task's result; a panicked task is a pipeline error.
fn joined<T>(r: std::result::Result<Result<T>, tokio::task::JoinError>) -> Result<T> {
    r.map_err(|e| Error::Pipeline(format!("a stage failed: {e}")))?
}

#[allow(clippy::too_many_arguments)]
fn read_inputs(
    reader: &Reader,
    inputs: &[InputFile],
    run: crate::config::RunConfig,
    tx: BatchSender,
    counters: &Counters,
    clocks: &Clocks,
    cancel: &AtomicBool,
    progress: &indicatif::ProgressBar,
) -> Result<Vec<String>> {
    let mut content_ids = Vec::with_capacity(inputs.len());
    let mut batch = Batch::default();
    let mut batch_bytes = 0usize;
    let mut seq = 0u64;
    let mut failure: Option<Error> = None;
    let mut hung_up = false;
    let start = std::time::Instant::now();
    let mut waiting = std::time::Duration::ZERO;
    let budget = TextBudget::new(run.text_in_flight);
    let mut send = |batch: &mut Batch, batch_bytes: &mut usize| -> bool {
        if batch.docs.is_empty() {
            return true;
        }
        let mut full = std::mem::take(batch);
        full.seq = seq;
        seq += 1;
        // Time spent waiting for room downstream is backpressure, not reading.
        let t = std::time::Instant::now();
        full.budget = Some(budget.take(*batch_bytes));
        *batch_bytes = 0;
        let sent = tx.blocking_send(full).is_ok();
        waiting += t.elapsed();
        sent
    };
    for input in inputs {
        if cancel.load(Ordering::Relaxed) || failure.is_some() || hung_up {
            break;
        }
        let digest = input.object.is_none().then(ContentDigest::default);
        reader.read_digesting(input, digest.as_ref(), &mut |item| {
            if cancel.load(Ordering::Relaxed) {
                return false;
            }
            match item {
                Ok(doc) => {
                    counters
                        .bytes_read
                        .fetch_add(doc.source_bytes, Ordering::Relaxed);
                    batch_bytes += doc.text.len();
                    batch.docs.push(doc);
                    let full =
                        batch.docs.len() >= run.batch_documents || batch_bytes >= run.batch_bytes;
                    if full && !send(&mut batch, &mut batch_bytes) {
                        hung_up = true;
                        return false;
                    }
                    true
                }
                Err(e) => {
                    counters.errors.fetch_add(1, Ordering::Relaxed);
                    match run.on_error {
                        OnError::Skip if e.is_skippable() => {
                            counters.records_skipped.fetch_add(1, Ordering::Relaxed);
                            tracing::warn!("skipped: {e}");
                            true
                        }
                        _ => {
                            failure = Some(e);
                            false
                        }
                    }
                }
            }
        });
        progress.inc(input.size);
        if let Some(digest) = digest {
            // A reader that stopped early hashed part of the file: hash it
            // whole (an unreadable file is recorded without a hash).
            let id = digest
                .finish(input.size)
                .or_else(|| quarry_read::hash_file(&input.path).ok());
            content_ids.push(id.unwrap_or_default());
        } else {
            content_ids.push(String::new());
        }
    }
    if failure.is_none() && !hung_up && !cancel.load(Ordering::Relaxed) {
        send(&mut batch, &mut batch_bytes);
    }
    clocks.read.add(start.elapsed().saturating_sub(waiting));
    match failure {
        Some(e) => Err(e),
        None => Ok(content_ids),
    }
}

/// The language of most of a document's sentence chars.
fn dominant_lang(doc: &Document) -> &'static str {
    let mut weights: Vec<(&'static str, u64)> = Vec::new();
    for s in &doc.sentences {
        if s.lang == "und" {
            continue;
        }
        let len = u64::from(s.char_end - s.char_start);
        match weights.iter_mut().find(|(l, _)| *l == s.lang) {
            Some((_, w)) => *w += len,
            None => weights.push((s.lang, len)),
        }
    }
    weights
        .iter()
        .max_by_key(|(_, w)| *w)
        .map_or("und", |(l, _)| *l)
}
