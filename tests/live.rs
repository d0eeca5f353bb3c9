//! Live rules, `--space`, `hf://` and the network behaviour, against the fake Hub on 127.0.0.1.

mod support {
    pub mod fake_hub;
}

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use serde_json::Value;
use support::fake_hub::{FakeHub, TOKEN};

fn hub() -> &'static FakeHub {
    static HUB: OnceLock<FakeHub> = OnceLock::new();
    HUB.get_or_init(FakeHub::start)
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// spacecheck pointed at the fake Hub, with no token unless given, and no token file reachable.
fn spacecheck(token: Option<&str>) -> (Command, tempfile::TempDir) {
    let home = tempfile::tempdir().expect("home");
    let mut c = Command::cargo_bin("spacecheck").expect("bin");
    c.current_dir(repo())
        .env("HF_ENDPOINT", hub().endpoint())
        .env("HOME", home.path())
        .env("HF_HOME", home.path())
        .env_remove("HF_TOKEN")
        .env_remove("HUGGING_FACE_HUB_TOKEN")
        .env_remove("HF_TOKEN_PATH")
        .env("NO_COLOR", "1")
        .timeout(Duration::from_secs(120));
    if let Some(t) = token {
        c.env("HF_TOKEN", t);
    }
    (c, home)
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", self.stdout, self.stderr))
    }

    fn codes(&self) -> Vec<String> {
        self.json()["diagnostics"]
            .as_array()
            .expect("array")
            .iter()
            .map(|d| d["code"].as_str().unwrap().to_string())
            .collect()
    }

    fn skipped(&self) -> Vec<(String, String)> {
        self.json()["skipped"]
            .as_array()
            .expect("array")
            .iter()
            .map(|s| (s["code"].as_str().unwrap().into(), s["reason"].as_str().unwrap().into()))
            .collect()
    }
}

fn run(token: Option<&str>, args: &[&str]) -> Run {
    let (mut c, _home) = spacecheck(token);
    let out = c.args(args).output().expect("run");
    let r = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into(),
        stderr: String::from_utf8_lossy(&out.stderr).into(),
    };
    assert!(!r.stdout.contains(TOKEN) && !r.stderr.contains(TOKEN), "the token leaked in {args:?}");
    assert!(
        !r.stdout.contains(&TOKEN[3..16]) && !r.stderr.contains(&TOKEN[3..16]),
        "part of the token leaked in {args:?}"
    );
    r
}

const POLICY: &str = "tests/support/hub-policy.yaml";

fn remote(name: &str, token: Option<&str>, extra: &[&str]) -> Run {
    let target = format!("hf://acme/{name}");
    let mut args = vec![target.as_str(), "--format", "json", "--policy", POLICY];
    args.extend_from_slice(extra);
    if !extra.contains(&"--timeout") {
        args.extend(["--timeout", "2"]);
    }
    if !extra.contains(&"--retries") {
        args.extend(["--retries", "2"]);
    }
    run(token, &args)
}

