//! The red team's inputs that cost minutes or gigabytes: each family now works under its budget
//! ([`spacecheck::budget`]). Each case runs the binary on a hostile Space and must finish
//! within 10 s using under 100 MB, with a note naming the budget where one ran out (the fact
//! is unknown, never guessed). Linear growth itself is checked by `tests/scaling.rs`.

mod support {
    pub mod measure;
}

use std::path::Path;
use std::process::Command;
use std::time::Duration;

const README: &str = "---\nsdk: docker\napp_port: 7860\n---\n";
const SERVE: &str = "CMD [\"python\", \"-m\", \"http.server\", \"7860\"]\n";

/// Runs spacecheck with `args` on a Space of `files`: (stdout, exit code, peak KiB, time).
fn run(files: &[(&str, String)], args: &[&str]) -> (String, i32, i64, Duration) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("README.md"), README).unwrap();
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    measured(dir.path(), args)
}

fn measured(dir: &Path, args: &[&str]) -> (String, i32, i64, Duration) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_spacecheck"));
    command.arg(dir).args(args);
    let m = support::measure::run(&mut command, b"");
    let code = m.output.status.code().unwrap_or(-1);
    (String::from_utf8_lossy(&m.output.stdout).into_owned(), code, m.peak_kib, m.took)
}

fn assert_bounded(name: &str, out: &(String, i32, i64, Duration), note: Option<&str>) {
    let (stdout, code, kib, took) = out;
    assert!((0..=1).contains(code), "{name}: exit {code}");
    assert!(*kib < 100 * 1024, "{name}: {kib} KiB");
    assert!(*took < Duration::from_secs(10), "{name}: {took:?}");
    if let Some(note) = note {
        let v: serde_json::Value = serde_json::from_str(stdout).unwrap();
        let notes = v["notes"].as_array().map(|a| a.iter().filter_map(|n| n.as_str()).collect::<Vec<_>>());
        assert!(notes.iter().flatten().any(|n| n.contains(note)), "{name}: no note with `{note}`: {:?}", v["notes"]);
    }
}

#[test]
fn env_values_doubled_forty_times() {
    let mut df = String::from("FROM python:3.11\nENV A0=abcdefgh\n");
    for i in 0..40 {
        df.push_str(&format!("ENV A{}=$A{i}$A{i}\n", i + 1));
    }
    df.push_str(SERVE);
    let out = run(&[("Dockerfile", df)], &["--format", "json"]);
    assert_bounded("ENV doubling", &out, Some("expanded"));
}

#[test]
fn five_thousand_relative_workdirs() {
    let df = format!("FROM python:3.11\n{}{SERVE}", "WORKDIR a\n".repeat(5000));
    let out = run(&[("Dockerfile", df)], &["--format", "json"]);
    assert_bounded("WORKDIR chain", &out, Some("PATH_MAX"));
}

#[test]
fn a_chain_of_five_thousand_stages() {
    let mut df = String::from("FROM python:3.11 AS s0\n");
    for i in 0..5000 {
        df.push_str(&format!("FROM s{i} AS s{}\n", i + 1));
    }
    df.push_str(SERVE);
    let out = run(&[("Dockerfile", df)], &["--format", "json"]);
    assert_bounded("stage chain", &out, Some("stages"));
}

#[test]
fn nginx_blocks_nested_eight_thousand_deep() {
    let df = format!(
        "FROM python:3.11\nRUN apt-get update && apt-get install -y nginx\nCOPY nginx.conf /etc/nginx/nginx.conf\n{}",
        "CMD [\"nginx\", \"-g\", \"daemon off;\"]\n"
    );
    let conf = format!("http {{\n{}{}}}\n", "a {\n".repeat(8000), "}\n".repeat(8000));
    let out = run(&[("Dockerfile", df), ("nginx.conf", conf)], &["--format", "json"]);
    assert_bounded("nginx nesting", &out, Some("nested"));
}

#[test]
fn a_half_megabyte_dockerignore() {
    let df = format!("FROM python:3.11\nCOPY . .\n{SERVE}");
    let ignore = "**/\n".repeat(125_000) + &(0..20_000).map(|i| format!("d{i}/**\n")).collect::<String>();
    let out =
        run(&[("Dockerfile", df), (".dockerignore", ignore), ("app.py", "print(1)\n".into())], &["--format", "json"]);
    assert_bounded(".dockerignore", &out, Some(".dockerignore patterns"));
}

#[test]
fn a_megabyte_of_suppression_comments() {
    let df = format!("FROM python:3.11\n{}{SERVE}", "# spacecheck: ignore=DF004\n".repeat((1 << 20) / 27));
    let out = run(&[("Dockerfile", df)], &["--format", "json"]);
    assert_bounded("suppressions", &out, None);
}

#[test]
fn a_requirement_with_three_hundred_thousand_extras() {
    let df = format!("FROM python:3.11\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n{SERVE}");
    let reqs = format!("uvicorn[{}]\nfastapi\n", (0..300_000).map(|i| format!("e{i}")).collect::<Vec<_>>().join(","));
    let out = run(&[("Dockerfile", df), ("requirements.txt", reqs)], &["--format", "json"]);
    assert_bounded("extras", &out, Some("requirement line"));
}

#[test]
fn sixty_thousand_run_lines() {
    let df = format!("FROM python:3.11\n{}{SERVE}", "RUN echo hi\n".repeat(60_000));
    let out = run(&[("Dockerfile", df)], &["--format", "json"]);
    assert_bounded("RUN lines", &out, Some("instructions is not checked"));
}

/// `--diff` of a fix on a Dockerfile of 9,000 `COPY . .` lines (under the instruction budget):
/// one lint per pass, not one per fix.
#[test]
fn a_diff_over_nine_thousand_copies() {
    let df = format!("FROM python:3.11\n{}CMD ['python', '-m', 'http.server', '7860']\n", "COPY . .\n".repeat(9_000));
    let out = run(&[("Dockerfile", df)], &["--diff"]);
    let (stdout, code, kib, took) = &out;
    assert!(
        stdout.contains("+CMD [\"python\""),
        "the fix was not shown: exit {code}: {}",
        &stdout[..stdout.len().min(300)]
    );
    assert!(*kib < 100 * 1024 && *took < Duration::from_secs(10), "{kib} KiB, {took:?}");
}
