#!/usr/bin/env python3
"""`make bench`: throughput and memory of quarry, with baselines from the same run.

Builds nothing itself (the Makefile builds release first). Creates once, under
target/bench-corpus/, a corpus of about 1 GB from ../shared/corpora (Chinese and
English; small text files and large JSONL files), then measures:

  - baselines: `cat` of the corpus to /dev/null; Parquet writing of the rows
    the stages produce, without processing (the `write` line of the stage bench)
  - each stage alone on one thread (cargo bench --bench stages)
  - the whole pipeline with 1 thread and with all cores, on 100 MB and on 1 GB:
    MB/s, documents/s, peak RSS, CPU use
  - peak RSS with all cores on 100 MB, 300 MB and 1 GB: where memory levels off
  - datatrove (sentence split with its WhitespaceTokenizer + its ParquetWriter)
    on a 20 MB part, and quarry on the same part, for the speed ratio

Prints a report; BENCHMARKS.md records the figures.
"""
import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
SHARED = REPO.parent / "shared"
CORPORA = SHARED / "corpora"
BENCH = REPO / "target" / "bench-corpus"
QUARRY = REPO / "target" / "release" / "quarry"
VERSION = "v1"  # bump to rebuild the cached corpus

ZH = ["cn_gwr_national_hprc", "cn_gwr_national_wikisource", "cn_gwr_provincial_2026", "cn_gwr_district_hailar"]
EN = ["en_us_sotu_1900_2021", "en_sg_budget_speeches_1960_2025", "en_us_fomc_statements_1994_2016"]


def source_documents():
    docs = []
    for name in ZH + EN + ["zh_en_gwr_parallel_2024_2026"]:
        path = CORPORA / f"{name}.jsonl"
        with open(path, encoding="utf-8") as f:
            for line in f:
                rec = json.loads(line)
                docs.append((name, rec["id"], rec["text"]))
    return docs


def build_corpus(target_bytes):
    """Copies of the real documents, each copy marked so no two texts are equal
    (otherwise duplicate detection would skip them and flatter the figures)."""
    root = BENCH / VERSION
    done = root / ".complete"
    if done.exists():
        return root
    shutil.rmtree(root, ignore_errors=True)
    (root / "small").mkdir(parents=True)
    (root / "large").mkdir(parents=True)
    docs = source_documents()
    written = 0
    copy = 0
    while written < target_bytes:
        # Every 4th copy as small text files, the rest as ~100 MB JSONL files.
        if copy % 4 == 0:
            d = root / "small" / f"copy{copy:03d}"
            d.mkdir()
            for i, (name, _id, text) in enumerate(docs):
                marker = f"副本 {copy} — copy {copy}\n"
                data = (marker + text).encode("utf-8")
                (d / f"{name}-{i:04d}.txt").write_bytes(data)
                written += len(data)
        else:
            with open(root / "large" / f"copy{copy:03d}.jsonl", "w", encoding="utf-8") as f:
                for name, id_, text in docs:
                    line = json.dumps({"id": f"{id_}#{copy}", "text": f"副本 {copy} — copy {copy}\n{text}"}, ensure_ascii=False)
                    f.write(line + "\n")
                    written += len(line.encode("utf-8")) + 1
        copy += 1
    done.write_text(str(written))
    return root


def files_under(path):
    return sorted(p for p in Path(path).rglob("*") if p.is_file() and not p.name.startswith("."))


def subset(root, target_bytes):
    """A list of files (small and large) adding up to about target_bytes."""
    out, total = [], 0
    # Half from large JSONL files, half from small text files.
    large = files_under(root / "large")
    small = files_under(root / "small")
    for f in large[:2] + small:
        if total >= target_bytes:
            break
        out.append(f)
        total += f.stat().st_size
    return out, total


