# quarry — the two commands a new user needs:
#   make run    build, then run pipelines/gov_reports.toml on the bundled sample
#   make test   unit, end-to-end and client (DuckDB, pandas, polars) tests

CARGO  ?= cargo
VENV   ?= .venv
PY     := $(VENV)/bin/python
QUARRY := target/release/quarry

.PHONY: run build test rust-test client-test lint venv bench bench-segment bench-extract score clean

run: build
	$(QUARRY) run pipelines/gov_reports.toml --full
	@echo "output: out/gov_reports/{documents,sentences,metrics,runs}"

build:
	$(CARGO) build --release -p quarry

test: rust-test client-test

rust-test:
	$(CARGO) test --workspace

# The client and cron tests run the release binary (the one `make run` uses).
# A local S3 server (moto) on a free port serves the object-store tests; it
# stops with the tests.
client-test: build venv
	@port=$$($(PY) -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'); \
	$(VENV)/bin/moto_server -H 127.0.0.1 -p $$port >$(CURDIR)/target/moto.log 2>&1 & server=$$!; \
	trap 'kill $$server' EXIT; \
	QUARRY_TEST_S3=http://127.0.0.1:$$port QUARRY_BIN=$(CURDIR)/$(QUARRY) $(PY) -m pytest -q tests

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

venv: $(VENV)/.installed

$(VENV)/.installed: tests/requirements.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r tests/requirements.txt
	touch $@

# Throughput and memory with baselines (builds a ~1 GB corpus once under target/).
bench: build venv
	$(PY) -m pip install --quiet datatrove regex orjson
	$(PY) crates/quarry/benches/bench.py

# The segmenter and pySBD on the same corpus text, one after the other.
bench-segment: venv
	$(CARGO) bench -q -p quarry-segment --bench segment_speed
	$(PY) crates/segment/scripts/pysbd_speed.py 300

bench-extract:
	$(CARGO) bench -q -p quarry-extract --bench extract_speed

# Accuracy on the labelled sample (needs `make run` first).
score: venv
	$(PY) ../shared/eval/score.py --gold ../shared/eval/gold-dev --out out/gov_reports --errors 10

clean:
	rm -rf out target/release/quarry
