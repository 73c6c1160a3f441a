use std::fs::File;
use std::path::Path;

use parquet::file::reader::{FileReader, SerializedFileReader};
use quarry_core::{Comparator, Document, Kind, Metric, Modality, Sentence};

use super::*;

fn sample_batch() -> Batch {
    let mut doc = Document::new("r.txt".into(), 0, "全年增长5%。".into());
    doc.lang = "zh";
    doc.sentences.push(Sentence {
        text: "全年增长5%。".into(),
        lang: "zh",
        char_start: 0,
        char_end: 7,
        metrics: vec![Metric {
            surface: "5%".into(),
            char_start: 4,
            char_end: 6,
            indicator: None,
            value: 5.0,
            unit: Some("%".into()),
            value_normalized: 5.0,
            base_unit: "percent".into(),
            kind: Kind::Change,
            direction: Some(quarry_core::Direction::Up),
            comparator: Comparator::Eq,
            modality: Modality::Actual,
        }],
    });
    Batch {
        seq: 0,
        docs: vec![doc],
        budget: None,
    }
}

fn rows(path: &Path) -> i64 {
    let reader = SerializedFileReader::new(File::open(path).unwrap()).unwrap();
    reader.metadata().file_metadata().num_rows()
}

/// A writer into `dir` for run `r1`, partition `run_date=2026-01-01`.
fn writer_in(dir: &Path, options: WriteOptions) -> DatasetWriter {
    DatasetWriter::create(
        &Destination::Dir(dir.to_path_buf()),
        "run_date=2026-01-01",
        "part-r1.parquet",
        "r1",
        options,
    )
    .unwrap()
}

#[test]
fn files_appear_only_when_finished() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = writer_in(dir.path(), WriteOptions::default());
    w.write_batch(&sample_batch()).unwrap();
    let final_path = dir
        .path()
        .join("metrics/run_date=2026-01-01/part-r1.parquet");
    assert!(!final_path.exists(), "no final name before finish");
    let written = w.finish().unwrap();
    assert_eq!(
        (written.documents, written.sentences, written.metrics),
        (1, 1, 1)
    );
    assert!(final_path.exists());
    assert_eq!(rows(&final_path), 1);
    let leftovers: Vec<_> = std::fs::read_dir(final_path.parent().unwrap())
        .unwrap()
        .collect();
    assert_eq!(leftovers.len(), 1, "the temporary file is gone");
}

#[test]
fn abort_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = writer_in(dir.path(), WriteOptions::default());
    w.write_batch(&sample_batch()).unwrap();
    w.abort();
    for dataset in ["documents", "sentences", "metrics"] {
        let entries = std::fs::read_dir(dir.path().join(dataset).join("run_date=2026-01-01"))
            .unwrap()
            .count();
        assert_eq!(entries, 0, "{dataset}");
    }
}

#[test]
fn run_rows_are_written() {
    let dir = tempfile::tempdir().unwrap();
    let run = RunRecord {
        run_id: "r1".into(),
        status: "ok".into(),
        documents: 3,
        ..Default::default()
    };
    let path = write_run(
        &Destination::Dir(dir.path().to_path_buf()),
        "run_date=2026-01-01",
        "run-r1.parquet",
        &run,
        &WriteOptions::default(),
    )
    .unwrap();
    assert_eq!(rows(&dir.path().join(path)), 1);
}

/// The sample batch written with the default options, and its sentences
/// file opened (the folder must outlive the reader).
fn sample_sentences_file() -> (tempfile::TempDir, SerializedFileReader<File>) {
    let dir = tempfile::tempdir().unwrap();
    let mut w = writer_in(dir.path(), WriteOptions::default());
    w.write_batch(&sample_batch()).unwrap();
    w.finish().unwrap();
    let reader = SerializedFileReader::new(
        File::open(
            dir.path()
                .join("sentences/run_date=2026-01-01/part-r1.parquet"),
        )
        .unwrap(),
    )
    .unwrap();
    (dir, reader)
}

