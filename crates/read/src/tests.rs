use std::io::Write;
use std::path::Path;

use super::*;

fn read_all(config: &ReadConfig, path: &Path) -> Vec<Result<Document, Error>> {
    let reader = Reader::new(config).unwrap();
    let input = InputFile::from_path(path.to_path_buf()).unwrap();
    let mut out = Vec::new();
    reader.read(&input, &mut |item| {
        out.push(item);
        true
    });
    out
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn texts(items: &[Result<Document, Error>]) -> Vec<String> {
    items
        .iter()
        .map(|r| {
            r.as_ref()
                .map(|d| d.text.clone())
                .unwrap_or_else(|e| format!("ERR {e}"))
        })
        .collect()
}

#[test]
fn a_text_file_is_one_document_with_a_title() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "r.txt",
        "政府工作报告\n全年增长5%。\n".as_bytes(),
    );
    let docs = read_all(&ReadConfig::default(), &p);
    let doc = docs[0].as_ref().unwrap();
    assert_eq!(doc.ordinal, 0);
    assert_eq!(doc.title.as_deref(), Some("政府工作报告"));
    assert_eq!(doc.source.as_ref(), p.display().to_string());
}

#[test]
fn document_start_splits_a_file_and_drops_empty_documents() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "s.txt",
        " first doc\nline a\n second doc\nline b\n \n".as_bytes(),
    );
    let config = ReadConfig {
        document_start: Some("^ \\S".into()),
        ..Default::default()
    };
    let docs = read_all(&config, &p);
    assert_eq!(
        texts(&docs),
        [" first doc\nline a\n", " second doc\nline b\n \n"]
    );
    let ordinals: Vec<u32> = docs.iter().map(|d| d.as_ref().unwrap().ordinal).collect();
    assert_eq!(ordinals, [0, 1]);
}

#[test]
fn the_seed_sample_gives_five_documents() {
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../pipelines/gov_reports_2024.txt");
    let config = ReadConfig {
        document_start: Some("^ \\S".into()),
        ..Default::default()
    };
    let docs = read_all(&config, &seed);
    assert_eq!(docs.len(), 5);
    assert!(docs.iter().all(|d| d.is_ok()));
}

#[test]
fn jsonl_fields_are_configurable_and_bad_lines_are_located() {
    let dir = tempfile::tempdir().unwrap();
    let body = "{\"body\":\"增长5%。\",\"key\":\"a1\",\"name\":\"T\"}\n\nnot json\n{\"other\":1}\n{\"body\":\"二\"}\n";
    let p = write(dir.path(), "d.jsonl", body.as_bytes());
    let config = ReadConfig {
        text_field: "body".into(),
        id_field: "key".into(),
        title_field: "name".into(),
        ..Default::default()
    };
    let docs = read_all(&config, &p);
    assert_eq!(docs.len(), 4);
    let first = docs[0].as_ref().unwrap();
    assert_eq!(
        (first.doc_id.as_str(), first.title.as_deref()),
        ("a1", Some("T"))
    );
    let e = docs[1].as_ref().unwrap_err().to_string();
    assert!(e.contains("d.jsonl:3") && e.contains("not JSON"), "{e}");
    let e = docs[2].as_ref().unwrap_err().to_string();
    assert!(e.contains(":4") && e.contains("no field `body`"), "{e}");
    assert_eq!(docs[3].as_ref().unwrap().ordinal, 3);
}

#[test]
fn gzip_and_zstd_are_decompressed() {
    let dir = tempfile::tempdir().unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(b"{\"text\":\"gz doc\"}\n").unwrap();
    let p = write(dir.path(), "a.jsonl.gz", &gz.finish().unwrap());
    assert_eq!(texts(&read_all(&ReadConfig::default(), &p)), ["gz doc"]);
    let zst = zstd::encode_all(&b"zstd doc"[..], 3).unwrap();
    let p = write(dir.path(), "b.txt.zst", &zst);
    assert_eq!(texts(&read_all(&ReadConfig::default(), &p)), ["zstd doc"]);
}

#[test]
fn bad_files_get_located_errors() {
    let dir = tempfile::tempdir().unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&"long text. ".repeat(2000).into_bytes())
        .unwrap();
    let full = gz.finish().unwrap();
    let noise: Vec<u8> = (0..20_000u32)
        .map(|i| b'a' + (i.wrapping_mul(2_654_435_761) >> 27) as u8 % 26)
        .collect();
    let zst = zstd::encode_all(&noise[..], 3).unwrap();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty.txt", vec![], "empty file"),
        (
            "bin.txt",
            b"\x7fELF\x00\x00\x01\x02".to_vec(),
            "binary file",
        ),
        (
            "bad.txt",
            [&b"line one\n"[..], "增长5%".as_bytes(), b"\xff two\n"].concat(),
            "bad.txt:2 (byte 17)",
        ),
        ("cut.txt.gz", full[..full.len() / 2].to_vec(), "truncated"),
        ("cut.txt.zst", zst[..zst.len() / 2].to_vec(), "cut.txt.zst"),
    ];
    for (name, bytes, expect) in cases {
        let p = write(dir.path(), name, &bytes);
        let items = read_all(&ReadConfig::default(), &p);
        assert_eq!(items.len(), 1, "{name}");
        let e = items[0].as_ref().unwrap_err();
        assert!(e.is_skippable(), "{name}: {e}");
        assert!(e.to_string().contains(expect), "{name}: {e}");
    }
    // An unreadable input (root reads any file, so a directory stands in).
    let reader = Reader::new(&ReadConfig::default()).unwrap();
    let input = InputFile {
        path: dir.path().to_path_buf(),
        source: "unreadable.txt".into(),
        size: 0,
        modified: None,
        object: None,
    };
    let mut errors = vec![];
    reader.read(&input, &mut |item| {
        errors.push(item.unwrap_err().to_string());
        true
    });
    assert!(
        errors.len() == 1 && errors[0].starts_with("unreadable.txt"),
        "{errors:?}"
    );
}

