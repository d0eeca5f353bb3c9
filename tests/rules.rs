//! Every rule of the catalogue, in ruff's manner: a case that fires it, with a snapshot that pins
//! each finding's message, place (line, column, byte span), label and help.
//!
//! Local rules read a Space made of a compliant base (`tests/rules/_base/`, or the folder that
//! `base.txt` names) overlaid with the files of `tests/rules/<CODE>/`, less those `remove.txt`
//! lists: each case is what makes a good Space fail the rule. Control files: `policy.yaml` (the
//! policy), `assignment.txt` (`ID EMAIL`: assignment mode), `submission.txt` (the URL to submit),
//! `case.txt` (what the test adds). `near_misses/<name>/` folders hold files laid over the case
//! that make it right: the rule must stay silent on each, and the snapshot says so beside the
//! finding, as ruff keeps a rule's fixture. Live rules read a probe built here by hand, as the
//! Hub would answer. The catalogue is walked, so a new rule without a case fails this test.

use std::path::{Path, PathBuf};

use spacecheck::hub::client::Response;
use spacecheck::hub::probe::{parse_info, AppOutcome, InfoOutcome, Probe, SecretsOutcome};
use spacecheck::lint::{self, Input, Live, Options, Report};
use spacecheck::policy::Policy;
use spacecheck::rules::{self, Check, Code};
use spacecheck::space::Space;

#[path = "support/fix_figure.rs"]
mod fix_figure;

fn fixture(code: Code) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/rules").join(code.as_str())
}

/// The policy a fixture asks for: an assignment (`assignment.txt`: `ID EMAIL`), a policy file,
/// or the baseline.
fn policy_of(dir: &Path) -> Policy {
    if let Ok(line) = std::fs::read_to_string(dir.join("assignment.txt")) {
        let (id, email) = line.trim().split_once(' ').expect("assignment.txt: ID EMAIL");
        let assignment = spacecheck::assignment::find(id).expect("known assignment");
        let mut policy = spacecheck::assignment::policy_for(&spacecheck::assignment::derive(email), assignment);
        policy.submission = std::fs::read_to_string(dir.join("submission.txt")).ok().map(|s| s.trim().to_string());
        return policy;
    }
    match dir.join("policy.yaml") {
        p if p.is_file() => Policy::load(&p).expect("fixture policy"),
        _ => Policy::baseline(),
    }
}

const CONTROL_FILES: &[&str] =
    &["policy.yaml", "assignment.txt", "submission.txt", "base.txt", "remove.txt", "case.txt", "near_misses"];

fn copy_files(from: &Path, to: &Path, skip: &[&str]) {
    for entry in std::fs::read_dir(from).expect("fixture folder") {
        let entry = entry.expect("entry");
        if !skip.iter().any(|s| entry.file_name() == *s) {
            std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
        }
    }
}

/// The base, the fixture's files over it, its removals; then what is not committed: a
/// credential for RP001 (so no secret scanner flags this repository) and a large file for RP003.
fn prepared(code: Code) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let base = match std::fs::read_to_string(fixture(code).join("base.txt")) {
        Ok(base) => repo.join(base.trim()),
        Err(_) => repo.join("tests/rules/_base"),
    };
    copy_files(&base, dir.path(), &[]);
    copy_files(&fixture(code), dir.path(), CONTROL_FILES);
    for removed in std::fs::read_to_string(fixture(code).join("remove.txt")).unwrap_or_default().lines() {
        std::fs::remove_file(dir.path().join(removed.trim())).expect("a file of the base");
    }
    match code {
        Code::RP001 => {
            let token = format!("hf_{}", "AbCdEfGhIjKlMnOpQrStUvWxYz0123".replace(char::is_numeric, "Q"));
            std::fs::write(dir.path().join("config.py"), format!("import os\n\nHF_TOKEN = \"{token}\"\n")).unwrap();
        }
        Code::RP003 => {
            let file = std::fs::File::create(dir.path().join("weights.bin")).unwrap();
            file.set_len(11 * 1024 * 1024).unwrap();
        }
        _ => {}
    }
    dir
}