#[test]
fn compression_and_statistics_are_set() {
    let (_dir, reader) = sample_sentences_file();
    let group = reader.metadata().row_group(0);
    let column = |name: &str| {
        group
            .columns()
            .iter()
            .find(|c| c.column_path().string() == name)
            .unwrap()
    };
    // The level is not recorded in the file, only the codec.
    assert!(matches!(
        column("text").compression(),
        parquet::basic::Compression::ZSTD(_)
    ));
    assert!(column("doc_id").statistics().is_some());
    // Offsets and labels gain nothing from ZSTD.
    for name in ["char_start", "lang", "run_id"] {
        assert_eq!(
            column(name).compression(),
            parquet::basic::Compression::UNCOMPRESSED,
            "{name}"
        );
    }
}

#[test]
fn positions_are_delta_coded_and_labels_dictionary_coded() {
    let (_dir, reader) = sample_sentences_file();
    let group = reader.metadata().row_group(0);
    let encodings = |name: &str| {
        let column = group
            .columns()
            .iter()
            .find(|c| c.column_path().string() == name)
            .unwrap();
        column.encodings().collect::<Vec<_>>()
    };
    use parquet::basic::Encoding;
    for name in ["sentence_idx", "char_start", "char_end"] {
        let found = encodings(name);
        assert!(
            found.contains(&Encoding::DELTA_BINARY_PACKED),
            "{name}: {found:?}"
        );
        assert!(
            !found.contains(&Encoding::RLE_DICTIONARY),
            "{name}: {found:?}"
        );
    }
    assert!(encodings("lang").contains(&Encoding::RLE_DICTIONARY));
}

/// Writes `docs` documents of empty text and returns the row groups of the
/// documents file.
fn documents_row_groups(docs: u32, options: WriteOptions) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let mut w = writer_in(dir.path(), options);
    let source: std::sync::Arc<str> = "corpus/a-long-file-name-of-many-documents.jsonl".into();
    for seq in 0..docs / 1000 {
        let docs = (seq * 1000..(seq + 1) * 1000)
            .map(|i| {
                let mut doc = Document::new(source.clone(), i, String::new());
                doc.content_hash = format!(
                    "{:032x}",
                    u128::from(i).wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835)
                );
                doc
            })
            .collect();
        w.write_batch(&Batch {
            seq: u64::from(seq),
            docs,
            budget: None,
        })
        .unwrap();
    }
    w.finish().unwrap();
    let path = dir
        .path()
        .join("documents/run_date=2026-01-01/part-r1.parquet");
    let reader = SerializedFileReader::new(File::open(path).unwrap()).unwrap();
    assert_eq!(
        reader.metadata().file_metadata().num_rows(),
        i64::from(docs)
    );
    reader.metadata().num_row_groups()
}

#[test]
fn documents_without_text_are_flushed_in_small_row_groups() {
    // ~80 bytes a row of ids and hashes: 1 MiB holds ~13k rows.
    let without_text = documents_row_groups(40_000, WriteOptions::default());
    assert!(without_text >= 2, "{without_text} row groups");
    let with_text = documents_row_groups(
        40_000,
        WriteOptions {
            document_text: true,
            ..WriteOptions::default()
        },
    );
    assert_eq!(with_text, 1);
}

#[test]
fn a_long_documents_rows_are_handed_over_in_slices() {
    // One document of 3 MB in 30,000 sentences: its rows must not wait in
    // the builders until the document ends.
    let sentence = "一".repeat(33) + "。";
    let text = sentence.repeat(30_000);
    let mut doc = Document::new("long.txt".into(), 0, text.clone());
    let chars = sentence.chars().count() as u32;
    doc.sentences = (0..30_000u32)
        .map(|i| Sentence {
            text: sentence.clone(),
            lang: "zh",
            char_start: i * chars,
            char_end: (i + 1) * chars,
            metrics: Vec::new(),
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let mut w = writer_in(dir.path(), WriteOptions::default());
    w.write_batch(&Batch {
        seq: 0,
        docs: vec![doc],
        budget: None,
    })
    .unwrap();
    let largest = w.largest_sentence_slice;
    assert!(
        largest > 0 && largest <= FLUSH_BYTES + sentence.len(),
        "a slice of {largest} bytes, of a {}-byte document",
        text.len()
    );
    w.finish().unwrap();
    let path = dir
        .path()
        .join("sentences/run_date=2026-01-01/part-r1.parquet");
    assert_eq!(rows(&path), 30_000);
}
