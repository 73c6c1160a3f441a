//! Row builders: documents, sentences and metrics go straight from the
//! records into Arrow builders, without an intermediate row type.

use std::sync::Arc;

use arrow_array::builder::{
    ArrayBuilder, Float64Builder, StringBuilder, UInt16Builder, UInt32Builder, UInt64Builder,
};
use arrow_array::{
    ArrayRef, Float64Array, RecordBatch, StringArray, TimestampMicrosecondArray, UInt32Array,
    UInt64Array,
};
use quarry_core::{Document, Metric, Sentence};

use crate::schema::{documents_schema, metrics_schema, runs_schema, sentences_schema};

fn batch(schema: arrow_schema::SchemaRef, columns: Vec<ArrayRef>) -> RecordBatch {
    RecordBatch::try_new(schema, columns).expect("columns match the dataset schema")
}

#[derive(Default)]
pub(crate) struct DocumentRows {
    doc_id: StringBuilder,
    source: StringBuilder,
    ordinal: UInt32Builder,
    title: StringBuilder,
    lang: StringBuilder,
    chars: UInt32Builder,
    sentence_count: UInt32Builder,
    metric_count: UInt32Builder,
    content_hash: StringBuilder,
    run_id: StringBuilder,
    removed_chars: UInt32Builder,
    source_bytes: UInt64Builder,
    text: StringBuilder,
    raw_text: StringBuilder,
}

impl DocumentRows {
    pub fn len(&self) -> usize {
        self.ordinal.len()
    }

    /// Bytes of text buffered: whole documents add up fast.
    pub fn text_bytes(&self) -> usize {
        self.text.values_slice().len() + self.raw_text.values_slice().len()
    }

    pub fn push(&mut self, doc: &Document, run_id: &str, options: &crate::WriteOptions) {
        self.doc_id.append_value(&doc.doc_id);
        self.source.append_value(&*doc.source);
        self.ordinal.append_value(doc.ordinal);
        self.title.append_option(doc.title.as_deref());
        self.lang.append_value(doc.lang);
        self.chars.append_value(doc.chars());
        self.sentence_count.append_value(doc.sentences.len() as u32);
        self.metric_count.append_value(doc.metric_count() as u32);
        // Set by the clean stage; computed here for documents that skipped it.
        if doc.content_hash.is_empty() {
            self.content_hash
                .append_value(quarry_core::content_hash(&doc.text));
        } else {
            self.content_hash.append_value(&doc.content_hash);
        }
        self.run_id.append_value(run_id);
        self.removed_chars.append_value(doc.removed_chars);
        self.source_bytes.append_value(doc.source_bytes);
        self.text
            .append_option(options.document_text.then_some(doc.text.as_str()));
        self.raw_text.append_option(if options.keep_raw {
            doc.raw_text.as_deref()
        } else {
            None
        });
    }

    pub fn finish(&mut self) -> RecordBatch {
        batch(
            documents_schema(),
            vec![
                Arc::new(self.doc_id.finish()),
                Arc::new(self.source.finish()),
                Arc::new(self.ordinal.finish()),
                Arc::new(self.title.finish()),
                Arc::new(self.lang.finish()),
                Arc::new(self.chars.finish()),
                Arc::new(self.sentence_count.finish()),
                Arc::new(self.metric_count.finish()),
                Arc::new(self.content_hash.finish()),
                Arc::new(self.run_id.finish()),
                Arc::new(self.removed_chars.finish()),
                Arc::new(self.source_bytes.finish()),
                Arc::new(self.text.finish()),
                Arc::new(self.raw_text.finish()),
            ],
        )
    }
}

#[derive(Default)]
pub(crate) struct SentenceRows {
    doc_id: StringBuilder,
    sentence_idx: UInt32Builder,
    text: StringBuilder,
    lang: StringBuilder,
    char_start: UInt32Builder,
    char_end: UInt32Builder,
    metric_count: UInt16Builder,
    run_id: StringBuilder,
}

impl SentenceRows {
    pub fn len(&self) -> usize {
        self.sentence_idx.len()
    }

    pub fn text_bytes(&self) -> usize {
        self.text.values_slice().len()
    }

    pub fn push(&mut self, doc: &Document, idx: u32, s: &Sentence, run_id: &str) {
        self.doc_id.append_value(&doc.doc_id);
        self.sentence_idx.append_value(idx);
        self.text.append_value(&s.text);
        self.lang.append_value(s.lang);
        self.char_start.append_value(s.char_start);
        self.char_end.append_value(s.char_end);
        self.metric_count
            .append_value(s.metrics.len().min(u16::MAX as usize) as u16);
        self.run_id.append_value(run_id);
    }

    pub fn finish(&mut self) -> RecordBatch {
        let (rows, text_bytes) = (self.len(), self.text_bytes());
        let rows_batch = batch(
            sentences_schema(),
            vec![
                Arc::new(self.doc_id.finish()),
                Arc::new(self.sentence_idx.finish()),
                Arc::new(self.text.finish()),
                Arc::new(self.lang.finish()),
                Arc::new(self.char_start.finish()),
                Arc::new(self.char_end.finish()),
                Arc::new(self.metric_count.finish()),
                Arc::new(self.run_id.finish()),
            ],
        );
        // The next slice is about as large: sized up front, its text is not
        // copied again each time the emptied builder doubles.
        self.text = StringBuilder::with_capacity(rows, text_bytes + text_bytes / 8);
        rows_batch
    }
}

