"""Sharded runs against a local S3 server (moto): three shards in parallel
read their inputs from a bucket and write one dataset into it; pyarrow reads
it back through its S3 filesystem and it equals a single-process run row for
row. Then one shard is killed with SIGKILL mid-run and rerun."""
import gzip
import os
import signal
import subprocess
import time
import uuid

import pyarrow.dataset as ds
import pyarrow.fs as pafs
import pytest

from conftest import REPO, SHARED, quarry_bin

PIPELINE = REPO / "pipelines" / "documents.toml"
DATASETS = {
    "documents": ["doc_id"],
    "sentences": ["doc_id", "sentence_idx"],
    "metrics": ["doc_id", "sentence_idx", "metric_idx"],
}


@pytest.fixture(scope="module")
def bucket(s3_endpoint):
    """A fresh bucket holding a corpus of Chinese and English inputs: text
    files, JSONL, and a gzip-compressed JSONL large enough to kill mid-run."""
    import boto3

    s3 = boto3.client("s3", endpoint_url=s3_endpoint, **{
        "aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": "us-east-1"})
    name = f"quarry-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=name)
    corpora = SHARED / "corpora"
    count = 0
    for folder in ["cn_gwr_provincial_2026", "en_us_fomc_statements_1994_2016", "zh_en_gwr_parallel_2024_2026"]:
        for path in sorted((corpora / folder).iterdir()):
            if path.is_file():
                s3.upload_file(str(path), name, f"in/{folder}/{path.name}")
                count += 1
    for jsonl in ["en_sg_budget_speeches_1960_2025.jsonl", "cn_gwr_national_hprc.jsonl"]:
        body = gzip.compress((corpora / jsonl).read_bytes())
        s3.put_object(Bucket=name, Key=f"in/{jsonl}.gz", Body=body)
        count += 1
    return {"name": name, "endpoint": s3_endpoint, "inputs": count}


