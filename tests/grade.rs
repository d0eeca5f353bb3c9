//! Batch grading against the fake Hub: every row reported correctly, bad rows are rows, no token
//! in any output.

mod support {
    pub mod fake_hub;
}

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use assert_cmd::Command;
use serde_json::Value;
use support::fake_hub::{FakeHub, TOKEN};

fn hub() -> &'static FakeHub {
    static HUB: OnceLock<FakeHub> = OnceLock::new();
    HUB.get_or_init(FakeHub::start)
}

fn spacecheck(token: Option<&str>) -> Command {
    let mut c = Command::cargo_bin("spacecheck").expect("bin");
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("HF_ENDPOINT", hub().endpoint())
        .env("HF_HOME", std::env::temp_dir().join("spacecheck-grade-no-home"))
        .env_remove("HF_TOKEN")
        .env_remove("HUGGING_FACE_HUB_TOKEN")
        .timeout(Duration::from_secs(180));
    if let Some(t) = token {
        c.env("HF_TOKEN", t);
    }
    c
}

fn roster(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("roster.csv");
    std::fs::write(&p, text).unwrap();
    (dir, p)
}

const POLICY: &str = "tests/support/hub-policy.yaml";

#[test]
fn a_mixed_roster_is_reported_row_by_row() {
    let (dir, path) = roster(
        "student,space\n\
         ok,acme/compliant\n\
         url,https://huggingface.co/spaces/acme/compliant/\n\
         hardware,acme/wrong-hardware\n\
         missing,acme/nope\n\
         limited,acme/rate-limited\n\
         broken,acme/failing\n\
         malformed,https://example.com/x\n\
         \n\
         \"quoted, name\",acme/private\n",
    );
    let out_path = dir.path().join("report.json");
    let out = spacecheck(Some(TOKEN))
        .args([
            "grade",
            path.to_str().unwrap(),
            "--policy",
            POLICY,
            "--concurrency",
            "4",
            "--retries",
            "2",
            "--timeout",
            "5",
            "--out",
            out_path.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains(TOKEN));
    let report = std::fs::read_to_string(&out_path).unwrap();
    assert!(!report.contains(TOKEN));
    let rows: Vec<Value> = serde_json::from_str(&report).unwrap();
    assert_eq!(rows.len(), 8, "{report}");
    let by = |student: &str| {
        rows.iter().find(|r| r["student"] == student).unwrap_or_else(|| panic!("{student} missing in {report}"))
    };
    assert_eq!(by("ok")["result"], "pass");
    assert_eq!(by("url")["result"], "pass");
    assert_eq!(by("hardware")["result"], "fail");
    assert_eq!(by("hardware")["failing_codes"], serde_json::json!(["HUB003"]));
    assert_eq!(by("missing")["result"], "fail");
    assert_eq!(by("missing")["failing_codes"], serde_json::json!(["HUB001"]));
    assert_eq!(by("limited")["result"], "pass", "429 then fine");
    assert_eq!(by("broken")["result"], "error");
    assert!(by("broken")["error"].as_str().unwrap().contains("HTTP 500"));
    assert_eq!(by("malformed")["result"], "error");
    assert_eq!(by("quoted, name")["failing_codes"], serde_json::json!(["HUB002"]));
    assert!(stderr.contains("graded 8 Spaces in "), "{stderr}");
    assert!(stderr.contains("3 passed, 3 failed, 2 could not be checked"), "{stderr}");
}

#[test]
fn csv_to_stdout_and_assignment_rosters() {
    let (_dir, path) = roster("email,space\n23f1000000@ds.study.iitm.ac.in,https://huggingface.co/spaces/acme/ga2-084d53\n23f1000000@ds.study.iitm.ac.in,sleepy/ga2-084d53\n,acme/ga2-084d53\n");
    let out = spacecheck(Some(TOKEN))
        .args(["grade", path.to_str().unwrap(), "--assignment", "ga2", "--retries", "1"])
        .output()
        .unwrap();
    let csv = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "row,space,student,email,result,failing_codes,grader,error");
    let row = |n: &str| {
        lines.iter().find(|l| l.starts_with(&format!("{n},"))).unwrap_or_else(|| panic!("row {n} in {csv}")).to_string()
    };
    assert!(row("1").contains(",pass,") && row("1").contains("grader: PASS"), "{csv}");
    assert!(
        row("2").contains(",fail,") && row("2").contains("GA007") && row("2").contains("FAIL at check 12"),
        "{csv}"
    );
    assert!(row("3").contains(",error,") && row("3").contains("no email"), "{csv}");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn roster_problems_are_exit_2() {
    let (_dir, path) = roster("name,url2\nx,y\n");
    let out = spacecheck(None).args(["grade", path.to_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no `space` column"));
    let out = spacecheck(None).args(["grade", "/no/such/roster.csv"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_large_roster_streams() {
    // 2,000 rows of the same Space: the report has every row and the batch finishes.
    let mut text = String::from("space\n");
    for _ in 0..2000 {
        text.push_str("acme/compliant\n");
    }
    let (_dir, path) = roster(&text);
    let out = spacecheck(None)
        .args(["grade", path.to_str().unwrap(), "--policy", POLICY, "--concurrency", "32"])
        .output()
        .unwrap();
    let csv = String::from_utf8_lossy(&out.stdout);
    assert_eq!(csv.lines().count(), 2001);
    assert!(
        csv.lines().skip(1).all(|l| l.contains(",pass,")),
        "{}",
        csv.lines().find(|l| !l.contains(",pass,")).unwrap_or("")
    );
}

/// A student's app answering 429 with `Retry-After: 330` fails its own row at once; the batch
/// (whose client waits out the Hub's windows) is not paused by it.
#[test]
fn a_throttling_app_does_not_pause_the_batch() {
    let (dir, path) = roster("student,space\nthrottled,acme/app-throttled\nok,acme/compliant\n");
    let out_path = dir.path().join("report.csv");
    let start = std::time::Instant::now();
    let out = spacecheck(Some(TOKEN))
        .args(["grade", path.to_str().unwrap(), "--policy", POLICY, "--out", out_path.to_str().unwrap()])
        .args(["--timeout", "5", "--retries", "2"])
        .output()
        .unwrap();
    assert!(start.elapsed() < Duration::from_secs(20), "took {:?}", start.elapsed());
    let report = std::fs::read_to_string(&out_path).unwrap();
    let throttled = report.lines().find(|l| l.contains("app-throttled")).expect("the row");
    assert!(throttled.contains("fail") && throttled.contains("APP001"), "{report}");
    assert!(report.lines().any(|l| l.contains("acme/compliant") && l.contains(",pass,")), "{report}");
    assert_eq!(out.status.code(), Some(1));
}

/// Cells a spreadsheet would run as formulas are neutralised.
#[test]
fn report_cells_are_never_formulas() {
    let (dir, path) = roster("student,space\n=HYPERLINK(\"http://x\"),acme/compliant\n+1,@SUM(A1)\n");
    let out_path = dir.path().join("report.csv");
    spacecheck(Some(TOKEN))
        .args(["grade", path.to_str().unwrap(), "--policy", POLICY, "--out", out_path.to_str().unwrap()])
        .output()
        .unwrap();
    let report = std::fs::read_to_string(&out_path).unwrap();
    for line in report.lines().skip(1) {
        for cell in line.split(',') {
            let cell = cell.trim_start_matches('"');
            assert!(!cell.starts_with(['=', '+', '-', '@']), "{cell} in {report}");
        }
    }
}

/// An unclosed quote in a roster ends the read at 1 MiB with the line, never growing without
/// bound.
#[test]
fn an_unclosed_quote_is_bounded() {
    let mut text = String::from("student,space\n\"never closed,acme/compliant\n");
    let line = "x".repeat(1000) + "\n";
    while text.len() < 3 << 20 {
        text.push_str(&line);
    }
    let (_dir, path) = roster(&text);
    let start = std::time::Instant::now();
    let out = spacecheck(Some(TOKEN)).args(["grade", path.to_str().unwrap(), "--policy", POLICY]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("quoted field") && stderr.contains("1 MiB"), "{stderr}");
    assert!(start.elapsed() < Duration::from_secs(10));
}

/// Against a fake Hub enforcing the Hub's fixed window (50 `/api/*` calls per 3 s), a 300-Space
/// batch paced by the `RateLimit` headers gets no 429, and takes about calls ÷ rate: the limit,
/// not the pacing, sets its speed.
#[test]
fn a_batch_paced_by_the_window_gets_no_429() {
    use std::sync::atomic::Ordering;
    use support::fake_hub::{FixedWindow, HubState};
    let (quota, width) = (50u64, Duration::from_secs(3));
    let limited = FakeHub::start_with(HubState::default());
    let mut text = String::from("space\n");
    for _ in 0..300 {
        text.push_str("acme/compliant\n");
    }
    let (_dir, path) = roster(&text);
    *limited.state.api_window.lock().unwrap() = Some(FixedWindow::new(quota, width));
    let start = std::time::Instant::now();
    let out = spacecheck(None)
        .env("HF_ENDPOINT", limited.endpoint())
        .args(["grade", path.to_str().unwrap(), "--policy", POLICY, "--concurrency", "16"])
        .output()
        .unwrap();
    let took = start.elapsed();
    let csv = String::from_utf8_lossy(&out.stdout);
    assert_eq!(csv.lines().filter(|l| l.contains(",pass,")).count(), 300, "{}", String::from_utf8_lossy(&out.stderr));
    let calls = limited.state.api_calls.load(Ordering::Relaxed);
    let refused = limited.state.api_refused.load(Ordering::Relaxed);
    assert_eq!(refused, 0, "429s at steady state ({calls} calls answered)");
    assert!(calls >= 300, "{calls}");
    let ideal = width.as_secs_f64() * calls as f64 / quota as f64;
    assert!(took.as_secs_f64() <= 1.3 * ideal, "took {took:?} for {calls} calls; calls ÷ rate is {ideal:.1} s");
    eprintln!("paced batch: {calls} calls in {took:?} (calls ÷ rate = {ideal:.1} s)");
}