/// One line per finding of `code`, then its message, label, help and fix; skipped rules too.
fn render(report: &Report, code: Code) -> String {
    let mut out = String::new();
    for d in report.diagnostics.iter().filter(|d| d.code == code) {
        let place = match (&d.file, &d.position) {
            (Some(f), Some(p)) => format!("{f}:{}:{}-{}:{}", p.line, p.column, p.end_line, p.end_column),
            (Some(f), None) => f.clone(),
            _ => "(no place)".into(),
        };
        let span = d.span.as_ref().map(|s| format!(" bytes {}..{}", s.start, s.end)).unwrap_or_default();
        out += &format!("{} {} {} at {place}{span}\n", d.code, d.name, d.severity.as_str());
        out += &format!("  message: {}\n", d.message);
        if let Some(label) = &d.label {
            out += &format!("  label: {label}\n");
        }
        if let Some(help) = &d.help {
            out += &format!("  help: {help}\n");
        }
        if let Some(fix) = &d.fix {
            out += &format!("  fix ({}): {}\n", fix.applicability.as_str(), fix.message);
            for e in &fix.edits {
                out += &format!("    {} {}..{} -> {:?}\n", e.file, e.range.start, e.range.end, e.replacement);
            }
        }
    }
    for s in report.skipped.iter().filter(|s| s.code == code) {
        out += &format!("skipped {}: {}\n", s.code, s.reason);
    }
    out
}

fn lint_fixture(code: Code) -> Report {
    lint_prepared(code, &prepared(code))
}

/// The near misses of a rule's case, as ruff keeps them beside the case that fires: each folder
/// of `tests/rules/<CODE>/near_misses/` holds files laid over the case (the one change that makes
/// it right); the rule must stay silent on each. Sorted by name.
fn near_misses(code: Code) -> Vec<(String, PathBuf)> {
    let Ok(entries) = std::fs::read_dir(fixture(code).join("near_misses")) else { return Vec::new() };
    let mut found: Vec<(String, PathBuf)> =
        entries.flatten().map(|e| (e.file_name().to_string_lossy().into_owned(), e.path())).collect();
    found.sort();
    found
}

/// What the rule reports on each near miss, rendered for the snapshot (and empty when right).
fn render_near_misses(code: Code) -> (String, Vec<String>) {
    let mut text = String::new();
    let mut loud = Vec::new();
    for (name, files) in near_misses(code) {
        let dir = prepared(code);
        copy_files(&files, dir.path(), &[]);
        let found = render(&lint_prepared(code, &dir), code);
        if found.is_empty() {
            text += &format!("near miss {name}: silent\n");
        } else {
            text += &format!("near miss {name}: FIRES\n{found}");
            loud.push(name);
        }
    }
    (text, loud)
}

fn lint_prepared(code: Code, dir: &tempfile::TempDir) -> Report {
    let space = match code {
        Code::SC002 => Space::load_with_limit(dir.path(), 3),
        _ => Space::load(dir.path()),
    }
    .expect("space");
    let policy = policy_of(&fixture(code));
    let options = options_for(code);
    lint::run(&Input { space: Some(&space), target: code.to_string(), ..Input::default() }, &policy, &options)
}

/// A rule that is off by default is selected by its case, as a user would.
fn options_for(code: Code) -> Options {
    match rules::rule(code).enabled {
        rules::Enabled::ByDefault => Options::default(),
        rules::Enabled::WhenSelected => Options { select: vec![code.to_string()], ..Options::default() },
    }
}

