//! Assignment mode: derived values, each GA rule (fires / near miss), the grader's verdict, and
//! the example student end to end against the fake Hub.

mod support {
    pub mod fake_hub;
}

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use assert_cmd::Command;
use serde_json::Value;
use support::fake_hub::{FakeHub, TOKEN};

const EMAIL: &str = "23f1000000@ds.study.iitm.ac.in";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn hub() -> &'static FakeHub {
    static HUB: OnceLock<FakeHub> = OnceLock::new();
    HUB.get_or_init(FakeHub::start)
}

fn spacecheck() -> Command {
    let mut c = Command::cargo_bin("spacecheck").expect("bin");
    c.current_dir(repo())
        .env("NO_COLOR", "1")
        .env("HF_ENDPOINT", hub().endpoint())
        .env("HF_TOKEN", TOKEN)
        .env("HF_HOME", std::env::temp_dir().join("spacecheck-no-hf-home"))
        .timeout(Duration::from_secs(120));
    c
}

fn json(args: &[&str]) -> (Value, i32, String) {
    let out = spacecheck().args(args).args(["--format", "json"]).output().expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let v = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{stderr}", String::from_utf8_lossy(&out.stdout)));
    (v, out.status.code().unwrap_or(-1), stderr)
}

fn codes(v: &Value) -> Vec<String> {
    v["diagnostics"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap().to_string()).collect()
}

/// A copy of the example student's Space with one file changed.
fn student_with(change: &dyn Fn(&Path)) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for f in ["README.md", "Dockerfile", "requirements.txt", "main.py"] {
        std::fs::copy(repo().join("fixtures/student-example").join(f), dir.path().join(f)).unwrap();
    }
    change(dir.path());
    dir
}

fn edit(dir: &Path, file: &str, from: &str, to: &str) {
    let p = dir.join(file);
    let text = std::fs::read_to_string(&p).unwrap();
    assert!(text.contains(from), "{file} lacks {from:?}");
    std::fs::write(p, text.replacen(from, to, 1)).unwrap();
}

fn lint_student(dir: &Path, extra: &[&str]) -> (Value, i32) {
    let mut args = vec![dir.to_str().unwrap(), "--assignment", "ga2", "--email", EMAIL];
    args.extend_from_slice(extra);
    let (v, code, _) = json(&args);
    (v, code)
}

#[test]
fn show_prints_the_derived_values() {
    let out = spacecheck().args(["assignment", "show", "q-huggingface-docker", "--email", EMAIL]).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["space_name"], "ga2-084d53");
    assert_eq!(v["secret"], "GA2_TOKEN_1318");
    assert_eq!(v["app_port"], 7349);
    assert_eq!(v["description"], "deployment-ready-ga2-084d53");
    let list = spacecheck().args(["assignment", "list"]).output().unwrap();
    assert!(String::from_utf8_lossy(&list.stdout).contains("q-huggingface-docker (alias ga2)"));
    assert_eq!(
        spacecheck().args(["assignment", "show", "ga9", "--email", EMAIL]).output().unwrap().status.code(),
        Some(2)
    );
}

#[test]
fn the_example_student_passes_locally() {
    let (v, code) = lint_student(&repo().join("fixtures/student-example"), &[]);
    assert_eq!(code, 0, "{v}");
    assert!(codes(&v).is_empty(), "{:?}", codes(&v));
    assert_eq!(v["grader"]["verdict"], "INCOMPLETE");
}

#[test]
fn each_ga_rule_fires_and_its_near_miss_does_not() {
    type Change = Box<dyn Fn(&Path)>;
    let cases: Vec<(&str, Change, Change)> = vec![
        (
            "GA001",
            Box::new(|d| edit(d, "README.md", "title: ga2-084d53", "title: My Space")),
            Box::new(|d| edit(d, "README.md", "emoji: 🐳", "emoji: 🚀")),
        ),
        (
            "GA002",
            Box::new(|d| edit(d, "Dockerfile", "USER user", "USER 1000")),
            Box::new(|d| edit(d, "Dockerfile", "USER user", "USER user\n# user 1000")),
        ),
        (
            "GA003",
            Box::new(|d| edit(d, "Dockerfile", "EXPOSE 7349", "EXPOSE $APP_PORT")),
            Box::new(|d| edit(d, "Dockerfile", "EXPOSE 7349", "EXPOSE 7349 80")),
        ),
        (
            "GA004",
            Box::new(|d| edit(d, "Dockerfile", "ENV APP_PORT=7349", "ENV PORT=7349")),
            Box::new(|d| edit(d, "Dockerfile", "ENV APP_PORT=7349", "ENV  APP_PORT=7349")),
        ),
        (
            "GA005",
            Box::new(|d| edit(d, "requirements.txt", "uvicorn[standard]==0.32.1", "gunicorn")),
            Box::new(|d| edit(d, "requirements.txt", "fastapi", "FastAPI")),
        ),
        (
            "GA006",
            Box::new(|d| edit(d, "README.md", "app_port: 7349", "app_port: \"7349\"")),
            Box::new(|d| edit(d, "README.md", "app_port: 7349", "app_port:    7349")),
        ),
    ];
    for (code, fire, near) in cases {
        let (v, exit) = lint_student(student_with(&*fire).path(), &[]);
        assert!(codes(&v).contains(&code.to_string()), "{code} should fire: {:?}", codes(&v));
        assert_eq!(exit, 1);
        let (v, _) = lint_student(student_with(&*near).path(), &[]);
        assert!(!codes(&v).iter().any(|c| c.starts_with("GA")), "{code} near miss fired: {:?}", codes(&v));
    }
    // GA005 also when requirements.txt is missing.
    let (v, _) = lint_student(student_with(&|d| std::fs::remove_file(d.join("requirements.txt")).unwrap()).path(), &[]);
    assert!(codes(&v).contains(&"GA005".to_string()));
}

