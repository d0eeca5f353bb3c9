//! The command line as users and CI scripts see it: exit codes, every output format, policies,
//! filters and suppressions.

#[path = "support/shared.rs"]
mod shared;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn spacecheck() -> Command {
    let mut c = Command::cargo_bin("spacecheck").expect("binary");
    c.current_dir(repo()).env("NO_COLOR", "1");
    c
}

fn space(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (p, content) in files {
        let path = dir.path().join(p);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, content).expect("write");
    }
    dir
}

fn json_of(args: &[&str], dir: &Path) -> (Value, i32) {
    let out = spacecheck().arg(dir).args(["--format", "json"]).args(args).output().expect("run");
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("bad json ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    (v, out.status.code().unwrap_or(-1))
}

fn codes(v: &Value) -> Vec<String> {
    v["diagnostics"].as_array().expect("array").iter().map(|d| d["code"].as_str().unwrap_or("").to_string()).collect()
}

const GOOD_README: &str = "---\ntitle: t\nsdk: docker\napp_port: 7860\n---\n";
const GOOD_DOCKERFILE: &str = "FROM python:3.11-slim\nRUN useradd -m -u 1000 user\nUSER user\nWORKDIR /home/user/app\nCOPY --chown=user . .\nEXPOSE 7860\nCMD [\"python\", \"-m\", \"http.server\", \"7860\"]\n";

#[test]
fn reference_space_and_repository_pass_the_assignment_policy() {
    for target in ["fixtures/reference-space", "."] {
        let out = spacecheck().args(["--policy", "rules/ga2-f0af22.yaml", target]).output().expect("run");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{target}:\n{stdout}{}", String::from_utf8_lossy(&out.stderr));
        assert!(stdout.contains("PASS: 0 errors, 0 warnings, 0 infos"), "{stdout}");
    }
}

#[test]
fn exit_codes() {
    let good = space(&[("README.md", GOOD_README), ("Dockerfile", GOOD_DOCKERFILE)]);
    spacecheck().arg(good.path()).assert().code(0);
    // Runs as root, and the app writes beside itself at start (DF004, an error).
    let bad = space(&[
        ("README.md", GOOD_README),
        ("Dockerfile", "FROM python:3.11\nWORKDIR /app\nCOPY . .\nCMD [\"python\", \"app.py\"]\n"),
        ("app.py", "open('out.txt', 'w')\n"),
    ]);
    spacecheck().arg(bad.path()).assert().code(1);
    // Only warnings: 0 by default, 1 with --fail-on warning.
    let warn =
        space(&[("README.md", GOOD_README), ("Dockerfile", &GOOD_DOCKERFILE.replace("EXPOSE 7860", "EXPOSE 8080"))]);
    spacecheck().arg(warn.path()).assert().code(0);
    spacecheck().arg(warn.path()).args(["--fail-on", "warning"]).assert().code(1);
    // A file is a lone Dockerfile: Cargo.toml is not one BuildKit builds (DF002).
    let out = spacecheck().args(["Cargo.toml", "--format", "json"]).output().expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"DF002\""));
    // Could not check: exit 2 with the reason on stderr.
    let out = spacecheck().arg("/definitely/not/here").output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("/definitely/not/here"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    spacecheck().arg(good.path()).args(["--format", "yaml"]).assert().code(2);
}

#[test]
fn json_output_has_the_contract_shape() {
    let dir = space(&[
        ("README.md", "---\nsdk: docker\napp-port: 7860\n---\n"),
        ("Dockerfile", "FROM python:3.11\nUSER 1001\nWORKDIR /work\nCOPY --chown=1001 . .\nCMD [\"python\", \"app.py\"]\n"),
        ("app.py", "import gradio as gr\nopen('state.json', 'w')\ngr.Interface(str, 'text', 'text').launch(server_name='0.0.0.0', server_port=7860)\n"),
    ]);
    let (v, code) = json_of(&[], dir.path());
    assert_eq!(code, 1);
    assert_eq!(v["version"], 1);
    assert_eq!(v["policy"], "built-in baseline (rules/hf-docker.yaml)");
    let d = v["diagnostics"].as_array().unwrap().iter().find(|d| d["code"] == "DF005").expect("DF005");
    assert_eq!(d["name"], "user-not-uid-1000");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["file"], "Dockerfile");
    assert_eq!((d["line"].as_u64(), d["column"].as_u64()), (Some(2), Some(6)));
    assert_eq!((d["end_line"].as_u64(), d["end_column"].as_u64()), (Some(2), Some(10)));
    assert!(d["help"].is_string());
    let summary = &v["summary"];
    assert_eq!(summary["passed"], false);
    assert_eq!(
        summary["warnings"].as_u64(),
        Some(codes(&v).iter().filter(|c| *c == "FM007" || *c == "DF007").count() as u64)
    );
    assert!(v["skipped"].as_array().unwrap().is_empty());
}