/// Issue 23's fix figure on the rule cases (each a failing Space): every fix removes what it
/// fixes, brings no new finding, leaves the files parsing, and a second run changes nothing. The
/// share of findings a fix removes may only grow: `FIX_FLOOR` is the figure when it was last
/// raised (the table is printed with `--nocapture`).
#[test]
fn fixes_on_the_cases_remove_their_findings_and_break_nothing() {
    let mut figure = fix_figure::Figure::default();
    for rule in rules::all() {
        if matches!(rule.check, Check::Live(_)) || !fixture(rule.code).is_dir() {
            continue;
        }
        let dir = prepared(rule.code);
        let path = dir.path().to_path_buf();
        let load = || Space::load(&path).expect("space");
        fix_figure::measure(
            rule.code.as_str(),
            &load,
            &policy_of(&fixture(rule.code)),
            &options_for(rule.code),
            &mut figure,
        );
    }
    eprintln!("{}", figure.table());
    for (code, counts) in &figure.per_code {
        let fixable = rules::rule(*code).fixable;
        assert!(counts.with_fix == 0 || fixable == rules::Fixable::Yes, "{code} carries fixes but says {fixable:?}");
    }
    assert!(figure.broken.is_empty(), "fixes brought findings: {:?}", figure.broken);
    assert!(figure.not_idempotent.is_empty(), "a second --fix changed: {:?}", figure.not_idempotent);
    assert!(figure.not_removed.is_empty(), "fixes left their finding: {:?}", figure.not_removed);
    let t = figure.total();
    assert!(t.removed * 1000 >= FIX_FLOOR * t.findings, "the fix figure fell below {FIX_FLOOR}‰:\n{}", figure.table());
}

/// ‰ of the cases' error and warning findings that a fix removes.
const FIX_FLOOR: usize = 649;

fn info(id: &str, body: serde_json::Value) -> InfoOutcome {
    InfoOutcome::Found(parse_info(&body, id))
}

fn running_info(id: &str) -> serde_json::Value {
    serde_json::json!({
        "id": id, "private": false, "sdk": "docker", "host": "https://alice-demo.hf.space",
        "runtime": {"stage": "RUNNING", "hardware": {"current": "cpu-basic", "requested": "cpu-basic"}},
        "cardData": {"sdk": "docker", "app_port": 7860, "title": "Demo"},
        "siblings": [{"rfilename": "README.md"}, {"rfilename": "Dockerfile"}]
    })
}

fn probe(info: InfoOutcome) -> Probe {
    Probe {
        space_id: "alice/demo".into(),
        info,
        secrets: None,
        variables: None,
        app: AppOutcome::Answered(200),
        with_token: true,
    }
}

fn not_visible(status: u16) -> InfoOutcome {
    InfoOutcome::NotVisible(Response {
        url: "https://huggingface.co/api/spaces/alice/demo".into(),
        status,
        body: vec![],
        request_id: Some("Root=1-abc".into()),
        error_code: Some("RepoNotFound".into()),
        error_message: Some("Repository not found".into()),
        window: None,
    })
}

/// A live case: the probe, the policy, and the local README (for HUB007).
struct LiveCase {
    probe: Probe,
    policy: &'static str,
    readme: Option<&'static str>,
    assignment: bool,
    /// The local Dockerfile, beside the README (for HUB009, HUB010).
    dockerfile: Option<&'static str>,
}

