//! Arrow schemas of the four datasets: exactly the contract's column names
//! and types (shared/spec/datasets.md), plus a few documented extras.

use std::sync::Arc;

use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};

fn utf8(name: &str, nullable: bool) -> Field {
    Field::new(name, DataType::Utf8, nullable)
}

fn u32f(name: &str) -> Field {
    Field::new(name, DataType::UInt32, false)
}

fn u64f(name: &str) -> Field {
    Field::new(name, DataType::UInt64, false)
}

fn f64f(name: &str) -> Field {
    Field::new(name, DataType::Float64, false)
}

pub fn documents_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        utf8("doc_id", false),
        utf8("source", false),
        u32f("ordinal"),
        utf8("title", true),
        utf8("lang", false),
        u32f("chars"),
        u32f("sentence_count"),
        u32f("metric_count"),
        utf8("content_hash", false),
        utf8("run_id", false),
        // Extras: what cleaning removed, the input size, and the cleaned text
        // that sentence offsets point into (with document_text; the raw
        // text only with keep_raw).
        u32f("removed_chars"),
        u64f("source_bytes"),
        utf8("text", true),
        utf8("raw_text", true),
    ]))
}

pub fn sentences_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        utf8("doc_id", false),
        u32f("sentence_idx"),
        utf8("text", false),
        utf8("lang", false),
        u32f("char_start"),
        u32f("char_end"),
        Field::new("metric_count", DataType::UInt16, false),
        utf8("run_id", false),
    ]))
}

pub fn metrics_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        utf8("doc_id", false),
        u32f("sentence_idx"),
        u32f("metric_idx"),
        utf8("surface", false),
        u32f("char_start"),
        u32f("char_end"),
        utf8("indicator", true),
        f64f("value"),
        utf8("unit", true),
        f64f("value_normalized"),
        utf8("base_unit", false),
        utf8("kind", false),
        utf8("direction", true),
        utf8("comparator", false),
        utf8("modality", false),
        utf8("run_id", false),
    ]))
}

pub fn runs_schema() -> SchemaRef {
    let ts = |name: &str| {
        Field::new(
            name,
            DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
            false,
        )
    };
    Arc::new(Schema::new(vec![
        utf8("run_id", false),
        ts("started_at"),
        ts("finished_at"),
        utf8("pipeline", false),
        utf8("config_hash", false),
        utf8("status", false),
        u64f("inputs"),
        u64f("inputs_skipped"),
        u64f("documents"),
        u64f("sentences"),
        u64f("metrics"),
        u64f("bytes_read"),
        u64f("documents_skipped"),
        u64f("records_skipped"),
        u64f("errors"),
        f64f("seconds_read"),
        f64f("seconds_clean"),
        f64f("seconds_segment"),
        f64f("seconds_extract"),
        f64f("seconds_write"),
        f64f("seconds_total"),
        u32f("threads"),
        utf8("quarry_version", false),
    ]))
}
