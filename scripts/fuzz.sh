#!/usr/bin/env bash
# Fuzzes the Dockerfile and frontmatter paths and the report writers for SECONDS each (default
# 30), seeded from fixtures/ and ../shared/corpus/real (and hostile report strings). `scripts/fuzz.sh ci` instead runs a fixed, seeded number
# of inputs per target (deterministic: CI cannot turn red by chance). Installs cargo-fuzz if needed. The machine's toolchain is
# stable: RUSTC_BOOTSTRAP lets cargo-fuzz use its unstable flags, and `-s none` skips the
# sanitizer runtime (Rust panics still abort and are reported as crashes). Crashes land in
# fuzz/artifacts/; copy them to tests/fuzz_regressions/<target>/ to keep them as tests.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
if [ "$seconds" = ci ]; then
    budget=(-runs=20000 -seed=1)
else
    budget=(-max_total_time="$seconds")
fi
command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz
export RUSTC_BOOTSTRAP=1
mkdir -p fuzz/corpus/dockerfile fuzz/corpus/frontmatter fuzz/corpus/reports
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
cd fuzz
for target in dockerfile frontmatter reports; do
    runs=("${budget[@]}")
    # Every report input renders all seven formats (SARIF carries the whole rule catalogue):
    # about 60 inputs a second, so CI gives it 2,000.
    if [ "$seconds" = ci ] && [ "$target" = reports ]; then
        runs=(-runs=2000 -seed=1)
    fi
    echo "== fuzzing $target (${runs[*]})"
    cargo fuzz run -s none "$target" "corpus/$target" -- "${runs[@]}" -max_len=65536 -timeout=10 -rss_limit_mb=2048
done