fn live_case(code: Code) -> LiveCase {
    let id = "alice/demo";
    let mut body = running_info(id);
    let case = |policy: &'static str| LiveCase {
        probe: probe(info(id, body.clone())),
        policy,
        readme: None,
        assignment: false,
        dockerfile: None,
    };
    match code {
        Code::HUB001 => {
            LiveCase { probe: probe(not_visible(404)), policy: "", readme: None, assignment: false, dockerfile: None }
        }
        Code::HUB002 => {
            body["private"] = true.into();
            LiveCase {
                probe: probe(info(id, body)),
                policy: "space:\n  visibility: public\n",
                readme: None,
                assignment: false,
                dockerfile: None,
            }
        }
        Code::HUB003 => {
            body["runtime"]["hardware"]["current"] = "t4-small".into();
            LiveCase {
                probe: probe(info(id, body)),
                policy: "space:\n  hardware: cpu-basic\n",
                readme: None,
                assignment: false,
                dockerfile: None,
            }
        }
        Code::HUB004 => {
            let mut case = case("space:\n  secrets: [OPENAI_API_KEY]\n");
            case.probe.secrets = Some(SecretsOutcome::Names(vec!["OTHER".into()]));
            case
        }
        Code::HUB005 => {
            body["sdk"] = "gradio".into();
            LiveCase { probe: probe(info(id, body)), policy: "", readme: None, assignment: false, dockerfile: None }
        }
        Code::HUB006 => {
            body["runtime"]["stage"] = "BUILD_ERROR".into();
            LiveCase { probe: probe(info(id, body)), policy: "", readme: None, assignment: false, dockerfile: None }
        }
        Code::HUB007 => {
            let mut case = case("");
            case.readme = Some("---\ntitle: Demo\nsdk: docker\napp_port: 7255\n---\n");
            case
        }
        Code::HUB008 => case("space:\n  name: ga2-084d53\n"),
        Code::APP001 => {
            let mut case = case("");
            case.probe.app = AppOutcome::Failed("connection refused".into());
            case
        }
        Code::GA007 => {
            body["runtime"]["hardware"]["current"] = serde_json::Value::Null;
            LiveCase { probe: probe(info(id, body)), policy: "", readme: None, assignment: true, dockerfile: None }
        }
        Code::HUB009 => {
            body["runtime"]["storage"] = "small".into();
            LiveCase {
                probe: probe(info(id, body)),
                policy: "",
                readme: Some("---\ntitle: Demo\nsdk: docker\napp_port: 7860\n---\n"),
                assignment: false,
                dockerfile: Some("FROM python:3.11-slim\nRUN useradd -m -u 1000 user\nRUN pip install huggingface_hub && huggingface-cli download org/model --local-dir /data/model\nUSER user\n"),
            }
        }
        Code::HUB010 => {
            // `running_info` has no `storage`: no persistent storage is attached.
            LiveCase {
                probe: probe(info(id, body)),
                policy: "",
                readme: Some("---\ntitle: Demo\nsdk: docker\napp_port: 7860\n---\n"),
                assignment: false,
                dockerfile: Some("FROM python:3.11-slim\nRUN useradd -m -u 1000 user\nUSER user\nENV HOME=/home/user HF_HOME=/data/.huggingface\nWORKDIR $HOME/app\nCOPY --chown=user . .\nCMD [\"python\", \"app.py\"]\n"),
            }
        }
        other => panic!("{other} is a live rule without a live case in tests/rules.rs"),
    }
}

fn lint_live(case: &LiveCase) -> Report {
    let dir = tempfile::tempdir().expect("temp dir");
    let space = case.readme.map(|readme| {
        std::fs::write(dir.path().join("README.md"), readme).unwrap();
        if let Some(dockerfile) = case.dockerfile {
            std::fs::write(dir.path().join("Dockerfile"), dockerfile).unwrap();
        }
        Space::load(dir.path()).expect("space")
    });
    let policy = if case.assignment {
        let values = spacecheck::assignment::derive("23f1000000@ds.study.iitm.ac.in");
        spacecheck::assignment::policy_for(&values, spacecheck::assignment::find("ga2").unwrap())
    } else {
        spacecheck::policy::parse(case.policy, "policy.yaml").expect("policy")
    };
    let live = Some(Live { probe: &case.probe, compare_readme: true });
    let input = Input { space: space.as_ref(), target: "hf://alice/demo".into(), live, ..Input::default() };
    lint::run(&input, &policy, &Options::default())
}

#[test]
fn every_rule_fires_on_its_case() {
    let mut missing = Vec::new();
    for rule in rules::all() {
        let report = match rule.check {
            Check::Live(_) => lint_live(&live_case(rule.code)),
            Check::Local(_) | Check::Pipeline if fixture(rule.code).is_dir() => lint_fixture(rule.code),
            Check::Local(_) | Check::Pipeline => {
                missing.push(rule.code);
                continue;
            }
        };
        let (near, loud) = render_near_misses(rule.code);
        assert!(loud.is_empty(), "{} fires on its near misses {loud:?}:\n{near}", rule.code);
        let text = render(&report, rule.code) + &near;
        assert!(
            report.diagnostics.iter().any(|d| d.code == rule.code),
            "{} does not fire on its case; findings: {:?}",
            rule.code,
            report.diagnostics.iter().map(|d| d.code).collect::<Vec<_>>()
        );
        insta::assert_snapshot!(rule.code.as_str(), text);
    }
    assert!(missing.is_empty(), "rules without a fixture under tests/rules/: {missing:?}");
}

