//! Grading throughput against the fake Hub with injected latency (`cargo bench --bench grading`).
//!
//! Runs `spacecheck grade` (the release binary, `SPACECHECK_BIN`) over a roster of N Spaces at
//! concurrency C with L ms added to every answer, and compares the wall time with
//! - the ideal the issue defines: requests × latency / concurrency;
//! - a sequential script with the real Python client doing the same checks
//!   (`scripts/sequential_grader.py`), timed on a sample of the roster and scaled to N.

#[path = "../tests/support/fake_hub.rs"]
mod fake_hub;

use std::process::Command;
use std::sync::atomic::Ordering;
use std::time::Instant;

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    let n = env_num("GRADE_SPACES", 1000);
    let concurrency = env_num("GRADE_CONCURRENCY", 16);
    let latency = env_num("GRADE_LATENCY_MS", 100);
    let sample = env_num("GRADE_PYTHON_SAMPLE", 30);
    let root = env!("CARGO_MANIFEST_DIR");
    let bin = std::env::var("SPACECHECK_BIN").unwrap_or_else(|_| format!("{root}/target/release/spacecheck"));
    let hub = fake_hub::FakeHub::start();
    hub.state.latency_ms.store(latency, Ordering::Relaxed);
    let dir = tempfile::tempdir().expect("tempdir");
    let roster = dir.path().join("roster.csv");
    let mut text = String::from("space\n");
    for _ in 0..n {
        text.push_str("acme/compliant\n");
    }
    std::fs::write(&roster, text).expect("roster");

    let count_before: usize = hub.state.hits.lock().unwrap().values().sum();
    let start = Instant::now();
    // GNU time reports the peak memory (max RSS) of the grading process.
    let timed = std::path::Path::new("/usr/bin/time").exists();
    let mut command = if timed {
        let mut c = Command::new("/usr/bin/time");
        c.args(["-f", "peak-rss-kib=%M", &bin]);
        c
    } else {
        Command::new(&bin)
    };
    let out = command
        .args([
            "grade",
            roster.to_str().unwrap(),
            "--policy",
            &format!("{root}/tests/support/hub-policy.yaml"),
            "--concurrency",
            &concurrency.to_string(),
        ])
        .env("HF_ENDPOINT", hub.endpoint())
        .env_remove("HF_TOKEN")
        .env("HF_HOME", dir.path())
        .output()
        .expect("spacecheck grade");
    let wall = start.elapsed().as_secs_f64();
    let requests: usize = hub.state.hits.lock().unwrap().values().sum::<usize>() - count_before;
    let passed = String::from_utf8_lossy(&out.stdout).lines().filter(|l| l.contains(",pass,")).count();
    assert_eq!(passed as u64, n, "every row should pass: {}", String::from_utf8_lossy(&out.stderr));
    let ideal = requests as f64 * latency as f64 / 1000.0 / concurrency as f64;

    println!("grading {n} Spaces at concurrency {concurrency}, {latency} ms per answer");
    println!("spacecheck grade: {wall:.2} s wall, {requests} requests ({:.1} per Space)", requests as f64 / n as f64);
    println!("ideal (requests x latency / concurrency): {ideal:.2} s -> spacecheck at {:.2}x the ideal", wall / ideal);
    if let Some(kib) = String::from_utf8_lossy(&out.stderr)
        .lines()
        .find_map(|l| l.strip_prefix("peak-rss-kib=").and_then(|v| v.trim().parse::<f64>().ok()))
    {
        println!("spacecheck grade peak memory: {:.1} MiB", kib / 1024.0);
    }

    let python = format!("{root}/target/bench-venv/bin/python");
    if std::path::Path::new(&python).exists() {
        let start = Instant::now();
        let status = Command::new(&python)
            .args([&format!("{root}/scripts/sequential_grader.py"), &sample.to_string()])
            .env("HF_ENDPOINT", hub.endpoint())
            .env("HF_HOME", dir.path())
            .env("HF_HUB_DISABLE_TELEMETRY", "1")
            .status()
            .expect("python");
        assert!(status.success());
        let per_space = start.elapsed().as_secs_f64() / sample as f64;
        let scaled = per_space * n as f64;
        println!("sequential Python client: {per_space:.3} s per Space (sample of {sample}) -> {scaled:.1} s for {n}; spacecheck is {:.1}x faster", scaled / wall);
    } else {
        println!("sequential Python client: skipped (run scripts/bench.sh, which installs huggingface_hub in target/bench-venv)");
    }
}