#[derive(Default)]
pub(crate) struct MetricRows {
    doc_id: StringBuilder,
    sentence_idx: UInt32Builder,
    metric_idx: UInt32Builder,
    surface: StringBuilder,
    char_start: UInt32Builder,
    char_end: UInt32Builder,
    indicator: StringBuilder,
    value: Float64Builder,
    unit: StringBuilder,
    value_normalized: Float64Builder,
    base_unit: StringBuilder,
    kind: StringBuilder,
    direction: StringBuilder,
    comparator: StringBuilder,
    modality: StringBuilder,
    run_id: StringBuilder,
}

impl MetricRows {
    pub fn len(&self) -> usize {
        self.metric_idx.len()
    }

    pub fn push(
        &mut self,
        doc: &Document,
        sentence_idx: u32,
        metric_idx: u32,
        m: &Metric,
        run_id: &str,
    ) {
        self.doc_id.append_value(&doc.doc_id);
        self.sentence_idx.append_value(sentence_idx);
        self.metric_idx.append_value(metric_idx);
        self.surface.append_value(&m.surface);
        self.char_start.append_value(m.char_start);
        self.char_end.append_value(m.char_end);
        self.indicator.append_option(m.indicator.as_deref());
        self.value.append_value(m.value);
        self.unit.append_option(m.unit.as_deref());
        self.value_normalized.append_value(m.value_normalized);
        self.base_unit.append_value(&m.base_unit);
        self.kind.append_value(m.kind.as_str());
        self.direction
            .append_option(m.direction.map(|d| d.as_str()));
        self.comparator.append_value(m.comparator.as_str());
        self.modality.append_value(m.modality.as_str());
        self.run_id.append_value(run_id);
    }

    pub fn finish(&mut self) -> RecordBatch {
        batch(
            metrics_schema(),
            vec![
                Arc::new(self.doc_id.finish()),
                Arc::new(self.sentence_idx.finish()),
                Arc::new(self.metric_idx.finish()),
                Arc::new(self.surface.finish()),
                Arc::new(self.char_start.finish()),
                Arc::new(self.char_end.finish()),
                Arc::new(self.indicator.finish()),
                Arc::new(self.value.finish()),
                Arc::new(self.unit.finish()),
                Arc::new(self.value_normalized.finish()),
                Arc::new(self.base_unit.finish()),
                Arc::new(self.kind.finish()),
                Arc::new(self.direction.finish()),
                Arc::new(self.comparator.finish()),
                Arc::new(self.modality.finish()),
                Arc::new(self.run_id.finish()),
            ],
        )
    }
}

/// One row of the runs dataset.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct RunRecord {
    pub run_id: String,
    /// Microseconds since the Unix epoch, UTC.
    pub started_at_us: i64,
    pub finished_at_us: i64,
    pub pipeline: String,
    pub config_hash: String,
    /// `ok`, `partial` (finished, some records skipped), `failed`, `interrupted`.
    pub status: String,
    pub inputs: u64,
    /// Inputs not read because an earlier run already processed them.
    pub inputs_skipped: u64,
    pub documents: u64,
    pub sentences: u64,
    pub metrics: u64,
    pub bytes_read: u64,
    /// Documents not written: duplicates of a document already in the output.
    pub documents_skipped: u64,
    /// Bad records or files passed over under `on_error = "skip"`.
    pub records_skipped: u64,
    pub errors: u64,
    pub seconds_read: f64,
    pub seconds_clean: f64,
    pub seconds_segment: f64,
    pub seconds_extract: f64,
    pub seconds_write: f64,
    pub seconds_total: f64,
    pub threads: u32,
}

pub(crate) fn run_batch(r: &RunRecord) -> RecordBatch {
    let s = |v: &str| Arc::new(StringArray::from(vec![v.to_string()])) as ArrayRef;
    let u = |v: u64| Arc::new(UInt64Array::from(vec![v])) as ArrayRef;
    let f = |v: f64| Arc::new(Float64Array::from(vec![v])) as ArrayRef;
    let ts = |v: i64| {
        Arc::new(TimestampMicrosecondArray::from(vec![v]).with_timezone("UTC")) as ArrayRef
    };
    batch(
        runs_schema(),
        vec![
            s(&r.run_id),
            ts(r.started_at_us),
            ts(r.finished_at_us),
            s(&r.pipeline),
            s(&r.config_hash),
            s(&r.status),
            u(r.inputs),
            u(r.inputs_skipped),
            u(r.documents),
            u(r.sentences),
            u(r.metrics),
            u(r.bytes_read),
            u(r.documents_skipped),
            u(r.records_skipped),
            u(r.errors),
            f(r.seconds_read),
            f(r.seconds_clean),
            f(r.seconds_segment),
            f(r.seconds_extract),
            f(r.seconds_write),
            f(r.seconds_total),
            Arc::new(UInt32Array::from(vec![r.threads])),
            s(env!("CARGO_PKG_VERSION")),
        ],
    )
}