/// The paths where a live rule cannot judge: skipped with the reason, never passed.
#[test]
fn live_skip_paths() {
    let skipped = |case: &LiveCase, code: Code| -> Vec<String> {
        lint_live(case).skipped.into_iter().filter(|s| s.code == code).map(|s| s.reason).collect()
    };
    let mut case = live_case(Code::HUB004);
    for (outcome, expect) in [
        (SecretsOutcome::NoToken, "no token"),
        (SecretsOutcome::Denied("403 Forbidden".into()), "needs write access"),
        (SecretsOutcome::Unsupported("404 Not Found".into()), ""),
    ] {
        case.probe.secrets = Some(outcome);
        let reasons = skipped(&case, Code::HUB004);
        assert_eq!(reasons.len(), 1, "{reasons:?}");
        assert!(reasons[0].contains(expect), "{reasons:?}");
        assert!(!lint_live(&case).diagnostics.iter().any(|d| d.code == Code::HUB004));
    }
    let mut drift = live_case(Code::HUB007);
    if let InfoOutcome::Found(info) = &mut drift.probe.info {
        info.card_data = None;
    }
    assert_eq!(skipped(&drift, Code::HUB007), vec!["the Hub's answer has no cardData".to_string()]);
}

/// Near misses: the same live cases with the Space as the policy wants it.
#[test]
fn live_rules_silent_when_the_space_complies() {
    let id = "alice/demo";
    for rule in rules::all().iter().filter(|r| r.is_live()) {
        let mut case = live_case(rule.code);
        case.probe = probe(info(id, running_info(id)));
        case.probe.secrets = Some(SecretsOutcome::Names(vec!["OPENAI_API_KEY".into()]));
        if rule.code == Code::HUB007 {
            case.readme = Some("---\ntitle: Demo\nsdk: docker\napp_port: 7860\n---\n");
        }
        if rule.code == Code::HUB008 {
            case.probe.space_id = "alice/ga2-084d53".into();
        }
        if rule.code == Code::HUB010 {
            let mut body = running_info(id);
            body["runtime"]["storage"] = "small".into();
            case.probe = probe(info(id, body));
        }
        let report = lint_live(&case);
        let fired: Vec<_> = report.diagnostics.iter().filter(|d| d.code == rule.code).collect();
        assert!(fired.is_empty(), "{}: {fired:?}", rule.code);
    }
    // Persistent storage, and a build that only prepares the folder: nothing is hidden.
    let mut case = live_case(Code::HUB009);
    case.dockerfile = Some("FROM python:3.11-slim\nRUN mkdir -p /data && chmod 777 /data\nENV HF_HOME=/data/hf\n");
    assert!(!lint_live(&case).diagnostics.iter().any(|d| d.code == Code::HUB009));
    // No storage: a cache in the user's home is silent; a /data the build gave to UID 1000 works
    // but forgets, a warning.
    let hub010 = |dockerfile: &'static str| {
        let mut case = live_case(Code::HUB010);
        case.dockerfile = Some(dockerfile);
        lint_live(&case).diagnostics.into_iter().filter(|d| d.code == Code::HUB010).collect::<Vec<_>>()
    };
    assert!(hub010("FROM python:3.11-slim\nRUN useradd -m -u 1000 user\nUSER user\nENV HOME=/home/user HF_HOME=/home/user/.cache/hf\n").is_empty());
    let found = hub010("FROM python:3.11-slim\nRUN mkdir -p /data && chown 1000 /data\nENV HF_HOME=/data/hf\n");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].severity, spacecheck::rules::Severity::Warning);
    assert!(found[0].message.contains("lost at every restart"), "{}", found[0].message);
    // An image spacecheck does not know: not judged.
    assert!(hub010("FROM acme/runtime:1\nENV HF_HOME=/data/hf\n").is_empty());
}
