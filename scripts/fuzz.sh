#!/usr/bin/env bash
# Fuzzes the Dockerfile and frontmatter paths, the report writers, the hook's export of a pushed
# tree (hostile ls-tree listings) and the Python and manifest readers for SECONDS each (default
# 30), seeded from fixtures/ and ../shared/corpus/real (and hostile report strings and trees). `scripts/fuzz.sh ci` instead runs a fixed, seeded number
# of inputs per target (deterministic: CI cannot turn red by chance). Installs cargo-fuzz if needed. The machine's toolchain is
# stable: RUSTC_BOOTSTRAP lets cargo-fuzz use its unstable flags, and `-s none` skips the
# sanitizer runtime (Rust panics still abort and are reported as crashes). Crashes land in
# fuzz/artifacts/; copy them to tests/fuzz_regressions/<target>/ to keep them as tests.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
if [ "$seconds" = ci ]; then
    budget=(-runs=4000 -seed=1)
else
    budget=(-max_total_time="$seconds")
fi
command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz
export RUSTC_BOOTSTRAP=1
mkdir -p fuzz/corpus/dockerfile fuzz/corpus/frontmatter fuzz/corpus/reports fuzz/corpus/hook_tree fuzz/corpus/python
n=0
for f in fixtures/*/Dockerfile fixtures/examples/*/Dockerfile ../shared/corpus/real/*/Dockerfile ../shared/corpus/buildkit/testfiles/*/Dockerfile tests/fuzz_regressions/dockerfile/*; do
    [ -f "$f" ] && cp "$f" "fuzz/corpus/dockerfile/seed-$n" && n=$((n + 1))
done
for f in fixtures/*/README.md fixtures/examples/*/README.md ../shared/corpus/real/*/README.md tests/fuzz_regressions/frontmatter/*; do
    [ -f "$f" ] && cp "$f" "fuzz/corpus/frontmatter/seed-$n" && n=$((n + 1))
done
# Report seeds: message, help, label, file name and source separated by \x01, with escapes,
# workflow-command look-alikes and the fuzz target's secret (and pieces of it).
printf 'msg \033[2J\001help\n::error::x\001lbl\007\001Dock\nerfile\001FROM x\033]0;t\007\r\nRUN y\n' > fuzz/corpus/reports/seed-escapes
secret="hf_""FuzzSecretValueAbCdEfGhIjKlMnOpQr" # the reports target's fake token, in two pieces
printf 'auth%%3D%s%%26\001FuzzSecretVal\001\001f\001ENV A=%s\n' "$secret" "${secret:0:25}" > fuzz/corpus/reports/seed-secret
cp tests/fuzz_regressions/reports/* fuzz/corpus/reports/ 2>/dev/null || true
# Python seeds: the fixtures' and the corpus's code and manifests.
for f in fixtures/*/*.py ../shared/corpus/real/*/app.py ../shared/corpus/real/*/requirements.txt ../shared/corpus/real/*/pyproject.toml tests/fuzz_regressions/python/*; do
    [ -f "$f" ] && cp "$f" "fuzz/corpus/python/seed-$n" && n=$((n + 1))
done
# Hook seeds: the red team's trees as ls-tree -z listings (a link and a folder under names that
# decode alike, the same name twice, dot segments), blob ids chosen for their content.
z40=0000000000000000000000000000000000000000
e40=eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee
printf "120000 blob $z40\t\xfe\0100644 blob $e40\t\xff/.bashrc\0" > fuzz/corpus/hook_tree/seed-twins
printf "120000 blob $z40\ta\0100644 blob $e40\ta/.bashrc\0" > fuzz/corpus/hook_tree/seed-same-name
printf "100644 blob $e40\t../x\0100755 blob $e40\tb/./c\0120000 blob 1111111111111111111111111111111111111111\tl\0100644 blob $e40\tl/x\0" > fuzz/corpus/hook_tree/seed-dots
cp tests/fuzz_regressions/hook_tree/* fuzz/corpus/hook_tree/ 2>/dev/null || true
cd fuzz
for target in dockerfile frontmatter reports hook_tree python; do
    runs=("${budget[@]}")
    # CI's budget is about 35 s a target on 2 cores (release build, debug assertions, coverage):
    # a Dockerfile input lints a whole Space (about 100 inputs a second), the Python parser and
    # pep508_rs about 120 a second; every report input renders all seven formats (SARIF carries the
    # whole rule catalogue), about 15 a second; a hook tree is cheap.
    if [ "$seconds" = ci ] && [ "$target" = reports ]; then
        runs=(-runs=500 -seed=1)
    fi
    if [ "$seconds" = ci ] && [ "$target" = hook_tree ]; then
        runs=(-runs=20000 -seed=1)
    fi
    echo "== fuzzing $target (${runs[*]})"
    cargo fuzz run -s none "$target" "corpus/$target" -- "${runs[@]}" -max_len=65536 -timeout=10 -rss_limit_mb=2048
done
