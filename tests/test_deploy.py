"""The recipes in pipelines/deploy/: the Kubernetes Indexed Job is consistent,
and the Slurm array script, run by hand as the three tasks of an array, writes
the same dataset as one unsharded run, each input in exactly one shard."""
import json
import os
import re
import subprocess
from collections import defaultdict

import duckdb
import yaml

from conftest import REPO, quarry_bin, run_quarry

DEPLOY = REPO / "pipelines" / "deploy"
SLURM = DEPLOY / "slurm-array.sh"
PIPELINE = REPO / "pipelines" / "documents.toml"


def manifest():
    docs = [d for d in yaml.safe_load_all((DEPLOY / "k8s-indexed-job.yaml").read_text()) if d]
    return {(d["kind"], d["metadata"]["name"]): d for d in docs}


def test_the_k8s_job_is_indexed_with_one_pod_per_shard(tmp_path):
    objects = manifest()
    (job,) = [o for (kind, _), o in objects.items() if kind == "Job"]
    spec = job["spec"]
    pod = spec["template"]["spec"]
    (container,) = pod["containers"]
    env = {e["name"]: e for e in container["env"]}
    count = int(env["QUARRY_SHARD_COUNT"]["value"])
    assert spec["completionMode"] == "Indexed"
    assert spec["completions"] == spec["parallelism"] == count
    assert spec["backoffLimitPerIndex"] >= 1
    assert pod["restartPolicy"] == "Never", "podFailurePolicy requires it"

    # The first rule that matches decides: exit 2 must not be retried, and no
    # earlier rule may catch it (a NotIn rule would).
    rules = spec["podFailurePolicy"]["rules"]
    by_code = [r for r in rules if "onExitCodes" in r]
    first = by_code[0]["onExitCodes"]
    assert first["operator"] == "In" and 2 in first["values"]
    assert by_code[0]["action"] in ("FailJob", "FailIndex")
    assert first.get("containerName", container["name"]) == container["name"]

    args = container["args"]
    assert args[:2] == ["run", "/etc/quarry/pipeline.toml"]
    assert args[args.index("--shard") + 1] == "auto"
    assert args[args.index("--shard-count") + 1] in (str(count), "$(QUARRY_SHARD_COUNT)")
    for arg in args:  # $(VAR) in args expands only from the container's env
        for var in re.findall(r"\$\((\w+)\)", arg):
            assert var in env, f"{arg} names no env variable of the container"

    # Every ConfigMap and Secret key it reads is in the file.
    for e in env.values():
        ref = e.get("valueFrom", {})
        for kind, key in (("ConfigMap", "configMapKeyRef"), ("Secret", "secretKeyRef")):
            if key in ref:
                obj = objects[(kind, ref[key]["name"])]
                assert ref[key]["key"] in {**obj.get("data", {}), **obj.get("stringData", {})}
    (mount,) = [m for m in container["volumeMounts"] if m["mountPath"] == "/etc/quarry"]
    (volume,) = [v for v in pod["volumes"] if v["name"] == mount["name"]]
    pipeline = objects[("ConfigMap", volume["configMap"]["name"])]["data"]["pipeline.toml"]

    # and quarry accepts the pipeline it mounts.
    (tmp_path / "pipeline.toml").write_text(pipeline)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("GDP grew by 7.5 percent.\n")
    run_quarry("check", tmp_path / "pipeline.toml", "--input", tmp_path / "in", "--output", tmp_path / "out")


def test_the_slurm_script_parses_and_its_array_is_its_shard_count():
    subprocess.run(["bash", "-n", str(SLURM)], check=True)
    text = SLURM.read_text()
    last = int(re.search(r"^#SBATCH --array=0-(\d+)(%\d+)?\s*$", text, re.M).group(1))
    count = int(re.search(r"QUARRY_SHARD_COUNT:-(\d+)", text).group(1))
    assert last + 1 == count
    # sbatch reads #SBATCH lines only up to the first command.
    lines = text.splitlines()
    first_command = next(i for i, l in enumerate(lines) if l.strip() and not l.startswith("#"))
    assert max(i for i, l in enumerate(lines) if l.startswith("#SBATCH")) < first_command

    # A task outside 0..count-1 is a usage error, caught before quarry runs.
    env = slurm_task(3, 3, "in", "out", QUARRY="/bin/false")
    res = subprocess.run(["bash", str(SLURM)], env=env, capture_output=True, text=True)
    assert res.returncode == 2 and "not a shard" in res.stderr, res.stderr