def timed(cmd, **kw):
    """Runs cmd; returns (seconds, peak RSS in MB, CPU seconds) of that child alone."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, **kw)
    _, status, usage = os.wait4(proc.pid, 0)
    secs = time.monotonic() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 3):
        sys.exit(f"{cmd[0]} failed with {proc.returncode}")
    return secs, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def cat_baseline(files, total):
    with tempfile.NamedTemporaryFile("w", delete=False) as f:
        f.write("\0".join(map(str, files)))
        listing = f.name
    secs, _, _ = timed(["sh", "-c", f"xargs -0 cat < {listing} > /dev/null"])
    os.unlink(listing)
    return total / 1e6 / secs


def quarry_run(files, threads, work, one_core=False, pipeline=None):
    """One run; `one_core` pins the whole process (reader, workers, writers)
    to one CPU: the honest baseline for how the pipeline scales with cores,
    since `--threads 1` alone still runs the reader and writers beside it."""
    out = work / f"out-{threads}-{len(files)}"
    shutil.rmtree(out, ignore_errors=True)
    pipeline = pipeline or REPO / "pipelines" / "documents.toml"
    listing = []
    for f in files:
        listing += ["--input", str(f)]
    cmd = [str(QUARRY), "run", str(pipeline), "--output", str(out), "--threads", str(threads), "--quiet", "--full", *listing]
    pin = (lambda: os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})) if one_core else None
    secs, rss, cpu = timed(cmd, preexec_fn=pin)
    runs = subprocess.run(
        [sys.executable, "-c", "import sys,pyarrow.dataset as ds; t=ds.dataset(sys.argv[1]+'/runs',partitioning='hive').to_table().to_pylist()[0]; print(t['documents'], t['sentences'], t['metrics'], t['bytes_read'])", str(out)],
        capture_output=True, text=True, check=True,
    ).stdout.split()
    shutil.rmtree(out, ignore_errors=True)
    docs, sents, mets, bytes_read = map(int, runs)
    return {"seconds": secs, "rss_mb": rss, "cpu": cpu / secs, "docs": docs, "sentences": sents,
            "metrics": mets, "mb": bytes_read / 1e6, "mb_s": bytes_read / 1e6 / secs, "docs_s": docs / secs}


DATATROVE_SCRIPT = r'''
import sys, time
from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.writers import ParquetWriter
from datatrove.pipeline.base import PipelineStep
from datatrove.data import Document
from datatrove.utils.word_tokenizers import WhitespaceTokenizer

class SentenceSplit(PipelineStep):
    name = "sentence split"
    def __init__(self):
        super().__init__()
        self.tok = WhitespaceTokenizer()
    def run(self, data, rank=0, world_size=1):
        for doc in data:
            for i, sent in enumerate(self.tok.sent_tokenize(doc.text)):
                yield Document(text=sent, id=f"{doc.id}/{i}", metadata={"doc_id": doc.id, "sentence_idx": i})

src, out, logs = sys.argv[1:4]
LocalPipelineExecutor(
    pipeline=[JsonlReader(src, text_key="text", id_key="id"), SentenceSplit(), ParquetWriter(out)],
    tasks=1, workers=1, logging_dir=logs,
).run()
'''


QUARRY_RUNS_PER_DATATROVE_RUN = 3


def datatrove_baseline(root, work, part_bytes, repeat):
    """datatrove on a ~20 MB JSONL part, taking turns with quarry on the same
    part; the median run of each."""
    part = work / "dt-input"
    shutil.rmtree(part, ignore_errors=True)
    part.mkdir()
    total = 0
    with open(files_under(root / "large")[0], encoding="utf-8") as src, open(part / "part.jsonl", "w", encoding="utf-8") as dst:
        for line in src:
            if total >= part_bytes:
                break
            dst.write(line)
            total += len(line.encode("utf-8"))
    script = work / "datatrove_bench.py"
    script.write_text(DATATROVE_SCRIPT)
    py = str(REPO / ".venv" / "bin" / "python")
    try:
        subprocess.run([py, "-c", "import datatrove"], check=True, capture_output=True)
    except subprocess.CalledProcessError:
        return None, None, [], [], total
    dt_runs, q_runs = [], []
    for _ in range(max(1, repeat)):
        out = work / "dt-out"
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(work / "dt-logs", ignore_errors=True)
        secs, rss, cpu = timed([py, str(script), str(part), str(out), str(work / "dt-logs")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        dt_runs.append({"seconds": secs, "rss_mb": rss, "mb_s": total / 1e6 / secs})
        # A quarry run on the part lasts 0.4 s, and on this host its time
        # varies by a fifth from run to run (a datatrove run lasts 9 s):
        # three quarry runs per datatrove run steady quarry's median.
        for _ in range(QUARRY_RUNS_PER_DATATROVE_RUN):
            q_runs.append(quarry_run([part / "part.jsonl"], os.cpu_count() or 1, work))
    median = lambda rs: sorted(rs, key=lambda r: r["seconds"])[len(rs) // 2]
    return median(dt_runs), median(q_runs), dt_runs, q_runs, total


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gb", type=float, default=1.0, help="corpus size in GB (default 1)")
    ap.add_argument("--quick", action="store_true", help="100 MB runs only (no 1 GB runs)")
    ap.add_argument("--repeat", type=int, default=3,
                    help="runs of each whole-pipeline configuration on 1 GB, interleaved; the median is reported (default 3)")
    ap.add_argument("--repeat-small", type=int, default=5,
                    help="the same on 100 MB, where a run lasts ~1.5 s (default 5)")
    a = ap.parse_args()
    if not CORPORA.exists():
        sys.exit(f"{CORPORA} not found: the benchmark reads the shared corpora")
    cores = os.cpu_count() or 1
    print(f"machine: {cores} cores, {os.uname().machine}, {os.uname().sysname} {os.uname().release}")
    t = time.monotonic()
    root = build_corpus(int(a.gb * 1e9))
    all_files = files_under(root / "small") + files_under(root / "large")
    total = sum(f.stat().st_size for f in all_files)
    print(f"corpus: {len(all_files)} files, {total / 1e6:.0f} MB under {root} (ready in {time.monotonic() - t:.0f} s)")
    work = Path(tempfile.mkdtemp(prefix="quarry-bench-"))
    try:
        print(f"\nbaseline cat > /dev/null: {cat_baseline(all_files, total):.0f} MB/s")
        sub, sub_total = subset(root, 100e6)
        print("\neach stage alone, 1 thread (64 MB of the corpus):")
        stage = subprocess.run(
            ["cargo", "bench", "-q", "-p", "quarry", "--bench", "stages", "--", str(root / "large"), "64"],
            cwd=REPO, capture_output=True, text=True, check=True,
        ).stdout
        print("  " + stage.strip().replace("\n", "\n  "))
        print("  (the write line is the Parquet baseline: the same rows written without processing)")
        print("\nwhole pipeline:")
        print(f"  {'input':<8} {'threads':>12} {'MB':>7} {'seconds':>8} {'MB/s':>7} {'docs/s':>8} {'peak RSS MB':>12} {'CPU':>5}  (MB/s range)")
        sizes = [("100 MB", sub)] if a.quick else [("100 MB", sub), ("1 GB", all_files)]
        results = {}
        # Per round, the two-core run against the one-core run of the same
        # round: the machine's speed drifts, and runs seconds apart drift less
        # than medians taken over minutes.
        round_ratios = {}
        rss_runs = {}
        # The same pipeline storing each document's whole text too, for the
        # cost of `document_text = true`.
        with_text = work / "documents-with-text.toml"
        with_text.write_text((REPO / "pipelines" / "documents.toml").read_text()
                             .replace("document_text = false", "document_text = true"))
        runs = [(1, True, "1, on 1 core", None), (1, False, "1", None)]
        if cores > 1:
            runs += [(cores, False, str(cores), None), (cores, False, f"{cores}, doc text", with_text)]
        # This machine's speed drifts from minute to minute: the configurations
        # take turns, and each row is the run with the median time.
        for label, files in sizes:
            samples = {name: [] for _, _, name, _ in runs}
            repeat = a.repeat_small if label == "100 MB" else a.repeat
            for _ in range(max(1, repeat)):
                for threads, one_core, name, pipeline in runs:
                    samples[name].append(quarry_run(files, threads, work, one_core, pipeline))
            if cores > 1:
                round_ratios[label] = sorted(
                    two["mb_s"] / one["mb_s"] for two, one in zip(samples[str(cores)], samples["1, on 1 core"]))
            for threads, one_core, name, pipeline in runs:
                ordered = sorted(samples[name], key=lambda r: r["seconds"])
                r = ordered[len(ordered) // 2]
                results[(label, name)] = r
                rss_runs[(label, name)] = sorted(x["rss_mb"] for x in ordered)
                spread = f"  ({ordered[-1]['mb_s']:.1f}–{ordered[0]['mb_s']:.1f})" if len(ordered) > 1 else ""
                print(f"  {label:<8} {name:>12} {r['mb']:>7.0f} {r['seconds']:>8.2f} {r['mb_s']:>7.1f} {r['docs_s']:>8.0f} "
                      f"{max(x['rss_mb'] for x in ordered):>12.0f} {r['cpu']:>5.2f}{spread}")
        for label, _ in sizes:
            if cores > 1:
                base = results[(label, "1, on 1 core")]["mb_s"]
                per_round = round_ratios[label]
                print(f"  {label}: {cores} threads on {cores} cores / 1 thread on 1 core = "
                      f"{results[(label, str(cores))]['mb_s'] / base:.2f}x (medians); "
                      f"{per_round[len(per_round) // 2]:.2f}x (median of the rounds: "
                      f"{', '.join(f'{r:.2f}' for r in per_round)}); / 1 thread unpinned = "
                      f"{results[(label, str(cores))]['mb_s'] / results[(label, '1')]['mb_s']:.2f}x")
        if not a.quick and cores > 1:
            # Peak RSS against input size, all cores: where memory levels off.
            mid, mid_total = subset(root, 300e6)
            rss_runs[("300 MB", str(cores))] = sorted(
                quarry_run(mid, cores, work)["rss_mb"] for _ in range(max(1, a.repeat)))
            line = []
            for label, mb in [("100 MB", sub_total), ("300 MB", mid_total), ("1 GB", total)]:
                runs_mb = rss_runs[(label, str(cores))]
                line.append(f"{mb / 1e6:.0f} MB: {runs_mb[-1]:.0f} ({', '.join(f'{x:.0f}' for x in runs_mb)})")
            print(f"  peak RSS by input size, {cores} threads, highest of the runs (all runs): " + "; ".join(line))
        baseline = datatrove_baseline(root, work, 20e6, a.repeat)
        if baseline[0] is None:
            print("\ndatatrove: not installed (pip install datatrove) — ratio not measured")
        else:
            dt, q, dt_runs, q_runs, part_bytes = baseline
            dt_list = ", ".join(f"{r['mb_s']:.2f}" for r in dt_runs)
            q_list = ", ".join(f"{r['mb_s']:.1f}" for r in q_runs)
            print(f"\ndatatrove (WhitespaceTokenizer sentence split + ParquetWriter), {part_bytes / 1e6:.0f} MB JSONL: "
                  f"{dt['seconds']:.2f} s, {dt['mb_s']:.2f} MB/s, peak RSS {dt['rss_mb']:.0f} MB "
                  f"(runs: {dt_list} MB/s)")
            print(f"quarry (full pipeline, {cores} threads) on the same part: {q['seconds']:.2f} s, {q['mb_s']:.1f} MB/s, "
                  f"peak RSS {q['rss_mb']:.0f} MB (runs: {q_list} MB/s)")
            print(f"ratio quarry / datatrove (medians): {q['mb_s'] / dt['mb_s']:.1f}x")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
