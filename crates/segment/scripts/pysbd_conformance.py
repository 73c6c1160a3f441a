#!/usr/bin/env python3
"""Runs pySBD on the shared conformance suites with the README's pass rule
(trim, collapse white-space runs, drop empty segments, exact equality) and
prints pass rates, for comparison with `cargo test -p quarry-segment --test
conformance -- --nocapture`.

Usage: /work/main/.venv/bin/python crates/segment/scripts/pysbd_conformance.py
"""
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

import pysbd

DIR = Path(__file__).resolve().parents[4] / "shared" / "conformance" / "segmentation"


def norm(s):
    return re.sub(r"\s+", " ", s).strip()


def main():
    segs = {lang: pysbd.Segmenter(language=lang, clean=False) for lang in ("en", "zh")}
    for name in ("pysbd_golden_rules.jsonl", "sentencex_tests.jsonl"):
        tally = defaultdict(lambda: [0, 0, []])
        for line in (DIR / name).read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            case = json.loads(line)
            want = [n for n in (norm(s) for s in case["sentences"]) if n]
            try:
                got = [n for n in (norm(s) for s in segs[case["lang"]].segment(case["text"])) if n]
            except Exception as e:  # pySBD raises on a few inputs
                got = [f"<error {e!r}>"]
            t = tally[case["lang"]]
            t[1] += 1
            if got == want:
                t[0] += 1
            else:
                t[2].append(case["id"])
        for lang, (ok, total, failing) in sorted(tally.items()):
            print(f"pySBD {pysbd.__version__} {name} [{lang}]: {ok}/{total} pass ({100 * ok / total:.1f}%)")
            if "-v" in sys.argv:
                print("  failing:", ", ".join(failing))


if __name__ == "__main__":
    main()
