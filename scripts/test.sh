#!/usr/bin/env bash
# The whole test suite, as a newcomer runs it and as CI's .ci/run does. Installs what it needs
# (the reference Space's Python dependencies, in a virtualenv under target/), then runs the Rust
# tests, the reference Space's pytest suite, and spacecheck on the reference Space and on this
# repository with the assignment policy. Needs ../shared (corpus, schemas) beside the checkout.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== Python virtualenv for the reference Space"
venv="target/venv"
if [ ! -x "$venv/bin/python" ]; then
    mkdir -p target
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r scripts/requirements-test.txt

echo "== Rust tests (unit, CLI, corpus, BuildKit fixtures, hostile input, README walkthrough)"
cargo test --locked

echo "== Reference Space app tests"
(cd fixtures/reference-space && "../../$venv/bin/python" -m pytest -q -p no:cacheprovider tests)

echo "== spacecheck on the reference Space and on this repository (must pass, exit 0)"
target/debug/spacecheck --offline --policy rules/ga2-f0af22.yaml fixtures/reference-space
target/debug/spacecheck --offline --policy rules/ga2-f0af22.yaml .
