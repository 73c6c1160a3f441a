//! End-to-end tests: the real `quarry` binary on real files.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use parquet::file::reader::{FileReader, SerializedFileReader};

const BIN: &str = env!("CARGO_BIN_EXE_quarry");

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn quarry(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("quarry runs")
}

/// `quarry run PIPELINE --input INPUT --output OUT`.
fn run_into(pipeline: &Path, input: &Path, out: &Path) -> Output {
    quarry(&[
        "run",
        pipeline.to_str().unwrap(),
        "--input",
        input.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ])
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

/// Rows in all Parquet files of one dataset under an output root.
/// The committed Parquet files of a dataset (none before the first commit,
/// when the dataset links point nowhere).
fn parquet_paths(root: &Path, dataset: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.join(dataset)];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "parquet") {
                out.push(p);
            }
        }
    }
    out
}

fn parquet_files(root: &Path, dataset: &str) -> usize {
    parquet_paths(root, dataset).len()
}

/// `value_normalized` of every committed metric.
fn metric_values(root: &Path) -> Vec<f64> {
    use arrow_array::{Array, Float64Array};
    let mut out = Vec::new();
    for p in parquet_paths(root, "metrics") {
        let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(
            File::open(&p).unwrap(),
        )
        .unwrap()
        .build()
        .unwrap();
        for batch in reader {
            let batch = batch.unwrap();
            let column = batch.column_by_name("value_normalized").unwrap();
            let values = column.as_any().downcast_ref::<Float64Array>().unwrap();
            out.extend((0..values.len()).map(|i| values.value(i)));
        }
    }
    out
}

fn rows(root: &Path, dataset: &str) -> i64 {
    parquet_paths(root, dataset)
        .iter()
        .map(|p| {
            SerializedFileReader::new(File::open(p).unwrap())
                .unwrap()
                .metadata()
                .file_metadata()
                .num_rows()
        })
        .sum()
}

fn documents_pipeline(dir: &Path) -> PathBuf {
    let p = dir.join("docs.toml");
    std::fs::write(&p, "[input]\npaths = []\n[output]\ndir = \"out\"\n").unwrap();
    p
}

#[test]
fn the_sample_gives_five_documents() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("gov");
    let pipeline = repo().join("pipelines/gov_reports.toml");
    let res = quarry(&[
        "run",
        pipeline.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ]);
    assert!(res.status.success(), "{}", stderr(&res));
    assert_eq!(rows(&out, "documents"), 5);
    assert!(rows(&out, "sentences") > 400);
    assert!(rows(&out, "metrics") > 100);
    assert_eq!(rows(&out, "runs"), 1);
    assert!(
        stderr(&res).contains("5 documents"),
        "summary line: {}",
        stderr(&res)
    );
}

#[test]
fn same_output_whatever_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let pipeline = repo().join("pipelines/gov_reports.toml");
    let mut texts = vec![];
    for threads in ["1", "3"] {
        let out = dir.path().join(format!("t{threads}"));
        let res = quarry(&[
            "run",
            pipeline.to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
            "--threads",
            threads,
        ]);
        assert!(res.status.success(), "{}", stderr(&res));
        let state: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("_quarry/current/state.json")).unwrap())
                .unwrap();
        let input = state["inputs"]
            .as_object()
            .unwrap()
            .values()
            .next()
            .unwrap()
            .clone();
        texts.push((
            input["doc_ids"].to_string(),
            input["doc_hashes"].to_string(),
            rows(&out, "sentences"),
            rows(&out, "metrics"),
        ));
    }
    assert_eq!(texts[0], texts[1], "same documents in the same order");
}

#[test]
fn check_exits_2_and_names_the_bad_key() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.toml");
    std::fs::write(
        &p,
        "[input]\npaths = [\"x.txt\"]\nlinebreaks = 1\n[output]\ndir = \"o\"\n",
    )
    .unwrap();
    let res = quarry(&["check", p.to_str().unwrap()]);
    assert_eq!(res.status.code(), Some(2));
    let err = stderr(&res);
    assert!(
        err.contains("linebreaks") && err.contains("bad.toml"),
        "{err}"
    );
    // A good config passes and prints the plan.
    let res = quarry(&[
        "check",
        repo().join("pipelines/gov_reports.toml").to_str().unwrap(),
    ]);
    assert_eq!(res.status.code(), Some(0), "{}", stderr(&res));
    assert!(String::from_utf8_lossy(&res.stdout).contains("gov_reports_2024.txt"));
}

#[test]
fn missing_input_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let p = documents_pipeline(dir.path());
    let res = quarry(&[
        "run",
        p.to_str().unwrap(),
        "--input",
        "/nonexistent/reports",
    ]);
    assert_eq!(res.status.code(), Some(2));
    assert!(
        stderr(&res).contains("/nonexistent/reports"),
        "{}",
        stderr(&res)
    );
}

