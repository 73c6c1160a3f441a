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


def _free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def s3_endpoint():
    """A local S3-compatible server: the one `make test` started (its URL in
    QUARRY_TEST_S3), or moto_server started here for a test run by hand."""
    import time
    import urllib.request

    endpoint = os.environ.get("QUARRY_TEST_S3")
    proc = None
    if not endpoint:
        moto = Path(os.environ.get("VIRTUAL_ENV", REPO / ".venv")) / "bin" / "moto_server"
        if not moto.exists():
            pytest.fail(f"{moto} not found: `make venv` installs moto[server]")
        port = _free_port()
        proc = subprocess.Popen([str(moto), "-H", "127.0.0.1", "-p", str(port)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        endpoint = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while True:
        try:
            urllib.request.urlopen(endpoint, timeout=1)
            break
        except Exception:
            if time.time() > deadline:
                pytest.fail(f"the S3 server at {endpoint} did not answer")
            time.sleep(0.2)
    yield endpoint
    if proc:
        proc.terminate()
        proc.wait()


S3_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_REGION": "us-east-1",
}
