#!/usr/bin/env bash
# The Python distribution, as a user meets it (run by scripts/test.sh, after the Rust tests):
#  1. the wheel (maturin, `bindings = "bin"`) installed into a fresh virtualenv runs spacecheck,
#     as `spacecheck` and as `python -m spacecheck`, with no Rust toolchain on PATH;
#  2. `pre-commit try-repo .` (this repository's `language: python` hook) passes on a good Space
#     and fails on a bad one;
#  3. the pre-commit mirror (python/pre-commit-mirror) installs that wheel and no Rust, and
#     passes and fails the same way.
# The wheel is built with the dev profile into target/, so it reuses the test build; a release
# wheel is `maturin build --release`.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
target="${CARGO_TARGET_DIR:-$root/target}"
work="$target/python-test"
rm -rf "$work"
mkdir -p "$work"

echo "== Python build tools (maturin, pre-commit)"
tools="$target/python-tools"
[ -x "$tools/bin/python" ] || python3 -m venv "$tools"
"$tools/bin/pip" install --quiet --disable-pip-version-check "maturin==1.16.0" "pre-commit==4.7.0"

echo "== The wheel"
"$tools/bin/maturin" build --quiet --profile dev --out "$work/wheels" 2>&1 | grep -v "^📦\|^🔗\|^📡" || true
wheel="$(ls "$work"/wheels/spacecheck-*.whl)"
python3 -m zipfile -l "$wheel" | grep -q "scripts/spacecheck " || { echo "the wheel holds no spacecheck binary"; exit 1; }

# Nothing of Rust on PATH from here on: what runs is what the wheel installed.
no_rust_path="/usr/local/bin:/usr/bin:/bin"
expect() { # expect CODE WHAT COMMAND...
    local want="$1" what="$2"
    shift 2
    set +e
    "$@" > "$work/last.txt" 2>&1
    local got=$?
    set -e
    if [ "$got" != "$want" ]; then
        cat "$work/last.txt"
        echo "FAILED: $what exited $got, expected $want"
        exit 1
    fi
    echo "ok: $what (exit $got)"
}

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check --no-index "$wheel"
expect 0 "spacecheck from the wheel on the reference Space" \
    env -i PATH="$work/venv/bin:$no_rust_path" HOME="$work" \
    spacecheck --offline --policy rules/ga2-f0af22.yaml fixtures/reference-space
expect 1 "python -m spacecheck on a failing example" \
    env -i PATH="$no_rust_path" HOME="$work" "$work/venv/bin/python" -m spacecheck --offline fixtures/examples/wrong-port
expect 0 "python -m spacecheck --version" env -i PATH="$no_rust_path" HOME="$work" "$work/venv/bin/python" -m spacecheck --version

# Scratch Space repositories: the reference Space, and one with a wrong port.
space_repo() { # space_repo NAME SOURCE
    mkdir -p "$work/$1"
    cp -r "$2/." "$work/$1/"
    git -C "$work/$1" init --quiet
    git -C "$work/$1" add -A
    git -C "$work/$1" -c user.email=ci@example.com -c user.name=ci commit --quiet -m "$1"
}
space_repo good fixtures/reference-space
space_repo bad fixtures/examples/wrong-port
export PRE_COMMIT_HOME="$work/pre-commit-home"

echo "== pre-commit try-repo . (the hook builds the package from this repository)"
# The hook's virtualenv builds this repository with maturin: same profile and target folder as
# the tests, so nothing is compiled twice.
for space in good bad; do
    want=$([ "$space" = good ] && echo 0 || echo 1)
    (cd "$work/$space" && expect "$want" "pre-commit try-repo . on the $space Space" \
        env CARGO_TARGET_DIR="$target" MATURIN_PEP517_ARGS="--profile dev" \
        "$tools/bin/pre-commit" try-repo "$root" spacecheck --all-files)
done

echo "== the pre-commit mirror (the wheel, no Rust)"
mirror="$work/mirror"
cp -r python/pre-commit-mirror "$mirror"
git -C "$mirror" init --quiet
git -C "$mirror" add -A
git -C "$mirror" -c user.email=ci@example.com -c user.name=ci commit --quiet -m mirror
for space in good bad; do
    want=$([ "$space" = good ] && echo 0 || echo 1)
    # pip finds spacecheck in the folder of the wheel built above; with no cargo on PATH, a
    # build from source would fail.
    (cd "$work/$space" && expect "$want" "the mirror's hook on the $space Space" \
        env -i PATH="$(dirname "$(command -v git)"):$no_rust_path" HOME="$work" PRE_COMMIT_HOME="$PRE_COMMIT_HOME-mirror" \
        PIP_FIND_LINKS="$work/wheels" PIP_DISABLE_PIP_VERSION_CHECK=1 \
        "$tools/bin/pre-commit" try-repo "$mirror" spacecheck --all-files)
done
echo "== The crate as published: the tool, not the tests (they read ../shared)"
listed="$(cargo package --list --allow-dirty --quiet 2>/dev/null)"
if echo "$listed" | grep -E "^(tests|fixtures|scripts|benches|fuzz|python)/"; then
    echo "FAILED: cargo package ships test data"
    exit 1
fi
echo "$listed" | grep -q "^src/main.rs$" || { echo "FAILED: cargo package lists no src/main.rs"; exit 1; }
echo "ok: cargo package lists $(echo "$listed" | wc -l) files, none of tests/, fixtures/ or ../shared"
echo "Python distribution: all checks passed"