#[test]
fn compliant_space_passes_over_hf_url() {
    let r = remote("compliant", Some(TOKEN), &[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(r.codes().iter().all(|c| c == "SC001"), "{:?}", r.codes());
    assert!(r.skipped().is_empty(), "{:?}", r.skipped());
    assert_eq!(r.json()["target"], "hf://acme/compliant");
}

#[test]
fn findings_point_at_the_remote_files() {
    // The compliant Space with a policy it fails: FM005 points into the downloaded README.md.
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("p.yaml");
    std::fs::write(&policy, "space:\n  app_port: 7000\n").unwrap();
    let r = run(Some(TOKEN), &["hf://acme/compliant", "--format", "json", "--policy", policy.to_str().unwrap()]);
    assert_eq!(r.code, 1);
    let fm5 =
        r.json()["diagnostics"].as_array().unwrap().iter().find(|d| d["code"] == "FM005").cloned().expect("FM005");
    assert_eq!(fm5["file"], "README.md");
    assert_eq!(fm5["line"].as_u64(), Some(7));
}

#[test]
fn without_a_token_secrets_are_skipped_not_passed() {
    let r = remote("compliant", None, &[]);
    assert_eq!(r.code, 0);
    let skipped = r.skipped();
    assert!(skipped.iter().any(|(c, why)| c == "HUB004" && why.contains("no token")), "{skipped:?}");
    let human = run(None, &["hf://acme/compliant", "--policy", POLICY]);
    assert!(human.stdout.contains("skipped HUB004: no token"), "{}", human.stdout);
}

#[test]
fn each_live_rule_fires_on_its_scenario() {
    let cases: &[(&str, Option<&str>, &str)] = &[
        ("does-not-exist", Some(TOKEN), "HUB001"),
        ("private", None, "HUB001"),
        ("private", Some(TOKEN), "HUB002"),
        ("wrong-hardware", Some(TOKEN), "HUB003"),
        ("missing-secret", Some(TOKEN), "HUB004"),
        ("sleeping", Some(TOKEN), "HUB006"),
        ("build-error", Some(TOKEN), "HUB006"),
        ("app-down", Some(TOKEN), "APP001"),
    ];
    for (name, token, code) in cases {
        let r = remote(name, *token, &[]);
        assert_eq!(r.code, 1, "{name}: {}\n{}", r.stdout, r.stderr);
        assert!(r.codes().contains(&code.to_string()), "{name}: expected {code} in {:?}", r.codes());
    }
    let r = remote("missing-secret", Some(TOKEN), &[]);
    let msg = r.json()["diagnostics"].as_array().unwrap().iter().find(|d| d["code"] == "HUB004").unwrap()["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(msg.contains("public *variable*"), "{msg}");
    let r = remote("sleeping", Some(TOKEN), &[]);
    let d = r.json();
    let hub6 = d["diagnostics"].as_array().unwrap().iter().find(|d| d["code"] == "HUB006").unwrap();
    assert_eq!(hub6["severity"], "warning");
    assert!(!r.codes().contains(&"HUB003".to_string()), "requested cpu-basic matches while current is null");
    let r = remote("build-error", Some(TOKEN), &[]);
    let d = r.json();
    let hub6 = d["diagnostics"].as_array().unwrap().iter().find(|d| d["code"] == "HUB006").unwrap();
    assert_eq!(hub6["severity"], "error");
    // The Hub's own words are quoted, and the credential in them is masked in every stream.
    let message = hub6["message"].as_str().unwrap();
    assert!(message.contains("the Hub says: \"Build failed with exit code: 1"), "{message}");
    let token = format!("hf_{}", "Q".repeat(34));
    assert!(!r.stdout.contains(&token) && !r.stderr.contains(&token), "{}", r.stdout);
}

#[test]
fn hub005_and_hub008_fire_on_policy_differences() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("p.yaml");
    std::fs::write(&policy, "space:\n  name: ga2-084d53\n  sdk: static\n").unwrap();
    let r = run(Some(TOKEN), &["hf://acme/compliant", "--format", "json", "--policy", policy.to_str().unwrap()]);
    let codes = r.codes();
    assert!(codes.contains(&"HUB005".to_string()) && codes.contains(&"HUB008".to_string()), "{codes:?}");
}

#[test]
fn hub007_compares_the_local_readme_with_the_hub() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("README.md"), "---\ntitle: ga2-f0af22\nsdk: docker\napp_port: 7860\nshort_description: deployment-ready-ga2-f0af22 observability API\n---\n").unwrap();
    std::fs::write(dir.path().join("Dockerfile"), support::fake_hub::DOCKERFILE).unwrap();
    let r = run(Some(TOKEN), &[dir.path().to_str().unwrap(), "--space", "acme/compliant", "--format", "json"]);
    let d = r.json();
    let drift: Vec<&Value> = d["diagnostics"].as_array().unwrap().iter().filter(|d| d["code"] == "HUB007").collect();
    assert_eq!(drift.len(), 1, "{d}");
    assert!(drift[0]["message"]
        .as_str()
        .unwrap()
        .contains("`app_port` is `7860` in the local README.md but `7255` on the Hub"));
    // The same README as the Hub's: no drift.
    std::fs::write(dir.path().join("README.md"), support::fake_hub::readme("compliant")).unwrap();
    let r = run(Some(TOKEN), &[dir.path().to_str().unwrap(), "--space", "acme/compliant", "--format", "json"]);
    assert!(!r.codes().contains(&"HUB007".to_string()), "{:?}", r.codes());
}

