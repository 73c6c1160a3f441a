"""Sentence-segmentation conformance through the whole pipeline: each case of
../shared/conformance/segmentation is a JSONL record, and the sentences dataset
must reproduce its expected segments (trimmed, white space collapsed)."""
import collections
import json
import re

import pyarrow.dataset as ds
import pytest

from conftest import REPO, SHARED, run_quarry

CONFORMANCE = SHARED / "conformance" / "segmentation"


def norm(parts):
    return [re.sub(r"\s+", " ", p).strip() for p in parts if p.strip()]


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    if not CONFORMANCE.exists():
        pytest.skip(f"{CONFORMANCE} not found")
    out = tmp_path_factory.mktemp("conf") / "out"
    files = sorted(CONFORMANCE.glob("*.jsonl"))
    args = sum((["--input", f] for f in files), [])
    # Some cases repeat another's text; keep them all.
    pipeline = tmp_path_factory.mktemp("p") / "conformance.toml"
    pipeline.write_text('[input]\npaths = []\n[output]\ndir = "out"\ndedup_documents = false\n')
    run_quarry("run", pipeline, "--output", out, *args)
    sents = ds.dataset(str(out / "sentences"), partitioning="hive").to_table().to_pylist()
    got = collections.defaultdict(list)
    for s in sorted(sents, key=lambda s: (s["doc_id"], s["sentence_idx"])):
        got[s["doc_id"]].append(s["text"])
    cases = [json.loads(l) for f in files for l in f.read_text(encoding="utf-8").splitlines() if l.strip()]
    outcome = {}
    for case in cases:
        outcome[case["id"]] = (case["lang"], norm(got.get(case["id"], [])) == norm(case["sentences"]))
    return outcome


def rate(outcome, prefix, lang):
    picked = [ok for cid, (l, ok) in outcome.items() if cid.startswith(prefix) and l == lang]
    return sum(picked), len(picked)


def test_pysbd_golden_rules(results):
    passed, total = rate(results, "pysbd-en", "en")
    failed = [cid for cid, (l, ok) in results.items() if cid.startswith("pysbd") and not ok]
    print(f"pySBD golden rules en: {passed}/{total}; failing: {failed}")
    assert total == 48 and passed >= 47, failed
    assert rate(results, "pysbd-zh", "zh") == (2, 2)


def test_sentencex(results):
    passed, total = rate(results, "sentencex", "en")
    failed = [cid for cid, (l, ok) in results.items() if cid.startswith("sentencex") and not ok]
    print(f"sentencex en: {passed}/{total} = {passed / total:.3f}; failing: {failed}")
    assert passed / total >= 0.90, failed
    assert rate(results, "sentencex", "zh") == (2, 2)
