//! `--fix`, `--unsafe-fixes` and `--diff`: every fix is applied to a failing Space and the Space
//! re-linted: the finding is gone, no new finding appears, the files still parse, and a second
//! `--fix` changes nothing. Plus a property test over generated READMEs: fixing is idempotent and
//! never breaks parsing.

use std::path::Path;

use assert_cmd::Command;
use proptest::prelude::*;
use serde_json::Value;

const DOCKERFILE_7255: &str = "FROM python:3.11-slim\nRUN useradd -m -u 1000 user\nUSER user\nENV PATH=/home/user/.local/bin:$PATH\nWORKDIR /home/user/app\nCOPY --chown=user . .\nRUN pip install --no-cache-dir fastapi uvicorn\nEXPOSE 7255\nCMD [\"uvicorn\", \"main:app\", \"--host\", \"0.0.0.0\", \"--port\", \"7255\"]\n";
const POLICY: &str = "space:\n  app_port: 7255\n";

/// The app of the Spaces whose start command runs `python app.py`: it serves on 7255 and keeps
/// its state in `data/`, a folder the Space ships (so the app writes where the image's owner of
/// `data/` decides).
const APP_PY: &str = "import gradio as gr\nopen('data/state.json', 'w')\ngr.Interface(str, 'text', 'text').launch(server_name='0.0.0.0', server_port=7255)\n";

fn space(readme: &[u8], dockerfile: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("README.md"), readme).unwrap();
    std::fs::write(dir.path().join("Dockerfile"), dockerfile).unwrap();
    std::fs::write(dir.path().join("app.py"), APP_PY).unwrap();
    std::fs::create_dir(dir.path().join("data")).unwrap();
    std::fs::write(dir.path().join("data/seed.csv"), "a\n").unwrap();
    std::fs::write(dir.path().join("policy.yaml"), POLICY).unwrap();
    dir
}

fn spacecheck(dir: &Path, args: &[&str]) -> std::process::Output {
    let policy = dir.join("policy.yaml");
    Command::cargo_bin("spacecheck")
        .unwrap()
        .env("NO_COLOR", "1")
        .arg(dir)
        .args(["--offline", "--policy", policy.to_str().unwrap()])
        .args(args)
        .output()
        .unwrap()
}

/// The findings' codes (sorted) and the whole JSON report.
fn lint(dir: &Path) -> (Vec<String>, Value) {
    let out = spacecheck(dir, &["--format", "json"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut codes: Vec<String> =
        v["diagnostics"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap().to_string()).collect();
    codes.sort();
    (codes, v)
}

fn files(dir: &Path) -> (Vec<u8>, Vec<u8>) {
    (std::fs::read(dir.join("README.md")).unwrap(), std::fs::read(dir.join("Dockerfile")).unwrap())
}

/// Applies `--fix` (with `extra`), and checks what every fix must do.
fn check_fix(readme: &[u8], dockerfile: &str, code: &str, extra: &[&str]) -> tempfile::TempDir {
    check_fix_with(POLICY, readme, dockerfile, code, extra)
}

fn check_fix_with(policy: &str, readme: &[u8], dockerfile: &str, code: &str, extra: &[&str]) -> tempfile::TempDir {
    let dir = space(readme, dockerfile);
    std::fs::write(dir.path().join("policy.yaml"), policy).unwrap();
    let (before, _) = lint(dir.path());
    assert!(before.contains(&code.to_string()), "{code} fires first: {before:?}");
    check_fixed(dir.path(), &before, code, extra);
    dir
}

/// Applies `--fix` (with `extra`) to a Space whose findings are `before`, and checks what every
/// fix must do: the finding is gone, no new one appears, the files parse, a second run
/// changes nothing.
fn check_fixed(dir: &Path, before: &[String], code: &str, extra: &[&str]) {
    let out = spacecheck(dir, &[&["--fix"], extra].concat());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--fix:"), "{}", String::from_utf8_lossy(&out.stderr));
    let (after, _) = lint(dir);
    assert!(!after.contains(&code.to_string()), "{code} is fixed: {after:?}");
    for c in &after {
        assert!(before.contains(c), "no new finding: {c} appeared ({before:?} → {after:?})");
    }
    for broken in ["FM002", "FM003", "DF002"] {
        assert!(!after.contains(&broken.to_string()), "the files still parse");
    }
    let once = files(dir);
    spacecheck(dir, &[&["--fix"], extra].concat());
    assert_eq!(files(dir), once, "a second --fix changes nothing");
}

#[test]
fn fm004_adds_a_missing_sdk() {
    let dir = check_fix(b"---\ntitle: x\napp_port: 7255\n---\n# x\n", DOCKERFILE_7255, "FM004", &[]);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("README.md")).unwrap(),
        "---\nsdk: docker\ntitle: x\napp_port: 7255\n---\n# x\n"
    );
}

#[test]
fn fm004_replaces_another_sdk_only_with_unsafe_fixes() {
    let readme = b"---\nsdk: gradio # the old one\napp_port: 7255\n---\n";
    let dir = space(readme, DOCKERFILE_7255);
    spacecheck(dir.path(), &["--fix"]);
    assert_eq!(files(dir.path()).0, readme, "unsafe: --fix alone leaves it");
    let dir = check_fix(readme, DOCKERFILE_7255, "FM004", &["--unsafe-fixes"]);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("README.md")).unwrap(),
        "---\nsdk: docker # the old one\napp_port: 7255\n---\n",
        "the comment stays"
    );
}

#[test]
fn fm005_points_the_hub_at_the_port_the_server_listens_on() {
    // The server already listens on 7255: the fix is safe.
    let dir = check_fix(b"---\nsdk: docker\napp_port: 7860\n---\n", DOCKERFILE_7255, "FM005", &[]);
    assert!(std::fs::read_to_string(dir.path().join("README.md")).unwrap().contains("app_port: 7255\n"));
    // Missing: inserted.
    check_fix(b"---\nsdk: docker\n---\n", DOCKERFILE_7255, "FM005", &[]);
}