#[test]
fn offline_lists_live_rules_as_skipped() {
    let dir = space(&[("README.md", GOOD_README), ("Dockerfile", GOOD_DOCKERFILE)]);
    let (v, code) = json_of(&["--offline"], dir.path());
    assert_eq!(code, 0);
    let skipped: Vec<&str> = v["skipped"].as_array().unwrap().iter().map(|s| s["code"].as_str().unwrap()).collect();
    assert!(skipped.contains(&"HUB004") && skipped.contains(&"APP001"), "{skipped:?}");
}

#[test]
fn sarif_output_validates_against_the_sarif_schema() {
    let Some(schema_path) = shared::shared("schemas/sarif-2.1.0.json") else { return };
    let mut schema: Value =
        serde_json::from_str(&std::fs::read_to_string(&schema_path).expect("the SARIF schema in ../shared/schemas"))
            .expect("schema json");
    // The OASIS rtm.5 schema's `language` patterns (run, toolComponent) have a stray `]`, which
    // the validator's meta-schema check rejects as a regex; repair those patterns in this copy.
    // spacecheck never emits `language`, so the check is otherwise the full schema.
    let broken = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
    let text = serde_json::to_string(&schema).expect("json");
    assert!(text.contains(&serde_json::to_string(broken).expect("json")), "the schema changed: drop this repair");
    schema = serde_json::from_str(
        &text.replace(&serde_json::to_string(broken).expect("json"), "\"^[a-zA-Z]{2}$|^[a-zA-Z]{2}-[a-zA-Z]{2}$\""),
    )
    .expect("json");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let token_free = space(&[
        ("README.md", "---\nsdk: gradio\n---\n"),
        ("Dockerfile", "FROM python\nCMD uvicorn a:b\n"),
        ("big.bin", &"x".repeat(10_000_001)),
    ]);
    for dir in [token_free.path(), &repo().join("fixtures/reference-space")] {
        let out = spacecheck().arg(dir).args(["--format", "sarif"]).output().expect("run");
        let v: Value = serde_json::from_slice(&out.stdout).expect("sarif json");
        let errors: Vec<String> = validator.iter_errors(&v).map(|e| format!("{e} at {}", e.instance_path())).collect();
        assert!(errors.is_empty(), "{errors:#?}");
        let run = &v["runs"][0];
        assert_eq!(run["tool"]["driver"]["name"], "spacecheck");
        assert_eq!(run["tool"]["driver"]["rules"].as_array().unwrap().len(), 96);
        for r in run["results"].as_array().unwrap() {
            assert!(r["locations"][0]["physicalLocation"]["region"]["startLine"].as_u64().unwrap() >= 1);
            assert!(r["ruleId"].is_string() && r["message"]["text"].is_string());
        }
    }
    let out = spacecheck().arg(token_free.path()).args(["--format", "sarif"]).output().expect("run");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> =
        v["runs"][0]["results"].as_array().unwrap().iter().map(|r| r["ruleId"].as_str().unwrap()).collect();
    assert!(ids.contains(&"FM004") && ids.contains(&"RP003") && ids.contains(&"DF009"), "{ids:?}");
    // A finding with a fix carries it as SARIF `fixes` (validated above with the schema).
    let fm004 = v["runs"][0]["results"].as_array().unwrap().iter().find(|r| r["ruleId"] == "FM004").unwrap();
    let change = &fm004["fixes"][0]["artifactChanges"][0];
    assert_eq!(change["artifactLocation"]["uri"], "README.md");
    assert_eq!(change["replacements"][0]["insertedContent"]["text"], "docker");
}

#[test]
fn github_annotations() {
    let out = spacecheck().args(["fixtures/examples/wrong-port", "--format", "github"]).output().expect("run");
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    let first = text.lines().next().expect("a line");
    assert!(
        first.starts_with("::warning file=fixtures/examples/wrong-port/Dockerfile,line=7,col=8,endLine=7,endColumn=12,title=DF007 port-not-exposed::EXPOSE lists 8501"),
        "{first}"
    );
    assert!(text.lines().any(|l| l.starts_with("::error ") && l.contains("title=DF009 binds-localhost")));
    // Multi-line messages are escaped into one line per finding.
    assert!(text.lines().all(|l| l.starts_with("::")), "{text}");
    assert!(text.contains("%0Ahelp: "));
}