def slurm_task(task, count, inputs, out, **extra):
    """The script's environment for array task `task` of `count`, as Slurm
    would set it, with no other Slurm or quarry settings leaking in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLURM_", "QUARRY", "JOB_COMPLETION_INDEX"))}
    env.update(
        SLURM_ARRAY_TASK_ID=str(task),
        SLURM_ARRAY_TASK_MIN="0",
        SLURM_ARRAY_TASK_COUNT=str(count),
        QUARRY_SHARD_COUNT=str(count),
        QUARRY=quarry_bin(),
        PIPELINE=str(PIPELINE),
        INPUT=str(inputs),
        OUTPUT=str(out),
        QUARRY_THREADS="1",
        QUARRY_RETRIES="0",  # 75 between different shards would be a bug, not a wait
        QUARRY_FAIL_ON_SKIPPED="1",  # the inputs have no bad records
    )
    env.update(extra)
    return env


def write_inputs(folder):
    """Nine small files, every document text distinct (documents are
    deduplicated within a shard, not across shards)."""
    folder.mkdir()
    for i in range(5):
        (folder / f"report_{i}.txt").write_text(
            f"第{i + 1}季度地区生产总值增长{5 + i}.{i}%。\n财政收入{100 + i}亿元，新增城镇就业{i + 2}万人。\n"
        )
    for i in range(4):
        lines = [
            {"id": f"en-{i}-a", "text": f"GDP grew by {i + 2}.5 percent in {2010 + i}. Exports rose to {800 + i} billion yuan."},
            {"id": f"en-{i}-b", "text": f"Unemployment fell to {3 + i}.1 percent. The deficit was {i + 1}.2 percent of GDP."},
        ]
        (folder / f"batch_{i}.jsonl").write_text("".join(json.dumps(l) + "\n" for l in lines))
    return 5 + 4 * 2


def figures(out):
    con = duckdb.connect()

    def scan(name):
        return f"read_parquet('{out}/{name}/**/*.parquet', hive_partitioning = true)"

    docs = sorted(con.execute(f"SELECT doc_id, source FROM {scan('documents')}").fetchall())
    sentences = dict(con.execute(f"SELECT doc_id, count(*) FROM {scan('sentences')} GROUP BY doc_id").fetchall())
    metrics = dict(con.execute(f"SELECT doc_id, count(*) FROM {scan('metrics')} GROUP BY doc_id").fetchall())
    return docs, sentences, metrics


def test_three_slurm_tasks_write_what_one_unsharded_run_writes(tmp_path):
    inputs = tmp_path / "incoming"
    documents = write_inputs(inputs)
    single, sharded = tmp_path / "single", tmp_path / "sharded"
    run_quarry("run", PIPELINE, "--input", inputs, "--output", single, "--threads", "1", "--quiet")

    # The three tasks of an array run at once and never wait on each other.
    tasks = [
        subprocess.Popen(["bash", str(SLURM)], env=slurm_task(i, 3, inputs, sharded), stderr=subprocess.PIPE, text=True)
        for i in range(3)
    ]
    for i, task in enumerate(tasks):
        _, err = task.communicate(timeout=300)
        assert task.returncode == 0, f"task {i} exited {task.returncode}:\n{err}"

    expected = figures(single)
    assert len(expected[0]) == documents and sum(expected[2].values()) > 0
    assert figures(sharded) == expected, "the shards together hold exactly the unsharded run's rows"

    # Each input's documents are in the files of exactly one shard, named -IIIIof0003.
    con = duckdb.connect()
    rows = con.execute(
        f"SELECT source, filename FROM read_parquet('{sharded}/documents/**/*.parquet', filename = true)"
    ).fetchall()
    shards_of = defaultdict(set)
    for source, filename in rows:
        tag = re.search(r"-(\d{4})of(\d{4})", os.path.basename(filename))
        assert tag and int(tag.group(2)) == 3, f"{filename} does not name its shard"
        shards_of[source].add(int(tag.group(1)))
    assert len(shards_of) == 9 and all(len(s) == 1 for s in shards_of.values()), dict(shards_of)

    # Every task committed its own manifest, and recorded its run.
    shard_dirs = (sharded / "_quarry" / "shards").glob("*/*")
    committed = {(int(d.parent.name), int(d.name)) for d in shard_dirs if d.is_dir() and any(d.iterdir())}
    assert committed == {(3, 0), (3, 1), (3, 2)}
    runs = con.execute(f"SELECT count(*) FROM read_parquet('{sharded}/runs/**/*.parquet')").fetchone()[0]
    assert runs == 3

    # Rerunning a failed task the README's way (sbatch --array=1: Slurm sets
    # MIN=1, COUNT=1) is shard 1 of 3 again; over unchanged inputs it adds nothing.
    rerun = subprocess.run(
        ["bash", str(SLURM)],
        env=slurm_task(1, 3, inputs, sharded, SLURM_ARRAY_TASK_MIN="1", SLURM_ARRAY_TASK_COUNT="1"),
        capture_output=True,
        text=True,
    )
    assert rerun.returncode == 0, rerun.stderr
    assert figures(sharded) == expected
