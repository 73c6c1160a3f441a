//! Each stage alone, on one thread, over the same documents:
//!
//!     cargo bench -p quarry --bench stages -- DIR [MEGABYTES]
//!
//! Reads up to MEGABYTES (default 64) of documents from DIR (text and JSONL,
//! as `pipelines/documents.toml` does), then times read, clean, segment,
//! extract and write (Parquet of the rows the stages produced) separately and
//! prints MB/s of input text per stage. `make bench` runs it.

use std::path::PathBuf;
use std::time::Instant;

use quarry_clean::{CleanConfig, Cleaner};
use quarry_core::{Batch, Document};
use quarry_extract::{ExtractConfig, Extractor};
use quarry_read::{resolve_inputs, ReadConfig, Reader};
use quarry_segment::{SegmentConfig, Segmenter};
use quarry_write::{DatasetWriter, Destination, WriteOptions};

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let dir = PathBuf::from(
        args.first()
            .map(String::as_str)
            .unwrap_or("../shared/corpora"),
    );
    let limit_mb: f64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(64.0);
    let config = ReadConfig::default();
    let reader = Reader::new(&config).expect("reader");
    let inputs = resolve_inputs(
        &[dir.display().to_string()],
        &std::env::current_dir().unwrap(),
        &config.extensions,
    )
    .unwrap_or_else(|e| panic!("{e}"));

    let start = Instant::now();
    let mut docs: Vec<Document> = Vec::new();
    let mut bytes = 0u64;
    'files: for input in &inputs {
        let mut stop = false;
        reader.read(input, &mut |item| {
            if let Ok(doc) = item {
                bytes += doc.text.len() as u64;
                docs.push(doc);
            }
            stop = bytes as f64 > limit_mb * 1e6;
            !stop
        });
        if stop {
            break 'files;
        }
    }
    let read_s = start.elapsed().as_secs_f64();
    let mb = bytes as f64 / 1e6;

    let cleaner = Cleaner::new(&CleanConfig::default()).unwrap();
    let t = Instant::now();
    for doc in &mut docs {
        let cleaned = cleaner.clean(&doc.text);
        doc.text = cleaned.text;
        doc.removed_chars = cleaned.removed_chars;
        doc.content_hash = quarry_core::content_hash(&doc.text);
    }
    let clean_s = t.elapsed().as_secs_f64();

    let segmenter = Segmenter::new(&SegmentConfig::default());
    let t = Instant::now();
    for doc in &mut docs {
        doc.sentences = segmenter.segment(&doc.text);
    }
    let segment_s = t.elapsed().as_secs_f64();

    let extractor = Extractor::new(&ExtractConfig::default()).unwrap();
    let t = Instant::now();
    for doc in &mut docs {
        extractor.extract_document(doc);
    }
    let extract_s = t.elapsed().as_secs_f64();

    let sentences: usize = docs.iter().map(|d| d.sentences.len()).sum();
    let metrics: usize = docs.iter().map(|d| d.metric_count()).sum();
    let n_docs = docs.len();
    let out = std::env::temp_dir().join(format!("quarry-bench-{}", std::process::id()));
    let t = Instant::now();
    let mut writer = DatasetWriter::create(
        &Destination::Dir(out.clone()),
        "p=1",
        "part.parquet",
        "bench",
        WriteOptions::default(),
    )
    .unwrap();
    while !docs.is_empty() {
        let rest = docs.split_off(docs.len().min(256));
        let chunk = std::mem::replace(&mut docs, rest);
        writer
            .write_batch(&Batch {
                seq: 0,
                docs: chunk,
                budget: None,
            })
            .unwrap();
    }
    writer.finish().unwrap();
    let write_s = t.elapsed().as_secs_f64();
    let _ = std::fs::remove_dir_all(&out);

    println!(
        "stage-bench input={} docs={n_docs} sentences={sentences} metrics={metrics} mb={mb:.1}",
        dir.display()
    );
    for (stage, secs) in [
        ("read", read_s),
        ("clean", clean_s),
        ("segment", segment_s),
        ("extract", extract_s),
        ("write", write_s),
    ] {
        println!(
            "stage={stage:<8} seconds={secs:>8.3} mb_per_s={:>9.1}",
            mb / secs.max(1e-9)
        );
    }
}