#[test]
fn human_output_plain_snapshot() {
    let out = spacecheck().arg("fixtures/examples/runs-as-root").output().expect("run");
    insta::assert_snapshot!("runs_as_root_human", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn select_and_ignore_take_prefixes() {
    let dir = space(&[("README.md", "---\nsdk: docker\napp-port: 1\n---\n"), ("Dockerfile", "FROM python\nCMD x\n")]);
    let (v, _) = json_of(&["--select", "DF"], dir.path());
    assert!(codes(&v).iter().all(|c| c.starts_with("DF")) && !codes(&v).is_empty());
    let (v, _) = json_of(&["--ignore", "DF00,FM"], dir.path());
    assert!(codes(&v).iter().all(|c| !c.starts_with("DF00") && !c.starts_with("FM")), "{:?}", codes(&v));
    assert!(codes(&v).contains(&"DF011".to_string()));
    let out = spacecheck().arg(dir.path()).args(["--select", "XX9"]).output().expect("run");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn policy_errors_are_exit_2_with_line_and_suggestion() {
    let dir = space(&[
        ("README.md", GOOD_README),
        ("Dockerfile", GOOD_DOCKERFILE),
        ("policy.yaml", "space:\n  app-port: 7255\n"),
    ]);
    let out = spacecheck().arg(dir.path()).arg("--policy").arg(dir.path().join("policy.yaml")).output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("policy.yaml:2:3") && err.contains("did you mean `app_port`"), "{err}");
}

#[test]
fn spacecheck_yaml_in_the_space_is_the_default_policy() {
    let dir = space(&[
        ("README.md", GOOD_README),
        ("Dockerfile", GOOD_DOCKERFILE),
        ("spacecheck.yaml", "space:\n  app_port: 7255\nrules:\n  DF007: off\n"),
    ]);
    let (v, code) = json_of(&[], dir.path());
    assert_eq!(code, 1);
    assert!(v["policy"].as_str().unwrap().ends_with("spacecheck.yaml"));
    assert!(codes(&v).contains(&"FM005".to_string()));
}

#[test]
fn policy_severity_overrides() {
    let dir = space(&[
        ("README.md", GOOD_README),
        ("Dockerfile", "FROM python:3.11\nWORKDIR /app\nCOPY . .\nCMD [\"python\", \"app.py\"]\n"),
        ("app.py", "import gradio as gr\nopen('state.json', 'w')\ngr.Interface(str, 'text', 'text').launch(server_name='0.0.0.0', server_port=7860)\n"),
        ("spacecheck.yaml", "rules:\n  DF004: warning\n  DF007: off\n"),
    ]);
    let (v, code) = json_of(&[], dir.path());
    assert_eq!(code, 0, "{v}");
    let df4 = v["diagnostics"].as_array().unwrap().iter().find(|d| d["code"] == "DF004").expect("DF004");
    assert_eq!(df4["severity"], "warning");
    assert!(!codes(&v).contains(&"DF007".to_string()));
}

#[test]
fn inline_suppressions_and_unused_ones() {
    let dockerfile = "# spacecheck: ignore=DF011\nFROM python\n# spacecheck: ignore=DF009,DF008\nCMD uvicorn main:app \\\n    --port 8000\n# spacecheck: ignore=DF004\nEXPOSE 7860\nCOPY . .\n";
    let readme = "---\nsdk: docker\n# spacecheck: ignore=FM007\napp-port: 7860\n---\n";
    let main = "import os\nos.makedirs('uploads', exist_ok=True)\n";
    let dir = space(&[("README.md", readme), ("Dockerfile", dockerfile), ("main.py", main)]);
    let (v, _) = json_of(&[], dir.path());
    let c = codes(&v);
    for suppressed in ["DF011", "DF009", "DF008", "FM007"] {
        assert!(!c.contains(&suppressed.to_string()), "{suppressed} in {c:?}");
    }
    // DF004 points at FROM, not EXPOSE: that suppression is unused, reported as SC001 (info).
    assert!(c.contains(&"DF004".to_string()));
    let sc = v["diagnostics"].as_array().unwrap().iter().find(|d| d["code"] == "SC001").expect("SC001");
    assert_eq!(sc["line"].as_u64(), Some(6));
    assert_eq!(sc["severity"], "info");
}

#[test]
fn rules_and_explain() {
    let out = spacecheck().arg("rules").output().expect("run");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    for code in ["FM001", "DF011", "RP004", "HUB008", "APP001", "SC001"] {
        assert!(text.contains(code), "{code}");
    }
    let out = spacecheck().args(["explain", "df005"]).output().expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("DF005 user-not-uid-1000") && text.contains("## Fix"), "{text}");
    let out = spacecheck().args(["explain", "DF05"]).output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    let out = spacecheck().args(["rules", "--json"]).output().expect("run");
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v.as_array().unwrap().len(), 96, "FM 8, DF 26, RP 5, BK 21, DL 14, HUB/APP 11, GA 8, SC 3");
    let out = spacecheck().args(["explain", "DL3045"]).output().expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("off unless selected") && text.contains("hadolint: DL3045"), "{text}");
    let out = spacecheck().args(["explain", "DL4003"]).output().expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("BuildKit: MultipleInstructionsDisallowed (https://docs.docker.com/reference/build-checks/multiple-instructions-disallowed/)"), "{text}");
}

