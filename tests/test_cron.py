"""Cron-grade runs: the README's crontab line, kill -9 at many points, SIGTERM, locking."""
import os
import re
import shlex
import shutil
import signal
import subprocess
import time
from pathlib import Path

import duckdb
import pytest

from conftest import REPO, SHARED, quarry_bin, run_quarry

DATASETS = ("documents", "sentences", "metrics", "runs")


def counts(out):
    con = duckdb.connect()
    return {
        name: con.execute(
            f"SELECT count(*) FROM read_parquet('{out}/{name}/**/*.parquet', hive_partitioning = true)"
        ).fetchone()[0]
        for name in DATASETS
    }


def crontab_command(incoming, output, log):
    """The crontab line from the README, with its paths pointed at a test folder."""
    readme = (REPO / "README.md").read_text()
    line = next(l.strip() for l in readme.splitlines() if re.match(r"\s*\d+ \d+ \* \* \* ", l))
    command = line.split(None, 5)[5]
    command = command.replace("/srv/quarry", str(REPO)).replace("/data/incoming", str(incoming))
    command = command.replace("/data/quarry", str(output)).replace("/var/log/quarry.log", str(log))
    command = command.replace("./target/release/quarry", quarry_bin())
    return command


def test_the_readme_crontab_line_is_incremental(tmp_path):
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    (incoming / "a.txt").write_text("全年地区生产总值增长5.5%。\n财政收入100亿元。\n")
    (incoming / "b.jsonl").write_text('{"text": "GDP grew by 7.5 percent."}\n')
    out, log = tmp_path / "out", tmp_path / "quarry.log"
    command = crontab_command(incoming, out, log)
    assert subprocess.run(command, shell=True).returncode == 0
    first = counts(out)
    assert first["documents"] == 2 and first["runs"] == 1
    assert subprocess.run(command, shell=True).returncode == 0
    second = counts(out)
    assert {k: v for k, v in second.items() if k != "runs"} == {k: v for k, v in first.items() if k != "runs"}
    assert second["runs"] == 2, "the second run is recorded, and adds nothing"
    (incoming / "c.txt").write_text("新增城镇就业6万人。\n")
    assert subprocess.run(command, shell=True).returncode == 0
    third = counts(out)
    assert third["documents"] == 3
    con = duckdb.connect()
    newest = con.execute(
        f"""SELECT d.source FROM read_parquet('{out}/documents/**/*.parquet') d
            WHERE d.run_id = (SELECT max(run_id) FROM read_parquet('{out}/runs/**/*.parquet') WHERE documents > 0)"""
    ).fetchall()
    assert [Path(s).name for (s,) in newest] == ["c.txt"], "only the new file was read"
    assert "error" not in log.read_text().lower(), "--quiet logs nothing on success"


def big_inputs():
    parts = [SHARED / "corpora" / "en_sg_budget_speeches_1960_2025", SHARED / "corpora" / "cn_gwr_national_hprc"]
    if not all(p.exists() for p in parts):
        pytest.skip("../shared/corpora not found")
    return parts


def start(pipeline, inputs, out):
    args = [quarry_bin(), "run", str(pipeline), "--output", str(out), "--quiet"]
    for i in inputs:
        args += ["--input", str(i)]
    return subprocess.Popen(args, stderr=subprocess.PIPE)


def test_kill_9_at_any_moment_leaves_only_complete_runs(tmp_path):
    pipeline = REPO / "pipelines" / "documents.toml"
    small = tmp_path / "small"
    small.mkdir()
    (small / "a.txt").write_text("财政收入100亿元。\n")
    big = big_inputs()

    # Reference: the same two runs without interruption.
    ref = tmp_path / "ref"
    run_quarry("run", pipeline, "--output", ref, "--input", small)
    t0 = time.monotonic()
    run_quarry("run", pipeline, "--output", ref, "--input", small, *sum((["--input", b] for b in big), []))
    duration = time.monotonic() - t0
    expected = counts(ref)

    out = tmp_path / "out"
    run_quarry("run", pipeline, "--output", out, "--input", small)
    before = counts(out)
    seen = []
    for fraction in (0.05, 0.2, 0.4, 0.6, 0.8, 0.9, 0.95, 0.99):
        proc = start(pipeline, [small, *big], out)
        time.sleep(duration * fraction)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        now = counts(out)  # DuckDB reads it without error
        data = {k: v for k, v in now.items() if k != "runs"}
        assert data in (
            {k: v for k, v in before.items() if k != "runs"},
            {k: v for k, v in expected.items() if k != "runs"},
        ), f"killed at {fraction:.0%}: a partial run is visible: {now}"
        seen.append((fraction, data["documents"]))
        if data["documents"] == expected["documents"]:
            break
        leftovers = [p for p in (out / "_quarry" / "snapshots").iterdir()]
        assert len(leftovers) <= 3
    # The next run redoes the interrupted work: nothing lost, nothing doubled.
    run_quarry("run", pipeline, "--output", out, "--input", small, *sum((["--input", b] for b in big), []))
    final = counts(out)
    assert {k: v for k, v in final.items() if k != "runs"} == {k: v for k, v in expected.items() if k != "runs"}, seen


def test_sigterm_stops_without_committing(tmp_path):
    pipeline = REPO / "pipelines" / "documents.toml"
    out = tmp_path / "out"
    proc = start(pipeline, big_inputs(), out)
    time.sleep(1.0)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    if proc.returncode == 0:
        pytest.skip("the run finished before the signal arrived")
    assert proc.returncode == 130, err.decode()
    assert not (out / "_quarry" / "current").exists(), "nothing committed"
    assert not list(out.glob("_quarry/snapshots/*/**/*.parquet")), "no files left behind"
