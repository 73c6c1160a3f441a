"""The real clients read what quarry writes: DuckDB, pandas/pyarrow, polars."""
import json

import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.dataset as ds
from conftest import REPO, run_quarry

CONTRACT = {
    "documents": {
        "doc_id": pa.string(), "source": pa.string(), "ordinal": pa.uint32(), "title": pa.string(),
        "lang": pa.string(), "chars": pa.uint32(), "sentence_count": pa.uint32(),
        "metric_count": pa.uint32(), "content_hash": pa.string(), "run_id": pa.string(),
    },
    "sentences": {
        "doc_id": pa.string(), "sentence_idx": pa.uint32(), "text": pa.string(), "lang": pa.string(),
        "char_start": pa.uint32(), "char_end": pa.uint32(), "metric_count": pa.uint16(),
    },
    "metrics": {
        "doc_id": pa.string(), "sentence_idx": pa.uint32(), "metric_idx": pa.uint32(),
        "surface": pa.string(), "char_start": pa.uint32(), "char_end": pa.uint32(),
        "indicator": pa.string(), "value": pa.float64(), "unit": pa.string(),
        "value_normalized": pa.float64(), "base_unit": pa.string(), "kind": pa.string(),
        "direction": pa.string(), "comparator": pa.string(), "modality": pa.string(),
    },
    "runs": {
        "run_id": pa.string(), "started_at": pa.timestamp("us", tz="UTC"),
        "finished_at": pa.timestamp("us", tz="UTC"), "pipeline": pa.string(),
        "config_hash": pa.string(), "inputs": pa.uint64(), "documents": pa.uint64(),
        "sentences": pa.uint64(), "metrics": pa.uint64(), "bytes_read": pa.uint64(),
        "inputs_skipped": pa.uint64(), "errors": pa.uint64(), "seconds_read": pa.float64(),
        "seconds_clean": pa.float64(), "seconds_segment": pa.float64(),
        "seconds_extract": pa.float64(), "seconds_write": pa.float64(),
    },
}


def glob(root, name):
    return f"{root}/{name}/**/*.parquet"


def test_pyarrow_reads_the_contract_columns_and_types(sample_output):
    for name, columns in CONTRACT.items():
        schema = ds.dataset(str(sample_output / name), format="parquet", partitioning="hive").schema
        for column, expected in columns.items():
            assert column in schema.names, f"{name}.{column} missing"
            assert schema.field(column).type == expected, f"{name}.{column}: {schema.field(column).type}"


def test_duckdb_counts_offsets_and_joins(sample_output):
    con = duckdb.connect()
    for name in CONTRACT:
        con.execute(
            f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{glob(sample_output, name)}', hive_partitioning = true)"
        )
    assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == 5
    assert con.execute("SELECT list(ordinal ORDER BY ordinal) FROM documents").fetchone()[0] == [0, 1, 2, 3, 4]
    n_metrics = con.execute("SELECT count(*) FROM metrics").fetchone()[0]
    assert n_metrics > 100
    bad = con.execute(
        """SELECT count(*) FROM metrics m JOIN sentences s USING (doc_id, sentence_idx)
           WHERE substr(s.text, m.char_start + 1, m.char_end - m.char_start) <> m.surface"""
    ).fetchone()[0]
    assert bad == 0, "every metric's surface is at its offsets in its sentence"
    joined = con.execute(
        """SELECT count(*) FROM metrics m
           JOIN sentences s USING (doc_id, sentence_idx)
           JOIN documents d USING (doc_id)"""
    ).fetchone()[0]
    assert joined == n_metrics
    # Per-document and per-sentence counts agree with the rows.
    assert con.execute(
        """SELECT count(*) FROM documents d JOIN (SELECT doc_id, count(*) n FROM sentences GROUP BY doc_id) s
           USING (doc_id) WHERE s.n <> d.sentence_count"""
    ).fetchone()[0] == 0
    assert con.execute(
        """SELECT count(*) FROM sentences s LEFT JOIN (SELECT doc_id, sentence_idx, count(*) n FROM metrics
           GROUP BY ALL) m USING (doc_id, sentence_idx) WHERE coalesce(m.n, 0) <> s.metric_count"""
    ).fetchone()[0] == 0
    run = con.execute("SELECT documents, status, run_date FROM runs").fetchall()
    assert run[0][0] == 5 and run[0][1] == "ok"


def test_sentence_offsets_point_into_the_document_text(sample_output, tmp_path):
    # By default the documents dataset does not repeat the sentences' text.
    default_docs = ds.dataset(str(sample_output / "documents"), partitioning="hive").to_table()
    assert default_docs.column("text").null_count == default_docs.num_rows == 5
    # With `document_text = true` it holds the cleaned text the offsets count in.
    pipeline = (REPO / "pipelines" / "gov_reports.toml").read_text()
    pipeline = pipeline.replace('"gov_reports_2024.txt"', json.dumps(str(REPO / "pipelines" / "gov_reports_2024.txt")))
    pipeline = pipeline.replace("[output]\n", "[output]\ndocument_text = true\n")
    (tmp_path / "p.toml").write_text(pipeline)
    out = tmp_path / "out"
    run_quarry("run", tmp_path / "p.toml", "--output", out)
    docs = ds.dataset(str(out / "documents"), partitioning="hive").to_table().to_pylist()
    sents = ds.dataset(str(out / "sentences"), partitioning="hive").to_table().to_pylist()
    text = {d["doc_id"]: d["text"] for d in docs}
    assert len(docs) == 5
    for s in sents:
        span = text[s["doc_id"]][s["char_start"]:s["char_end"]].replace("\n", " ")
        assert span == s["text"], (s["doc_id"], s["sentence_idx"])


def test_pandas_and_polars_read_every_dataset(sample_output):
    for name in CONTRACT:
        frame = pd.read_parquet(sample_output / name)
        assert len(frame) > 0
        assert "run_date" in frame.columns, "the Hive partition shows as a column"
        lazy = pl.scan_parquet(str(sample_output / name / "**" / "*.parquet"), hive_partitioning=True)
        assert lazy.select(pl.len()).collect().item() == len(frame)
    metrics = pd.read_parquet(sample_output / "metrics")
    assert str(metrics["value"].dtype) == "float64"
    assert set(metrics["kind"]) <= {"level", "change"}
    assert set(metrics["comparator"]) <= {"eq", "approx", "ge", "gt", "le", "lt"}
    assert set(metrics["modality"]) <= {"actual", "target"}