#[test]
fn oversized_documents_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "big.txt", &[b'a'; 1000]);
    let config = ReadConfig {
        max_document_bytes: 100,
        ..Default::default()
    };
    let e = read_all(&config, &p).remove(0).unwrap_err().to_string();
    assert!(e.contains("max_document_bytes"), "{e}");
    let p = write(
        dir.path(),
        "big.jsonl",
        format!(
            "{{\"text\":\"{}\"}}\n{{\"text\":\"ok\"}}\n",
            "a".repeat(500)
        )
        .as_bytes(),
    );
    let items = read_all(&config, &p);
    assert!(items[0].is_err());
    assert_eq!(items[1].as_ref().unwrap().text, "ok");
}

#[test]
fn real_gbk_files_decode_like_their_utf8_versions() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpora/cn_gwr_district_hailar");
    if !corpus.exists() {
        eprintln!("skipped: {} not found", corpus.display());
        return;
    }
    for year in ["2012", "2017", "2019"] {
        let gbk = read_all(
            &ReadConfig::default(),
            &corpus.join(format!("raw-encodings/{year}.gbk.txt")),
        );
        let utf8 = read_all(&ReadConfig::default(), &corpus.join(format!("{year}.txt")));
        assert_eq!(texts(&gbk), texts(&utf8), "{year}");
    }
}

#[test]
fn forced_encoding_and_unknown_labels() {
    let config = ReadConfig {
        encoding: "klingon".into(),
        ..Default::default()
    };
    assert!(Reader::new(&config).unwrap_err().contains("input.encoding"));
    let dir = tempfile::tempdir().unwrap();
    let (bytes, _, _) = encoding_rs::BIG5.encode("政府工作報告");
    let p = write(dir.path(), "b5.txt", &bytes);
    let config = ReadConfig {
        encoding: "big5".into(),
        ..Default::default()
    };
    assert_eq!(texts(&read_all(&config, &p)), ["政府工作報告"]);
}

#[test]
fn the_digest_taken_while_reading_is_the_whole_files_hash() {
    let dir = tempfile::tempdir().unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    for i in 0..20_000 {
        writeln!(gz, "{{\"id\":{i},\"text\":\"第{i}条：增长5%。\"}}").unwrap();
    }
    let bytes = gz.finish().unwrap();
    let reader = Reader::new(&ReadConfig::default()).unwrap();
    for (name, content) in [("a.jsonl.gz", &bytes[..]), ("b.txt", "增长5%。".as_bytes())] {
        let input = InputFile::from_path(write(dir.path(), name, content)).unwrap();
        let digest = ContentDigest::default();
        let mut docs = 0;
        reader.read_digesting(&input, Some(&digest), &mut |item| {
            docs += item.is_ok() as usize;
            true
        });
        assert!(docs > 0);
        // Of the file's own bytes (compressed, for a .gz), as a separate pass gives.
        assert_eq!(
            digest.finish(input.size),
            Some(hash_file(&input.path).unwrap()),
            "{name}"
        );
    }
    // A reader stopped after the first document saw only part of the file.
    let input = InputFile::from_path(dir.path().join("a.jsonl.gz")).unwrap();
    let digest = ContentDigest::default();
    reader.read_digesting(&input, Some(&digest), &mut |_| false);
    assert_eq!(digest.finish(input.size), None);
}

#[test]
fn jsonl_fields_keep_their_meaning() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "r.jsonl",
        concat!(
            "{\"id\":12,\"title\":\"\",\"text\":\"增长5%。\",\"extra\":{\"text\":1}}\n",
            "{\"id\":\"a\",\"text\":7}\n",
            "{\"id\":\"b\"}\n",
            "[\"text\"]\n",
            "{\"text\":\"x\"\n",
        )
        .as_bytes(),
    );
    let items = read_all(&ReadConfig::default(), &p);
    let first = items[0].as_ref().unwrap();
    assert_eq!(
        (first.doc_id.as_str(), first.title.as_deref()),
        ("12", None)
    );
    assert_eq!(first.text, "增长5%。");
    let errors: Vec<String> = items[1..]
        .iter()
        .map(|r| r.as_ref().unwrap_err().to_string())
        .collect();
    assert!(
        errors[0].contains("field `text` is not a string"),
        "{}",
        errors[0]
    );
    assert!(errors[1].contains("no field `text`"), "{}", errors[1]);
    assert!(errors[2].contains("not a JSON object"), "{}", errors[2]);
    assert!(errors[3].contains("not JSON"), "{}", errors[3]);
    assert!(errors.iter().all(|e| e.contains("r.jsonl")), "{errors:?}");
}
