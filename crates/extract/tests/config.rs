//! The `[extract]` table: vocabulary files, inline entries, clear errors.

use quarry_core::{Document, Sentence};
use quarry_extract::{ExtractConfig, Extractor};

fn metrics(ex: &Extractor, s: &str) -> Vec<(String, f64, String)> {
    let mut doc = Document::new("t".into(), 0, s.into());
    doc.sentences.push(Sentence {
        text: s.into(),
        lang: "zh",
        char_start: 0,
        char_end: s.chars().count() as u32,
        metrics: vec![],
    });
    ex.extract_document(&mut doc);
    doc.sentences[0]
        .metrics
        .iter()
        .map(|m| (m.surface.clone(), m.value_normalized, m.base_unit.clone()))
        .collect()
}

#[test]
fn config_parses_from_toml_and_rejects_unknown_keys() {
    let c: ExtractConfig =
        toml::from_str("default_currency = \"SGD\"\n[units]\n\"担\" = \"t\"\n").unwrap();
    assert_eq!(c.default_currency, "SGD");
    let e = toml::from_str::<ExtractConfig>("vocabularly = \"x.toml\"\n").unwrap_err();
    assert!(e.to_string().contains("vocabularly"), "{e}");
}

#[test]
fn inline_units_extend_the_defaults() {
    let c: ExtractConfig = toml::from_str("[units]\n\"标箱\" = \"count\"\n").unwrap();
    let ex = Extractor::new(&c).unwrap();
    assert_eq!(
        metrics(&ex, "集装箱吞吐量300万标箱。"),
        vec![("300万标箱".into(), 3e6, "count".into())]
    );
}

#[test]
fn vocabulary_file_is_merged_over_the_defaults() {
    let dir = std::env::temp_dir().join(format!("quarry-extract-vocab-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("my_vocab.toml");
    std::fs::write(
        &path,
        "[units]\n\"车皮\" = \"count\"\n[non_metric]\nidioms = [\"三百六十行\"]\n",
    )
    .unwrap();
    let c = ExtractConfig {
        vocabulary: Some(path.clone()),
        ..Default::default()
    };
    let ex = Extractor::new(&c).unwrap();
    assert_eq!(metrics(&ex, "运煤120车皮。")[0].2, "count");
    assert_eq!(
        metrics(&ex, "收入增长5%。")[0].2,
        "percent",
        "defaults kept"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn errors_name_the_key_file_or_entry() {
    let missing = ExtractConfig {
        vocabulary: Some("/nonexistent/vocab.toml".into()),
        ..Default::default()
    };
    let e = Extractor::new(&missing).err().unwrap();
    assert!(
        e.contains("vocabulary") && e.contains("/nonexistent/vocab.toml"),
        "{e}"
    );

    let bad_unit: ExtractConfig = toml::from_str("[units]\n\"斤\" = \"jin\"\n").unwrap();
    let e = Extractor::new(&bad_unit).err().unwrap();
    assert!(
        e.contains("斤") && e.contains("jin") && e.contains("base_unit"),
        "{e}"
    );

    let bad_mag: ExtractConfig = toml::from_str("[magnitudes]\n\"lakh\" = -1.0\n").unwrap();
    let e = Extractor::new(&bad_mag).err().unwrap();
    assert!(e.contains("lakh"), "{e}");

    let bad_cur = ExtractConfig {
        default_currency: "dollar".into(),
        ..Default::default()
    };
    let e = Extractor::new(&bad_cur).err().unwrap();
    assert!(e.contains("default_currency"), "{e}");

    let dir = std::env::temp_dir().join(format!("quarry-extract-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bad.toml");
    std::fs::write(&path, "[cues]\nup = [\"涨\"]\nsideways = [\"横盘\"]\n").unwrap();
    let e = Extractor::new(&ExtractConfig {
        vocabulary: Some(path.clone()),
        ..Default::default()
    })
    .err()
    .unwrap();
    assert!(e.contains("bad.toml") && e.contains("sideways"), "{e}");
    std::fs::remove_dir_all(&dir).ok();
}