#[test]
fn text_jsonl_and_gzip_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::write(
        data.join("a.txt"),
        "全年地区生产总值增长5.5%。\n财政收入100亿元。\n",
    )
    .unwrap();
    std::fs::write(
        data.join("b.jsonl"),
        "{\"id\":\"x1\",\"title\":\"T\",\"text\":\"GDP grew by 7.5 percent. Exports rose.\"}\n{\"text\":\"新增就业6万人。\"}\n",
    )
    .unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all("{\"text\":\"粮食产量1.2万吨。\"}\n".as_bytes())
        .unwrap();
    std::fs::write(data.join("c.jsonl.gz"), gz.finish().unwrap()).unwrap();
    let p = documents_pipeline(dir.path());
    let out = dir.path().join("out");
    let res = run_into(&p, &data, &out);
    assert_eq!(res.status.code(), Some(0), "{}", stderr(&res));
    assert_eq!(rows(&out, "documents"), 4);
    assert!(rows(&out, "sentences") >= 6);
    assert!(rows(&out, "metrics") >= 4);
}

#[test]
fn bad_records_are_skipped_with_exit_3_or_fail_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d.jsonl");
    std::fs::write(&data, "{\"text\":\"一。\"}\n{broken\n{\"text\":\"二。\"}\n").unwrap();
    let p = documents_pipeline(dir.path());
    let out = dir.path().join("out");
    let res = run_into(&p, &data, &out);
    assert_eq!(res.status.code(), Some(3), "{}", stderr(&res));
    assert!(stderr(&res).contains("d.jsonl:2"), "{}", stderr(&res));
    assert_eq!(rows(&out, "documents"), 2);

    let strict = dir.path().join("strict.toml");
    std::fs::write(
        &strict,
        "[input]\npaths = []\n[output]\ndir = \"out2\"\n[run]\non_error = \"fail\"\n",
    )
    .unwrap();
    let res = quarry(&[
        "run",
        strict.to_str().unwrap(),
        "--input",
        data.to_str().unwrap(),
    ]);
    assert_eq!(res.status.code(), Some(1), "{}", stderr(&res));
    assert!(stderr(&res).contains("d.jsonl:2"));
    assert_eq!(
        rows(&dir.path().join("out2"), "documents"),
        0,
        "a failed run commits nothing"
    );
}

#[test]
fn reruns_are_incremental() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("in");
    std::fs::create_dir(&data).unwrap();
    std::fs::write(data.join("a.txt"), "财政收入100亿元。\n").unwrap();
    std::fs::write(data.join("b.txt"), "粮食产量1.2万吨。\n").unwrap();
    let p = documents_pipeline(dir.path());
    let out = dir.path().join("out");
    let args = [
        "run",
        p.to_str().unwrap(),
        "--input",
        data.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ];
    assert!(quarry(&args).status.success());
    assert_eq!((rows(&out, "documents"), rows(&out, "metrics")), (2, 2));

    // Nothing changed: nothing added, but the run is recorded.
    let data_files = parquet_files(&out, "metrics");
    let res = quarry(&args);
    assert!(res.status.success());
    assert!(stderr(&res).contains("nothing to do"), "{}", stderr(&res));
    assert_eq!(
        (
            rows(&out, "documents"),
            rows(&out, "metrics"),
            rows(&out, "runs")
        ),
        (2, 2, 2)
    );
    assert_eq!(
        parquet_files(&out, "metrics"),
        data_files,
        "a run with nothing new writes no empty data files"
    );

    // A new file: only it is read.
    std::fs::write(data.join("c.txt"), "新增就业6万人。\n").unwrap();
    assert!(quarry(&args).status.success());
    assert_eq!((rows(&out, "documents"), rows(&out, "metrics")), (3, 3));

    // A changed file replaces its earlier rows.
    std::fs::write(data.join("a.txt"), "财政收入100亿元，税收80亿元。\n").unwrap();
    assert!(quarry(&args).status.success());
    assert_eq!((rows(&out, "documents"), rows(&out, "metrics")), (3, 4));

    // A touched file (new time, same bytes) is hashed and found unchanged.
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(60);
    std::fs::File::options()
        .write(true)
        .open(data.join("b.txt"))
        .unwrap()
        .set_modified(later)
        .unwrap();
    let res = quarry(&args);
    assert!(stderr(&res).contains("nothing to do"), "{}", stderr(&res));

    // A change that keeps the size is still seen (its time changed).
    std::fs::write(data.join("b.txt"), "粮食产量1.3万吨。\n").unwrap();
    assert!(quarry(&args).status.success());
    let value = metric_values(&out);
    assert!(
        value.contains(&13000.0) && !value.contains(&12000.0),
        "{value:?}"
    );

    // Inputs left out of a run keep their rows and their records.
    let c = data.join("c.txt");
    let only_c = [
        "run",
        p.to_str().unwrap(),
        "--input",
        c.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ];
    let res = quarry(&only_c);
    assert!(stderr(&res).contains("nothing to do"), "{}", stderr(&res));
    assert_eq!((rows(&out, "documents"), rows(&out, "metrics")), (3, 4));
    let res = quarry(&args);
    assert!(stderr(&res).contains("nothing to do"), "{}", stderr(&res));

    // A config change is refused without --full.
    std::fs::write(
        &p,
        "[input]\npaths = []\n[segment]\nline_breaks = \"hard\"\n[output]\ndir = \"out\"\n",
    )
    .unwrap();
    let res = quarry(&args);
    assert_eq!(res.status.code(), Some(2));
    assert!(stderr(&res).contains("--full"), "{}", stderr(&res));
    let mut full = args.to_vec();
    full.push("--full");
    assert!(quarry(&full).status.success());
    assert_eq!((rows(&out, "documents"), rows(&out, "metrics")), (3, 4));
}