/// BuildKit's checks: on by default; the experimental ones only when the Dockerfile's
/// `# check=experimental=` asks (or they are selected); `# check=error=true` makes them errors.
#[test]
fn buildkit_checks_follow_the_check_directive() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("README.md"), "---\nsdk: docker\napp_port: 7860\n---\n").unwrap();
    std::fs::write(dir.path().join(".dockerignore"), "notes.md\n").unwrap();
    std::fs::write(dir.path().join("notes.md"), "x\n").unwrap();
    let body = "FROM python:3.11 as app\n# the version\nARG VERSION=1\nRUN useradd -m -u 1000 user\nUSER user\n\
        WORKDIR /home/user/app\nCOPY --chown=user notes.md ./\nCMD [\"python\", \"-m\", \"http.server\", \"7860\"]\n";
    let report = |directive: &str| {
        std::fs::write(dir.path().join("Dockerfile"), format!("{directive}{body}")).unwrap();
        // RP002 reports the ignored copy as the build failure it is; here only BK is looked at.
        let args = ["--offline", "--format", "json", "--ignore", "RP002"];
        let out = spacecheck().arg(dir.path()).args(args).output().expect("run");
        let v: Value = serde_json::from_slice(&out.stdout).expect("json");
        let found: Vec<(String, String)> = v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["code"].as_str().unwrap().starts_with("BK"))
            .map(|d| (d["code"].as_str().unwrap().to_string(), d["severity"].as_str().unwrap().to_string()))
            .collect();
        (found, out.status.code())
    };
    let warning = |code: &str| (code.to_string(), "warning".to_string());
    // CopyIgnoredFile is on by default since the frontend 1.21.0 (moby/buildkit 4187c344c).
    assert_eq!(report(""), (vec![warning("BK002"), warning("BK018")], Some(0)));
    assert_eq!(report("# check=skip=CopyIgnoredFile\n"), (vec![warning("BK002")], Some(0)));
    let experimental = report("# check=experimental=InvalidDefinitionDescription\n");
    assert_eq!(experimental, (vec![warning("BK002"), warning("BK019"), warning("BK018")], Some(0)));
    assert_eq!(report("# check=skip=FromAsCasing,CopyIgnoredFile\n").0, vec![]);
    let (errors, code) = report("# check=error=true\n");
    let error = |code: &str| (code.to_string(), "error".to_string());
    assert_eq!((errors, code), (vec![error("BK002"), error("BK018")], Some(1)), "BuildKit fails the build");
}

/// hadolint's hygiene rules run only when selected (by prefix, code, or a policy severity);
/// hadolint's own comments suppress them, and are never reported as unused.
#[test]
fn hadolint_rules_selection_and_comments() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("README.md"), "---\nsdk: docker\napp_port: 7860\n---\n").unwrap();
    let dockerfile = "FROM python:3.11\nRUN useradd -m -u 1000 user\nUSER user\nWORKDIR /home/user/app\n\
        # hadolint ignore=DL3013,DL3008\nRUN pip install --user gradio\nRUN pip install --user fastapi\n\
        CMD [\"python\", \"-m\", \"http.server\", \"7860\"]\n";
    std::fs::write(dir.path().join("Dockerfile"), dockerfile).unwrap();
    let codes_with = |args: &[&str]| {
        let out =
            spacecheck().arg(dir.path()).args(["--offline", "--format", "json"]).args(args).output().expect("run");
        let v: Value = serde_json::from_slice(&out.stdout).expect("json");
        codes(&v)
    };
    assert!(!codes_with(&[]).iter().any(|c| c.starts_with("DL")), "{:?}", codes_with(&[]));
    let selected = codes_with(&["--select", "DL"]);
    assert_eq!(selected.iter().filter(|c| *c == "DL3013").count(), 1, "line 6 is ignored, line 7 is not: {selected:?}");
    assert_eq!(selected.iter().filter(|c| *c == "DL3042").count(), 2, "{selected:?}");
    assert!(!selected.iter().any(|c| c == "SC001" || c == "SC003"), "{selected:?}");
    std::fs::write(dir.path().join("Dockerfile"), format!("# hadolint global ignore=DL3042\n{dockerfile}")).unwrap();
    let global = codes_with(&["--select", "DL3042"]);
    assert!(global.is_empty(), "{global:?}");
    // hadolint's comments reach hadolint's codes only.
    std::fs::write(
        dir.path().join("Dockerfile"),
        "# hadolint ignore=DF008,DL3006\nFROM python:3.11\nCMD [\"python\", \"-m\", \"http.server\", \"8080\"]\n",
    )
    .unwrap();
    assert!(codes_with(&[]).contains(&"DF008".to_string()), "{:?}", codes_with(&[]));
    std::fs::write(dir.path().join("Dockerfile"), dockerfile).unwrap();
    std::fs::write(dir.path().join("spacecheck.yaml"), "rules:\n  DL3013: error\n").unwrap();
    let by_policy = codes_with(&["--policy", dir.path().join("spacecheck.yaml").to_str().unwrap()]);
    let hadolint: Vec<&String> = by_policy.iter().filter(|c| c.starts_with("DL")).collect();
    assert_eq!(hadolint, vec!["DL3013"], "a policy severity turns that rule, and only it, on");
}

#[test]
fn no_colour_codes_when_not_a_terminal() {
    let mut c = Command::cargo_bin("spacecheck").expect("binary");
    let out = c.current_dir(repo()).env_remove("NO_COLOR").arg("fixtures/examples/wrong-port").output().expect("run");
    assert!(!out.stdout.contains(&0x1b), "escape codes in piped output");
}

