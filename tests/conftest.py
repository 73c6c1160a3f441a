import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


def quarry_bin():
    path = os.environ.get("QUARRY_BIN") or str(REPO / "target" / "debug" / "quarry")
    if not Path(path).exists():
        pytest.fail(f"{path} not found: build it with `cargo build -p quarry` (make test does)")
    return path


def run_quarry(*args, check=True):
    res = subprocess.run([quarry_bin(), *map(str, args)], capture_output=True, text=True)
    if check and res.returncode != 0:
        raise AssertionError(f"quarry {' '.join(map(str, args))} exited {res.returncode}:\n{res.stderr}")
    return res


@pytest.fixture(scope="session")
def sample_output(tmp_path_factory):
    out = tmp_path_factory.mktemp("gov") / "out"
    run_quarry("run", REPO / "pipelines" / "gov_reports.toml", "--output", out)
    return out