def env_for(bucket):
    return {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": bucket["endpoint"]}


def quarry(bucket, *args):
    return subprocess.Popen([quarry_bin(), "run", str(PIPELINE), "--quiet",
                             "--input", f"s3://{bucket['name']}/in/", *map(str, args)],
                            env=env_for(bucket), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(proc, what):
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, f"{what} exited {proc.returncode}:\n{err}"


def run_shards(bucket, output, count=3):
    """Starts every shard at once; returns each one's wall-clock seconds."""
    started = time.monotonic()
    procs = [quarry(bucket, "--output", output, "--shard", f"{i}/{count}") for i in range(count)]
    seconds = []
    for i, proc in enumerate(procs):
        finish(proc, f"shard {i}/{count}")
        seconds.append(time.monotonic() - started)
    return seconds


def s3fs(bucket):
    return pafs.S3FileSystem(access_key="testing", secret_key="testing", region="us-east-1",
                             endpoint_override=bucket["endpoint"].removeprefix("http://"), scheme="http")


def rows(table, keys):
    table = table.drop_columns([c for c in ("run_id", "run_date") if c in table.column_names])
    return table.sort_by([(k, "ascending") for k in keys]).to_pylist()


def read_s3(bucket, prefix, dataset):
    return ds.dataset(f"{bucket['name']}/{prefix}/{dataset}", filesystem=s3fs(bucket),
                      format="parquet", partitioning="hive").to_table()


def read_local(root, dataset):
    return ds.dataset(str(root / dataset), format="parquet", partitioning="hive").to_table()


def assert_same_rows(bucket, prefix, reference):
    for dataset, keys in DATASETS.items():
        got = rows(read_s3(bucket, prefix, dataset), keys)
        want = rows(read_local(reference, dataset), keys)
        assert len(got) == len(want), f"{dataset}: {len(got)} rows in s3, {len(want)} in the local run"
        assert got == want, f"{dataset}: rows differ"


def s3_keys(bucket, prefix):
    selector = pafs.FileSelector(f"{bucket['name']}/{prefix}", recursive=True, allow_not_found=True)
    return sorted(i.path for i in s3fs(bucket).get_file_info(selector) if i.type == pafs.FileType.File)


@pytest.fixture(scope="module")
def reference(bucket, tmp_path_factory):
    """One process, no shards, the same S3 inputs, a local output root."""
    out = tmp_path_factory.mktemp("s3ref") / "out"
    finish(quarry(bucket, "--output", out), "the single-process run")
    return out


def test_three_shards_write_one_dataset_equal_to_a_single_run(bucket, reference):
    seconds = run_shards(bucket, f"s3://{bucket['name']}/out")
    counts = {d: read_local(reference, d).num_rows for d in DATASETS}
    print(f"3 shards over {bucket['inputs']} objects: done after {', '.join(f'{s:.2f}' for s in seconds)} s; rows {counts}")
    assert_same_rows(bucket, "out", reference)
    runs = read_s3(bucket, "out", "runs").to_pylist()
    assert len(runs) == 3
    (single,) = read_local(reference, "runs").to_pylist()
    assert sum(r["inputs"] for r in runs) == single["inputs"], "each input is in exactly one shard"
    keys = s3_keys(bucket, "out")
    assert not [k for k in keys if "/_quarry/staging/" in k], "no staged file is left"
    for dataset in ["documents", "sentences", "metrics", "runs"]:
        tags = {k.rsplit("-", 1)[-1] for k in keys if f"/out/{dataset}/" in k}
        assert tags == {"0000of0003.parquet", "0001of0003.parquet", "0002of0003.parquet"}, (dataset, tags)

    # A rerun over unchanged inputs adds nothing but a runs row per shard.
    run_shards(bucket, f"s3://{bucket['name']}/out")
    assert_same_rows(bucket, "out", reference)
    runs = read_s3(bucket, "out", "runs").to_pylist()
    assert len(runs) == 6 and sum(r["inputs_skipped"] for r in runs) == single["inputs"]


def test_a_shard_killed_mid_run_is_redone_by_its_rerun(bucket, reference):
    prefix = "killed"
    output = f"s3://{bucket['name']}/{prefix}"
    # Time each shard alone first, to kill the slowest at half its duration.
    durations = []
    scratch = f"s3://{bucket['name']}/timing"
    for i in range(3):
        t = time.monotonic()
        finish(quarry(bucket, "--output", scratch, "--shard", f"{i}/3"), f"timing shard {i}")
        durations.append(time.monotonic() - t)
    victim = max(range(3), key=lambda i: durations[i])
    for i in range(3):
        if i != victim:
            finish(quarry(bucket, "--output", output, "--shard", f"{i}/3"), f"shard {i}")
    tag = f"{victim:04d}of0003"
    manifests = f"{prefix}/_quarry/shards/0003/{victim:04d}/"
    kills = []
    committed = []
    for fraction in (0.3, 0.6, 0.9):
        proc = quarry(bucket, "--output", output, "--shard", f"{victim}/3")
        time.sleep(durations[victim] * fraction)
        if committed:
            break  # a killed run had committed: later runs have nothing to do
        if proc.poll() is not None:
            finish(proc, f"shard {victim}")
            committed = ["finished before the kill"]
            break
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        kills.append(fraction)
        # The dataset still reads; without a committed manifest none of the
        # shard's files is published (a run killed after its commit is rolled
        # forward by the next one).
        keys = s3_keys(bucket, prefix)
        committed = [k for k in keys if manifests in k and "/manifest-" in k]
        published = [k for k in keys if "/_quarry/" not in k and tag in k]
        assert committed or not published, published
        docs = read_s3(bucket, prefix, "documents")
        assert docs.num_rows > 0
    assert kills, "the shard finished before it could be killed"
    print(f"shard durations {', '.join(f'{d:.2f}' for d in durations)} s; shard {victim} killed at "
          f"{', '.join(f'{f:.0%}' for f in kills)} of its duration")

    finish(quarry(bucket, "--output", output, "--shard", f"{victim}/3"), f"rerun of shard {victim}")
    assert_same_rows(bucket, prefix, reference)
    keys = s3_keys(bucket, prefix)
    assert not [k for k in keys if "/_quarry/staging/" in k], "the rerun removed the killed run's staged files"
    # A kill that landed after the commit (the manifest put) kept that run;
    # the rerun then found nothing to do and only added its runs row.
    runs = read_s3(bucket, prefix, "runs").to_pylist()
    assert len(runs) == (4 if committed else 3)