#[test]
fn top_level_dockerfile_is_the_reference_spaces_with_repository_paths() {
    // Both are required (the repository is a Space; the fixture is a Space by itself): keep
    // them one Dockerfile that differs only in where COPY finds the files.
    let top = std::fs::read_to_string(repo().join("Dockerfile")).expect("Dockerfile");
    let fixture =
        std::fs::read_to_string(repo().join("fixtures/reference-space/Dockerfile")).expect("fixture Dockerfile");
    let body = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| !l.starts_with('#'))
            .map(|l| l.replace("fixtures/reference-space/", ""))
            .skip_while(|l| l.trim().is_empty())
            .collect()
    };
    assert_eq!(body(&top), body(&fixture));
}

/// Result URIs are percent-encoded and resolve through SPACEROOT to the Space's folder.
#[test]
fn sarif_uris_are_encoded_and_resolve_to_the_space() {
    let dir = tempfile::tempdir().expect("tempdir");
    let space_dir = dir.path().join("spaces/my demo");
    std::fs::create_dir_all(&space_dir).unwrap();
    std::fs::write(space_dir.join("README.md"), GOOD_README).unwrap();
    std::fs::write(space_dir.join("Dockerfile"), "FROM python:3.11\nCOPY [\"my file#1.txt\", \"/app/\"]\nUSER 1000\n")
        .unwrap();
    let out = spacecheck().current_dir(dir.path()).args(["spaces/my demo", "--format", "sarif"]).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).expect("sarif");
    let run = &v["runs"][0];
    assert_eq!(run["originalUriBaseIds"]["SPACEROOT"]["uri"], "spaces/my%20demo/");
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
    let uris: Vec<&str> = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap())
        .collect();
    assert!(uris.iter().all(|u| !u.contains(' ') && !u.contains('#')), "{uris:?}");
}

#[test]
fn an_empty_email_is_an_error() {
    let out = spacecheck().args(["assignment", "show", "ga2", "--email", ""]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("email"));
}

/// `fixtures/examples/wrong-port`: a Space with findings (exit 1).
const FAILING: &str = "fixtures/examples/wrong-port";

