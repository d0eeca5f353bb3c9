//! In-process lint throughput over the real corpus (`cargo bench --bench throughput`).
//!
//! Two figures: loading + linting each Space from disk (what one `spacecheck DIR` does, minus
//! process start), on one thread and on every core; and linting Spaces already loaded.

// The allocator of the binary (src/main.rs), so the figures are the tool's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::PathBuf;
use std::time::Instant;

use spacecheck::lint::{self, Options};
use spacecheck::policy::Policy;
use spacecheck::space::Space;

fn main() {
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/real");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .expect("../shared/corpus/real")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let policy = Policy::baseline();
    let options = Options::default();
    let rounds = 20;
    let lint_dirs = |dirs: &[PathBuf]| {
        let mut findings = 0usize;
        for d in dirs {
            let space = Space::load(d).expect("space");
            findings += lint::lint(&space, &policy, &options).diagnostics.len();
        }
        findings
    };
    // Warm the page cache and the lazily compiled regexes.
    let findings = lint_dirs(&dirs);

    let start = Instant::now();
    for _ in 0..rounds {
        lint_dirs(&dirs);
    }
    let one = (rounds * dirs.len()) as f64 / start.elapsed().as_secs_f64();

    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let start = Instant::now();
    std::thread::scope(|s| {
        for chunk in dirs.chunks(dirs.len().div_ceil(threads)) {
            s.spawn(|| {
                for _ in 0..rounds {
                    lint_dirs(chunk);
                }
            });
        }
    });
    let all = (rounds * dirs.len()) as f64 / start.elapsed().as_secs_f64();

    let loaded: Vec<Space> = dirs.iter().map(|d| Space::load(d).expect("space")).collect();
    let start = Instant::now();
    for _ in 0..rounds {
        for space in &loaded {
            std::hint::black_box(lint::lint(space, &policy, &options));
        }
    }
    let lint_only = (rounds * loaded.len()) as f64 / start.elapsed().as_secs_f64();

    println!("corpus: {} Spaces, {findings} findings, {rounds} rounds", dirs.len());
    println!("load + lint, 1 thread:  {one:>8.0} Spaces/s");
    println!("load + lint, {threads} threads: {all:>8.0} Spaces/s");
    println!("lint only (loaded), 1 thread: {lint_only:>8.0} Spaces/s");
}
