"""Per-Space process time: spacecheck DIR against hadolint DIR/Dockerfile, one process each.

Usage: per_process.py SPACECHECK HADOLINT CORPUS_DIR. Prints the median over 5 sweeps of the
corpus of the mean wall time per Space, for each tool, and their ratio.
"""

import os
import statistics
import subprocess
import sys
import time


def sweep(argv_for, dirs):
    start = time.perf_counter()
    for d in dirs:
        subprocess.run(argv_for(d), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return (time.perf_counter() - start) / len(dirs)


def main():
    spacecheck, hadolint, corpus = sys.argv[1:4]
    dirs = sorted(os.path.join(corpus, d) for d in os.listdir(corpus) if os.path.isfile(os.path.join(corpus, d, "Dockerfile")))
    tools = {
        "spacecheck": lambda d: [spacecheck, d, "--format", "json"],
        "hadolint": lambda d: [hadolint, "--no-fail", os.path.join(d, "Dockerfile")],
    }
    results = {}
    for name, argv_for in tools.items():
        sweep(argv_for, dirs[:20])  # warm caches
        results[name] = statistics.median(sweep(argv_for, dirs) for _ in range(5))
    for name, per in results.items():
        print(f"{name:<10} {per * 1000:7.2f} ms per Space ({len(dirs)} Spaces, one process each, median of 5 sweeps)")
    print(f"spacecheck / hadolint: {results['spacecheck'] / results['hadolint']:.3f}")
    # Peak memory of one spacecheck process, over every Space of the corpus (GNU time's %M, KiB).
    if os.path.exists("/usr/bin/time"):
        peak = 0
        for d in dirs:
            r = subprocess.run(["/usr/bin/time", "-f", "%M", spacecheck, d, "--format", "json"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False)
            peak = max(peak, int(r.stderr.strip().splitlines()[-1]))
        print(f"spacecheck peak memory, largest of {len(dirs)} Spaces: {peak / 1024:.1f} MiB")


if __name__ == "__main__":
    main()