#[test]
fn rate_limited_then_fine_passes() {
    let before = hub().hits("info:rate-limited");
    let r = remote("rate-limited", Some(TOKEN), &["--retries", "3"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(hub().hits("info:rate-limited") >= before + 3, "the 429s were retried");
}

#[test]
fn failing_hub_exits_2_after_bounded_retries_in_bounded_time() {
    let before = hub().hits("info:failing");
    let start = Instant::now();
    let r = remote("failing", Some(TOKEN), &["--retries", "2"]);
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(hub().hits("info:failing") - before, 3, "1 attempt + 2 retries");
    assert!(start.elapsed() < Duration::from_secs(30));
    assert!(
        r.stderr.contains("/api/spaces/acme/failing")
            && r.stderr.contains("HTTP 500")
            && r.stderr.contains("request id"),
        "{}",
        r.stderr
    );
}

#[test]
fn hostile_answers_are_exit_2_with_the_reason() {
    let cases: &[(&str, &str)] = &[
        ("slow", "no answer within"),
        ("huge", "larger than"),
        ("truncated", "closed before message completed"),
        ("html", "not the JSON expected"),
    ];
    for (name, needle) in cases {
        let start = Instant::now();
        let r = remote(name, Some(TOKEN), &["--timeout", "1", "--retries", "1"]);
        assert_eq!(r.code, 2, "{name}: {}\n{}", r.stdout, r.stderr);
        assert!(r.stderr.contains(needle), "{name}: {}", r.stderr);
        assert!(start.elapsed() < Duration::from_secs(30), "{name} took {:?}", start.elapsed());
    }
}

#[test]
fn a_server_that_never_answers() {
    // A listener that accepts and then says nothing.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in listener.incoming().flatten() {
            held.push(s);
        }
    });
    let (mut c, _home) = spacecheck(Some(TOKEN));
    let start = Instant::now();
    let out = c
        .env("HF_ENDPOINT", format!("http://{addr}"))
        .args(["hf://acme/compliant", "--timeout", "1", "--retries", "1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no answer"), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(start.elapsed() < Duration::from_secs(20));
}

