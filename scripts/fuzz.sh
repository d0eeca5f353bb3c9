#!/usr/bin/env bash
# Fuzzes the Dockerfile and frontmatter paths for SECONDS each (default 30), seeded from
# fixtures/ and ../shared/corpus/real. `scripts/fuzz.sh ci` instead runs a fixed, seeded number
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
mkdir -p fuzz/corpus/dockerfile fuzz/corpus/frontmatter
n=0
for f in fixtures/*/Dockerfile fixtures/examples/*/Dockerfile ../shared/corpus/real/*/Dockerfile ../shared/corpus/buildkit/testfiles/*/Dockerfile tests/fuzz_regressions/dockerfile/*; do
    [ -f "$f" ] && cp "$f" "fuzz/corpus/dockerfile/seed-$n" && n=$((n + 1))
done
for f in fixtures/*/README.md fixtures/examples/*/README.md ../shared/corpus/real/*/README.md tests/fuzz_regressions/frontmatter/*; do
    [ -f "$f" ] && cp "$f" "fuzz/corpus/frontmatter/seed-$n" && n=$((n + 1))
done
cd fuzz
for target in dockerfile frontmatter; do
    echo "== fuzzing $target (${budget[*]})"
    cargo fuzz run -s none "$target" "corpus/$target" -- "${budget[@]}" -max_len=65536 -timeout=10 -rss_limit_mb=2048
done