#[test]
fn user_1000_works_but_fails_the_grader_and_says_so() {
    let dir = student_with(&|d| edit(d, "Dockerfile", "USER user", "USER 1000"));
    let (v, _) = lint_student(dir.path(), &[]);
    let ga2 = v["diagnostics"].as_array().unwrap().iter().find(|d| d["code"] == "GA002").unwrap();
    assert!(ga2["message"].as_str().unwrap().contains("would still run as UID 1000"), "{ga2}");
    assert!(!codes(&v).contains(&"DF005".to_string()), "the Space itself is fine");
    assert_eq!(v["grader"]["check"], 9);
}

#[test]
fn ga008_submission_url() {
    let dir = repo().join("fixtures/student-example");
    for (url, fires) in [
        ("https://huggingface.co/spaces/alice/ga2-084d53", false),
        ("https://huggingface.co/spaces/alice/ga2-084d53/", true),
        ("huggingface.co/spaces/alice/ga2-084d53", true),
        ("https://huggingface.co/spaces/alice/other-name", true),
    ] {
        let (v, _) = lint_student(&dir, &["--submission", url]);
        assert_eq!(codes(&v).contains(&"GA008".to_string()), fires, "{url}: {:?}", codes(&v));
    }
    // The trailing slash passes check 1 and breaks the raw downloads: the verdict says where.
    let (v, _) = lint_student(&dir, &["--submission", "https://huggingface.co/spaces/alice/ga2-084d53/"]);
    assert_eq!(v["grader"]["check"], 9, "{}", v["grader"]);
}

#[test]
fn compliant_student_space_passes_end_to_end() {
    let (v, code, stderr) = json(&["hf://acme/ga2-084d53", "--assignment", "ga2", "--email", EMAIL, "--retries", "1"]);
    assert_eq!(code, 0, "{v}\n{stderr}");
    assert!(codes(&v).is_empty(), "{:?}", codes(&v));
    assert_eq!(v["grader"]["verdict"], "PASS");
    let human = spacecheck().args(["hf://acme/ga2-084d53", "--assignment", "ga2", "--email", EMAIL]).output().unwrap();
    let text = String::from_utf8_lossy(&human.stdout);
    assert_eq!(text.lines().last(), Some("grader: PASS"), "{text}");
}

#[test]
fn sleeping_student_space_fails_ga007_with_the_graders_message() {
    let (v, code, _) =
        json(&["hf://sleepy/ga2-084d53", "--assignment", "ga2", "--email", EMAIL, "--retries", "1", "--timeout", "3"]);
    assert_eq!(code, 1);
    let ga7 = v["diagnostics"].as_array().unwrap().iter().find(|d| d["code"] == "GA007").expect("GA007");
    assert!(ga7["message"].as_str().unwrap().contains("Space hardware must be cpu-basic"), "{ga7}");
    assert!(ga7["help"].as_str().unwrap().contains("wake or restart the Space, wait until it is Running, then submit"));
    assert_eq!(v["grader"]["check"], 12);
    let human = spacecheck()
        .args(["hf://sleepy/ga2-084d53", "--assignment", "ga2", "--email", EMAIL, "--retries", "1", "--timeout", "3"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(
        text.lines().last().unwrap().starts_with("grader: FAIL at check 12: Space hardware must be cpu-basic"),
        "{text}"
    );
}

#[test]
fn local_folder_with_space_reads_the_hubs_files_for_the_verdict() {
    let dir = student_with(&|_| {});
    let (v, _, _) =
        json(&[dir.path().to_str().unwrap(), "--space", "acme/ga2-084d53", "--assignment", "ga2", "--email", EMAIL]);
    assert_eq!(v["grader"]["verdict"], "PASS", "{}", v["grader"]);
    let dir = student_with(&|d| edit(d, "README.md", "title: ga2-084d53", "title: Local Title"));
    let (v, _, _) =
        json(&[dir.path().to_str().unwrap(), "--space", "acme/ga2-084d53", "--assignment", "ga2", "--email", EMAIL]);
    // GA001 reads the local README (what the next push will send) ...
    assert!(codes(&v).contains(&"GA001".to_string()), "{:?}", codes(&v));
    // ... while the verdict replays the grader on the Hub's files, which are still right.
    assert_eq!(v["grader"]["verdict"], "PASS", "{}", v["grader"]);
}

#[test]
fn assignment_and_policy_do_not_mix() {
    let out = spacecheck()
        .args([
            "fixtures/student-example",
            "--assignment",
            "ga2",
            "--email",
            EMAIL,
            "--policy",
            "rules/ga2-f0af22.yaml",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = spacecheck().args(["fixtures/student-example", "--assignment", "ga2"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}