#[test]
fn a_second_run_on_a_locked_output_exits_75() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("a.txt");
    std::fs::write(&data, "一。\n").unwrap();
    let p = documents_pipeline(dir.path());
    let out = dir.path().join("out");
    let args = [
        "run",
        p.to_str().unwrap(),
        "--input",
        data.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ];
    assert!(quarry(&args).status.success());
    let lock = std::fs::OpenOptions::new()
        .write(true)
        .open(out.join("_quarry/lock"))
        .unwrap();
    lock.try_lock().unwrap();
    std::fs::write(
        out.join("_quarry/lock"),
        "pid 4242 since 2026-01-01T00:00:00Z\n",
    )
    .unwrap();
    let res = quarry(&args);
    assert_eq!(res.status.code(), Some(75), "{}", stderr(&res));
    assert!(stderr(&res).contains("pid 4242"), "{}", stderr(&res));
    drop(lock);
    assert!(quarry(&args).status.success(), "the lock is free again");
}

#[test]
fn usage_errors_exit_2_and_help_has_examples() {
    assert_eq!(quarry(&["frobnicate"]).status.code(), Some(2));
    let help = quarry(&["--help"]);
    assert_eq!(help.status.code(), Some(0));
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(text.contains("Examples:") && text.contains("75"), "{text}");
    let version = quarry(&["--version"]);
    assert!(String::from_utf8_lossy(&version.stdout).starts_with("quarry "));
}

#[test]
fn every_kind_of_bad_input_is_named_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("in");
    std::fs::create_dir(&data).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let noise: String = (0..40_000u32)
        .map(|i| char::from(b'a' + (i.wrapping_mul(2_654_435_761) >> 27) as u8 % 26))
        .collect();
    gz.write_all(noise.as_bytes()).unwrap();
    let gz = gz.finish().unwrap();
    // A zstd magic number cut short: not a frame at all.
    let zst = b"\x28\xb5\x2f".to_vec();
    let cases: &[(&str, &[u8], &str)] = &[
        ("good.txt", "财政收入100亿元。\n".as_bytes(), ""),
        ("empty.txt", b"", "empty.txt"),
        (
            "binary.txt",
            b"\x7fELF\x02\x01\x01\x00\x00\x00",
            "binary.txt",
        ),
        (
            "broken-utf8.txt",
            &["增长5%。\n第二行".as_bytes(), b"\xff\xfe\n"].concat(),
            "broken-utf8.txt:2",
        ),
        ("cut.txt.gz", &gz[..gz.len() / 2], "cut.txt.gz"),
        ("bad.txt.zst", &zst, "bad.txt.zst"),
        (
            "records.jsonl",
            b"{\"text\":\"ok\"}\nnot json\n{\"body\":\"no text field\"}\n",
            "records.jsonl:2",
        ),
    ];
    for (name, bytes, _) in cases {
        std::fs::write(data.join(name), bytes).unwrap();
    }
    let p = documents_pipeline(dir.path());
    let out = dir.path().join("out");
    let res = run_into(&p, &data, &out);
    let err = stderr(&res);
    assert_eq!(res.status.code(), Some(3), "{err}");
    for (_, _, expect) in cases.iter().filter(|c| !c.2.is_empty()) {
        assert!(err.contains(expect), "no message naming {expect}:\n{err}");
    }
    assert!(err.contains("records.jsonl:3"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(
        rows(&out, "documents"),
        2,
        "the good file and the good record"
    );
}
