#!/usr/bin/env python3
"""Times pySBD on the same text as benches/segment_speed.rs (hprc Chinese
reports, State of the Union addresses), on a slice of a few hundred KB
because pySBD is slow, and prints MB/s (process CPU time, one core).

Usage: /work/main/.venv/bin/python crates/segment/scripts/pysbd_speed.py [KB]
"""
import sys
import time
from pathlib import Path

import pysbd

CORPORA = Path(__file__).resolve().parents[4] / "shared" / "corpora"


def sample(folder, limit):
    out, size = [], 0
    for p in sorted((CORPORA / folder).glob("*.txt")):
        t = p.read_text(encoding="utf-8")
        out.append(t)
        size += len(t.encode("utf-8"))
        if size >= limit:
            break
    return out, size


def bench(name, lang, folder, limit):
    docs, size = sample(folder, limit)
    seg = pysbd.Segmenter(language=lang, clean=False)
    t0, c0 = time.perf_counter(), time.process_time()
    n = sum(len(seg.segment(d)) for d in docs)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    mb = size / 1e6
    print(f"pySBD {name}: {mb:.2f} MB in {len(docs)} docs, {n} sentences; "
          f"{mb / cpu:.2f} MB/s per core (CPU time); wall clock {mb / wall:.2f} MB/s")


def bench_slices(name, lang, folder, limit, width=5000):
    """pySBD slows down more than linearly on long one-line documents (SOTU
    addresses, hprc reports); slices of `width` chars show its per-char speed
    without that effect (sentences cut at slice edges do not matter here)."""
    docs, size = sample(folder, limit)
    slices = [d[i:i + width] for d in docs for i in range(0, len(d), width)]
    seg = pysbd.Segmenter(language=lang, clean=False)
    c0 = time.process_time()
    n = sum(len(seg.segment(s)) for s in slices)
    cpu = time.process_time() - c0
    print(f"pySBD {name}, {width}-char slices: {size / 1e6:.2f} MB, {n} sentences; {size / 1e6 / cpu:.2f} MB/s per core (CPU time)")


def main():
    kb = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    bench("zh (cn_gwr_national_hprc)", "zh", "cn_gwr_national_hprc", kb * 1000)
    bench("en (en_us_sotu_1900_2021)", "en", "en_us_sotu_1900_2021", kb * 1000)
    bench_slices("zh (cn_gwr_national_hprc)", "zh", "cn_gwr_national_hprc", kb * 1000)
    bench_slices("en (en_us_sotu_1900_2021)", "en", "en_us_sotu_1900_2021", kb * 1000)


if __name__ == "__main__":
    main()