#[test]
fn exit_zero_keeps_the_findings_but_not_the_failure() {
    let plain = spacecheck().args([FAILING, "--offline"]).output().unwrap();
    assert_eq!(plain.status.code(), Some(1));
    let zero = spacecheck().args([FAILING, "--offline", "--exit-zero"]).output().unwrap();
    assert_eq!(zero.status.code(), Some(0));
    assert_eq!(zero.stdout, plain.stdout, "the same findings are printed");
    // Could not check stays 2.
    let missing = spacecheck().args(["no/such/folder", "--exit-zero"]).output().unwrap();
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn output_file_takes_the_report_and_stdout_stays_empty() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.json");
    let out =
        spacecheck().args([FAILING, "--offline", "--format", "json", "-o", file.to_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "{}", String::from_utf8_lossy(&out.stdout));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert!(!codes(&v).is_empty());
    // A file gets no colour even with --color auto on a terminal; --color always forces it.
    let human = dir.path().join("report.txt");
    spacecheck().args([FAILING, "--offline", "--output-file", human.to_str().unwrap()]).output().unwrap();
    assert!(!std::fs::read_to_string(&human).unwrap().contains('\u{1b}'));
    let bad = spacecheck().args([FAILING, "--offline", "-o", "/no/such/dir/report.txt"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("cannot write `/no/such/dir/report.txt`"));
}

#[test]
fn color_always_and_never() {
    let always = spacecheck().args([FAILING, "--offline", "--color", "always"]).output().unwrap();
    assert!(String::from_utf8_lossy(&always.stdout).contains('\u{1b}'), "ANSI colours when asked");
    let never = spacecheck().args([FAILING, "--offline", "--color", "never"]).output().unwrap();
    assert!(!String::from_utf8_lossy(&never.stdout).contains('\u{1b}'));
    // Machine formats never carry colour.
    let json = spacecheck().args([FAILING, "--offline", "--color", "always", "--format", "json"]).output().unwrap();
    serde_json::from_slice::<Value>(&json.stdout).expect("plain JSON");
}

#[test]
fn quiet_prints_the_findings_only() {
    let full = String::from_utf8(spacecheck().args([FAILING, "--offline"]).output().unwrap().stdout).unwrap();
    let out = spacecheck().args([FAILING, "--offline", "-q"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let quiet = String::from_utf8(out.stdout).unwrap();
    assert!(full.contains("skipped ") && full.contains("FAIL:"), "{full}");
    assert!(!quiet.contains("skipped ") && !quiet.contains("FAIL:") && !quiet.contains("(policy:"), "{quiet}");
    assert!(quiet.contains("DF008") || quiet.contains("DF007"), "{quiet}");
    // A passing Space prints nothing at all.
    let pass = spacecheck().args(["fixtures/reference-space", "--offline", "--quiet"]).output().unwrap();
    assert_eq!(pass.status.code(), Some(0));
    assert!(pass.stdout.is_empty(), "{}", String::from_utf8_lossy(&pass.stdout));
}

#[test]
fn statistics_count_findings_per_rule() {
    let (v, _) = json_of(&["--offline"], &repo().join(FAILING));
    let mut expected: Vec<(String, usize)> = Vec::new();
    for code in codes(&v) {
        match expected.iter_mut().find(|(c, _)| *c == code) {
            Some((_, n)) => *n += 1,
            None => expected.push((code, 1)),
        }
    }
    let out = spacecheck().args([FAILING, "--offline", "--statistics", "--format", "json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "the exit code is the findings'");
    let stats: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut seen: Vec<(String, usize)> = stats
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["code"].as_str().unwrap().to_string(), s["count"].as_u64().unwrap() as usize))
        .collect();
    let counts: Vec<usize> = seen.iter().map(|s| s.1).collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "most first: {counts:?}");
    seen.sort();
    expected.sort();
    assert_eq!(seen, expected);
    let text =
        String::from_utf8(spacecheck().args([FAILING, "--offline", "--statistics"]).output().unwrap().stdout).unwrap();
    assert_eq!(text.lines().count(), expected.len(), "{text}");
    for (code, n) in &expected {
        assert!(
            text.lines().any(|l| l.split_whitespace().take(2).eq([n.to_string().as_str(), code.as_str()])),
            "{text}"
        );
    }
    let refused = spacecheck().args([FAILING, "--offline", "--statistics", "--format", "sarif"]).output().unwrap();
    assert_eq!(refused.status.code(), Some(2));
}

#[test]
fn completions_for_each_shell() {
    for (shell, marker) in
        [("bash", "_spacecheck()"), ("zsh", "#compdef spacecheck"), ("fish", "complete -c spacecheck")]
    {
        let out = spacecheck().args(["completions", shell]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let script = String::from_utf8(out.stdout).unwrap();
        assert!(script.contains(marker), "{shell}: {}", &script[..script.len().min(300)]);
        assert!(script.contains("exit-zero") && script.contains("grade"), "{shell} knows the options");
    }
    let bad = spacecheck().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

/// Options that would silently mean something else are refused with a suggestion.
#[test]
fn empty_selections_and_zero_timeouts_are_refused() {
    for (args, says) in [
        (vec!["--select="], "--select was given no code"),
        (vec!["--ignore", ","], "--ignore was given no code"),
        (vec!["--select", "HUB04"], "did you mean HUB004?"),
        (vec!["--timeout", "0"], "must be more than 0 and at most 600 seconds"),
        (vec!["--timeout", "soon"], "a number of seconds"),
    ] {
        let out = spacecheck().args(["fixtures/reference-space", "--offline"]).args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(says),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let grade = spacecheck().args(["grade", "roster.csv", "--timeout", "0"]).output().unwrap();
    assert_eq!(grade.status.code(), Some(2));
}

#[test]
fn skipped_rules_are_one_line_per_reason_unless_asked() {
    let text = |args: &[&str]| {
        String::from_utf8(
            spacecheck().args(["fixtures/reference-space", "--offline"]).args(args).output().unwrap().stdout,
        )
        .unwrap()
    };
    let collapsed = text(&[]);
    let lines: Vec<&str> = collapsed.lines().filter(|l| l.starts_with("skipped")).collect();
    assert_eq!(lines.len(), 1, "{collapsed}");
    assert!(
        lines[0].contains("rules: --offline: the Hub was not contacted (--show-skipped lists them)"),
        "{collapsed}"
    );
    let listed = text(&["--show-skipped"]);
    let codes: Vec<&str> =
        listed.lines().filter_map(|l| l.strip_prefix("skipped ")).map(|l| &l[..l.find(':').unwrap()]).collect();
    assert!(codes.contains(&"HUB004") && codes.contains(&"APP001"), "{listed}");
    assert!(lines[0].contains(&format!("skipped {} rules", codes.len())), "the count is the list's");
}

#[test]
fn several_targets_in_one_run() {
    let good = "fixtures/reference-space";
    let human = spacecheck().args([good, FAILING, "--offline"]).output().unwrap();
    assert_eq!(human.status.code(), Some(1), "the worst target decides");
    let text = String::from_utf8(human.stdout).unwrap();
    assert!(
        text.contains(&format!("spacecheck {good} ")) && text.contains(&format!("spacecheck {FAILING} ")),
        "{text}"
    );
    let out = spacecheck().args([good, FAILING, "--offline", "--format", "json"]).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let reports = v.as_array().expect("an array of reports");
    assert_eq!(reports.len(), 2);
    assert_eq!(
        (reports[0]["summary"]["passed"].as_bool(), reports[1]["summary"]["passed"].as_bool()),
        (Some(true), Some(false))
    );
    let sarif = spacecheck().args([good, FAILING, "--offline", "--format", "sarif"]).output().unwrap();
    let v: Value = serde_json::from_slice(&sarif.stdout).unwrap();
    assert_eq!(v["runs"].as_array().unwrap().len(), 2, "a run per target");
    assert_eq!(v["version"], "2.1.0");
    // One target keeps the single-object shape.
    let (one, _) = json_of(&["--offline"], &repo().join(good));
    assert!(one.is_object());
}

#[test]
fn a_lone_dockerfile_and_standard_input() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("Dockerfile.dev");
    std::fs::write(&file, "FROM python:3.11-slim\nUSER root\nRUN sudo apt-get update\n").unwrap();
    let out = spacecheck().arg(&file).args(["--offline", "--format", "json", "--show-skipped"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(codes(&v).contains(&"DL3004".to_string()));
    // What the app writes needs the app: DF004 is skipped as the README's rules are.
    assert!(!codes(&v).contains(&"DF004".to_string()));
    assert!(!codes(&v).iter().any(|c| c.starts_with("FM") || c.starts_with("RP")), "{v}");
    assert_eq!(v["diagnostics"][0]["file"], "Dockerfile.dev");
    let skipped: Vec<&str> = v["skipped"].as_array().unwrap().iter().map(|s| s["reason"].as_str().unwrap()).collect();
    assert!(skipped.iter().any(|r| r.contains("a lone Dockerfile")), "{skipped:?}");
    // The same text on standard input.
    let out = spacecheck()
        .args(["-", "--offline", "--format", "json"])
        .write_stdin("FROM python:3.11-slim\nUSER root\nRUN sudo apt-get update\n")
        .output()
        .unwrap();
    let from_stdin: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(codes(&from_stdin), codes(&v));
    // GitHub annotations name the file from the working folder.
    let gh = spacecheck().arg(&file).args(["--offline", "--format", "github"]).output().unwrap();
    let first = String::from_utf8(gh.stdout).unwrap();
    assert!(first.contains(&format!("file={}", file.display())), "{first}");
}

#[test]
fn a_space_url_means_hf() {
    let out = spacecheck().args(["https://huggingface.co/spaces/acme/demo", "--offline"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("hf:// lints the files stored on the Hub"));
    let bad = spacecheck().args(["https://example.com/spaces/acme/demo"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("is not a Space URL"));
}

#[test]
fn concise_is_one_line_per_finding() {
    let (v, _) = json_of(&["--offline"], &repo().join(FAILING));
    let out = spacecheck().args([FAILING, "--offline", "--format", "concise"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), codes(&v).len(), "{text}");
    for (line, d) in lines.iter().zip(v["diagnostics"].as_array().unwrap()) {
        let expected = format!(
            "{FAILING}/{}:{}:{}: {} {} ",
            d["file"].as_str().unwrap(),
            d["line"],
            d["column"],
            d["code"].as_str().unwrap(),
            d["name"].as_str().unwrap()
        );
        assert!(line.starts_with(&expected), "{line} / {expected}");
    }
}

#[test]
fn gitlab_code_quality_validates_against_its_schema() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("tests/schemas/gitlab-codequality.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let out = spacecheck()
        .args([FAILING, "fixtures/examples/runs-as-root", "--offline", "--format", "gitlab"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let errors: Vec<String> = validator.iter_errors(&v).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let issues = v.as_array().unwrap();
    assert!(issues.len() >= 4, "both targets' findings in one array");
    let mut fingerprints: Vec<&str> = issues.iter().map(|i| i["fingerprint"].as_str().unwrap()).collect();
    fingerprints.sort();
    fingerprints.dedup();
    assert_eq!(fingerprints.len(), issues.len(), "GitLab shows one issue per fingerprint");
    assert!(issues.iter().any(|i| i["location"]["path"] == format!("{FAILING}/Dockerfile")));
    let clean = spacecheck().args(["fixtures/reference-space", "--offline", "--format", "gitlab"]).output().unwrap();
    assert_eq!(serde_json::from_slice::<Value>(&clean.stdout).unwrap(), serde_json::json!([]));
}

/// `--format junit` read by junitparser (PyPI), as CI systems read it: the failing findings are
/// failures, the others passing cases, the rules that could not run skipped.
#[test]
fn junit_is_read_by_a_junit_parser() {
    let venv = std::env::var_os("SPACECHECK_TEST_VENV").map_or_else(|| repo().join("target/venv"), PathBuf::from);
    let python = venv.join("bin/python");
    let has_parser =
        std::process::Command::new(&python).args(["-c", "import junitparser"]).status().is_ok_and(|s| s.success());
    if !has_parser {
        assert!(std::env::var_os("CI").is_none(), "CI must run the JUnit check (scripts/test.sh installs junitparser)");
        eprintln!("note: junitparser is not installed (run scripts/test.sh); the JUnit output was not parsed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("junit.xml");
    let out = spacecheck()
        .args([FAILING, "fixtures/reference-space", "--offline", "--format", "junit", "-o", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let script = r#"
import sys
from junitparser import JUnitXml, Failure, Skipped
xml = JUnitXml.fromfile(sys.argv[1])
for suite in xml:
    failures = sum(1 for case in suite for r in case.result if isinstance(r, Failure))
    skipped = sum(1 for case in suite for r in case.result if isinstance(r, Skipped))
    print(f"{suite.name}|{suite.tests}|{suite.failures}|{failures}|{skipped}|{sum(1 for _ in suite)}")
"#;
    let parsed = std::process::Command::new(&python).args(["-c", script, file.to_str().unwrap()]).output().unwrap();
    assert!(parsed.status.success(), "{}", String::from_utf8_lossy(&parsed.stderr));
    let lines: Vec<String> = String::from_utf8(parsed.stdout).unwrap().lines().map(String::from).collect();
    assert_eq!(lines.len(), 2, "a suite per target: {lines:?}");
    let (v, _) = json_of(&["--offline"], &repo().join(FAILING));
    let errors = v["summary"]["errors"].as_u64().unwrap();
    let fields: Vec<&str> = lines[0].split('|').collect();
    assert_eq!(fields[0], format!("spacecheck {FAILING}"));
    assert_eq!(fields[2], errors.to_string(), "declared failures: the errors");
    assert_eq!(fields[3], errors.to_string(), "parsed failures");
    assert_eq!(fields[1], fields[5], "declared tests = parsed cases");
    let clean: Vec<&str> = lines[1].split('|').collect();
    assert_eq!(clean[3], "0", "the reference Space fails nothing: {lines:?}");
}

/// `select`, `ignore` and `fail_on` in the policy (spacecheck.yaml or --policy) act as the
/// command-line options would; the command line wins where it says something.
#[test]
fn policy_keys_act_as_the_options() {
    let warn_only = GOOD_DOCKERFILE.replace("EXPOSE 7860", "EXPOSE 8080");
    let dir =
        space(&[("README.md", GOOD_README), ("Dockerfile", &warn_only), ("spacecheck.yaml", "fail_on: warning\n")]);
    spacecheck().arg(dir.path()).args(["--offline"]).assert().code(1);
    spacecheck().arg(dir.path()).args(["--offline", "--fail-on", "error"]).assert().code(0);
    std::fs::write(dir.path().join("spacecheck.yaml"), "fail_on: warning\nignore: [DF007]\n").unwrap();
    spacecheck().arg(dir.path()).args(["--offline"]).assert().code(0);
    std::fs::write(dir.path().join("spacecheck.yaml"), "select: FM, RP\n").unwrap();
    let (v, _) = json_of(&["--offline", "--fail-on", "warning"], dir.path());
    assert!(codes(&v).is_empty(), "DF007 is not selected: {v}");
    let (v, _) = json_of(&["--offline", "--select", "DF"], dir.path());
    assert_eq!(codes(&v), ["DF007"], "the command line's selection wins");
}

/// `assignment` and `email` in the policy check the assignment, as the flags would.
#[test]
fn policy_assignment_and_email() {
    let dir = space(&[("README.md", GOOD_README), ("Dockerfile", GOOD_DOCKERFILE)]);
    let policy = dir.path().join("course.yaml");
    std::fs::write(&policy, "assignment: ga2\nemail: 23f1000000@ds.study.iitm.ac.in\nrules:\n  GA008: off\n").unwrap();
    let from_policy =
        spacecheck().arg(dir.path()).args(["--offline", "--format", "json", "--policy"]).arg(&policy).output().unwrap();
    let from_flags = spacecheck()
        .arg(dir.path())
        .args(["--offline", "--format", "json", "--assignment", "ga2", "--email", "23f1000000@ds.study.iitm.ac.in"])
        .output()
        .unwrap();
    let a: Value = serde_json::from_slice(&from_policy.stdout).unwrap();
    let b: Value = serde_json::from_slice(&from_flags.stdout).unwrap();
    let without = |v: &Value| codes(v).into_iter().filter(|c| c != "GA008").collect::<Vec<_>>();
    assert_eq!(without(&a), without(&b), "the same checks");
    assert!(codes(&a).iter().any(|c| c.starts_with("GA")), "{a}");
    assert!(!codes(&a).contains(&"GA008".to_string()), "the file's rule settings stay");
    assert!(a["policy"].as_str().unwrap().contains("assignment q-huggingface-docker"), "{}", a["policy"]);
}

/// Every mistake in a policy is reported at once, each with its place.
#[test]
fn every_policy_error_at_once() {
    let dir = space(&[("README.md", GOOD_README), ("Dockerfile", GOOD_DOCKERFILE)]);
    let policy = dir.path().join("bad.yaml");
    std::fs::write(
        &policy,
        "fail_on: sometimes\nselect: [DF99]\nrules:\n  FM00: off\nspace:\n  app_port: 99999\nassignment: ga2\n",
    )
    .unwrap();
    let out = spacecheck().arg(dir.path()).arg("--policy").arg(&policy).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    for says in [
        "bad.yaml:1:",
        "fail_on must be error or warning",
        "bad.yaml:2:",
        "`DF99` in select",
        "FM00",
        "app_port must be a port",
        "`assignment` needs `email`",
    ] {
        assert!(stderr.contains(says), "{says} in {stderr}");
    }
}

/// A hardware flavor one edit from a known one is a typo, refused with the flavor; a name far
/// from all of them is accepted (the Hub's list grows).
#[test]
fn hardware_typos_are_refused_new_flavors_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("p.yaml");
    for (flavor, code, says) in
        [("cpu-basc", 2, "did you mean `cpu-basic`?"), ("t4-smal", 2, "`t4-small`"), ("b200x8", 0, "")]
    {
        std::fs::write(&policy, format!("space:\n  hardware: {flavor}\n")).unwrap();
        let out =
            spacecheck().args(["fixtures/reference-space", "--offline", "--policy"]).arg(&policy).output().unwrap();
        assert_eq!(out.status.code(), Some(code), "{flavor}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stderr).contains(says), "{flavor}");
    }
}
