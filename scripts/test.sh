#!/usr/bin/env bash
# The whole test suite, as a newcomer runs it and as CI's .ci/run does. Installs what it needs
# (the reference Space's Python dependencies in a virtualenv under target/, Debian's chromium and
# playwright-core for the HTML report, Debian's neovim for the language server), then runs the Rust tests, the Python distribution's
# checks (scripts/test_python.sh), the reference Space's pytest suite, and spacecheck on the
# reference Space and on this repository with the assignment policy. Needs ../shared (corpus,
# schemas) beside the checkout. Honours CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"

echo "== Python virtualenv for the reference Space"
venv="$target/venv"
if [ ! -x "$venv/bin/python" ]; then
    mkdir -p "$target"
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r scripts/requirements-test.txt
export SPACECHECK_TEST_VENV="$(realpath "$venv")"

echo "== Headless Chromium for the HTML report test (Debian's chromium, playwright-core from npm)"
if [ ! -x /usr/bin/chromium ]; then
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium > /dev/null
    else
        echo "note: run 'sudo apt-get install chromium' to open the HTML report in a browser (CI must)"
    fi
fi
(cd tests/browser && npm ci --no-audit --no-fund --silent)

echo "== Neovim for the language server's editor test (Debian's neovim)"
if ! command -v nvim > /dev/null; then
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq neovim > /dev/null
    else
        echo "note: run 'sudo apt-get install neovim' to run the Neovim test (CI must)"
    fi
fi

echo "== Rust tests (unit, CLI, corpus, BuildKit fixtures, hostile input, README walkthrough)"
cargo test --locked

echo "== The Python distribution: wheel, python -m, pre-commit hooks"
bash scripts/test_python.sh

echo "== Reference Space app tests"
(cd fixtures/reference-space && "$SPACECHECK_TEST_VENV/bin/python" -m pytest -q -p no:cacheprovider tests)

echo "== spacecheck on the reference Space and on this repository (must pass, exit 0)"
"$target/debug/spacecheck" --offline --policy rules/ga2-f0af22.yaml fixtures/reference-space
"$target/debug/spacecheck" --offline --policy rules/ga2-f0af22.yaml .