#[test]
fn nothing_listening_is_exit_2() {
    let (mut c, _home) = spacecheck(None);
    let out =
        c.env("HF_ENDPOINT", "http://127.0.0.1:9").args(["hf://acme/compliant", "--retries", "0"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("could not check `acme/compliant`"));
}

#[test]
fn bad_token_is_a_finding_that_never_shows_the_token() {
    let bad = concat!("hf", "_WrongWrongWrongWrongWrongWrongWrongXyz");
    let r = remote("compliant", Some(bad), &[]);
    assert!(!r.stdout.contains(bad) && !r.stderr.contains(bad));
    assert!(r.codes().contains(&"HUB001".to_string()));
    assert!(r.stdout.contains("invalid credentials"), "{}", r.stdout);
}

#[test]
fn no_output_of_any_scenario_shows_the_token() {
    for name in ["compliant", "private", "missing-secret", "failing", "does-not-exist", "app-down", "html"] {
        for format in ["human", "json", "sarif", "github"] {
            // `run` asserts the token is in neither stream.
            let target = format!("hf://acme/{name}");
            run(Some(TOKEN), &[&target, "--format", format, "--policy", POLICY, "--retries", "0", "--timeout", "2"]);
        }
    }
}

#[test]
fn the_token_goes_only_to_the_hub_not_to_the_app_host() {
    remote("compliant", Some(TOKEN), &[]);
    let seen = hub().state.auth_seen_on.lock().unwrap().clone();
    assert!(seen.iter().any(|p| p.starts_with("/api/spaces/")));
    assert!(!seen.iter().any(|p| p.starts_with("/app/")), "{seen:?}");
}

#[test]
fn offline_and_argument_errors() {
    let r = run(Some(TOKEN), &["hf://acme/compliant", "--offline"]);
    assert_eq!(r.code, 2);
    let r = run(Some(TOKEN), &["hf://not-a-space-id"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("OWNER/NAME"));
    let r =
        run(Some(TOKEN), &["fixtures/reference-space", "--space", "acme/compliant", "--offline", "--format", "json"]);
    assert_eq!(r.code, 0);
    assert!(r.skipped().iter().any(|(c, _)| c == "APP001"));
    assert_eq!(hub().hits("info:never-asked"), 0);
}

#[test]
fn python_client_reads_the_fake_hub() {
    // Fidelity: the real huggingface_hub client parses the fake's answers. scripts/test.sh
    // installs it in its virtualenv (target/venv, or $CARGO_TARGET_DIR/venv) and names it in
    // SPACECHECK_TEST_VENV; without it (a bare `cargo test`) the check cannot run.
    let venv = std::env::var_os("SPACECHECK_TEST_VENV").map_or_else(|| repo().join("target/venv"), PathBuf::from);
    let python = venv.join("bin/python");
    let has_client = python.exists()
        && std::process::Command::new(&python)
            .args(["-c", "import huggingface_hub"])
            .status()
            .is_ok_and(|s| s.success());
    if !has_client {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must run the Python fidelity check (scripts/test.sh installs huggingface_hub)"
        );
        eprintln!("skipping: no target/venv with huggingface_hub (run scripts/test.sh)");
        return;
    }
    let out = std::process::Command::new(&python)
        .arg(repo().join("scripts/check_fake_hub.py"))
        .env("HF_ENDPOINT", hub().endpoint())
        .env("HF_TOKEN", TOKEN)
        .env("HF_HUB_DISABLE_TELEMETRY", "1")
        .env("HF_HOME", tempfile::tempdir().unwrap().keep())
        .output()
        .expect("python");
    assert!(out.status.success(), "{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("fake hub fidelity: ok"));
}

/// A student's app that answers 429 with `Retry-After: 330` is an app that does not answer: it
/// is asked once, and the Hub requests are not paced by it.
#[test]
fn a_throttling_app_fails_app001_at_once() {
    let start = Instant::now();
    let r = remote("app-throttled", Some(TOKEN), &[]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let app = v["diagnostics"].as_array().unwrap().iter().find(|d| d["code"] == "APP001").expect("APP001");
    assert!(app["message"].as_str().unwrap().contains("429"), "{app}");
    assert!(start.elapsed() < Duration::from_secs(10), "took {:?}", start.elapsed());
    assert_eq!(hub().hits("app:app-throttled"), 1, "the app is asked once");
}

/// A 503 with a page larger than what is read is not an answer.
#[test]
fn a_large_error_page_is_not_an_answer() {
    let r = remote("app-huge-error", Some(TOKEN), &[]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let app = v["diagnostics"].as_array().unwrap().iter().find(|d| d["code"] == "APP001").expect("APP001");
    assert!(app["message"].as_str().unwrap().contains("503"), "{app}");
}

/// A Hub error message that repeats the token, glued to other characters, is masked by value
/// in the notes on stderr and everywhere else.
#[test]
fn an_echoed_token_is_masked_by_value() {
    let r = remote("echo-token", Some(TOKEN), &[]);
    assert!(r.stderr.contains("notes.txt"), "the note is printed: {}", r.stderr);
    for out in [&r.stdout, &r.stderr] {
        for piece in TOKEN.as_bytes().windows(8) {
            assert!(!out.contains(std::str::from_utf8(piece).unwrap()), "a piece of the token in: {out}");
        }
    }
}

/// When the Hub cannot be asked, the local findings stand in a valid report that says why, and
/// the exit code is 2 (a CI artifact is never empty).
#[test]
fn a_failed_probe_keeps_the_local_findings() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("README.md"), "---\nsdk: docker\napp_port: 7860\n---\n").unwrap();
    std::fs::write(dir.path().join("Dockerfile"), "FROM python:3.11\nCMD python -m http.server 8080\n").unwrap();
    let path = dir.path().to_str().unwrap();
    let r =
        run(Some(TOKEN), &[path, "--space", "acme/failing", "--format", "json", "--timeout", "2", "--retries", "1"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).expect("valid JSON");
    assert!(v["diagnostics"].as_array().unwrap().iter().any(|d| d["code"] == "DF008"), "{v}");
    assert!(v["error"].as_str().unwrap().contains("HTTP 500"), "{v}");
    assert_eq!(v["summary"]["complete"], false);
    assert_eq!(v["summary"]["passed"], false);
    assert!(v["skipped"].as_array().unwrap().iter().any(|s| s["code"] == "APP001"));
    assert!(r.stderr.contains("could not check"), "{}", r.stderr);

    let sarif = run(Some(TOKEN), &["hf://acme/failing", "--format", "sarif", "--timeout", "2", "--retries", "1"]);
    assert_eq!(sarif.code, 2);
    let v: Value = serde_json::from_str(&sarif.stdout).expect("valid SARIF");
    assert_eq!(v["runs"][0]["invocations"][0]["executionSuccessful"], false);
}

/// A token that no HTTP header can carry is refused at once, without a retry and without
/// showing it.
#[test]
fn a_token_with_a_control_character_is_refused_at_once() {
    let bad = format!("{}\u{7}x", &TOKEN[..20]);
    let start = Instant::now();
    let (mut c, _home) = spacecheck(Some(&bad));
    let out = c.args(["hf://acme/compliant", "--retries", "3"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("control character") && stderr.contains("$HF_TOKEN"), "{stderr}");
    assert!(!stderr.contains(&TOKEN[3..15]), "{stderr}");
    assert!(start.elapsed() < Duration::from_secs(5));
}

/// Closed output pipes end the run without a panic (exit 2, never 101).
#[test]
fn closed_pipes_do_not_panic() {
    use std::process::{Command as Process, Stdio};
    let bin = assert_cmd::cargo::cargo_bin("spacecheck");
    let mut child = Process::new(bin).args(["rules"]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    drop(child.stdout.take());
    drop(child.stderr.take());
    let status = child.wait().unwrap();
    assert_ne!(status.code(), Some(101), "panicked");
}

/// The files the Hub reads are fetched first, whatever the listing order; the download cap is
/// a note, never a false "missing README/Dockerfile".
#[test]
fn a_space_with_many_files_keeps_its_readme_and_dockerfile() {
    let r = remote("many-files", Some(TOKEN), &[]);
    let v: Value = serde_json::from_str(&r.stdout).expect("json");
    let codes: Vec<&str> = v["diagnostics"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert!(!codes.contains(&"DF001") && !codes.contains(&"FM001"), "{codes:?}");
    assert!(r.stderr.contains("more text files were not downloaded"), "{}", r.stderr);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
}

/// A trickling body is bounded by `--timeout` from the moment the request is sent, not retried,
/// and the message says how long it was given.
#[test]
fn a_trickling_body_takes_the_timeout_once() {
    let start = Instant::now();
    let r = remote("trickle", Some(TOKEN), &["--timeout", "1", "--retries", "3"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("no answer within 1.") && r.stderr.contains("still arriving"), "{}", r.stderr);
    assert!(start.elapsed() < Duration::from_secs(4), "took {:?}", start.elapsed());
}

#[test]
fn hub004_checks_the_build_secrets_the_dockerfile_mounts_without_a_policy() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("README.md"), support::fake_hub::readme("compliant")).unwrap();
    let mount = support::fake_hub::DOCKERFILE.replacen(
        "\nRUN ",
        "\nRUN --mount=type=secret,id=HF_TOKEN,mode=0444,required=true --mount=type=secret,id=GA2_TOKEN_ECB8 true\nRUN ",
        1,
    );
    assert_ne!(mount, support::fake_hub::DOCKERFILE, "the fixture has a RUN to put the mounts before");
    std::fs::write(dir.path().join("Dockerfile"), &mount).unwrap();
    let r = run(Some(TOKEN), &[dir.path().to_str().unwrap(), "--space", "acme/compliant", "--format", "json"]);
    let d = r.json();
    let missing: Vec<&str> = d["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "HUB004")
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    // HF_TOKEN is not among acme/compliant's secrets; GA2_TOKEN_ECB8 is.
    assert_eq!(missing.len(), 1, "{d}");
    assert!(
        missing[0].contains("no secret `HF_TOKEN`") && missing[0].contains("so the Hub's build fails"),
        "{}",
        missing[0]
    );
}

/// A student's app that redirects into the grader's network: the redirect is the app's
/// answer; the address it names is never asked, and nothing of it reaches the report.
#[test]
fn an_app_redirect_is_an_answer_not_followed() {
    let before = hub().hits("internal");
    let r = remote("app-redirect", Some(TOKEN), &[]);
    assert_eq!(hub().hits("internal"), before, "the redirect was followed: {}", r.stdout);
    assert!(!r.stdout.contains("internal-only") && !r.stderr.contains("internal-only"), "{}", r.stdout);
    assert!(!r.codes().contains(&"APP001".to_string()), "a redirect is the app answering: {:?}", r.codes());
}

/// Every file fetched from the Hub was pushed: a token file the Space's own .gitignore names
/// (force-added) is a leak all the same.
#[test]
fn a_force_added_ignored_file_on_the_hub_is_scanned() {
    let r = remote("ignored-token", Some(TOKEN), &[]);
    let rp001 = r.json()["diagnostics"].as_array().unwrap().iter().find(|d| d["code"] == "RP001").cloned();
    assert!(rp001.is_some_and(|d| d["file"] == "notes.txt"), "{}", r.stdout);
    assert_eq!(r.code, 1);
}

/// pep508_rs 0.9 panicked on a requirement with a BOM after its marker: the Space is checked,
/// the line is not read, nothing panics.
#[test]
fn a_requirement_the_parser_chokes_on_is_not_a_crash() {
    let r = remote("bom-marker", Some(TOKEN), &[]);
    assert!(matches!(r.code, 0 | 1), "exit {}: {}", r.code, r.stderr);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
}

/// With the Hub unreachable the check is incomplete: exit 2, and the human summary says
/// INCOMPLETE, never PASS (the JSON says `passed: false`).
#[test]
fn an_unreachable_hub_never_prints_pass() {
    let (mut c, _home) = spacecheck(None);
    let out = c
        .env("HF_ENDPOINT", "http://127.0.0.1:9")
        .args(["hf://acme/compliant", "--retries", "0", "--timeout", "2"])
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    assert!(stdout.contains("INCOMPLETE") && !stdout.contains("PASS:"), "{stdout}");
}