/// FM005 alone is unsafe while the server listens elsewhere; under a policy port, DF008's safe
/// fix moves the server first, and FM005's then follows safely: both end on the policy's port.
#[test]
fn fm005_is_unsafe_when_the_server_listens_elsewhere() {
    let on_7860 = DOCKERFILE_7255.replace("7255", "7860");
    let dir = space(b"---\nsdk: docker\napp_port: 7860\n---\n", &on_7860);
    let (_, report) = lint(dir.path());
    let fm005 = report["diagnostics"].as_array().unwrap().iter().find(|d| d["code"] == "FM005").unwrap().clone();
    assert_eq!(fm005["fix"]["applicability"], "unsafe");
    spacecheck(dir.path(), &["--fix"]);
    assert!(std::fs::read_to_string(dir.path().join("README.md")).unwrap().contains("app_port: 7255"));
    assert!(dockerfile_text(dir.path()).contains("\"--port\", \"7255\"]"));
    let (after, _) = lint(dir.path());
    assert!(!after.iter().any(|c| c == "FM005" || c == "DF008"), "{after:?}");
}

#[test]
fn bom_and_crlf_are_kept_and_json_offsets_count_the_bom() {
    let readme = b"\xef\xbb\xbf---\r\ntitle: x\r\napp_port: 7860\r\n---\r\n";
    let dir = space(readme, DOCKERFILE_7255);
    let (_, report) = lint(dir.path());
    // Applying the JSON edits to the bytes as read gives what --fix writes.
    let mut bytes = readme.to_vec();
    let mut edits: Vec<(usize, usize, String)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["fix"].as_object().cloned())
        .filter(|f| f["applicability"] == "safe")
        .flat_map(|f| f["edits"].as_array().unwrap().clone())
        .filter(|e| e["file"] == "README.md")
        .map(|e| {
            (
                e["start"].as_u64().unwrap() as usize,
                e["end"].as_u64().unwrap() as usize,
                e["replacement"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    for (start, end, text) in edits {
        bytes.splice(start..end, text.bytes());
    }
    spacecheck(dir.path(), &["--fix"]);
    let written = files(dir.path()).0;
    assert_eq!(written, bytes);
    assert_eq!(written, b"\xef\xbb\xbf---\r\nsdk: docker\r\ntitle: x\r\napp_port: 7255\r\n---\r\n");
}

#[test]
fn diff_prints_the_fixes_and_writes_nothing() {
    let readme = b"---\ntitle: x\napp_port: 7860\n---\n";
    let dir = space(readme, DOCKERFILE_7255);
    let out = spacecheck(dir.path(), &["--diff"]);
    assert_eq!(out.status.code(), Some(1), "something to fix");
    let diff = String::from_utf8(out.stdout).unwrap();
    assert!(diff.starts_with("--- a/README.md\n+++ b/README.md\n"), "{diff}");
    assert!(diff.contains("+sdk: docker\n") && diff.contains("-app_port: 7860\n+app_port: 7255\n"), "{diff}");
    // The Dockerfile is fixed against the new frontmatter: 7255 is exposed already, 7860 is not
    // wanted any more.
    assert!(!diff.contains("EXPOSE 7860"), "{diff}");
    assert_eq!(files(dir.path()).0, readme, "nothing written");
    spacecheck(dir.path(), &["--fix"]);
    let clean = spacecheck(dir.path(), &["--diff"]);
    assert_eq!(clean.status.code(), Some(0));
    assert!(clean.stdout.is_empty());
}

#[test]
fn fixes_need_a_folder() {
    let out = Command::cargo_bin("spacecheck")
        .unwrap()
        .env("HF_ENDPOINT", "http://127.0.0.1:9")
        .args(["hf://acme/compliant", "--fix"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--fix and --diff edit a Space folder"));
}

fn fixed_texts(readme: &str, unsafe_fixes: bool) -> (String, Vec<String>) {
    let policy = spacecheck::policy::parse(POLICY, "p").unwrap();
    let options = spacecheck::lint::Options::default();
    let space = spacecheck::space::Space::in_memory(Some(readme.as_bytes()), Some(DOCKERFILE_7255.as_bytes()));
    let fixed = spacecheck::fix::fix(space, &policy, &options, unsafe_fixes);
    let after = fixed.files.get("README.md").map(|(_, a)| a.clone()).unwrap_or_else(|| readme.to_string());
    let space = spacecheck::space::Space::in_memory(Some(after.as_bytes()), Some(DOCKERFILE_7255.as_bytes()));
    let codes =
        spacecheck::lint::lint(&space, &policy, &options).diagnostics.iter().map(|d| d.code.to_string()).collect();
    (after, codes)
}

/// Frontmatters with and without `sdk`/`app_port`, other keys, comments, CRLF, odd values.
fn frontmatter() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        Just("sdk: docker".to_string()),
        Just("sdk: gradio".to_string()),
        Just("sdk: \"static\"".to_string()),
        Just("app_port: 7860".to_string()),
        Just("app_port: 7255".to_string()),
        Just("app_port: \"x\"".to_string()),
        Just("title: demo".to_string()),
        Just("python_version: 3.10".to_string()),
        Just("python_version: \"3.11\"".to_string()),
        Just("base_path: docs/index.html".to_string()),
        Just("# a comment".to_string()),
        Just("tags:\n  - a\n  - b".to_string()),
        Just("short_description: a: b".to_string()),
        "[a-z_]{1,8}: [a-z0-9 ]{0,8}",
    ];
    (proptest::collection::vec(line, 0..6), any::<bool>()).prop_map(|(lines, crlf)| {
        let nl = if crlf { "\r\n" } else { "\n" };
        let body: String = lines.iter().map(|l| format!("{}{nl}", l.replace('\n', nl))).collect();
        format!("---{nl}{body}---{nl}# Space{nl}")
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn fixing_is_idempotent_and_never_breaks_parsing(readme in frontmatter(), unsafe_fixes in any::<bool>()) {
        let (_, before) = fixed_texts(&readme, false);
        let (once, after) = fixed_texts(&readme, unsafe_fixes);
        for broken in ["FM002", "FM003", "DF002"] {
            prop_assert!(!after.contains(&broken.to_string()) || before.contains(&broken.to_string()), "{} after fixing:\n{}", broken, once);
        }
        if !unsafe_fixes {
            // Safe fixes remove findings; they never bring one.
            for code in &after {
                let count = |codes: &Vec<String>| codes.iter().filter(|c| *c == code).count();
                prop_assert!(count(&after) <= count(&before), "{} appeared after fixing:\n{}", code, once);
            }
        }
        let (twice, _) = fixed_texts(&once, unsafe_fixes);
        prop_assert_eq!(twice, once);
    }
}

#[test]
fn df007_exposes_the_app_port_before_the_start_command() {
    // No EXPOSE at all is no finding (the Hub ignores EXPOSE): nothing to fix.
    let without = DOCKERFILE_7255.replace("EXPOSE 7255\n", "");
    let dir = space(b"---\nsdk: docker\napp_port: 7255\n---\n", &without);
    spacecheck(dir.path(), &["--fix"]);
    assert_eq!(std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap(), without);
    // Another port exposed, where nothing listens (uvicorn is on 7255): replaced.
    let other = DOCKERFILE_7255.replace("EXPOSE 7255", "EXPOSE 8501");
    let dir = check_fix(b"---\nsdk: docker\napp_port: 7255\n---\n", &other, "DF007", &[]);
    let text = std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
    assert!(text.contains("\nEXPOSE 7255\nCMD"), "{text}");
    // No CMD in the file (the base image's): nothing known listens, so the line is added at
    // the end (after a missing final newline), and only with --unsafe-fixes.
    let no_cmd = "FROM python:3.11-slim\nRUN useradd -m -u 1000 user\nUSER user\nEXPOSE 8501";
    let dir = space(b"---\nsdk: docker\napp_port: 7255\n---\n", no_cmd);
    spacecheck(dir.path(), &["--fix", "--select", "DF007"]);
    assert_eq!(std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap(), no_cmd);
    spacecheck(dir.path(), &["--fix", "--unsafe-fixes", "--select", "DF007"]);
    assert_eq!(std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap(), format!("{no_cmd}\nEXPOSE 7255\n"));
}

/// Issue 23: with the server on 8080 and `app_port: 7255`, DF007's fix added `EXPOSE 7255` (a
/// no-op on the Hub) and the Space still failed. Now DF007 has no fix there; DF008's (unsafe
/// when no policy fixes the port: `app_port: 8080` may be what was meant) moves the server,
/// and then the stale EXPOSE follows it.
#[test]
fn df007_does_not_expose_a_port_nothing_listens_on() {
    let elsewhere = DOCKERFILE_7255.replace("EXPOSE 7255", "EXPOSE 8080").replace("\"7255\"]", "\"8080\"]");
    let dir = space(README_7255, &elsewhere);
    std::fs::write(dir.path().join("policy.yaml"), "space:\n  sdk: docker\n").unwrap();
    let (before, _) = lint(dir.path());
    assert!(before.contains(&"DF007".to_string()) && before.contains(&"DF008".to_string()), "{before:?}");
    spacecheck(dir.path(), &["--fix"]);
    assert_eq!(dockerfile_text(dir.path()), elsewhere, "no safe fix hides the mismatch");
    spacecheck(dir.path(), &["--fix", "--unsafe-fixes"]);
    let text = dockerfile_text(dir.path());
    assert!(text.contains("EXPOSE 7255\nCMD") && text.contains("\"--port\", \"7255\"]"), "{text}");
    let (after, _) = lint(dir.path());
    assert!(after.is_empty(), "{after:?}\n{text}");
    // With a policy that fixes the port, moving the server is safe: `--fix` does both.
    let dir = check_fix(README_7255, &elsewhere, "DF008", &[]);
    assert_eq!(dockerfile_text(dir.path()), DOCKERFILE_7255);
}

#[test]
fn df009_makes_the_server_listen_on_all_interfaces() {
    let readme = b"---\nsdk: docker\napp_port: 7255\n---\n";
    for (cmd, fixed) in [
        (
            "CMD [\"uvicorn\", \"main:app\", \"--port\", \"7255\"]",
            "CMD [\"uvicorn\", \"--host\", \"0.0.0.0\", \"main:app\", \"--port\", \"7255\"]",
        ),
        ("CMD uvicorn main:app --port 7255", "CMD uvicorn --host 0.0.0.0 main:app --port 7255"),
        ("CMD python -m uvicorn main:app --port 7255", "CMD python -m uvicorn --host 0.0.0.0 main:app --port 7255"),
        ("CMD uvicorn main:app --host 127.0.0.1 --port 7255", "CMD uvicorn main:app --host 0.0.0.0 --port 7255"),
        (
            "CMD [\"uvicorn\", \"main:app\", \"--host\", \"localhost\", \"--port\", \"7255\"]",
            "CMD [\"uvicorn\", \"main:app\", \"--host\", \"0.0.0.0\", \"--port\", \"7255\"]",
        ),
        ("CMD flask run --port 7255", "CMD flask run --host 0.0.0.0 --port 7255"),
        (
            "CMD [\"gunicorn\", \"-b\", \"127.0.0.1:7255\", \"main:app\"]",
            "CMD [\"gunicorn\", \"-b\", \"0.0.0.0:7255\", \"main:app\"]",
        ),
    ] {
        let dockerfile = DOCKERFILE_7255
            .replace("CMD [\"uvicorn\", \"main:app\", \"--host\", \"0.0.0.0\", \"--port\", \"7255\"]", cmd)
            .replace("fastapi uvicorn", "fastapi uvicorn flask gunicorn");
        let dir = check_fix(readme, &dockerfile, "DF009", &[]);
        let text = std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
        assert!(text.contains(&format!("{fixed}\n")), "{cmd}:\n{text}");
    }
}

#[test]
fn df008_moves_the_server_to_the_app_port() {
    for (cmd, fixed) in [
        ("CMD [\"uvicorn\", \"main:app\", \"--host\", \"0.0.0.0\", \"--port\", \"8000\"]", "\"--port\", \"7255\"]"),
        ("CMD uvicorn main:app --host 0.0.0.0", "CMD uvicorn --port 7255 main:app --host 0.0.0.0"),
        ("CMD gunicorn -b 0.0.0.0:8080 main:app", "CMD gunicorn -b 0.0.0.0:7255 main:app"),
        ("CMD streamlit run app.py --server.port=8501 --server.address=0.0.0.0", "--server.port=7255 "),
    ] {
        let dockerfile = DOCKERFILE_7255
            .replace("CMD [\"uvicorn\", \"main:app\", \"--host\", \"0.0.0.0\", \"--port\", \"7255\"]", cmd)
            .replace("fastapi uvicorn", "fastapi uvicorn gunicorn streamlit");
        let dir = check_fix(README_7255, &dockerfile, "DF008", &[]);
        assert!(dockerfile_text(dir.path()).contains(fixed), "{cmd}:\n{}", dockerfile_text(dir.path()));
    }
    // Without a policy port the README may be what is wrong: only an unsafe fix.
    let dockerfile = DOCKERFILE_7255.replace("\"7255\"]", "\"8000\"]");
    let dir = space(README_7255, &dockerfile);
    std::fs::write(dir.path().join("policy.yaml"), "space: {}\n").unwrap();
    spacecheck(dir.path(), &["--fix"]);
    assert_eq!(dockerfile_text(dir.path()), dockerfile);
    let dir = check_fix_with("space: {}\n", README_7255, &dockerfile, "DF008", &["--unsafe-fixes"]);
    assert!(dockerfile_text(dir.path()).contains("\"--port\", \"7255\"]"));
}

#[test]
fn fm008_quotes_python_version_and_roots_base_path() {
    let dir = check_fix(
        b"---\nsdk: docker\napp_port: 7255\npython_version: 3.10\nbase_path: docs\n---\n",
        DOCKERFILE_7255,
        "FM008",
        &[],
    );
    let text = std::fs::read_to_string(dir.path().join("README.md")).unwrap();
    assert!(text.contains("python_version: \"3.10\"\nbase_path: /docs\n"), "{text}");
}

/// With a policy port, every finding advises that port: the README's `app_port` (FM005) and the
/// Dockerfile's EXPOSE (DF007) ask for the same one, and `--fix` reaches it in one run.
#[test]
fn every_finding_asks_for_the_policys_port() {
    let on_7255_unexposed = DOCKERFILE_7255.replace("EXPOSE 7255\n", "EXPOSE 8000\n");
    let dir = space(b"---\nsdk: docker\napp_port: 7860\n---\n", &on_7255_unexposed);
    let (_, report) = lint(dir.path());
    let help = |code: &str| {
        report["diagnostics"].as_array().unwrap().iter().find(|d| d["code"] == code).unwrap()["help"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(help("FM005").contains("7255") && help("DF007").contains("7255"), "{report}");
    assert!(!help("DF007").contains("7860"), "{report}");
    spacecheck(dir.path(), &["--fix"]);
    let (after, _) = lint(dir.path());
    assert!(after.is_empty(), "{after:?}");
}

#[test]
fn sc003_rewrites_a_suppression_it_cannot_read_and_sc001_removes_an_unused_one() {
    let readme = b"---\nsdk: docker\napp_port: 7255\n---\n";
    let unpinned = DOCKERFILE_7255
        .replace("FROM python:3.11-slim", "# spacecheck: ignore = DF011 -- pinned upstream\nFROM python");
    let dir = check_fix(readme, &unpinned, "SC003", &[]);
    let text = std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
    assert!(text.starts_with("# spacecheck: ignore=DF011 -- pinned upstream\nFROM python\n"), "{text}");
    let (after, _) = lint(dir.path());
    assert!(!after.contains(&"DF011".to_string()), "the suppression now works: {after:?}");
    // An unused suppression is removed, line and all.
    let unused = DOCKERFILE_7255.replace("FROM python:3.11-slim", "# spacecheck: ignore=DF011\nFROM python:3.11-slim");
    let dir = check_fix(readme, &unused, "SC001", &[]);
    assert_eq!(std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap(), DOCKERFILE_7255);
}

/// The assignment's literal lines: the title (GA001), `EXPOSE <port>` (GA003) and
/// `ENV APP_PORT=<port>` (GA004), on the documented example student.
#[test]
fn ga_fixes_write_the_lines_the_grader_reads() {
    let policy = "assignment: ga2\nemail: 23f1000000@ds.study.iitm.ac.in\n";
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/student-example");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let dockerfile = std::fs::read_to_string(root.join("Dockerfile")).unwrap();
    let dir = check_fix_with(
        policy,
        readme.replace("title: ga2-084d53", "title: My Space").as_bytes(),
        &dockerfile,
        "GA001",
        &[],
    );
    assert!(std::fs::read_to_string(dir.path().join("README.md")).unwrap().contains("title: ga2-084d53\n"));
    let dir = check_fix_with(policy, readme.as_bytes(), &dockerfile.replace("ENV APP_PORT=7349\n", ""), "GA004", &[]);
    assert!(std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap().contains("ENV APP_PORT=7349\nCMD"));
    let dir = check_fix_with(
        policy,
        readme.as_bytes(),
        &dockerfile.replace("EXPOSE 7349", "EXPOSE ${APP_PORT}"),
        "GA003",
        &[],
    );
    assert!(std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap().contains("EXPOSE 7349\nCMD"));
}

/// GA002's fix writes `USER user`: over `USER 1000` when `user` is that UID (safe), or, with
/// unsafe fixes, as a new account on an image that runs as root.
#[test]
fn ga002_writes_user_user() {
    let policy = "assignment: ga2\nemail: 23f1000000@ds.study.iitm.ac.in\n";
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/student-example");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let dockerfile = std::fs::read_to_string(root.join("Dockerfile")).unwrap();
    assert!(dockerfile.contains("\nUSER user\n"), "the example's Dockerfile changed: {dockerfile}");
    let numeric = dockerfile.replace("\nUSER user\n", "\nUSER 1000\n");
    let dir = check_fix_with(policy, readme.as_bytes(), &numeric, "GA002", &[]);
    assert_eq!(std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap(), dockerfile);
    // An image that runs as root: the account is made, then used (unsafe).
    let root_image: String = dockerfile
        .lines()
        .filter(|l| !l.starts_with("USER") && !l.contains("useradd"))
        .map(|l| format!("{l}\n"))
        .collect();
    let dir = space(readme.as_bytes(), &root_image);
    std::fs::write(dir.path().join("policy.yaml"), policy).unwrap();
    spacecheck(dir.path(), &["--fix"]);
    assert!(
        !std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap().contains("USER user"),
        "safe fixes do not add a user"
    );
    let dir = check_fix_with(policy, readme.as_bytes(), &root_image, "GA002", &["--unsafe-fixes"]);
    let text = std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
    assert!(text.contains("RUN useradd -m -u 1000 user\nUSER user\n"), "{text}");
}

/// GA006's fix writes `app_port` as the YAML integer the grader reads; FM006's puts the
/// description token where the grader and the policy look for it.
#[test]
fn ga006_and_fm006_write_the_readme_the_grader_reads() {
    let policy = "assignment: ga2\nemail: 23f1000000@ds.study.iitm.ac.in\n";
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/student-example");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let dockerfile = std::fs::read_to_string(root.join("Dockerfile")).unwrap();
    assert!(readme.contains("app_port: 7349\n"), "the example's README changed: {readme}");
    let quoted = readme.replace("app_port: 7349\n", "app_port: \"7349\"\n");
    let dir = check_fix_with(policy, quoted.as_bytes(), &dockerfile, "GA006", &[]);
    assert_eq!(std::fs::read_to_string(dir.path().join("README.md")).unwrap(), readme);
    // The token: appended to a short description, added where there is none.
    let token = "deployment-ready-ga2-084d53";
    let (line, _) = readme.lines().find(|l| l.starts_with("short_description:")).map(|l| (l.to_string(), ())).unwrap();
    let short = readme.replace(&line, "short_description: My API");
    let dir = check_fix_with(policy, short.as_bytes(), &dockerfile, "FM006", &[]);
    assert!(std::fs::read_to_string(dir.path().join("README.md"))
        .unwrap()
        .contains(&format!("short_description: My API {token}\n")));
    let none = readme.replace(&format!("{line}\n"), "");
    let dir = check_fix_with(policy, none.as_bytes(), &dockerfile, "FM006", &[]);
    assert!(std::fs::read_to_string(dir.path().join("README.md"))
        .unwrap()
        .contains(&format!("short_description: {token}\n")));
    let long = readme.replace(&line, &format!("short_description: {}", "x".repeat(50)));
    let dir = space(long.as_bytes(), &dockerfile);
    std::fs::write(dir.path().join("policy.yaml"), policy).unwrap();
    spacecheck(dir.path(), &["--fix"]);
    assert!(
        std::fs::read_to_string(dir.path().join("README.md")).unwrap().contains(&"x".repeat(50)),
        "safe fixes keep the author's words"
    );
    let dir = check_fix_with(policy, long.as_bytes(), &dockerfile, "FM006", &["--unsafe-fixes"]);
    assert!(std::fs::read_to_string(dir.path().join("README.md"))
        .unwrap()
        .contains(&format!("short_description: {token}\n")));
}

/// GA005's fix writes the packages the grader looks for into requirements.txt: appended to the
/// file (line endings kept), or a new file; re-linted, nothing else changes.
#[test]
fn ga005_lists_fastapi_and_uvicorn_in_requirements() {
    let policy = "assignment: ga2\nemail: 23f1000000@ds.study.iitm.ac.in\n";
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/student-example");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let dockerfile = std::fs::read_to_string(root.join("Dockerfile")).unwrap();
    for (before, after) in [
        (Some("fastapi==0.115.0\r\npydantic"), "fastapi==0.115.0\r\npydantic\r\nuvicorn[standard]\r\n"),
        (Some("\u{feff}gradio\n"), "\u{feff}gradio\nfastapi\nuvicorn[standard]\n"),
        (None, "fastapi\nuvicorn[standard]\n"),
    ] {
        let dir = space(readme.as_bytes(), &dockerfile);
        std::fs::write(dir.path().join("policy.yaml"), policy).unwrap();
        if let Some(text) = before {
            std::fs::write(dir.path().join("requirements.txt"), text).unwrap();
        }
        let (codes, report) = lint(dir.path());
        assert!(codes.contains(&"GA005".to_string()), "{codes:?}");
        let fix =
            report["diagnostics"].as_array().unwrap().iter().find(|d| d["code"] == "GA005").unwrap()["fix"].clone();
        let start = fix["edits"][0]["start"].as_u64().unwrap() as usize;
        assert_eq!(start, before.unwrap_or_default().len(), "offsets count the BOM: {fix}");
        spacecheck(dir.path(), &["--fix"]);
        assert_eq!(std::fs::read_to_string(dir.path().join("requirements.txt")).unwrap(), after);
        let (again, _) = lint(dir.path());
        assert!(!again.contains(&"GA005".to_string()), "{again:?}");
        assert!(again.iter().all(|c| codes.contains(c)), "no new finding: {codes:?} → {again:?}");
        spacecheck(dir.path(), &["--fix"]);
        assert_eq!(
            std::fs::read_to_string(dir.path().join("requirements.txt")).unwrap(),
            after,
            "a second --fix changes nothing"
        );
    }
}

/// DF004's fix makes the image run as UID 1000 the way its base image does it (unsafe: what was
/// built as root stays root's).
#[test]
fn df004_runs_the_image_as_uid_1000_the_way_the_base_does_it() {
    let readme = b"---\nsdk: docker\napp_port: 7255\n---\n";
    // Root's copy of the app, which writes its state into the copied `data/`.
    let tail = "WORKDIR /app\nCOPY . .\nEXPOSE 7255\nCMD [\"python\", \"app.py\"]\n";
    for (base, expected) in [
        (
            "python:3.11-slim",
            "RUN useradd -m -u 1000 user\nUSER user\nENV HOME=/home/user PATH=/home/user/.local/bin:$PATH\nCMD",
        ),
        ("node:20-bookworm", "USER node\nCMD"),
        (
            "python:3.12-alpine",
            "RUN adduser -D -u 1000 user\nUSER user\nENV HOME=/home/user PATH=/home/user/.local/bin:$PATH\nCMD",
        ),
    ] {
        let dockerfile = format!("FROM {base}\n{tail}");
        let dir = space(readme, &dockerfile);
        spacecheck(dir.path(), &["--fix"]);
        assert_eq!(
            std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap(),
            dockerfile,
            "unsafe: not with --fix alone"
        );
        let dir = check_fix(readme, &dockerfile, "DF004", &["--unsafe-fixes"]);
        let text = std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
        assert!(text.contains(expected), "{base}:\n{text}");
    }
    // A UID 1000 user already made, then USER root: switch back to it.
    let back = format!("FROM python:3.11-slim\nRUN useradd -m -u 1000 app\nUSER root\n{tail}");
    let dir = check_fix(readme, &back, "DF004", &["--unsafe-fixes"]);
    // The folder the app writes at start goes to UID 1000 too, before the user switch.
    let text = std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
    assert!(text.contains("EXPOSE 7255\nRUN chown -R 1000:1000 /app/data\nUSER app\nCMD"), "{text}");
}

/// DF006's fix gives copied files to the runtime user by UID (a number COPY needs no passwd
/// entry for), so it composes with DF004's: `--unsafe-fixes` on a root image ends with no
/// finding of either.
#[test]
fn df006_gives_the_files_to_the_runtime_user() {
    let readme = b"---\nsdk: docker\napp_port: 7255\n---\n";
    let root_owned = "FROM python:3.11-slim\nRUN useradd -m -u 1000 user\nWORKDIR /app\nCOPY . .\nCOPY --chown=root data/ /app/data/\nUSER user\nEXPOSE 7255\nCMD [\"python\", \"app.py\"]\n";
    let dir = check_fix(readme, root_owned, "DF006", &[]);
    let text = std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
    // `/app/data` is made by the first copy (the second copies into it and, as BuildKit does,
    // leaves the folder's owner alone): that copy is the one to give to UID 1000.
    assert!(text.contains("COPY --chown=1000 . .\nCOPY --chown=root data/ /app/data/\n"), "{text}");
    // From root to UID 1000 in one run: DF004's user, with the folder the app writes at start.
    let as_root = "FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nEXPOSE 7255\nCMD [\"python\", \"app.py\"]\n";
    let dir = check_fix(readme, as_root, "DF004", &["--unsafe-fixes"]);
    let text = std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
    assert!(text.contains("RUN chown -R 1000:1000 /app/data\nRUN useradd -m -u 1000 user\nUSER user\n"), "{text}");
    let (after, _) = lint(dir.path());
    assert!(after.is_empty(), "{after:?}\n{text}");
}

/// Issue 23: SQLite writes its journal beside the database, so the fix that gave the copied
/// database to UID 1000 in a root-made folder left the app failing, and the re-lint passed. The
/// folder is judged too, and its fix gives it to UID 1000 after the WORKDIR that made it.
#[test]
fn df006_gives_the_folder_sqlite_writes_its_journal_in() {
    let dockerfile = "FROM python:3.11-slim\nRUN useradd -m -u 1000 user\nWORKDIR /app\nCOPY app.py data.db ./\nUSER user\nEXPOSE 7255\nCMD [\"python\", \"app.py\"]\n";
    let app = "import sqlite3\nimport gradio as gr\ndb = sqlite3.connect('data.db')\ngr.Interface(str, 'text', 'text').launch(server_name='0.0.0.0', server_port=7255)\n";
    let dir = space(README_7255, dockerfile);
    std::fs::write(dir.path().join("app.py"), app).unwrap();
    std::fs::write(dir.path().join("data.db"), "").unwrap();
    let (before, report) = lint(dir.path());
    assert_eq!(before, ["DF006"], "{report}");
    assert!(report["diagnostics"][0]["message"].as_str().unwrap().contains("cannot write `/app`,"), "{report}");
    check_fixed(dir.path(), &before, "DF006", &[]);
    let text = dockerfile_text(dir.path());
    assert!(text.contains("WORKDIR /app\nRUN chown 1000 /app\nCOPY --chown=1000 app.py data.db ./\n"), "{text}");
    // In memory, a database is no file: nothing to write, nothing reported.
    let dir = space(README_7255, dockerfile);
    std::fs::write(dir.path().join("app.py"), app.replace("'data.db'", "':memory:'")).unwrap();
    std::fs::write(dir.path().join("data.db"), "").unwrap();
    assert!(lint(dir.path()).0.is_empty());
}

const README_7255: &[u8] = b"---\nsdk: docker\napp_port: 7255\n---\n";

/// A policy that turns on hadolint's off-by-default rules (and the baseline port).
const POLICY_ALL_DL: &str =
    "space:\n  app_port: 7255\nrules:\n  DL3009: info\n  DL3013: warning\n  DL3025: warning\n  DL3042: warning\n  DL3045: warning\n  DL4006: warning\n";

fn dockerfile_text(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("Dockerfile")).unwrap()
}

#[test]
fn dl3014_answers_yes_for_apt_get() {
    let dockerfile = DOCKERFILE_7255.replace(
        "RUN useradd",
        "RUN apt-get update && apt-get install --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\nRUN useradd",
    );
    let dir = check_fix(README_7255, &dockerfile, "DL3014", &[]);
    assert!(dockerfile_text(dir.path()).contains("apt-get install -y --no-install-recommends curl &&"));
    // Over a continuation line the edit lands on the right word.
    let split = DOCKERFILE_7255
        .replace("RUN useradd", "RUN apt-get update && \\\n    apt-get install \\\n      curl\nRUN useradd");
    let dir = check_fix(README_7255, &split, "DL3014", &[]);
    assert!(
        dockerfile_text(dir.path()).contains("    apt-get install -y \\\n      curl\n"),
        "{}",
        dockerfile_text(dir.path())
    );
}

#[test]
fn dl3021_ends_the_destination_with_a_slash() {
    let dockerfile =
        DOCKERFILE_7255.replace("COPY --chown=user . .", "COPY --chown=user main.py util.py /home/user/lib");
    let dir = check_fix(README_7255, &dockerfile, "DL3021", &[]);
    assert!(dockerfile_text(dir.path()).contains("COPY --chown=user main.py util.py /home/user/lib/\n"));
}

#[test]
fn dl3042_turns_the_pip_cache_off() {
    let dockerfile = DOCKERFILE_7255.replace("pip install --no-cache-dir fastapi", "pip install fastapi");
    let dir = check_fix_with(POLICY_ALL_DL, README_7255, &dockerfile, "DL3042", &[]);
    assert!(dockerfile_text(dir.path()).contains("RUN pip install --no-cache-dir fastapi uvicorn\n"));
}

#[test]
fn dl3004_removes_sudo_only_with_unsafe_fixes() {
    let dockerfile = DOCKERFILE_7255.replace("RUN useradd", "RUN sudo apt-get update\nRUN useradd");
    let dir = space(README_7255, &dockerfile);
    spacecheck(dir.path(), &["--fix"]);
    assert!(dockerfile_text(dir.path()).contains("RUN sudo apt-get update"), "safe fixes leave sudo");
    let dir = check_fix(README_7255, &dockerfile, "DL3004", &["--unsafe-fixes"]);
    assert!(dockerfile_text(dir.path()).contains("RUN apt-get update\n"));
}

#[test]
fn dl3025_writes_a_plain_command_line_as_json() {
    let dockerfile = DOCKERFILE_7255.replace(
        "CMD [\"uvicorn\", \"main:app\", \"--host\", \"0.0.0.0\", \"--port\", \"7255\"]",
        "CMD uvicorn main:app --host 0.0.0.0 --port 7255",
    );
    let dir = check_fix_with(POLICY_ALL_DL, README_7255, &dockerfile, "DL3025", &["--unsafe-fixes"]);
    assert!(dockerfile_text(dir.path())
        .ends_with("CMD [\"uvicorn\", \"main:app\", \"--host\", \"0.0.0.0\", \"--port\", \"7255\"]\n"));
    // A command line that needs its shell keeps it, under `/bin/sh -c`.
    let shell = DOCKERFILE_7255.replace(
        "CMD [\"uvicorn\", \"main:app\", \"--host\", \"0.0.0.0\", \"--port\", \"7255\"]",
        "CMD uvicorn main:app --host 0.0.0.0 --port $PORT",
    );
    let dir = space(README_7255, &shell);
    std::fs::write(dir.path().join("policy.yaml"), POLICY_ALL_DL).unwrap();
    spacecheck(dir.path(), &["--fix", "--unsafe-fixes"]);
    // It becomes the array that runs that shell, the server taking the shell's place.
    assert!(
        dockerfile_text(dir.path())
            .contains("CMD [\"/bin/sh\", \"-c\", \"exec uvicorn main:app --host 0.0.0.0 --port $PORT\"]\n"),
        "{}",
        dockerfile_text(dir.path())
    );
}

/// Fixes every rule (hadolint's included) over a generated Dockerfile, in memory.
fn fixed_dockerfile(dockerfile: &str, unsafe_fixes: bool) -> (String, Vec<String>) {
    let policy = spacecheck::policy::parse(POLICY_ALL_DL, "p").unwrap();
    let options = spacecheck::lint::Options::default();
    let space = spacecheck::space::Space::in_memory(Some(README_7255), Some(dockerfile.as_bytes()));
    let fixed = spacecheck::fix::fix(space, &policy, &options, unsafe_fixes);
    let after = fixed.files.get("Dockerfile").map(|(_, a)| a.clone()).unwrap_or_else(|| dockerfile.to_string());
    let space = spacecheck::space::Space::in_memory(Some(README_7255), Some(after.as_bytes()));
    let codes =
        spacecheck::lint::lint(&space, &policy, &options).diagnostics.iter().map(|d| d.code.to_string()).collect();
    (after, codes)
}

/// Dockerfiles made of lines that real Spaces write, many of them with something to fix.
fn dockerfile() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        Just("RUN apt-get update && apt-get install curl"),
        Just("RUN apt-get update && \\\n    apt-get install --no-install-recommends \\\n      ffmpeg"),
        Just("RUN sudo apt-get update"),
        Just("RUN pip install fastapi uvicorn"),
        Just("RUN python -m pip install -r requirements.txt"),
        Just("RUN pip install --no-cache-dir gradio==5.0"),
        Just("COPY main.py util.py /home/user/lib"),
        Just("COPY a.py b.py ."),
        Just("COPY [\"a.py\", \"b.py\", \"/srv\"]"),
        Just("RUN useradd -m -u 1000 user"),
        Just("USER user"),
        Just("WORKDIR /home/user/app"),
        Just("ENV HOME=/home/user PATH=$HOME/.local/bin:$PATH"),
        Just("RUN curl -fsSL https://example.com/x.sh | sh"),
        Just("# a comment"),
        Just("EXPOSE 7860"),
        Just("CMD uvicorn main:app --port 7255"),
        Just("CMD [\"uvicorn\", \"main:app\", \"--host\", \"127.0.0.1\", \"--port\", \"7255\"]"),
        Just("ENTRYPOINT python app.py"),
    ];
    (proptest::collection::vec(line, 0..8), any::<bool>()).prop_map(|(lines, crlf)| {
        let nl = if crlf { "\r\n" } else { "\n" };
        let body: String = lines.iter().map(|l| format!("{}{nl}", l.replace('\n', nl))).collect();
        format!("FROM python:3.11-slim{nl}{body}")
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 150, ..ProptestConfig::default() })]

    #[test]
    fn fixing_dockerfiles_is_idempotent_and_never_breaks_parsing(text in dockerfile(), unsafe_fixes in any::<bool>()) {
        let (_, before) = fixed_dockerfile(&text, false);
        let (once, after) = fixed_dockerfile(&text, unsafe_fixes);
        prop_assert!(!after.contains(&"DF002".to_string()) || before.contains(&"DF002".to_string()), "DF002 after fixing:\n{}", once);
        let (twice, _) = fixed_dockerfile(&once, unsafe_fixes);
        prop_assert_eq!(twice, once);
    }
}

#[test]
fn df014_rewrites_an_array_that_is_not_json() {
    let cmd = DOCKERFILE_7255.lines().find(|l| l.starts_with("CMD [")).expect("a JSON CMD").to_string();
    let single_quoted = cmd.replace('"', "'");
    let dockerfile = DOCKERFILE_7255.replace(&cmd, &single_quoted);
    let dir = check_fix(README_7255, &dockerfile, "DF014", &[]);
    assert!(dockerfile_text(dir.path()).contains(&cmd), "{}", dockerfile_text(dir.path()));
}

#[test]
fn df022_removes_a_reload_flag() {
    let cmd = DOCKERFILE_7255.lines().find(|l| l.starts_with("CMD [")).expect("a JSON CMD").to_string();
    let reloading = cmd.replacen("\"]", "\", \"--reload\"]", 1);
    assert_ne!(reloading, cmd);
    let dockerfile = DOCKERFILE_7255.replace(&cmd, &reloading);
    let dir = check_fix(README_7255, &dockerfile, "DF022", &[]);
    assert!(dockerfile_text(dir.path()).contains(&cmd), "{}", dockerfile_text(dir.path()));
}

/// `exec` is a shell builtin: `CMD ["exec", …]` cannot start (no such program). The array runs
/// the program `exec` named.
#[test]
fn dl3025_drops_the_shell_builtin_exec() {
    let dockerfile = "FROM python:3.11\nRUN useradd -m -u 1000 user\nUSER user\nCMD exec python -m http.server 7860\n";
    let policy = "rules:\n  DL3025: warning\n";
    let dir =
        check_fix_with(policy, b"---\nsdk: docker\napp_port: 7860\n---\n", dockerfile, "DL3025", &["--unsafe-fixes"]);
    let text = std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
    assert!(text.ends_with("CMD [\"python\", \"-m\", \"http.server\", \"7860\"]\n"), "{text}");
}

/// DF023's unsafe fix installs what replaces a package the release dropped; linted again, the
/// build no longer stops there.
#[test]
fn df023_installs_the_replacement() {
    let dockerfile = DOCKERFILE_7255.replace(
        "RUN useradd",
        "RUN apt-get update && apt-get install -y --no-install-recommends libgl1-mesa-glx && rm -rf /var/lib/apt/lists/*\nRUN useradd",
    );
    let dir = check_fix(README_7255, &dockerfile, "DF023", &["--unsafe-fixes"]);
    assert!(
        dockerfile_text(dir.path()).contains("--no-install-recommends libgl1 &&"),
        "{}",
        dockerfile_text(dir.path())
    );
}

/// DF025's safe fix lets the RUN's user read the secret (`mode=0444`); linted again, it is gone.
#[test]
fn df025_makes_the_secret_readable() {
    let dockerfile = DOCKERFILE_7255.replace(
        "COPY --chown=user . .",
        "RUN --mount=type=secret,id=HF_TOKEN,required=true cat /run/secrets/HF_TOKEN > /dev/null\nCOPY --chown=user . .",
    );
    let dir = check_fix(README_7255, &dockerfile, "DF025", &[]);
    assert!(
        dockerfile_text(dir.path()).contains("--mount=type=secret,id=HF_TOKEN,required=true,mode=0444 cat"),
        "{}",
        dockerfile_text(dir.path())
    );
}

/// DF018's fixes: a CRLF start script is saved with LF (only its CRs go), and a script without
/// its exec bit is run through the interpreter its `#!` line names.
#[test]
fn df018_repairs_the_start_script() {
    let dockerfile = DOCKERFILE_7255.replace(
        "CMD [\"uvicorn\", \"main:app\", \"--host\", \"0.0.0.0\", \"--port\", \"7255\"]",
        "CMD [\"bash\", \"start.sh\"]",
    );
    let dir = space(README_7255, &dockerfile);
    let script = "#!/bin/bash\r\nset -e\r\nexec uvicorn main:app --host 0.0.0.0 --port 7255\r\n";
    std::fs::write(dir.path().join("start.sh"), script).unwrap();
    let (before, _) = lint(dir.path());
    check_fixed(dir.path(), &before, "DF018", &[]);
    assert_eq!(std::fs::read_to_string(dir.path().join("start.sh")).unwrap(), script.replace("\r\n", "\n"));
    // Run directly without the exec bit (the file is written 0644 here).
    let direct = dockerfile.replace("[\"bash\", \"start.sh\"]", "[\"./start.sh\"]");
    let dir = space(README_7255, &direct);
    std::fs::write(dir.path().join("start.sh"), script.replace("\r\n", "\n")).unwrap();
    let (before, _) = lint(dir.path());
    check_fixed(dir.path(), &before, "DF018", &[]);
    assert!(
        dockerfile_text(dir.path()).contains("CMD [\"/bin/bash\", \"./start.sh\"]\n"),
        "{}",
        dockerfile_text(dir.path())
    );
}

/// FM003's fixes: a quoted port number, and a value whose `: ` broke the YAML.
#[test]
fn fm003_repairs_the_frontmatter() {
    let dir = check_fix(b"---\nsdk: docker\napp_port: \"7255\"\n---\n", DOCKERFILE_7255, "FM003", &[]);
    assert_eq!(files(dir.path()).0, b"---\nsdk: docker\napp_port: 7255\n---\n");
    let broken = b"---\nsdk: docker\napp_port: 7255\nshort_description: Demo: it's a tool\n---\n";
    let dir = check_fix(broken, DOCKERFILE_7255, "FM003", &[]);
    assert_eq!(
        files(dir.path()).0,
        b"---\nsdk: docker\napp_port: 7255\nshort_description: 'Demo: it''s a tool'\n---\n"
    );
}

/// FM001/FM002: a README is created, or given a block, with what the Hub reads.
#[test]
fn fm001_and_fm002_give_the_space_its_configuration() {
    let dir = space(b"# Demo\n", DOCKERFILE_7255);
    let (before, _) = lint(dir.path());
    check_fixed(dir.path(), &before, "FM002", &[]);
    assert_eq!(files(dir.path()).0, b"---\nsdk: docker\napp_port: 7255\n---\n# Demo\n");
    let dir = space(b"", DOCKERFILE_7255);
    std::fs::remove_file(dir.path().join("README.md")).unwrap();
    let (before, _) = lint(dir.path());
    check_fixed(dir.path(), &before, "FM001", &[]);
    assert_eq!(files(dir.path()).0, b"---\nsdk: docker\napp_port: 7255\n---\n");
}

/// `--fix`/`--diff` on a lone Dockerfile, as hadolint users have it: the file is fixed in place
/// (no README is created for it), `--diff` names it, and from standard input the fixed
/// Dockerfile is printed.
#[test]
fn a_lone_dockerfile_is_fixed_where_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("Dockerfile.prod");
    let text = "FROM python:3.11-slim\nENV PORT 7860\nCMD [\"python\", \"-m\", \"http.server\", \"7860\"]\n";
    std::fs::write(&path, text).unwrap();
    let run = |args: &[&str], stdin: &str| {
        Command::cargo_bin("spacecheck").unwrap().env("NO_COLOR", "1").args(args).write_stdin(stdin).output().unwrap()
    };
    let file = path.to_str().unwrap();
    let diff = run(&[file, "--diff"], "");
    let shown = String::from_utf8_lossy(&diff.stdout);
    assert_eq!(diff.status.code(), Some(1), "{shown}");
    assert!(shown.contains(&format!("+++ b/{file}")) && shown.contains("+ENV PORT=7860"), "{shown}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text, "--diff writes nothing");
    let fixed = run(&[file, "--fix"], "");
    assert!(String::from_utf8_lossy(&fixed.stderr).contains("--fix: 1 fix (BK013) applied"), "{fixed:?}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text.replace("ENV PORT 7860", "ENV PORT=7860"));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "nothing else is written beside it");
    assert!(!String::from_utf8_lossy(&fixed.stdout).contains("BK013"), "the report is of the fixed file");
    let piped = run(&["-", "--fix"], text);
    assert_eq!(String::from_utf8_lossy(&piped.stdout), text.replace("ENV PORT 7860", "ENV PORT=7860"));
}
